package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// graph is the dependency graph of a stack's resources: requires[a]
// lists the resources a needs before it can be created.
type graph struct {
	requires map[string][]string
}

// newGraph builds the graph from get_resource, get_attr and depends_on.
// allNames are every resource declared, so depends_on may name a resource
// whose condition is false.
func newGraph(defs map[string]*hot.Definition, allNames []string) (*graph, error) {
	g := &graph{requires: make(map[string][]string, len(defs))}
	for _, name := range sortedKeys(defs) {
		deps, err := definitionDeps(defs, allNames, defs[name])
		if err != nil {
			return nil, err
		}
		g.requires[name] = deps
	}
	return g, nil
}

func definitionDeps(defs map[string]*hot.Definition, allNames []string, d *hot.Definition) ([]string, error) {
	var deps []string
	add := func(n string) {
		if !slices.Contains(deps, n) {
			deps = append(deps, n)
		}
	}
	for _, dep := range d.DependsOn {
		if _, ok := defs[dep]; ok {
			add(dep)
		} else if !slices.Contains(allNames, dep) {
			return nil, invalidRef(dep, d.Name)
		}
	}
	for _, f := range []struct {
		snippet any
		section string
	}{{d.Properties, "Properties"}, {d.Metadata, "Metadata"}} {
		unknown := false
		hot.EachReference(f.snippet, func(name string) {
			if _, ok := defs[name]; ok {
				add(name)
			} else {
				unknown = true
			}
		})
		if unknown {
			return nil, firstInvalidRef(defs, f.snippet, d.Name+"."+f.section)
		}
	}
	slices.Sort(deps)
	return deps, nil
}

// firstInvalidRef returns the error for the first reference to an
// unknown resource in a snippet, in Heat's order.
func firstInvalidRef(defs map[string]*hot.Definition, snippet any, path string) error {
	for _, ref := range hot.References(snippet, path) {
		if _, ok := defs[ref.Resource]; !ok {
			return invalidRef(ref.Resource, ref.Path)
		}
	}
	return nil
}

func invalidRef(name, key string) error {
	return &hot.Error{Type: hot.TypeInvalidTemplateRef,
		Message: fmt.Sprintf("The specified reference \"%s\" (in %s) is incorrect.", name, key)}
}

// order returns the resources in a creation order (Kahn's algorithm,
// ties by name), or Heat's circular dependency error; class names the
// resources in that message.
func (g *graph) order(class func(string) string) ([]string, error) {
	waiting := make(map[string]int, len(g.requires))
	needers := make(map[string][]string, len(g.requires))
	for _, n := range sortedKeys(g.requires) {
		deps := g.requires[n]
		waiting[n] = len(deps)
		for _, d := range deps {
			needers[d] = append(needers[d], n)
		}
	}
	var ready, out []string
	for _, n := range sortedKeys(g.requires) {
		if waiting[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, m := range needers[n] {
			if waiting[m]--; waiting[m] == 0 {
				ready = append(ready, m)
			}
		}
	}
	if len(out) < len(g.requires) {
		return nil, cycleError(g.remaining(out), class)
	}
	return out, nil
}

// remaining returns the graph without the ordered nodes.
func (g *graph) remaining(done []string) map[string][]string {
	left := map[string][]string{}
	for n, deps := range g.requires {
		if slices.Contains(done, n) {
			continue
		}
		left[n] = slices.DeleteFunc(slices.Clone(deps), func(d string) bool { return slices.Contains(done, d) })
	}
	return left
}

func cycleError(left map[string][]string, class func(string) string) error {
	name := func(n string) string { return fmt.Sprintf("%s \"%s\"", class(n), n) }
	var parts []string
	for _, k := range sortedKeys(left) {
		deps := make([]string, len(left[k]))
		for i, d := range left[k] {
			deps[i] = name(d)
		}
		parts = append(parts, name(k)+": {"+strings.Join(deps, ", ")+"}")
	}
	return &hot.Error{Type: hot.TypeCircularDependency,
		Message: "Circular Dependency Found: {" + strings.Join(parts, ", ") + "}"}
}

// strictKeys tells which properties of r have their constraints
// checked: like Heat, not those referring to a resource not created yet.
func (s *stack) strictKeys(r *resource) func(string) bool {
	props, _ := r.def.Properties.(map[string]any)
	return func(key string) bool {
		strict := true
		hot.EachReference(props[key], func(name string) {
			if d := s.resources[name]; d != nil && d.rec.Action == actInit {
				strict = false
			}
		})
		return strict
	}
}
