package engine

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// maxNestedDepth is Heat's max_nested_stack_depth.
const maxNestedDepth = 5

// parseDefinition parses a stack definition and binds it to s: template,
// environment, parameters, conditions, resource definitions and outputs.
// strict validates parameter values, as a create or update does.
func (e *Engine) parseDefinition(s *stack, d stackDefinition, strict bool) (*parsed, error) {
	tmpl, err := e.parseCached(d.Template)
	if err != nil {
		if s.rec.ParentID == "" {
			return nil, hot.RootTemplateError(err)
		}
		return nil, err
	}
	env, err := hot.NewEnvironment(d.Env)
	if err != nil {
		return nil, err
	}
	user := maps.Clone(env.Parameters)
	if user == nil {
		user = map[string]any{}
	}
	maps.Copy(user, d.Params)
	p := &parsed{tmpl: tmpl, env: env, params: tmpl.Bind(s.identity(), user, env.ParameterDefaults)}
	p.scope = &scope{s: s}
	p.ctx = hot.NewContext(tmpl, p.params, d.Files, p.scope)
	if err := p.check(strict, e.customChecker()); err != nil {
		return nil, err
	}
	if p.defs, err = p.ctx.Definitions(); err != nil {
		return nil, err
	}
	p.scope.defs = p.defs
	if err := p.checkDuplicates(); err != nil {
		return nil, err
	}
	if p.outputs, err = p.ctx.Outputs(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parsed) check(strict bool, custom hot.CustomChecker) error {
	if err := p.tmpl.ValidateStructure(); err != nil {
		return err
	}
	if err := p.params.Validate(strict, custom); err != nil {
		return err
	}
	if err := p.tmpl.ValidateParameterGroups(); err != nil {
		return err
	}
	return p.ctx.ValidateConditions()
}

func (p *parsed) checkDuplicates() error {
	var dup []string
	for _, name := range p.params.Names() {
		if _, ok := p.defs[name]; ok {
			dup = append(dup, hot.PyRepr(name))
		}
	}
	if len(dup) > 0 {
		return &hot.Error{Type: hot.TypeStackValidationFailed, Message: "Duplicate names {" + strings.Join(dup, ", ") + "}"}
	}
	return nil
}

// newResource builds the INIT resource of a definition, resolving its
// type through the environment's registry.
func (e *Engine) newResource(s *stack, p *parsed, d *hot.Definition) (*resource, error) {
	res, err := p.env.Registry.Resolve(d.Type, d.Name, isBuiltin)
	if err != nil {
		return nil, err
	}
	r := &resource{s: s, def: d, rec: resourceRecord{
		Name: d.Name, Type: d.Type, UUID: newUUID(), Action: actInit, Status: stComplete, Updated: e.now(),
	}}
	if res.Template != "" {
		r.kind, r.rec.Template, r.entry = templateKind, res.Template, res.Entry
	} else {
		r.kind = kinds[res.Builtin]
	}
	return r, nil
}

// instantiate creates the INIT resources of every definition.
func (e *Engine) instantiate(s *stack, p *parsed) error {
	s.resources = make(map[string]*resource, len(p.defs))
	for _, name := range sortedKeys(p.defs) {
		r, err := e.newResource(s, p, p.defs[name])
		if err != nil {
			return err
		}
		s.resources[name] = r
	}
	return nil
}

// validateStack validates a freshly instantiated stack: the dependency
// graph, every resource and the outputs. Without strict, as for nested
// stacks validated before their parent is created, property values are
// not checked. The stack lock must be held.
func (e *Engine) validateStack(s *stack, p *parsed, strict bool) error {
	g, err := p.dependencies(false)
	if err != nil {
		return err
	}
	order, err := g.order(func(name string) string { return s.resources[name].kind.class })
	if err != nil {
		return err
	}
	for _, name := range order {
		if err := e.validateResource(s, s.resources[name], strict); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(p.outputs) {
		o := p.outputs[name]
		if !o.Enabled {
			continue
		}
		if err := hot.Validate(o.Value, "outputs", name, "value"); err != nil {
			return err
		}
	}
	return nil
}

// validateResource validates the functions, policies and properties of a
// resource, and its nested stack if it has one.
func (e *Engine) validateResource(s *stack, r *resource, strict bool) error {
	if r.kind.service != "" && e.cloud == nil && !e.validateOnly {
		return &hot.Error{Type: "ResourceTypeUnavailable", Message: unavailable(r.kind)}
	}
	d := r.def
	for _, f := range []struct {
		snippet any
		key     string
	}{{d.Properties, "properties"}, {d.Metadata, "metadata"}, {d.UpdatePolicy, "update_policy"}} {
		if err := hot.Validate(f.snippet, "resources", d.Name, f.key); err != nil {
			return err
		}
	}
	if err := validateUpdatePolicy(r); err != nil {
		return err
	}
	if e.templateOnly {
		return e.validateTemplateOnly(s, r)
	}
	if !strict {
		return e.validateLax(s, r)
	}
	props, err := e.resolveProps(r, s.strictKeys(r))
	if err != nil {
		return err
	}
	if r.kind.check != nil {
		if err := r.kind.check(s, r, props); err != nil {
			return resourceValidationError(r, err)
		}
	}
	if r.kind.nested {
		return e.validateNested(s, r, props)
	}
	return nil
}

// validateLax is the non-strict validation of a resource: unknown
// properties are refused and nested stacks validated, property values
// are not checked.
func (e *Engine) validateLax(s *stack, r *resource) error {
	if err := e.checkPropertyNames(r); err != nil || !r.kind.nested {
		return err
	}
	props, err := e.resolveProps(r, func(string) bool { return false })
	if err != nil {
		return nil
	}
	return e.validateNested(s, r, props)
}

// validateTemplateOnly is Heat's template validation of a resource:
// unknown properties are refused, a template resource's template must
// be found; property values and nested stacks are not checked.
func (e *Engine) validateTemplateOnly(s *stack, r *resource) error {
	if r.kind != templateKind {
		return e.checkPropertyNames(r)
	}
	t, err := childTemplate(s, r)
	if err != nil {
		// Heat reports the template it could not load as it words the
		// exception it kept while building the resource.
		return validationError(err.Error() + " ")
	}
	m, _ := r.def.Properties.(map[string]any)
	sc := e.templateSchema(t, s.def.env.ParameterDefaults, true)
	for _, k := range sortedKeys(m) {
		if _, ok := sc[k]; !ok {
			return propertyError(r, nil, "Unknown Property "+k)
		}
	}
	return nil
}

// validationError is a StackValidationFailed error with a message alone.
func validationError(msg string) error {
	return &hot.Error{Type: hot.TypeStackValidationFailed, Message: msg}
}

// checkPropertyNames refuses unknown properties.
func (e *Engine) checkPropertyNames(r *resource) error {
	m, _ := r.def.Properties.(map[string]any)
	if r.kind.props == nil {
		return nil
	}
	for _, k := range sortedKeys(m) {
		if _, ok := r.kind.props[k]; !ok {
			return propertyError(r, nil, "Unknown Property "+k)
		}
	}
	return nil
}

// resourceValidationError reports a failed type-specific check at the
// resource's path, as Heat's stack validation does.
func resourceValidationError(r *resource, err error) error {
	var he *hot.Error
	if errors.As(err, &he) {
		return he
	}
	return &hot.Error{Type: hot.TypeStackValidationFailed, Class: hot.ErrorClass(err),
		Path: []string{"resources", r.rec.Name}, Message: err.Error()}
}

// resolveProps resolves a resource's properties and converts them
// against its schema; strict tells which keys have their constraints
// checked. The stack lock must be held.
func (e *Engine) resolveProps(r *resource, strict func(string) bool) (map[string]any, error) {
	data, err := resolvePropData(r)
	if err != nil {
		return nil, err
	}
	if r.kind.props == nil {
		return data, nil
	}
	props, err := r.kind.props.resolve(data, strict, e.customChecker())
	if err != nil {
		var pe *propError
		if errors.As(err, &pe) {
			return nil, propertyError(r, pe.path, pe.msg)
		}
		return nil, propertyError(r, nil, err.Error())
	}
	return props, nil
}

// resolvePropData resolves the property snippets, one key at a time so
// that an error names its property, as Heat does.
func resolvePropData(r *resource) (map[string]any, error) {
	m, isMap := r.def.Properties.(map[string]any)
	if !isMap {
		raw, err := hot.Resolve(r.def.Properties)
		if err != nil {
			return nil, propertyError(r, nil, err.Error())
		}
		data, ok := raw.(map[string]any)
		if raw != nil && !ok {
			return nil, propertyError(r, nil, fmt.Sprintf("\"%s\" is not a map", hot.PyStr(raw)))
		}
		if data == nil {
			data = map[string]any{}
		}
		return data, nil
	}
	data := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		if hot.IsOmitted(m[k]) {
			continue
		}
		v, err := hot.Resolve(m[k])
		if err != nil {
			return nil, propertyError(r, []string{k}, err.Error())
		}
		data[k] = v
	}
	return data, nil
}

func propertyError(r *resource, path []string, msg string) error {
	return &hot.Error{Type: hot.TypeStackValidationFailed, Class: "Property error",
		Path: append([]string{"resources", r.rec.Name, "properties"}, path...), Message: msg}
}

// validateUpdatePolicy checks the update_policy of groups.
func validateUpdatePolicy(r *resource) error {
	if r.def.UpdatePolicy == nil {
		return nil
	}
	up, err := hot.Resolve(r.def.UpdatePolicy)
	if err != nil {
		return err
	}
	m, _ := up.(map[string]any)
	for _, k := range sortedKeys(m) {
		if !r.kind.nested || (k != "rolling_update" && k != "batch_create") {
			return &hot.Error{Type: hot.TypeStackValidationFailed,
				Path: []string{"resources", r.rec.Name, "update_policy"}, Message: "Unknown Property " + k}
		}
	}
	return nil
}

// invalid wraps an error as heat.ErrInvalid unless it already is one.
func invalid(err error) error {
	if err == nil || errors.Is(err, heat.ErrInvalid) {
		return err
	}
	return heat.NewError(heat.ErrInvalid, err.Error())
}
