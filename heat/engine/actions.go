package engine

import (
	"context"
	"errors"
	"slices"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// errResourceFailed marks a resource failure whose reason is already
// recorded on the resource.
type resourceError struct {
	action string
	reason string
}

func (e *resourceError) Error() string { return "Resource " + e.action + " failed: " + e.reason }

// runHandler runs one handler of a kind with a concurrency slot.
func (e *Engine) runHandler(ctx context.Context, o *op, h func(context.Context, *op) error) error {
	if h == nil {
		return o.delay(ctx)
	}
	if err := o.acquire(ctx); err != nil {
		return err
	}
	defer o.release()
	if err := h(ctx, o); err != nil {
		return err
	}
	return o.delay(ctx)
}

// finishResource records the outcome of a resource action.
func (e *Engine) finishResource(s *stack, r *resource, action string, props map[string]any, err error) error {
	if err != nil && e.ctx.Err() != nil {
		return err // the engine is closing: leave the resource in progress, to resume
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		reason := failureReason(r, action, err)
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "Timed out"
		}
		r.setState(action, stFailed, reason)
		e.saveResource(s, r, false)
		return &resourceError{action: action, reason: reason}
	}
	r.setState(action, stComplete, "state changed")
	e.apply(s, r, props, e.metadataOf(r))
	return nil
}

func (e *Engine) metadataOf(r *resource) any {
	v, err := hot.Resolve(r.def.Metadata)
	if err != nil {
		return nil
	}
	return v
}

// begin resolves the properties of a resource and marks it in progress.
// The state is persisted with the resource's next write (its physical
// ID or the end of the action): until then a restart finds the resource
// as it was, and runs the action again.
func (e *Engine) begin(s *stack, r *resource, action string) (*op, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	props, err := e.resolveProps(r, func(string) bool { return true })
	r.setState(action, stInProgress, "state changed")
	o := &op{e: e, s: s, r: r, action: action, props: props, old: r.rec.Props}
	o.changed = changedKeys(o.old, props)
	return o, err
}

// createResource creates one resource. Its properties are checked in
// full only now that the resources they come from exist.
func (e *Engine) createResource(ctx context.Context, s *stack, r *resource) error {
	o, err := e.begin(s, r, actCreate)
	if err != nil {
		err = createValidationFailure(r, err, true)
	} else if err = e.runHandler(ctx, o, r.kind.create); err != nil {
		err = createValidationFailure(r, err, false)
	}
	return e.finishResource(s, r, actCreate, o.props, err)
}

// createValidationFailure re-paths a validation failure met creating a
// resource under the resource's name, as Heat's Resource.create does:
// "<name>.Properties.<key>" for its own properties (own), the nested
// stack's path after "<name>." otherwise. Other errors are returned as
// they are.
func createValidationFailure(r *resource, err error, own bool) error {
	var he *hot.Error
	if !errors.As(err, &he) || he.Type != hot.TypeStackValidationFailed {
		return err
	}
	path := he.Path
	if own {
		prefix := []string{"resources", r.rec.Name, "properties"}
		if len(path) < len(prefix) || !slices.Equal(path[:len(prefix)], prefix) {
			return err
		}
		path = append([]string{"Properties"}, path[len(prefix):]...)
	}
	return &hot.Error{Type: he.Type, Class: he.Class, Path: append([]string{r.rec.Name}, path...), Message: he.Message}
}

// updateResource updates a resource in place.
func (e *Engine) updateResource(ctx context.Context, s *stack, r *resource) error {
	o, err := e.begin(s, r, actUpdate)
	if err == nil {
		err = e.runHandler(ctx, o, r.kind.update)
	}
	return e.finishResource(s, r, actUpdate, o.props, err)
}

// deleteResource deletes one resource (unless it was never created or
// its deletion policy retains it) and forgets it.
func (e *Engine) deleteResource(ctx context.Context, s *stack, r *resource) error {
	s.mu.Lock()
	skip := r.rec.Action == actInit || r.state() == actDelete+"_"+stComplete
	retain := r.def != nil && r.def.DeletionPolicy == "Retain"
	if !skip {
		r.setState(actDelete, stInProgress, "state changed")
		e.saveResource(s, r, false)
	}
	s.mu.Unlock()
	if !skip {
		o := &op{e: e, s: s, r: r, action: actDelete, props: r.rec.Props, old: r.rec.Props}
		h := r.kind.delete
		if retain {
			h = nil
		}
		if err := e.runHandler(ctx, o, h); err != nil {
			return e.finishResource(s, r, actDelete, r.rec.Props, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.setState(actDelete, stComplete, "state changed")
	e.forgetResource(s, r)
	if s.resources[r.rec.Name] == r {
		delete(s.resources, r.rec.Name)
	}
	s.garbage = slices.DeleteFunc(s.garbage, func(g *resource) bool { return g == r })
	return nil
}

// updateDecision is what an update does with an existing resource.
type updateDecision int

const (
	keep updateDecision = iota
	inPlace
	replace
)

// decide compares a resource's applied properties with the new ones.
// The stack lock must be held.
func (e *Engine) decide(r *resource) (updateDecision, error) {
	if r.rec.Action == actInit || (r.rec.Action == actCreate && r.rec.Status != stComplete) {
		return replace, nil
	}
	if r.rec.Status == stFailed && !r.kind.nested {
		return replace, nil
	}
	if r.kind.never {
		return keep, nil
	}
	props, err := e.resolveProps(r, func(string) bool { return true })
	if err != nil {
		return inPlace, err
	}
	changed := changedKeys(r.rec.Props, props)
	metaChanged := !hot.PyEqual(r.rec.Metadata, e.metadataOf(r))
	switch {
	case len(changed) == 0 && r.kind.nested:
		// Heat always updates a nested stack and lets its resources
		// decide whether they change.
		return inPlace, nil
	case len(changed) == 0 && !metaChanged && r.rec.Status != stFailed:
		return keep, nil
	case r.kind.props == nil || len(changed) == 0:
		return inPlace, nil
	case !r.kind.props.updatable(changed), r.kind.replaceOn != nil && r.kind.replaceOn(changed, props):
		return replace, nil
	}
	return inPlace, nil
}

// checkResource brings one resource to its new definition during a
// create or an update.
func (e *Engine) checkResource(ctx context.Context, s *stack, name string) error {
	s.mu.Lock()
	r := s.resources[name]
	if r.state() == actCreate+"_"+stInProgress {
		s.mu.Unlock()
		return e.createResource(ctx, s, r) // resuming a create a restart interrupted
	}
	fresh := r.rec.Action == actInit
	d, err := e.decide(r)
	if err == nil && d == replace && !fresh {
		r = e.replacement(s, r)
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		return e.finishResource(s, r, actUpdate, r.rec.Props, err)
	case d == keep:
		return nil
	case d == inPlace:
		return e.updateResource(ctx, s, r)
	}
	return e.createResource(ctx, s, r)
}

// replacement swaps a resource for a new INIT one of the same
// definition; the old one is deleted when the update cleans up.
func (e *Engine) replacement(s *stack, old *resource) *resource {
	nr := &resource{s: s, def: old.def, kind: old.kind, entry: old.entry, rec: resourceRecord{
		Name: old.rec.Name, Type: old.rec.Type, UUID: newUUID(), Action: actInit, Status: stComplete,
		Template: old.rec.Template, Updated: e.now(),
	}}
	s.resources[old.rec.Name] = nr
	s.garbage = append(s.garbage, old)
	e.saveResource(s, old, true)
	return nr
}

// converge creates or updates every resource of the current definition
// in dependency order.
func (e *Engine) converge(ctx context.Context, s *stack, onFail func(error)) error {
	s.mu.Lock()
	g, err := s.def.dependencies(true)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	t := &traversal{
		nodes:  sortedKeys(g.requires),
		prereq: func(n string) []string { return g.requires[n] },
		work:   func(ctx context.Context, n string) error { return e.checkResource(ctx, s, n) },
		onFail: onFail,
	}
	return t.run(ctx)
}

// deleteAll deletes resources in reverse dependency order.
func (e *Engine) deleteAll(ctx context.Context, s *stack, rs []*resource, onFail func(error)) error {
	s.mu.Lock()
	byUUID := map[string]*resource{}
	var nodes []string
	for _, r := range rs {
		byUUID[r.rec.UUID] = r
		nodes = append(nodes, r.rec.UUID)
	}
	needers := e.reverseDeps(s, rs)
	s.mu.Unlock()
	slices.Sort(nodes)
	t := &traversal{
		nodes:  nodes,
		prereq: func(n string) []string { return needers[n] },
		work:   func(ctx context.Context, n string) error { return e.deleteResource(ctx, s, byUUID[n]) },
		onFail: onFail,
	}
	return t.run(ctx)
}

// reverseDeps maps each resource (by UUID) to the resources that must be
// deleted before it: those whose definitions refer to it.
func (e *Engine) reverseDeps(s *stack, rs []*resource) map[string][]string {
	byName := map[string][]*resource{}
	for _, r := range rs {
		byName[r.rec.Name] = append(byName[r.rec.Name], r)
	}
	out := map[string][]string{}
	for _, r := range rs {
		if r.def == nil {
			continue
		}
		deps, err := definitionDeps(s.def.defs, s.def.tmpl.ResourceNames(), r.def)
		if err != nil {
			continue
		}
		for _, d := range deps {
			for _, target := range byName[d] {
				if target != r {
					out[target.rec.UUID] = append(out[target.rec.UUID], r.rec.UUID)
				}
			}
		}
	}
	return out
}
