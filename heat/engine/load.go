package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// storedStack gathers the records of one stack read back from the store.
type storedStack struct {
	rec       *stackRecord
	def       *definitionRecord
	resources []persistedResource
	// applied holds the applied properties stored apart, by appliedName.
	applied map[string][]byte
	// texts holds the texts an older engine stored under a top-level
	// stack, by digest (texts.go moves them).
	texts map[string]string
	// keys are all the keys of the stack's records.
	keys []string
}

// decodeStore sorts the stored records by stack.
func decodeStore(all map[string][]byte) (map[string]*storedStack, error) {
	out := map[string]*storedStack{}
	for key, b := range all {
		id, sub, _ := strings.Cut(strings.TrimPrefix(key, stackPrefix), "/")
		ss := out[id]
		if ss == nil {
			ss = &storedStack{applied: map[string][]byte{}, texts: map[string]string{}}
			out[id] = ss
		}
		ss.keys = append(ss.keys, key)
		if err := ss.decode(sub, b); err != nil {
			return nil, fmt.Errorf("engine: decoding %s: %w", key, err)
		}
	}
	return out, nil
}

// decode reads the record of the stack stored under sub, its key after
// the stack's.
func (ss *storedStack) decode(sub string, b []byte) error {
	kind, name, _ := strings.Cut(sub, "/")
	switch {
	case sub == "":
		ss.rec = &stackRecord{}
		return json.Unmarshal(b, ss.rec)
	case sub == "d":
		ss.def = &definitionRecord{}
		return json.Unmarshal(b, ss.def)
	case kind == "t":
		ss.texts[name] = string(b)
	case kind == "r":
		var pr persistedResource
		if err := json.Unmarshal(b, &pr); err != nil {
			return err
		}
		ss.resources = append(ss.resources, pr)
	case kind == "a":
		ss.applied[name] = b
	}
	return nil
}

// orphans returns the keys of the records nothing refers to, which a
// crash between two writes leaves: those of a stack without its state
// record, and applied properties their resource does not name.
func orphans(stored map[string]*storedStack) []string {
	var out []string
	for id, ss := range stored {
		if ss.rec == nil {
			out = append(out, ss.keys...)
			continue
		}
		named := map[string]bool{}
		for _, pr := range ss.resources {
			if pr.AppliedTag != "" {
				named[appliedName(pr.UUID, pr.AppliedTag)] = true
			}
		}
		for name := range ss.applied {
			if !named[name] {
				out = append(out, appliedKey(id, name))
			}
		}
	}
	return out
}

// layoutKey marks a store whose top-level stacks' states are under
// tops/ and whose texts carry their counts under refs/; a store without
// it is converted once (migrate.go).
const layoutKey = "layout"

// load reads the state records of the top-level stacks, the counts of
// the stored texts, and the trees of the stacks that were in progress,
// which it resumes. No stack at rest is read.
func (e *Engine) load(ctx context.Context) error {
	if e.blobs == nil {
		return nil
	}
	mark, err := e.loadRecords(ctx, layoutKey)
	switch {
	case err != nil:
		return fmt.Errorf("engine: loading stacks: %w", err)
	case mark[layoutKey] == nil:
		if err := e.migrate(ctx); err != nil {
			return fmt.Errorf("engine: converting the stored stacks: %w", err)
		}
	case e.resealed:
		// The mark was in clear or under a retired key: so may be any
		// record at rest, which no start reads otherwise.
		if err := e.resealAll(ctx); err != nil {
			return fmt.Errorf("engine: sealing the stored stacks again: %w", err)
		}
	}
	tops, err := e.loadRecords(ctx, topPrefix)
	if err != nil {
		return fmt.Errorf("engine: loading stacks: %w", err)
	}
	if err := e.loadCounts(ctx); err != nil {
		return fmt.Errorf("engine: loading texts: %w", err)
	}
	var resumed, forgotten []*stack
	for key, b := range tops {
		s := &stack{e: e}
		if err := json.Unmarshal(b, &s.rec); err != nil {
			return fmt.Errorf("engine: decoding %s: %w", key, err)
		}
		switch {
		case s.deleted():
			forgotten = append(forgotten, s) // a crash came before its records were all deleted
			continue
		case s.rec.Status == stInProgress:
			resumed = append(resumed, s)
		}
		e.stacks[s.rec.ID] = s
		e.names[s.rec.Name] = s.rec.ID
	}
	for _, s := range forgotten {
		e.forgetStack(s)
	}
	for _, s := range resumed {
		e.resumeStored(ctx, s)
	}
	return nil
}

// resumeStored reads back the tree of a stack that was in progress and
// carries its action on.
func (e *Engine) resumeStored(ctx context.Context, s *stack) {
	if err := e.pin(ctx, s); err != nil {
		e.log.Error("engine: restoring stack failed", "stack", s.rec.ID, "err", err)
		return
	}
	e.resume(s)
	e.unpin(s)
}

// loadRecords reads the records under prefix, sealing again those
// stored in clear or under a retired key (load runs before anything
// else writes).
func (e *Engine) loadRecords(ctx context.Context, prefix string) (map[string][]byte, error) {
	all, resealed, err := e.blobs.Load(ctx, prefix)
	if resealed > 0 {
		e.resealed = true
		e.log.Info("engine: sealed stored records again", "prefix", prefix, "records", resealed)
	}
	return all, err
}

// resealAll reads every record at rest, a slice of stacks at a time, so
// that those in clear or under a retired key are sealed again.
func (e *Engine) resealAll(ctx context.Context) error {
	const hex = "0123456789abcdef"
	prefixes := []string{textPrefix}
	for _, a := range hex {
		for _, b := range hex {
			prefixes = append(prefixes, stackPrefix+string(a)+string(b))
		}
	}
	for _, p := range prefixes {
		if _, err := e.loadRecords(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// errNoDefinition: a stack's state record has no definition record.
var errNoDefinition = errors.New("the definition record is missing")

// restore puts back a stored stack's definitions, re-parses the current
// one, and puts its resources back.
func (e *Engine) restore(s *stack, ss *storedStack, texts map[string]string) error {
	if ss.def == nil {
		return errNoDefinition
	}
	d, err := expand(ss.def.Definition, texts)
	if err != nil {
		return err
	}
	s.rec.Definition, s.rec.Facade = d, ss.def.Facade
	if ss.def.Previous != nil {
		prev, err := expand(*ss.def.Previous, texts)
		if err != nil {
			return err
		}
		s.rec.Previous = &prev
	}
	p, err := e.parseDefinition(s, s.rec.Definition, false)
	if err != nil {
		return err
	}
	s.def = p
	s.resources = map[string]*resource{}
	for _, pr := range ss.resources {
		r := &resource{s: s, rec: pr.resourceRecord, def: p.defs[pr.Name]}
		if err := r.loadApplied(pr, ss.applied); err != nil {
			return err
		}
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

// expand turns a stored definition back into a definition, its texts
// looked up by digest.
func expand(sd storedDefinition, texts map[string]string) (stackDefinition, error) {
	text := func(digest string) (string, error) {
		t, ok := texts[digest]
		if !ok {
			return "", fmt.Errorf("the text %s is missing", digest)
		}
		return t, nil
	}
	tmpl, err := text(sd.Template)
	if err != nil {
		return stackDefinition{}, err
	}
	d := stackDefinition{Template: tmpl, Env: sd.Env, Params: sd.Params}
	if len(sd.Files) > 0 {
		d.Files = make(map[string]string, len(sd.Files))
		for name, digest := range sd.Files {
			if d.Files[name], err = text(digest); err != nil {
				return stackDefinition{}, err
			}
		}
	}
	return d, nil
}

// loadApplied puts back the applied properties and metadata of a stored
// resource, stored inline or apart.
func (r *resource) loadApplied(pr persistedResource, apart map[string][]byte) error {
	b := []byte(pr.Applied)
	if len(b) > 0 {
		r.stored = &appliedRef{inline: pr.Applied}
	}
	if pr.AppliedTag != "" {
		r.stored = &appliedRef{tag: pr.AppliedTag}
		if b = apart[appliedName(pr.UUID, pr.AppliedTag)]; b == nil {
			return fmt.Errorf("resource %s: its properties record is missing", pr.Name)
		}
	}
	if len(b) == 0 {
		return nil
	}
	var a appliedRecord
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("resource %s: %w", pr.Name, err)
	}
	r.rec.Props, r.rec.Metadata = a.Props, a.Metadata
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

// linkParent points a nested stack at the resource of parent owning it.
func linkParent(s, parent *stack) {
	for _, r := range parent.resources {
		if r.rec.NestedID == s.rec.ID {
			s.parent = r
		}
	}
}
