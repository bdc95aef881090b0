package engine

import (
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// stackRecord is a stack, nested or not. Its state is stored under the
// stack's key; its definitions and facade, which change only when the
// stack is created or updated, are stored apart (persist.go).
type stackRecord struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Project string `json:"project"`
	// ParentID and ParentResource locate the resource owning a nested
	// stack; empty for top-level stacks.
	ParentID       string `json:"parent_id,omitempty"`
	ParentResource string `json:"parent_resource,omitempty"`
	// Root is the ID of the top-level stack of a nested stack's tree.
	Root  string `json:"root,omitempty"`
	Depth int    `json:"depth,omitempty"`
	// Definition is the current template, files, environment and user
	// parameters; Previous the one before the last update (for rollback).
	Definition stackDefinition  `json:"-"`
	Previous   *stackDefinition `json:"-"`
	Tags       []string         `json:"tags,omitempty"`
	Timeout    time.Duration    `json:"timeout,omitempty"`
	Rollback   bool             `json:"rollback,omitempty"`
	// RollbackOf is the action (CREATE or UPDATE) a rollback undoes.
	RollbackOf string    `json:"rollback_of,omitempty"`
	Action     string    `json:"action"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated,omitempty"`
	// Serial numbers the actions begun on a top-level stack; a nested
	// stack has the serial of the top-level action running it. A
	// resource's cloud creates are idempotent under a token made of it
	// (op.clientToken), so an action resumed after a restart finds the
	// objects it made before, while a later action makes new ones.
	Serial int `json:"serial,omitempty"`
	// Facade holds the parent resource's metadata and policies for
	// resource_facade.
	Facade map[string]any `json:"-"`
}

// stackDefinition is what a stack is built from.
type stackDefinition struct {
	Template string            `json:"template"`
	Files    map[string]string `json:"files,omitempty"`
	Env      heat.Environment  `json:"env"`
	Params   map[string]any    `json:"params,omitempty"`
}

// stack is a stack in memory. mu guards every field, the resources'
// fields, and the evaluation of functions in its template.
type stack struct {
	e   *Engine
	mu  sync.Mutex
	rec stackRecord
	def *parsed
	// resources holds the current resource of each name; replaced and
	// removed resources wait in garbage until they are deleted.
	resources map[string]*resource
	garbage   []*resource
	parent    *resource
	run       *run
	// root is the top-level stack of a nested stack's tree, nil for a
	// top-level stack.
	root *stack
	// hmu serializes reading a top-level stack's tree back and putting
	// it to rest (hydrate.go), and guards pins, rests and flushedRest. It
	// is never taken while a stack lock is held.
	hmu sync.Mutex
	// loaded reports whether a top-level stack's tree is in memory; pins
	// counts the calls holding it there; rests counts the times it went
	// to rest, flushedRest the last of those whose records were flushed
	// since.
	loaded      bool
	pins        int
	rests       int
	flushedRest int
	// lingerGen counts the times the tree began to linger (linger.go);
	// guarded by hmu.
	lingerGen int
}

// parsed is a stack definition parsed and bound to its parameters.
type parsed struct {
	tmpl    *hot.Template
	env     *hot.Environment
	params  *hot.Params
	ctx     *hot.Context
	defs    map[string]*hot.Definition
	outputs map[string]*hot.Output
	scope   *scope
	// deps is the dependency graph validation built, kept for the
	// converge that follows (dependencies).
	deps *graph
}

// dependencies returns the dependency graph of the definition; the
// stack lock must be held. Validation keeps the graph it builds; the
// converge that takes it drops it, so that a stack at rest does not
// hold it.
func (p *parsed) dependencies(take bool) (*graph, error) {
	g := p.deps
	if g == nil {
		var err error
		if g, err = newGraph(p.defs, p.tmpl.ResourceNames()); err != nil {
			return nil, err
		}
	}
	p.deps = g
	if take {
		p.deps = nil
	}
	return g, nil
}

// scope resolves resource names of one parsed definition to the stack's
// resources.
type scope struct {
	s    *stack
	defs map[string]*hot.Definition
}

func (sc *scope) Resource(name string) (hot.Resource, bool) {
	if _, ok := sc.defs[name]; !ok {
		return nil, false
	}
	r := sc.s.resources[name]
	if r == nil {
		return nil, false
	}
	return hotResource{r}, true
}

func (sc *scope) Facade(kind string) (any, error) { return sc.s.rec.Facade[kind], nil }

func (s *stack) status() heat.Status { return heat.Status(s.rec.Action + "_" + s.rec.Status) }

func (s *stack) setState(action, status, reason string) {
	s.rec.Action, s.rec.Status, s.rec.Reason = action, status, reason
	s.rec.Updated = s.e.now()
}

// identity returns the pseudo parameter values of the stack.
func (s *stack) identity() hot.Identity {
	return hot.Identity{StackID: s.rec.ID, StackName: s.rec.Name, ProjectID: s.rec.Project}
}

// topLevel reports whether the stack is not nested.
func (s *stack) topLevel() bool { return s.rec.ParentID == "" }

// treeRoot returns the top-level stack of the stack's tree.
func (s *stack) treeRoot() *stack {
	if s.root != nil {
		return s.root
	}
	return s
}

// view returns the public form of the stack; the lock must be held.
// Only the full view, as Heat's stack show, has the parameters and
// outputs: Heat's stack list has neither.
func (s *stack) view(full bool) heat.Stack {
	st := heat.Stack{
		ID: s.rec.ID, Name: s.rec.Name, Status: s.status(), StatusReason: s.rec.Reason,
		Tags: append([]string(nil), s.rec.Tags...), CreatedAt: s.rec.Created, UpdatedAt: s.rec.Updated,
	}
	if !full {
		return st
	}
	if s.def != nil {
		st.Parameters = s.def.params.Texts()
	}
	st.Outputs = s.outputValues()
	return st
}

// outputValues resolves the outputs; an output that fails to resolve is
// nil, as Heat shows it with an output_error.
func (s *stack) outputValues() map[string]any {
	out := map[string]any{}
	if s.def == nil {
		return out
	}
	for name, o := range s.def.outputs {
		out[name] = s.outputValue(o)
	}
	return out
}

func (s *stack) outputValue(o *hot.Output) any {
	if !o.Enabled || s.rec.Action == actDelete && s.rec.Status == stComplete {
		return nil
	}
	v, err := hot.Resolve(o.Value)
	if err != nil {
		return nil
	}
	return v
}

// output resolves one output with its error, for nested stack
// attributes.
func (s *stack) output(name string) (any, bool, error) {
	if s.def == nil {
		return nil, false, nil
	}
	o, ok := s.def.outputs[name]
	if !ok {
		return nil, false, nil
	}
	if !o.Enabled {
		return nil, true, nil
	}
	v, err := hot.Resolve(o.Value)
	return v, true, err
}
