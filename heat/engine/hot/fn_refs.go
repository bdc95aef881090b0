package hot

// getParam is get_param: a parameter value, optionally followed by a
// path into it.
type getParam struct{ *base }

func (f *getParam) result() (any, error) {
	args, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	if !truthy(args) {
		return nil, valueError("Function \"%s\" must have arguments", f.name)
	}
	name, path, err := f.split(args)
	if err != nil {
		return nil, err
	}
	v, declared, err := f.ctx.Params.Value(name)
	switch {
	case err != nil:
		return nil, err
	case !declared:
		return nil, newError(TypeUserParameterMissing, "The Parameter (%s) was not provided.", name)
	}
	for _, key := range path {
		var ok bool
		if v, ok = paramPathStep(v, key); !ok {
			return "", nil
		}
	}
	return v, nil
}

func (f *getParam) split(args any) (string, []any, error) {
	var first any
	var path []any
	switch x := args.(type) {
	case string:
		first = x
	case []any:
		first, path = x[0], x[1:]
	default:
		return "", nil, typeError("Argument to \"%s\" must be string or list", f.name)
	}
	name, ok := first.(string)
	if !ok {
		return "", nil, typeError("Parameter name in \"%s\" must be string", f.name)
	}
	return name, path, nil
}

// paramPathStep follows one get_param path component; false stands for
// the errors Heat turns into an empty string.
func paramPathStep(coll, key any) (any, bool) {
	if s, isStr := key.(string); isStr && isSequence(coll) {
		i, err := PyInt(s)
		if err != nil {
			return nil, false
		}
		key = i
	}
	return index(coll, key)
}

// index implements Python's collection[key] for maps, lists and strings;
// false stands for KeyError, IndexError and TypeError.
func index(coll, key any) (any, bool) {
	switch c := coll.(type) {
	case map[string]any:
		k, ok := key.(string)
		if !ok {
			return nil, false
		}
		v, ok := c[k]
		return v, ok
	case []any:
		i, ok := seqIndex(key, len(c))
		if !ok {
			return nil, false
		}
		return c[i], true
	case string:
		r := []rune(c)
		i, ok := seqIndex(key, len(r))
		if !ok {
			return nil, false
		}
		return string(r[i]), true
	}
	return nil, false
}

func seqIndex(key any, n int) (int, bool) {
	i, ok := key.(int)
	if b, isBool := key.(bool); isBool {
		i, ok = 0, true
		if b {
			i = 1
		}
	}
	if !ok {
		return 0, false
	}
	if i < 0 {
		i += n
	}
	return i, i >= 0 && i < n
}

// SelectPath follows path into an attribute value as Heat's
// select_from_attribute does: any failure gives nil.
func SelectPath(v any, path []any) any {
	for _, key := range path {
		switch key.(type) {
		case string, int, bool:
		default:
			return nil
		}
		var ok bool
		if v, ok = index(v, key); !ok {
			return nil
		}
	}
	return v
}

// getResource is get_resource: the reference ID of a resource.
type getResource struct{ *base }

func (f *getResource) DependsOn() (string, error) {
	v, err := Resolve(f.args)
	if err != nil {
		return "", err
	}
	return PyStr(v), nil
}

func (f *getResource) resource() (Resource, error) {
	name, err := f.DependsOn()
	if err != nil {
		return nil, err
	}
	r, ok := f.ctx.Scope.Resource(name)
	if !ok {
		return nil, invalidReference(name, "unknown")
	}
	return r, nil
}

func (f *getResource) result() (any, error) {
	r, err := f.resource()
	if err != nil {
		return nil, err
	}
	return r.RefID()
}

func invalidReference(name, key string) error {
	return newError(TypeInvalidTemplateRef, "The specified reference \"%s\" (in %s) is incorrect.", name, key)
}

// getFile is get_file: the content of a file from the files map.
type getFile struct{ *base }

func (f *getFile) result() (any, error) {
	args, err := Resolve(f.args)
	if err != nil {
		return nil, err
	}
	key, ok := args.(string)
	if !ok {
		return nil, typeError("Argument to \"%s\" must be a string", f.name)
	}
	content, ok := f.ctx.Files[key]
	if !ok {
		return nil, valueError("No content found in the \"files\" section for %s path: %s", f.name, key)
	}
	return content, nil
}

// attrForm is the get_attr flavour of a template version.
type attrForm int

const (
	attrThenSelect attrForm = iota // 2013-05-23: get the attribute, then follow the path
	attrWithPath                   // the resource follows the path
	attrAll                        // also [resource] alone: every attribute
)

// getAttr is get_attr.
type getAttr struct {
	*base
	form     attrForm
	resource any
	attr     any
	path     []any
}

func newGetAttr(b *base, form attrForm) (Fn, error) {
	f := &getAttr{base: b, form: form}
	l, isList := b.args.([]any)
	if form == attrAll {
		if s, isStr := b.args.(string); isStr && len(s) == 1 {
			f.resource = s
			return f, nil
		}
		if !truthy(b.args) {
			return nil, valueError("Arguments to \"%s\" can be of the next forms: [resource_name] or [resource_name, attribute, (path), ...]", b.name)
		}
		if isList && len(l) == 1 {
			f.resource = l[0]
			return f, nil
		}
	}
	if !isList {
		return nil, typeError("Argument to \"%s\" must be a list", b.name)
	}
	if len(l) < 2 {
		return nil, valueError("Arguments to \"%s\" must be of the form [resource_name, attribute, (path), ...]", b.name)
	}
	f.resource, f.attr, f.path = l[0], l[1], l[2:]
	return f, nil
}

func (f *getAttr) DependsOn() (string, error) {
	v, err := Resolve(f.resource)
	if err != nil {
		return "", err
	}
	return PyStr(v), nil
}

func (f *getAttr) target() (Resource, string, error) {
	name, err := f.DependsOn()
	if err != nil {
		return nil, "", err
	}
	r, ok := f.ctx.Scope.Resource(name)
	if !ok {
		return nil, "", invalidReference(name, "unknown")
	}
	return r, name, nil
}

func (f *getAttr) validate() error {
	if err := validateSnippet(f.args, nil); err != nil {
		return err
	}
	r, name, err := f.target()
	if err != nil {
		return err
	}
	if f.attr == nil {
		return nil
	}
	attr, err := Resolve(f.attr)
	if err != nil {
		return err
	}
	if s, ok := attr.(string); !ok || !r.HasAttribute(s) {
		return newError(TypeInvalidTemplateAttr, "The Referenced Attribute (%s %s) is incorrect.", name, PyStr(attr))
	}
	return nil
}

func (f *getAttr) result() (any, error) {
	r, _, err := f.target()
	if err != nil {
		return nil, err
	}
	if f.attr == nil {
		return r.Attributes()
	}
	attr, err := Resolve(f.attr)
	if err != nil {
		return nil, err
	}
	rp, err := Resolve(f.path)
	if err != nil {
		return nil, err
	}
	path, _ := rp.([]any)
	name := PyStr(attr)
	if f.form == attrThenSelect {
		v, err := r.Attribute(name, nil)
		if err != nil || v == nil {
			return nil, err
		}
		return SelectPath(v, path), nil
	}
	return r.Attribute(name, path)
}

// AttributeRef is a get_attr found in a snippet: the resource and the
// attribute name ("" for the all-attributes form) with the raw path.
type AttributeRef struct {
	Resource string
	Attr     string
	Path     []any
}

// AttributeRefs lists the get_attr references of a parsed snippet whose
// resource and attribute names resolve.
func AttributeRefs(snippet any) []AttributeRef {
	var refs []AttributeRef
	Walk(snippet, func(fn Fn) bool {
		f, ok := fn.(*getAttr)
		if !ok {
			return true
		}
		name, err := f.DependsOn()
		if err != nil {
			return true
		}
		ref := AttributeRef{Resource: name}
		if f.attr != nil {
			a, err := Resolve(f.attr)
			if err != nil {
				return true
			}
			ref.Attr = PyStr(a)
			p, _ := Resolve(f.path)
			ref.Path, _ = p.([]any)
		}
		refs = append(refs, ref)
		return true
	})
	return refs
}

// facadeForm selects the spelling of resource_facade arguments.
type facadeForm int

const (
	facadeHOT facadeForm = iota
	facadeCFN
)

// facade is resource_facade: data of the parent resource of a nested
// stack.
type facade struct {
	*base
	kind string
}

func newFacade(b *base, form facadeForm) (Fn, error) {
	names := map[string]string{"metadata": "metadata", "deletion_policy": "deletion_policy", "update_policy": "update_policy"}
	allowed := "metadata, deletion_policy, update_policy"
	if form == facadeCFN {
		names = map[string]string{"Metadata": "metadata", "DeletionPolicy": "deletion_policy", "UpdatePolicy": "update_policy"}
		allowed = "Metadata, DeletionPolicy, UpdatePolicy"
	}
	s, _ := b.args.(string)
	kind, ok := names[s]
	if !ok {
		return nil, valueError("Incorrect arguments to \"%s\" should be one of: %s", b.name, allowed)
	}
	return &facade{base: b, kind: kind}, nil
}

func (f *facade) result() (any, error) { return f.ctx.Scope.Facade(f.kind) }
