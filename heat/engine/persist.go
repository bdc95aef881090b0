package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Stacks persist under "stacks/<id>" and their resources under
// "stacks/<id>/r/<uuid>".

const stackPrefix = "stacks/"

func stackKey(id string) string               { return stackPrefix + id }
func resourceKey(stackID, uuid string) string { return stackPrefix + stackID + "/r/" + uuid }

// persistedResource adds what the record needs to be put back in place.
type persistedResource struct {
	resourceRecord
	// Garbage marks a replaced or removed resource waiting for deletion.
	Garbage bool `json:"garbage,omitempty"`
}

// saveStack stores the stack record; the stack lock must be held.
func (e *Engine) saveStack(s *stack) {
	if e.blobs == nil {
		return
	}
	e.put(stackKey(s.rec.ID), s.rec)
}

// saveResource stores a resource record; the stack lock must be held.
func (e *Engine) saveResource(s *stack, r *resource, garbage bool) {
	if e.blobs == nil {
		return
	}
	e.put(resourceKey(s.rec.ID, r.rec.UUID), persistedResource{resourceRecord: r.rec, Garbage: garbage})
}

func (e *Engine) put(key string, v any) {
	if e.blobs == nil {
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = e.blobs.Put(e.ctx, key, b)
	}
	if err != nil {
		e.log.Error("engine: persisting state failed", "key", key, "err", err)
	}
}

// forgetResource removes a deleted resource's record.
func (e *Engine) forgetResource(s *stack, r *resource) {
	if e.blobs == nil {
		return
	}
	if err := e.blobs.Delete(e.ctx, resourceKey(s.rec.ID, r.rec.UUID)); err != nil {
		e.log.Error("engine: deleting resource record failed", "stack", s.rec.ID, "err", err)
	}
}

// forgetStack removes a stack and its resources from the store.
func (e *Engine) forgetStack(id string) {
	if e.blobs == nil {
		return
	}
	keys, err := e.blobs.List(e.ctx, stackKey(id)+"/")
	if err == nil {
		for k := range keys {
			err = e.blobs.Delete(e.ctx, k)
		}
	}
	if err == nil {
		err = e.blobs.Delete(e.ctx, stackKey(id))
	}
	if err != nil {
		e.log.Error("engine: deleting stack records failed", "stack", id, "err", err)
	}
}

// load reads every stored stack, rebuilds it, and resumes those that
// were in progress.
func (e *Engine) load(ctx context.Context) error {
	if e.blobs == nil {
		return nil
	}
	all, err := e.blobs.List(ctx, stackPrefix)
	if err != nil {
		return fmt.Errorf("engine: loading stacks: %w", err)
	}
	recs, res, err := decodeStacks(all)
	if err != nil {
		return err
	}
	for id, rec := range recs {
		e.stacks[id] = &stack{e: e, rec: rec}
		if rec.ParentID == "" {
			e.names[rec.Name] = id
		}
	}
	for id, s := range e.stacks {
		if err := e.restore(s, res[id]); err != nil {
			e.log.Error("engine: restoring stack failed", "stack", id, "err", err)
		}
	}
	for _, s := range e.stacks {
		e.linkParent(s)
		e.rearm(s)
	}
	for _, s := range e.stacks {
		if s.topLevel() && s.rec.Status == stInProgress {
			e.resume(s)
		}
	}
	return nil
}

func decodeStacks(all map[string][]byte) (map[string]stackRecord, map[string][]persistedResource, error) {
	recs := map[string]stackRecord{}
	res := map[string][]persistedResource{}
	for key, b := range all {
		rest := strings.TrimPrefix(key, stackPrefix)
		id, sub, isRes := strings.Cut(rest, "/r/")
		if isRes {
			var pr persistedResource
			if err := json.Unmarshal(b, &pr); err != nil {
				return nil, nil, fmt.Errorf("engine: decoding %s: %w", key, err)
			}
			res[id] = append(res[id], pr)
			continue
		}
		if sub != "" || strings.Contains(rest, "/") {
			continue
		}
		var rec stackRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, nil, fmt.Errorf("engine: decoding %s: %w", key, err)
		}
		recs[rec.ID] = rec
	}
	return recs, res, nil
}

// restore re-parses a stored stack's definition and puts its resources
// back.
func (e *Engine) restore(s *stack, res []persistedResource) error {
	p, err := e.parseDefinition(s, s.rec.Definition, false)
	if err != nil {
		return err
	}
	s.def = p
	s.resources = map[string]*resource{}
	for _, pr := range res {
		r := &resource{s: s, rec: pr.resourceRecord, def: p.defs[pr.Name]}
		r.kind = e.kindOf(r)
		if pr.Garbage || r.def == nil {
			s.garbage = append(s.garbage, r)
			continue
		}
		s.resources[pr.Name] = r
	}
	for name, d := range p.defs {
		if s.resources[name] == nil {
			r, err := e.newResource(s, p, d)
			if err != nil {
				return err
			}
			s.resources[name] = r
		}
	}
	return nil
}

// kindOf returns the kind of a stored resource.
func (e *Engine) kindOf(r *resource) *kind {
	if r.rec.Template != "" {
		return templateKind
	}
	if k, ok := kinds[r.rec.Type]; ok {
		return k
	}
	if r.def != nil {
		if res, err := r.s.def.env.Registry.Resolve(r.rec.Type, r.rec.Name, isBuiltin); err == nil && res.Builtin != "" {
			return kinds[res.Builtin]
		}
	}
	return kinds["OS::Heat::None"]
}

// rearm restores the in-memory state of a loaded stack's resources.
func (e *Engine) rearm(s *stack) {
	for _, r := range s.resources {
		if r.kind.restore != nil {
			r.kind.restore(e, r)
		}
	}
}

// linkParent points a nested stack at the resource owning it.
func (e *Engine) linkParent(s *stack) {
	if s.topLevel() {
		return
	}
	parent := e.stacks[s.rec.ParentID]
	if parent == nil {
		return
	}
	for _, r := range parent.resources {
		if r.rec.NestedID == s.rec.ID {
			s.parent = r
		}
	}
}
