package engine

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

var _ heat.Orchestrator = (*Engine)(nil)

var stackNameRE = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$`)

func checkStackName(name string) error {
	if !stackNameRE.MatchString(name) {
		return heat.NewError(heat.ErrInvalid, fmt.Sprintf("Invalid stack name %s must contain only alphanumeric or \"_-.\" characters, must start with alpha and must be 255 characters or less.", name))
	}
	return nil
}

// definitionOf returns the definition a spec describes.
func definitionOf(spec heat.StackSpec) stackDefinition {
	return stackDefinition{Template: string(spec.Template), Files: spec.Files, Env: spec.Environment, Params: spec.Parameters}
}

// Validate checks a stack as Heat's template validation (POST
// /validate) does: the template's format, version and structure, the
// environment and its registry, the parameters declared (not their
// values), every function, the dependency graph, the names of resource
// properties and the outputs. Property values and nested stacks are
// checked only when a stack is created (see Preflight). A refusal Heat's
// validation reports as HTTPBadRequest is a *hot.Error of that type.
func Validate(ctx context.Context, spec heat.StackSpec) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e := validationEngine()
	e.templateOnly = true
	s := e.newStack(spec.Name, "", 0)
	return invalid(hot.ValidateRequestError(e.prepareStack(s, definitionOf(spec), false)))
}

// Preflight checks a stack as a create does before anything is built:
// everything Validate checks, and also every parameter value, every
// resource's property values and nested stacks. Cloud resources are
// checked for their properties only.
func Preflight(ctx context.Context, spec heat.StackSpec) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e := validationEngine()
	s := e.newStack(spec.Name, "", 0)
	return invalid(e.prepareStack(s, definitionOf(spec), true))
}

// validationEngine returns an engine that only validates stacks.
func validationEngine() *Engine {
	return &Engine{project: DefaultProject, delays: map[string]time.Duration{}, validateOnly: true,
		maxResources: DefaultMaxResourcesPerStack}
}

// newStack returns an unregistered stack record.
func (e *Engine) newStack(name, parentID string, depth int) *stack {
	s := &stack{e: e, rec: stackRecord{
		ID: newUUID(), Name: name, Project: e.project, ParentID: parentID, Depth: depth,
		Action: actInit, Status: stComplete, Created: e.now(),
	}}
	return s
}

// prepareStack parses, instantiates and validates a stack, refusing one
// with more resources than a stack may hold before anything is built.
func (e *Engine) prepareStack(s *stack, d stackDefinition, strict bool) error {
	if err := e.checkResourceCount(d.Template); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := e.parseDefinition(s, d, strict)
	if err != nil {
		return err
	}
	s.def, s.rec.Definition = p, d
	if err := e.instantiate(s, p); err != nil {
		return err
	}
	return e.validateStack(s, p, strict)
}

// CreateStack validates a stack and starts creating it.
func (e *Engine) CreateStack(ctx context.Context, spec heat.StackSpec) (string, error) {
	if err := checkStackName(spec.Name); err != nil {
		return "", err
	}
	if err := e.nameFree(spec.Name); err != nil {
		return "", err
	}
	s := e.newStack(spec.Name, "", 0)
	s.loaded = true
	s.rec.Tags, s.rec.Timeout, s.rec.Rollback = slices.Clone(spec.Tags), spec.Timeout, spec.Rollback
	if err := e.prepareStack(s, definitionOf(spec), true); err != nil {
		return "", invalid(err)
	}
	if err := e.register(s); err != nil {
		return "", err
	}
	s.mu.Lock()
	e.saveDefinition(s)
	e.beginStack(s, actCreate)
	e.start(s, actCreate, func(ctx context.Context) { e.runCreate(ctx, s) })
	s.mu.Unlock()
	return s.rec.ID, e.flush(ctx)
}

// nameFree refuses a name a live top-level stack has, before the
// template is looked at, as Heat does.
func (e *Engine) nameFree(name string) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return errClosed
	}
	if _, taken := e.names[name]; taken {
		return heat.NewError(heat.ErrConflict, fmt.Sprintf("The Stack (%s) already exists.", name))
	}
	return nil
}

// register adds a new top-level stack, refusing a name taken meanwhile.
// e.mu is never held while a stack lock is taken.
func (e *Engine) register(s *stack) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errClosed
	}
	if _, taken := e.names[s.rec.Name]; taken {
		return heat.NewError(heat.ErrConflict, fmt.Sprintf("The Stack (%s) already exists.", s.rec.Name))
	}
	e.names[s.rec.Name] = s.rec.ID
	e.stacks[s.rec.ID] = s
	return nil
}

// release frees the name of a deleted stack.
func (e *Engine) releaseName(s *stack) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.names[s.rec.Name] == s.rec.ID {
		delete(e.names, s.rec.Name)
	}
}

func (s *stack) deleted() bool { return s.rec.Action == actDelete && s.rec.Status == stComplete }

// lookup finds a stack by ID.
func (e *Engine) lookup(id string) (*stack, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		return nil, errClosed
	}
	s, ok := e.stacks[id]
	if !ok {
		return nil, heat.NewError(heat.ErrNotFound, fmt.Sprintf("The Stack (%s) could not be found.", id))
	}
	return s, nil
}

// acquireTop finds a live top-level stack and pins its tree in memory
// until release is called.
func (e *Engine) acquireTop(ctx context.Context, id string) (s *stack, release func(), err error) {
	s, release, err = e.acquire(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	switch {
	case !s.topLevel():
		err = heat.NewError(heat.ErrInvalid, fmt.Sprintf("Stack %s is nested; it changes with its parent.", s.rec.Name))
	case s.deleted():
		err = heat.NewError(heat.ErrNotFound, fmt.Sprintf("The Stack (%s) could not be found.", id))
	}
	s.mu.Unlock()
	if err != nil {
		release()
		return nil, nil, err
	}
	return s, release, nil
}

// UpdateStack updates a stack with PATCH semantics: without a template
// the stored template, files and environment are kept, and parameters
// are merged over the current ones.
func (e *Engine) UpdateStack(ctx context.Context, id string, u heat.StackUpdate) error {
	s, release, err := e.acquireTop(ctx, id)
	if err != nil {
		return err
	}
	defer release()
	if err := e.busy(s); err != nil {
		return err
	}
	s.mu.Lock()
	old := s.rec.Definition
	s.mu.Unlock()
	next := patched(old, u)
	if err := e.validateUpdate(s, next); err != nil {
		return invalid(err)
	}
	e.stop(s)
	if err := e.startUpdate(s, u, old, next); err != nil {
		return err
	}
	return e.flush(ctx)
}

// startUpdate binds a stack to its updated definition and starts the
// update.
func (e *Engine) startUpdate(s *stack, u heat.StackUpdate, old, next stackDefinition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Timeout > 0 {
		s.rec.Timeout = u.Timeout
	}
	s.rec.Rollback, s.rec.Previous = u.Rollback, &old
	if err := e.rebind(s, next); err != nil {
		return invalid(err)
	}
	e.beginStack(s, actUpdate)
	e.start(s, actUpdate, func(ctx context.Context) { e.runUpdate(ctx, s) })
	return nil
}

// busy refuses an action while another is in progress.
func (e *Engine) busy(s *stack) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec.Status == stInProgress {
		return heat.NewError(heat.ErrConflict,
			fmt.Sprintf("Stack %s already has an action (%s) in progress.", s.rec.Name, s.rec.Action))
	}
	return nil
}

// patched applies an update to a definition, PATCH style.
func patched(old stackDefinition, u heat.StackUpdate) stackDefinition {
	next := stackDefinition{Template: old.Template, Files: maps.Clone(old.Files), Env: old.Env, Params: maps.Clone(old.Params)}
	if u.Template != nil {
		next.Template = string(u.Template)
		if next.Files == nil {
			next.Files = map[string]string{}
		}
		maps.Copy(next.Files, u.Files)
	}
	if u.Environment != nil {
		next.Env = *u.Environment
	}
	if next.Params == nil {
		next.Params = map[string]any{}
	}
	maps.Copy(next.Params, u.Parameters)
	return next
}

// validateUpdate validates the new definition as a fresh stack, drops
// stored parameters it no longer declares, and refuses changes to
// immutable parameters.
func (e *Engine) validateUpdate(s *stack, next stackDefinition) error {
	shadow := &stack{e: e, rec: s.rec}
	tmpl, err := e.parseCached(next.Template)
	if err != nil {
		return hot.RootTemplateError(err)
	}
	for k := range next.Params {
		if _, declared := tmpl.Params[k]; !declared {
			delete(next.Params, k)
		}
	}
	if err := e.prepareStack(shadow, next, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if changed := s.def.params.ImmutableChanged(shadow.def.params); len(changed) > 0 {
		return &hot.Error{Type: "ImmutableParameterModified",
			Message: fmt.Sprintf("The following parameters are immutable and may not be updated: %s", strings.Join(changed, ", "))}
	}
	return nil
}

// rebind switches a stack to a new definition: resources keep their
// state, new ones start in INIT, removed ones and those whose type
// changed wait in garbage for deletion. The stack lock must be held.
func (e *Engine) rebind(s *stack, d stackDefinition) error {
	p, err := e.parseDefinition(s, d, false)
	if err != nil {
		return err
	}
	s.def, s.rec.Definition = p, d
	for _, name := range sortedKeys(s.resources) {
		if _, ok := p.defs[name]; !ok {
			e.discard(s, s.resources[name])
			delete(s.resources, name)
		}
	}
	for _, name := range sortedKeys(p.defs) {
		if err := e.rebindResource(s, p, name); err != nil {
			return err
		}
	}
	e.saveDefinition(s)
	return nil
}

func (e *Engine) rebindResource(s *stack, p *parsed, name string) error {
	fresh, err := e.newResource(s, p, p.defs[name])
	if err != nil {
		return err
	}
	r := s.resources[name]
	if r != nil && r.kind == fresh.kind && r.rec.Template == fresh.rec.Template {
		r.def, r.rec.Type, r.entry = p.defs[name], fresh.rec.Type, fresh.entry
		return nil
	}
	if r != nil {
		e.discard(s, r)
	}
	s.resources[name] = fresh
	return nil
}

func (e *Engine) discard(s *stack, r *resource) {
	s.garbage = append(s.garbage, r)
	e.saveResource(s, r, true)
}

// revert puts back the definition before the last update, for rollback.
func (e *Engine) revert(s *stack) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec.Previous == nil {
		return nil
	}
	prev := *s.rec.Previous
	s.rec.Previous = nil
	return e.rebind(s, prev)
}

// DeleteStack starts deleting a stack, interrupting a create or update
// in progress.
func (e *Engine) DeleteStack(ctx context.Context, id string) error {
	s, release, err := e.acquireTop(ctx, id)
	if err != nil {
		return err
	}
	defer release()
	s.mu.Lock()
	deleting := s.rec.Action == actDelete && s.rec.Status == stInProgress
	s.mu.Unlock()
	if deleting {
		return nil
	}
	e.stop(s)
	s.mu.Lock()
	e.beginStack(s, actDelete)
	e.start(s, actDelete, func(ctx context.Context) { e.runDelete(ctx, s) })
	s.mu.Unlock()
	return e.flush(ctx)
}

// GetStack returns a stack with its outputs and parameters. A deleted
// stack stays visible as DELETE_COMPLETE until the engine restarts.
func (e *Engine) GetStack(ctx context.Context, id string) (*heat.Stack, error) {
	s, release, err := e.acquire(ctx, id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	v := s.view(true)
	s.mu.Unlock()
	if v.Status.IsInProgress() {
		release()
	} else {
		e.unpinRead(s.treeRoot())
	}
	// What the caller is told is written first: a conductor recording
	// a stack's completion never outlives the engine's own record of it.
	return &v, e.flush(ctx)
}
