package engine

import (
	"context"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// kind is a built-in resource type: its schemas and its behaviour.
type kind struct {
	// name is the type name ("OS::Heat::RandomString").
	name string
	// class is Heat's Python class name, used in Heat-like messages.
	class string
	// props is the properties schema; nil accepts any property.
	props schema
	// attrs are the attribute names; anyAttr accepts every name.
	attrs   []string
	anyAttr bool
	// never marks a type that never needs an update (OS::Heat::None).
	never bool
	// nested marks types whose resources own a nested stack.
	nested bool
	// service names the cloud service of cloud types ("nova"), empty
	// for the others.
	service string

	create func(ctx context.Context, o *op) error
	// update changes a resource in place; nil means storing the new
	// properties is enough.
	update func(ctx context.Context, o *op) error
	delete func(ctx context.Context, o *op) error
	// attr returns an attribute (with the stack lock held); nil
	// attributes read r.data.
	attr func(r *resource, name string, path []any) (any, error)
	// ref returns the get_resource value; nil uses the physical ID.
	ref func(r *resource) any
	// replaceOn reports extra reasons to replace on update, beyond
	// changes to properties that do not allow updates.
	replaceOn func(changed []string, props map[string]any) bool
	// check adds type-specific validation of resolved properties.
	check func(s *stack, r *resource, props map[string]any) error
	// has and names replace attrs for types whose attributes depend on
	// the resource (template resources, groups).
	has   func(r *resource, name string) bool
	names func(r *resource) []string
	// restore puts back in-memory state (configs, signal handlers) of a
	// resource loaded after a restart.
	restore func(e *Engine, r *resource)
	// unload drops what restore put back, when the resource's stack is
	// put to rest (hydrate.go).
	unload func(e *Engine, r *resource)
}

var kinds = map[string]*kind{}

func register(ks ...*kind) {
	for _, k := range ks {
		kinds[k.name] = k
	}
}

func isBuiltin(name string) bool { _, ok := kinds[name]; return ok }

// hasAttr reports whether the resource has an attribute.
func (k *kind) hasAttr(r *resource, name string) bool {
	if k.has != nil {
		return k.has(r, name)
	}
	return k.anyAttr || name == "show" || slices.Contains(k.attrs, name)
}

// attrNames lists the attributes of the resource.
func (k *kind) attrNames(r *resource) []string {
	if k.names != nil {
		return k.names(r)
	}
	return k.attrs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keysOf iterates over the keys of m, in order if sorted.
func keysOf[V any](m map[string]V, sorted bool) iter.Seq[string] {
	if sorted {
		return slices.Values(sortedKeys(m))
	}
	return maps.Keys(m)
}

func lower(s string) string { return strings.ToLower(s) }

// changedKeys returns the keys whose values differ between two property
// maps.
func changedKeys(old, cur map[string]any) []string {
	var out []string
	for _, k := range sortedKeys(cur) {
		if ov, ok := old[k]; !ok || !hot.PyEqual(ov, cur[k]) {
			out = append(out, k)
		}
	}
	for _, k := range sortedKeys(old) {
		if _, ok := cur[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}
