package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gomagnum/gomagnum/heat"
)

// A stack at rest lives in the store alone. Memory keeps the state
// record of every top-level stack (what ListStacks shows) and the whole
// tree, its definitions parsed and its resources, only of the stacks
// something works on: an action running, or a call reading or changing
// the stack. A call pins the tree (acquire) and unpins it when done
// (release); the tree is put back to rest (dehydrate) when neither a call
// nor an action holds it, and read back (hydrate) when one needs it.
// Without Blobs every tree stays in memory.

// acquire returns the stack id names, its tree read back from the store
// unless it is in memory, pinned there until release is called.
func (e *Engine) acquire(ctx context.Context, id string) (*stack, func(), error) {
	s, err := e.lookup(id)
	if err != nil && errors.Is(err, heat.ErrNotFound) && e.blobs != nil {
		s, err = e.lookupStored(ctx, id)
	}
	if err != nil {
		return nil, nil, err
	}
	root := s.treeRoot()
	if err := e.pin(ctx, root); err != nil {
		return nil, nil, err
	}
	if s != root {
		// A nested stack is the one of the tree now in memory.
		if s, err = e.lookup(id); err != nil {
			e.unpin(root)
			return nil, nil, err
		}
	}
	return s, func() { e.unpin(root) }, nil
}

// lookupStored finds a nested stack of a tree at rest through its state
// record, and returns the tree's top-level stack.
func (e *Engine) lookupStored(ctx context.Context, id string) (*stack, error) {
	notFound := heat.NewError(heat.ErrNotFound, fmt.Sprintf("The Stack (%s) could not be found.", id))
	if strings.Contains(id, "/") {
		return nil, notFound
	}
	if err := e.flush(ctx); err != nil {
		return nil, err
	}
	b, err := e.blobs.Get(ctx, stackKey(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("engine: reading stack %s: %w", id, err)
	}
	var rec stackRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("engine: decoding stack %s: %w", id, err)
	}
	root, err := e.lookup(rec.Root)
	if err != nil {
		return nil, notFound
	}
	return root, nil
}

// pin keeps root's tree in memory, reading it back first if it is at
// rest. A deleted stack has nothing to read back.
func (e *Engine) pin(ctx context.Context, root *stack) error {
	for {
		root.hmu.Lock()
		root.mu.Lock()
		rest := !root.loaded && !root.deleted()
		root.mu.Unlock()
		if !rest || root.flushedRest == root.rests {
			break
		}
		// The records written before the tree went to rest must be
		// committed before they are read: flush without holding the
		// tree, then check it did not go to rest again meanwhile.
		rests := root.rests
		root.hmu.Unlock()
		if err := e.flush(ctx); err != nil {
			return err
		}
		root.hmu.Lock()
		if root.rests == rests {
			root.flushedRest = rests
		}
		root.hmu.Unlock()
	}
	defer root.hmu.Unlock()
	root.mu.Lock()
	rest := !root.loaded && !root.deleted()
	root.mu.Unlock()
	if rest {
		if err := e.hydrate(ctx, root); err != nil {
			return fmt.Errorf("engine: reading stack %s back: %w", root.rec.ID, err)
		}
	}
	root.pins++
	return nil
}

// unpin releases a pin of root's tree and puts it to rest when nothing
// else holds it.
func (e *Engine) unpin(root *stack) {
	root.hmu.Lock()
	defer root.hmu.Unlock()
	root.pins--
	e.restIfIdle(root)
}

// settle ends run on root, the end of the action, and puts the tree to
// rest when nothing else holds it.
func (e *Engine) settle(root *stack, r *run) {
	root.hmu.Lock()
	defer root.hmu.Unlock()
	root.mu.Lock()
	if root.run == r {
		root.run = nil
	}
	root.mu.Unlock()
	e.restIfIdle(root)
}

// restIfIdle lets root's tree linger on its way to rest (linger.go) when
// no call pins it and no action runs on it; root.hmu must be held.
func (e *Engine) restIfIdle(root *stack) {
	if e.idle(root) {
		e.linger(root)
	}
}

// idle reports whether root's tree is in memory, with no call pinning it
// and no action running on it, and could go to rest; root.hmu must be
// held.
func (e *Engine) idle(root *stack) bool {
	root.mu.Lock()
	defer root.mu.Unlock()
	return root.pins == 0 && root.run == nil && root.loaded && e.blobs != nil
}

// dehydrate drops root's tree from memory but for root's state record:
// the nested stacks, the definitions and resources, what their restore
// put back. root.hmu must be held.
func (e *Engine) dehydrate(root *stack) {
	tree := e.tree(root)
	for _, s := range tree {
		s.mu.Lock()
		for _, r := range s.resources {
			if r.kind != nil && r.kind.unload != nil {
				r.kind.unload(e, r)
			}
		}
		s.mu.Unlock()
	}
	e.mu.Lock()
	for _, s := range tree {
		if s != root {
			delete(e.stacks, s.rec.ID)
		}
	}
	e.mu.Unlock()
	root.mu.Lock()
	root.loaded, root.def, root.resources, root.garbage = false, nil, nil, nil
	root.rests++
	root.rec.Definition, root.rec.Previous, root.rec.Facade = stackDefinition{}, nil, nil
	root.mu.Unlock()
	e.forgetTexts(root.rec.ID)
}

// hydrate reads root's tree back from the store: the records of root and
// of every nested stack its resources name, and the texts of their
// definitions; records a crash left that nothing refers to are deleted.
// root.hmu must be held, and the records written before the tree went
// to rest flushed.
func (e *Engine) hydrate(ctx context.Context, root *stack) error {
	stored, err := e.readTree(ctx, root)
	if err != nil {
		return err
	}
	for _, key := range orphans(stored) {
		e.del(key)
	}
	used := map[string]bool{}
	for _, ss := range stored {
		if ss.def != nil {
			for d := range digests(&ss.def.Definition, ss.def.Previous) {
				used[d] = true
			}
		}
	}
	texts, err := e.readTexts(ctx, used)
	if err != nil {
		return err
	}
	stacks := map[string]*stack{root.rec.ID: root}
	for id, ss := range stored {
		if id != root.rec.ID {
			stacks[id] = &stack{e: e, rec: *ss.rec, root: root}
		}
	}
	root.mu.Lock()
	defer root.mu.Unlock()
	for id, s := range stacks {
		if err := e.restore(s, stored[id], texts); err != nil {
			return fmt.Errorf("stack %s: %w", id, err)
		}
	}
	for _, s := range stacks {
		if p := stacks[s.rec.ParentID]; p != nil {
			linkParent(s, p)
		}
		e.rearm(s)
	}
	e.mu.Lock()
	for id, s := range stacks {
		if s != root {
			e.stacks[id] = s
		}
	}
	e.mu.Unlock()
	e.adoptTexts(root.rec.ID, used)
	root.loaded = true
	return nil
}

// readTree reads the records of root's tree: root's own, then those of
// each nested stack a resource names, level by level.
func (e *Engine) readTree(ctx context.Context, root *stack) (map[string]*storedStack, error) {
	out := map[string]*storedStack{}
	next := []string{root.rec.ID}
	for len(next) > 0 && len(out) <= maxTreeStacks {
		id := next[0]
		next = next[1:]
		if out[id] != nil {
			continue
		}
		prefix := stackKey(id) + "/"
		if id != root.rec.ID {
			prefix = stackKey(id)
		}
		all, err := e.blobs.List(ctx, prefix)
		if err != nil {
			return nil, err
		}
		byStack, err := decodeStore(all)
		if err != nil {
			return nil, err
		}
		ss := byStack[id]
		if ss == nil {
			ss = &storedStack{applied: map[string][]byte{}, texts: map[string]string{}}
		}
		if id == root.rec.ID {
			rec := root.rec
			ss.rec = &rec
		}
		if ss.rec == nil {
			continue // a nested stack forgotten but for records a crash left
		}
		out[id] = ss
		for _, pr := range ss.resources {
			if pr.NestedID != "" {
				next = append(next, pr.NestedID)
			}
		}
	}
	return out, nil
}

// maxTreeStacks bounds how many stacks one tree read back may hold.
const maxTreeStacks = 100_000
