package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// Resources owning a nested stack (template resources, groups) share
// this machinery: their kind builds the nested definition from the
// resolved properties, and the nested stack runs inline in the parent
// resource's operation.

// childFunc builds the definition of a resource's nested stack; the
// stack lock is held. validating tells that the definition is built to
// validate the nested stack before the resource is created, when
// properties fed by resources not created yet still resolve to null.
type childFunc func(s *stack, r *resource, props map[string]any, validating bool) (stackDefinition, error)

// nestedKinds maps nested kinds to the function building their child.
var nestedKinds = map[*kind]childFunc{}

// childEnv is the environment of a nested stack: the parent's registry
// without the entry that made the resource a template resource, and the
// parent's parameter defaults.
func childEnv(s *stack, entry string) heat.Environment {
	return heat.Environment{
		ParameterDefaults: s.def.env.ParameterDefaults,
		ResourceRegistry:  s.def.env.Registry.Child(entry).Map(),
	}
}

// nestedError re-paths an error met validating a nested stack under the
// resource: resources.<name><<template>>.…
func nestedError(r *resource, url string, err error) error {
	path := []string{"resources", r.rec.Name + "<" + url + ">"}
	var he *hot.Error
	if errors.As(err, &he) {
		class := he.Class
		if he.Type != hot.TypeStackValidationFailed {
			class = he.Type
		}
		return &hot.Error{Type: hot.TypeStackValidationFailed, Class: class, Path: append(path, he.Path...), Message: he.Message}
	}
	return &hot.Error{Type: hot.TypeStackValidationFailed, Class: hot.ErrorClass(err), Path: path, Message: err.Error()}
}

// validateNested validates the nested stack a resource would create, as
// Heat does before creating the parent (without checking parameter
// values).
func (e *Engine) validateNested(s *stack, r *resource, props map[string]any) error {
	build := nestedKinds[r.kind]
	if s.rec.Depth+1 > maxNestedDepth {
		return &hot.Error{Type: hot.TypeRequestLimitExceeded, Message: fmt.Sprintf("Request limit exceeded: Recursion depth exceeds %d.", maxNestedDepth)}
	}
	d, err := build(s, r, props, true)
	if err != nil {
		return err
	}
	child := e.newStack(s.rec.Name+"-"+r.rec.Name, s.rec.ID, s.rec.Depth+1)
	child.rec.Project = s.rec.Project
	if err := e.prepareStack(child, d, false); err != nil {
		return nestedError(r, nestedURL(r), err)
	}
	if r.kind == groupKind {
		return e.validateGroupAttrs(s, r, child)
	}
	return nil
}

func nestedURL(r *resource) string {
	if r.rec.Template != "" {
		return r.rec.Template
	}
	return "nested_stack"
}

// nestedOf returns the nested stack of a resource, nil if there is none.
func (e *Engine) nestedOf(r *resource) *stack {
	if r.rec.NestedID == "" {
		return nil
	}
	return e.stackByID(r.rec.NestedID)
}

// createNested builds and creates a resource's nested stack.
func createNested(ctx context.Context, o *op) error {
	o.s.mu.Lock()
	d, err := nestedKinds[o.r.kind](o.s, o.r, o.props, false)
	existing := o.e.nestedOf(o.r)
	o.s.mu.Unlock()
	if err != nil {
		return err
	}
	child := existing
	if child == nil {
		if child, err = o.e.newChild(o, d); err != nil {
			return err
		}
	}
	o.release()
	return nestedResult(child, o.e.doCreate(ctx, child))
}

// newChild prepares and registers the nested stack of an operation.
func (e *Engine) newChild(o *op, d stackDefinition) (*stack, error) {
	child := e.newStack(o.physicalName(), o.s.rec.ID, o.s.rec.Depth+1)
	child.root = o.s.treeRoot()
	child.rec.Project, child.rec.ParentResource, child.rec.Root = o.s.rec.Project, o.r.rec.Name, child.root.rec.ID
	child.rec.Facade = o.e.facadeOf(o.s, o.r)
	child.parent = o.r
	if err := e.prepareStack(child, d, true); err != nil {
		return nil, err
	}
	serial := o.nestedSerial()
	child.mu.Lock()
	e.saveDefinition(child)
	child.rec.Serial = serial
	e.beginStack(child, actCreate)
	child.mu.Unlock()
	e.mu.Lock()
	e.stacks[child.rec.ID] = child
	e.mu.Unlock()
	o.s.mu.Lock()
	o.r.rec.NestedID = child.rec.ID
	o.s.mu.Unlock()
	o.setPhysical(child.rec.ID)
	return child, nil
}

// facadeOf resolves what resource_facade returns inside the nested stack.
func (e *Engine) facadeOf(s *stack, r *resource) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	meta, _ := hot.Resolve(r.def.Metadata)
	up, _ := hot.Resolve(r.def.UpdatePolicy)
	if up == nil {
		up = map[string]any{}
	}
	return map[string]any{"metadata": meta, "update_policy": up, "deletion_policy": r.def.DeletionPolicy}
}

// nestedResult turns the outcome of a nested action into the parent
// resource's error.
func nestedResult(child *stack, err error) error {
	if err == nil {
		return nil
	}
	child.mu.Lock()
	defer child.mu.Unlock()
	if child.rec.Status == stFailed {
		return &nestedFailure{reason: child.rec.Reason}
	}
	return err
}

// updateNested updates a resource's nested stack to a new definition.
func (e *Engine) updateNested(ctx context.Context, o *op, d stackDefinition) error {
	child := e.nestedOf(o.r)
	if child == nil {
		return createNested(ctx, o)
	}
	shadow := &stack{e: e, rec: child.rec}
	if err := e.prepareStack(shadow, d, true); err != nil {
		return err
	}
	serial := o.nestedSerial()
	child.mu.Lock()
	err := e.rebind(child, d)
	if err == nil {
		child.rec.Serial = serial
		e.beginStack(child, actUpdate)
	}
	child.mu.Unlock()
	if err != nil {
		return err
	}
	o.release()
	return nestedResult(child, e.doUpdate(ctx, child, actUpdate))
}

// updateNestedSimple rebuilds the nested definition and updates to it.
func updateNestedSimple(ctx context.Context, o *op) error {
	o.s.mu.Lock()
	d, err := nestedKinds[o.r.kind](o.s, o.r, o.props, false)
	o.s.mu.Unlock()
	if err != nil {
		return err
	}
	return o.e.updateNested(ctx, o, d)
}

// deleteNested deletes a resource's nested stack and forgets it.
func deleteNested(ctx context.Context, o *op) error {
	child := o.e.nestedOf(o.r)
	if child == nil {
		return nil
	}
	o.release()
	serial := o.nestedSerial()
	child.mu.Lock()
	child.rec.Serial = serial
	o.e.beginStack(child, actDelete)
	child.mu.Unlock()
	if err := o.e.doDelete(ctx, child, actDelete); err != nil {
		return nestedResult(child, err)
	}
	o.e.mu.Lock()
	delete(o.e.stacks, child.rec.ID)
	o.e.mu.Unlock()
	o.e.forgetStack(child)
	return nil
}

// templateKind implements template resources: a type mapped to a
// template file (or a type that is itself a file name). Properties are
// the nested stack's parameters; attributes its outputs.
var templateKind = &kind{
	name: "TemplateResource", class: "TemplateResource", nested: true,
	attr: templateAttr, ref: templateRef, has: templateHas, names: templateOutputs,
	check: checkTemplateProps,
}

func init() {
	templateKind.create, templateKind.update, templateKind.delete = createNested, updateNestedSimple, deleteNested
	nestedKinds[templateKind] = templateChild
}

// childTemplate parses the template file of a template resource.
func childTemplate(s *stack, r *resource) (*hot.Template, error) {
	data, ok := s.rec.Definition.Files[r.rec.Template]
	if !ok {
		reason := "Invalid URL scheme"
		if u, err := url.Parse(r.rec.Template); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			reason = "remote templates are not fetched by the embedded engine"
		}
		return nil, &hot.Error{Type: hot.TypeStackValidationFailed,
			Message: fmt.Sprintf("Could not fetch remote template \"%s\": %s", r.rec.Template, reason)}
	}
	return s.e.parseCached(data)
}

// paramTypes maps parameter types to property types.
var paramTypes = map[string]string{hot.ParamString: tString, hot.ParamNumber: tNumber,
	hot.ParamList: tList, hot.ParamBoolean: tBoolean, hot.ParamJSON: tMap}

// templateSchema derives a template resource's properties schema from
// the nested template's parameters, as Heat's schema_from_params does;
// lax makes every property optional. The schema may be shared: callers
// must not modify it.
func (e *Engine) templateSchema(t *hot.Template, defaults map[string]any, lax bool) schema {
	if len(defaults) > 0 {
		return buildTemplateSchema(t, defaults, lax)
	}
	return e.schemas.get(schemaKey{t, lax}, func() schema { return buildTemplateSchema(t, nil, lax) })
}

func buildTemplateSchema(t *hot.Template, defaults map[string]any, lax bool) schema {
	sc := make(schema, len(t.Params))
	for name, ps := range t.Params {
		_, hasDefault := defaults[name]
		sc[name] = &prop{typ: paramTypes[ps.Type], required: !lax && ps.Default == nil && !hasDefault, update: true,
			constraints: ps.Constraints, lenient: true}
	}
	return sc
}

// maxCachedSchemas bounds the cache of template resources' schemas.
const maxCachedSchemas = 256

type schemaKey struct {
	t   *hot.Template
	lax bool
}

// schemaCache keeps the properties schemas of template resources.
type schemaCache struct {
	mu sync.Mutex
	m  map[schemaKey]schema
}

func (c *schemaCache) get(k schemaKey, build func() schema) schema {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sc, ok := c.m[k]; ok {
		return sc
	}
	if c.m == nil || len(c.m) >= maxCachedSchemas {
		c.m = make(map[schemaKey]schema, maxCachedSchemas)
	}
	sc := build()
	c.m[k] = sc
	return sc
}

func checkTemplateProps(s *stack, r *resource, props map[string]any) error {
	t, err := childTemplate(s, r)
	if err != nil {
		return err
	}
	_, err = s.e.templateSchema(t, s.def.env.ParameterDefaults, false).resolve(props, func(string) bool { return false }, nil)
	var pe *propError
	if errors.As(err, &pe) {
		return propertyError(r, pe.path, pe.msg)
	}
	return err
}

// templateChild builds the nested stack of a template resource: its
// properties become parameters, lists joined with commas. A property
// left out is no parameter; when validating, a required one is not
// refused here, as Heat's child_params does not: a strictly validated
// stack has refused it already (checkTemplateProps), a stack validated
// without values refuses it only when the resource is created.
func templateChild(s *stack, r *resource, props map[string]any, validating bool) (stackDefinition, error) {
	t, err := childTemplate(s, r)
	if err != nil {
		return stackDefinition{}, err
	}
	sc := s.e.templateSchema(t, s.def.env.ParameterDefaults, validating)
	conv, err := sc.resolve(props, func(string) bool { return false }, nil)
	if err != nil {
		var pe *propError
		if errors.As(err, &pe) {
			return stackDefinition{}, propertyError(r, pe.path, pe.msg)
		}
		return stackDefinition{}, err
	}
	params := map[string]any{}
	for k, v := range conv {
		if l, ok := v.([]any); ok && sc[k].typ == tList {
			params[k] = joinList(l)
			continue
		}
		params[k] = v
	}
	return stackDefinition{Template: s.rec.Definition.Files[r.rec.Template], Files: s.rec.Definition.Files,
		Env: childEnv(s, r.entry), Params: params}, nil
}

func joinList(l []any) string {
	parts := make([]string, len(l))
	for i, v := range l {
		if v != nil {
			parts[i] = hot.PyStr(v)
		}
	}
	return strings.Join(parts, ",")
}

func templateOutputs(r *resource) []string {
	t, err := childTemplate(r.s, r)
	if err != nil {
		return nil
	}
	return t.OutputNames()
}

func templateHas(r *resource, name string) bool {
	if name == "show" || name == stackIDOutput || strings.HasPrefix(name, "resource.") {
		return true
	}
	for _, o := range templateOutputs(r) {
		if o == name {
			return true
		}
	}
	return false
}

// stackIDOutput is the output a nested template defines to choose its
// parent resource's reference ID.
const stackIDOutput = "OS::stack_id"

func templateRef(r *resource) any {
	child := r.s.e.nestedOf(r)
	if r.rec.PhysicalID == "" || child == nil {
		return r.rec.Name
	}
	child.mu.Lock()
	defer child.mu.Unlock()
	if v, ok, err := child.output(stackIDOutput); ok && err == nil {
		return v
	}
	return fmt.Sprintf("arn:openstack:heat::%s:stacks/%s/%s", url.PathEscape(child.rec.Project), child.rec.Name, child.rec.ID)
}

func templateAttr(r *resource, name string, path []any) (any, error) {
	child := r.s.e.nestedOf(r)
	if child == nil {
		return nil, nil
	}
	if strings.HasPrefix(name, "resource.") {
		return nestedResourceAttr(r, child, name, path)
	}
	child.mu.Lock()
	defer child.mu.Unlock()
	v, ok, err := child.output(name)
	if !ok {
		return nil, &hot.Error{Type: hot.TypeInvalidTemplateAttr,
			Message: fmt.Sprintf("The Referenced Attribute (%s %s) is incorrect.", r.rec.Name, name)}
	}
	if err != nil {
		return nil, err
	}
	return hot.SelectPath(v, path), nil
}

// nestedResourceAttr answers "resource.<name>[.<attr>]" on a resource
// owning a nested stack: the reference of a nested resource, or one of
// its attributes.
func nestedResourceAttr(r *resource, child *stack, key string, path []any) (any, error) {
	parts := strings.SplitN(key, ".", 3)
	child.mu.Lock()
	defer child.mu.Unlock()
	member := child.resources[parts[1]]
	if member == nil {
		return nil, &hot.Error{Type: hot.TypeNotFound,
			Message: fmt.Sprintf("Member '%s' not found in group resource '%s'.", parts[1], r.rec.Name)}
	}
	h := hotResource{member}
	if len(parts) == 2 {
		if len(path) > 0 {
			return h.Attribute(hot.PyStr(path[0]), path[1:])
		}
		return h.RefID()
	}
	return h.Attribute(parts[2], path)
}
