package hot

import (
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/heat"
)

// Environment is a parsed Heat environment.
type Environment struct {
	Parameters        map[string]any
	ParameterDefaults map[string]any
	Registry          *Registry
}

// NewEnvironment validates and parses an environment.
func NewEnvironment(env heat.Environment) (*Environment, error) {
	r := &Registry{types: map[string]any{}, resources: map[string]map[string]any{}}
	if err := r.load(env.ResourceRegistry); err != nil {
		return nil, err
	}
	return &Environment{Parameters: env.Parameters, ParameterDefaults: env.ParameterDefaults, Registry: r}, nil
}

// Registry is an environment's resource_registry: it maps resource types
// to other types or to template files, globally or for named resources.
type Registry struct {
	// types maps a type (or a glob ending in *) to its target: a type or
	// template file name (string), or nil to remove a mapping.
	types map[string]any
	// resources holds the per-resource mappings of the "resources" key.
	resources map[string]map[string]any
}

func envError(format string, args ...any) error {
	return newError(TypeInvalidEnvironment, "Environment not in valid format: "+format, args...)
}

func (r *Registry) load(raw map[string]any) error {
	for _, k := range sortedKeys(raw) {
		v := raw[k]
		if k == "resources" {
			if err := r.loadResources(v); err != nil {
				return err
			}
			continue
		}
		switch v.(type) {
		case nil, string:
			r.types[k] = v
		default:
			return envError("resource_registry entry %s must map to a type or a template", k)
		}
	}
	return nil
}

func (r *Registry) loadResources(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return envError("resource_registry resources must be a mapping")
	}
	for name, entry := range m {
		em, ok := entry.(map[string]any)
		if !ok {
			return envError("resource_registry resources.%s must be a mapping", name)
		}
		types := map[string]any{}
		for k, t := range em {
			if k == "hooks" || k == "restricted_actions" {
				continue
			}
			types[k] = t
		}
		r.resources[name] = types
	}
	return nil
}

// IsTemplateName reports whether a type or registry value names a
// template file.
func IsTemplateName(s string) bool {
	return strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".template")
}

// Resolution is what a resource type resolves to: a built-in type, or a
// template file implementing a template resource.
type Resolution struct {
	// Builtin is the built-in type name, empty for a template resource.
	Builtin string
	// Template is the template file name of a template resource.
	Template string
	// Entry is the registry key that produced a template resolution, to
	// be removed from the child environment.
	Entry string
}

// candidate is one registry entry matching a type.
type candidate struct {
	user  bool
	path  []string
	value any
	glob  string
}

func (c candidate) less(o candidate) int {
	switch {
	case c.user != o.user:
		if c.user {
			return -1
		}
		return 1
	case len(c.path) != len(o.path):
		return len(o.path) - len(c.path)
	}
	return slices.Compare(c.path, o.path)
}

const maxRegistryDepth = 32

// Resolve resolves the type of the named resource; builtin reports
// whether a type is built into the engine.
func (r *Registry) Resolve(typ, resName string, builtin func(string) bool) (Resolution, error) {
	res, ok := r.resolve(typ, resName, builtin, 0)
	if !ok {
		return Resolution{}, validationError(nil, "The Resource Type (%s) could not be found.", typ)
	}
	return res, nil
}

func (r *Registry) resolve(typ, resName string, builtin func(string) bool, depth int) (Resolution, bool) {
	if depth > maxRegistryDepth {
		return Resolution{}, false
	}
	for _, c := range r.candidates(typ, resName, builtin) {
		if res, ok := r.follow(c, typ, resName, builtin, depth); ok {
			return res, true
		}
	}
	return Resolution{}, false
}

func (r *Registry) candidates(typ, resName string, builtin func(string) bool) []candidate {
	var cs []candidate
	if IsTemplateName(typ) {
		cs = append(cs, candidate{user: true, path: []string{typ}, value: typ})
	}
	if m, ok := r.resources[resName]; ok {
		if v, ok := m[typ]; ok && v != nil {
			cs = append(cs, candidate{user: true, path: []string{"resources", resName, typ}, value: v})
		}
	}
	if v, ok := r.types[typ]; ok && v != nil {
		cs = append(cs, candidate{user: true, path: []string{typ}, value: v})
	}
	for k, v := range r.types {
		prefix, isGlob := strings.CutSuffix(k, "*")
		if isGlob && v != nil && strings.HasPrefix(typ, prefix) && typ != v {
			cs = append(cs, candidate{user: true, path: []string{k}, value: v, glob: prefix})
		}
	}
	if builtin(typ) {
		cs = append(cs, candidate{path: []string{typ}, value: typ})
	}
	slices.SortStableFunc(cs, candidate.less)
	return cs
}

func (r *Registry) follow(c candidate, typ, resName string, builtin func(string) bool, depth int) (Resolution, bool) {
	v, _ := c.value.(string)
	key := c.path[len(c.path)-1]
	switch {
	case !c.user:
		return Resolution{Builtin: v}, true
	case IsTemplateName(key) && c.glob == "":
		return Resolution{Template: key, Entry: key}, true
	case IsTemplateName(v):
		return Resolution{Template: v, Entry: key}, true
	case c.glob != "":
		target := v
		if p, isGlob := strings.CutSuffix(v, "*"); isGlob {
			target = p + typ[len(c.glob):]
		}
		return r.resolve(target, resName, builtin, depth+1)
	}
	return r.resolve(v, resName, builtin, depth+1)
}

// Child returns the registry of a nested stack: the same mappings
// without the entry that made the parent a template resource.
func (r *Registry) Child(removeEntry string) *Registry {
	c := &Registry{types: make(map[string]any, len(r.types)), resources: r.resources}
	for k, v := range r.types {
		if k != removeEntry || !IsTemplateName(PyStr(v)) && !IsTemplateName(k) {
			c.types[k] = v
		}
	}
	return c
}

// Map returns the registry in its environment form.
func (r *Registry) Map() map[string]any {
	out := make(map[string]any, len(r.types)+1)
	for k, v := range r.types {
		out[k] = v
	}
	if len(r.resources) > 0 {
		res := map[string]any{}
		for k, v := range r.resources {
			res[k] = v
		}
		out["resources"] = res
	}
	return out
}
