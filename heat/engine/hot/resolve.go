package hot

import (
	"strconv"
)

// Resolve evaluates every function in a parsed snippet. An if without a
// false branch whose condition is false drops the enclosing item; at the
// top level it resolves to nil.
func Resolve(snippet any) (any, error) {
	v, err := resolve(snippet)
	if v == omitted {
		return nil, err
	}
	return v, err
}

// IsOmitted reports whether a parsed snippet is an if without a false
// branch whose condition is false, so the item it fills is left out.
func IsOmitted(snippet any) bool { return snippet == omitted }

func resolve(snippet any) (any, error) {
	switch x := snippet.(type) {
	case Fn:
		return x.result()
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			r, err := resolve(v)
			if err != nil {
				return nil, err
			}
			if r != omitted {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for _, v := range x {
			r, err := resolve(v)
			if err != nil {
				return nil, err
			}
			if r != omitted {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return snippet, nil
}

// Validate checks every function of a parsed snippet without resolving
// it; path is where the snippet sits in the template.
func Validate(snippet any, path ...string) error { return validateSnippet(snippet, path) }

// validateSnippet validates a snippet at path. A first walk visits maps
// in any order; when it finds an error, a second walk in key order finds
// the one Heat reports first.
func validateSnippet(snippet any, path []string) error {
	var room [maxPathDepth]string
	if validateWalk(snippet, append(room[:0], path...), false) == nil {
		return nil
	}
	return validateWalk(snippet, append(room[:0], path...), true)
}

// validateWalk validates a snippet at path; children extend path in
// place (a list item renames its parent's last element), as their
// siblings are validated after them.
func validateWalk(snippet any, path []string, sorted bool) error {
	switch x := snippet.(type) {
	case Fn:
		if err := x.validate(); err != nil {
			return &Error{Type: TypeStackValidationFailed, Path: append(clonePath(path), x.Name()), Message: err.Error()}
		}
	case map[string]any:
		if !sorted {
			for k, v := range x {
				if err := validateWalk(v, append(path, k), false); err != nil {
					return err
				}
			}
			return nil
		}
		for _, k := range sortedKeys(x) {
			if err := validateWalk(x[k], append(path, k), true); err != nil {
				return err
			}
		}
	case []any:
		base, parent := path, ""
		if len(base) > 0 {
			parent, base = base[len(base)-1], base[:len(base)-1]
		}
		for i, v := range x {
			if err := validateWalk(v, append(base, parent+"["+strconv.Itoa(i)+"]"), sorted); err != nil {
				return err
			}
		}
	}
	return nil
}

func clonePath(p []string) []string { return append([]string(nil), p...) }

// Walk calls visit for every function of a parsed snippet, outermost
// first; visit returns false to skip a function's arguments.
func Walk(snippet any, visit func(Fn) bool) {
	switch x := snippet.(type) {
	case Fn:
		if visit(x) {
			Walk(x.Args(), visit)
		}
	case map[string]any:
		for _, v := range x {
			Walk(v, visit)
		}
	case []any:
		for _, v := range x {
			Walk(v, visit)
		}
	}
}

// EachReference calls fn with the name of each resource a parsed
// snippet refers to (get_resource, get_attr, Ref), in no given order:
// References without the paths.
func EachReference(snippet any, fn func(resource string)) {
	Walk(snippet, func(f Fn) bool {
		if d, ok := f.(Dependent); ok {
			if name, err := d.DependsOn(); err == nil {
				fn(name)
			}
		}
		return true
	})
}

// Reference is a resource a snippet refers to, with the path where the
// reference sits ("x.Properties.value"), as Heat reports it.
type Reference struct {
	Resource string
	Path     string
}

// References lists the resources referred to by get_resource, get_attr
// or Ref in a parsed snippet found at path.
func References(snippet any, path string) []Reference {
	var refs []Reference
	collectReferences(snippet, path, &refs)
	return refs
}

func collectReferences(snippet any, path string, refs *[]Reference) {
	switch x := snippet.(type) {
	case Fn:
		collectReferences(x.Args(), path+"."+x.Name(), refs)
		if d, ok := x.(Dependent); ok {
			if name, err := d.DependsOn(); err == nil {
				*refs = append(*refs, Reference{Resource: name, Path: path})
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			collectReferences(x[k], path+"."+k, refs)
		}
	case []any:
		for i, v := range x {
			collectReferences(v, path+"["+strconv.Itoa(i)+"]", refs)
		}
	}
}
