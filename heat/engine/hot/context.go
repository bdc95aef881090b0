package hot

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Resource is a resource of a stack as functions see it.
type Resource interface {
	// RefID returns the value of get_resource.
	RefID() (any, error)
	// Attribute returns an attribute, following path into it when the
	// resource handles paths itself (ResourceGroup's "attributes" form);
	// nil when the resource is not ready.
	Attribute(name string, path []any) (any, error)
	// Attributes returns every attribute as a map, nil when not ready.
	Attributes() (any, error)
	// HasAttribute reports whether the resource type has the attribute.
	HasAttribute(name string) bool
}

// Scope answers for the parts of a stack that functions refer to.
type Scope interface {
	// Resource returns an enabled resource of the stack by name.
	Resource(name string) (Resource, bool)
	// Facade returns the metadata, update_policy or deletion_policy of
	// the parent resource of a nested stack, for resource_facade.
	Facade(kind string) (any, error)
}

// Context binds a template to its parameters, files and stack: the
// parsed snippets of a stack are evaluated in a Context.
type Context struct {
	Template *Template
	Params   *Params
	Files    map[string]string
	Scope    Scope
	// Zones are the availability zones Fn::GetAZs returns.
	Zones []string

	conds     map[string]any
	condsErr  error
	condState map[string]int
	condValue map[string]bool
}

// NewContext returns a Context for a stack.
func NewContext(t *Template, p *Params, files map[string]string, scope Scope) *Context {
	return &Context{Template: t, Params: p, Files: files, Scope: scope, Zones: []string{"nova"}}
}

// maxPathDepth is the path depth parsing and validation allocate room
// for at once.
const maxPathDepth = 16

// Parse parses a snippet of the template found at path.
func (c *Context) Parse(snippet any, path string) (any, error) {
	p := parser{ctx: c, table: c.Template.Version.functions(), root: path}
	return p.parse(snippet, make([]pathStep, 0, maxPathDepth))
}

// parseCondition parses a condition snippet.
func (c *Context) parseCondition(snippet any, path string) (any, error) {
	p := parser{ctx: c, table: c.Template.Version.conditionFunctions(), root: path}
	return p.parse(snippet, make([]pathStep, 0, maxPathDepth))
}

const (
	condResolving = 1
	condDone      = 2
)

// conditions parses the conditions section once.
func (c *Context) conditions() (map[string]any, error) {
	if c.conds != nil || c.condsErr != nil {
		return c.conds, c.condsErr
	}
	c.conds, c.condsErr = c.parseConditions()
	c.condState, c.condValue = map[string]int{}, map[string]bool{}
	return c.conds, c.condsErr
}

func (c *Context) parseConditions() (map[string]any, error) {
	raw := c.Template.Raw["conditions"]
	if !c.Template.Version.HasConditions() || raw == nil {
		return map[string]any{}, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, &Error{Type: TypeStackValidationFailed, Class: "Conditions validation error",
			Message: fmt.Sprintf("Condition definitions must be a map. Found a %s instead", pyType(raw))}
	}
	out := make(map[string]any, len(m))
	for _, name := range sortedKeys(m) {
		p, err := c.parseCondition(m[name], "conditions."+name)
		if err != nil {
			return nil, err
		}
		out[name] = p
	}
	return out, nil
}

func conditionTypeError(name string, def any) error {
	return &Error{Type: TypeStackValidationFailed, Class: "Condition validation error",
		Message: fmt.Sprintf("The definition of condition \"%s\" is invalid: %s", name, PyStr(def))}
}

// ValidateConditions checks every condition definition.
func (c *Context) ValidateConditions() error {
	conds, err := c.conditions()
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(conds) {
		def := conds[name]
		if _, isFn := def.(Fn); !isFn {
			if _, isBool := def.(bool); !isBool {
				return conditionTypeError(name, def)
			}
		}
		if err := validateSnippet(def, nil); err != nil {
			return err
		}
	}
	return nil
}

// IsEnabled evaluates a condition reference: nil is true, a bool is
// itself, a string names a condition of the template.
func (c *Context) IsEnabled(cond any) (bool, error) {
	switch x := cond.(type) {
	case nil:
		return true, nil
	case bool:
		return x, nil
	case string:
		return c.namedCondition(x)
	}
	return false, valueError("Invalid condition \"%s\"", PyStr(cond))
}

func (c *Context) namedCondition(name string) (bool, error) {
	conds, err := c.conditions()
	if err != nil {
		return false, err
	}
	def, ok := conds[name]
	if !ok {
		return false, valueError("Invalid condition \"%s\"", name)
	}
	switch c.condState[name] {
	case condDone:
		return c.condValue[name], nil
	case condResolving:
		return false, &Error{Type: TypeStackValidationFailed, Class: "Condition validation error",
			Message: fmt.Sprintf("Circular definition for condition \"%s\"", name)}
	}
	c.condState[name] = condResolving
	v, err := Resolve(def)
	if err != nil {
		delete(c.condState, name)
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		delete(c.condState, name)
		return false, conditionTypeError(name, v)
	}
	c.condState[name], c.condValue[name] = condDone, b
	return b, nil
}

// Definition is a parsed resource definition.
type Definition struct {
	Name string
	Type string
	// Properties, Metadata and UpdatePolicy are parsed snippets (nil when
	// absent).
	Properties   any
	Metadata     any
	UpdatePolicy any
	// DependsOn lists the explicit dependencies.
	DependsOn []string
	// DeletionPolicy is Delete, Retain or Snapshot.
	DeletionPolicy string
	Description    string
	ExternalID     any
}

// Definitions parses the definitions of the enabled resources.
func (c *Context) Definitions() (map[string]*Definition, error) {
	res, err := c.Template.section("resources")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Definition, len(res))
	for _, name := range sortedKeys(res) {
		d, enabled, err := c.definition(name, res[name])
		if err != nil {
			return nil, err
		}
		if enabled {
			out[name] = d
		}
	}
	return out, nil
}

func (c *Context) definition(name string, raw any) (*Definition, bool, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, false, validationError(nil, "Resources must contain Resource. Found a [%s] instead", pyTypeClass(raw))
	}
	if err := checkResourceKeys(c.Template.Version, m); err != nil {
		return nil, false, err
	}
	enabled, err := c.resourceEnabled(name, m)
	if err != nil || !enabled {
		return nil, false, err
	}
	d := &Definition{Name: name}
	if err := c.fillDefinition(d, m); err != nil {
		return nil, false, validationError(nil, "%s", err.Error())
	}
	return d, true, nil
}

func checkResourceKeys(v Version, m map[string]any) error {
	allowed := v.resourceKeys()
	known := true
	for k := range m {
		known = known && slices.Contains(allowed, k)
	}
	if known {
		return nil
	}
	var bad []string
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		return validationError(nil, "Invalid keyword(s) inside a resource definition: %s", strings.Join(bad, ", "))
	}
	return nil
}

func (c *Context) resourceEnabled(name string, m map[string]any) (bool, error) {
	raw, ok := m["condition"]
	if !ok || !c.Template.Version.HasConditions() {
		return true, nil
	}
	path := "resources." + name + ".condition"
	cond, err := c.parseCondition(raw, path)
	if err != nil {
		return false, err
	}
	switch cond.(type) {
	case string, bool, Fn:
	default:
		return false, validationError(nil, "Resource %s condition type must be string_or_boolean", name)
	}
	v, err := Resolve(cond)
	if err != nil {
		return false, err
	}
	enabled, err := c.IsEnabled(v)
	if err != nil {
		var pe *PyError
		if errors.As(err, &pe) {
			return false, validationError([]string{"resources", name, "condition"}, "%s", pe.Msg)
		}
		return false, err
	}
	return enabled, nil
}

// fillDefinition parses the fields of a resource definition.
func (c *Context) fillDefinition(d *Definition, m map[string]any) error {
	prefix := "resources." + d.Name + "."
	typ, err := c.Parse(m["type"], prefix+"type")
	if err != nil {
		return err
	}
	s, ok := typ.(string)
	if !ok {
		return typeError("Resource %s type type must be string", d.Name)
	}
	d.Type = s
	if d.Properties, err = c.parseObject(d.Name, "properties", m); err != nil {
		return err
	}
	if d.Metadata, err = c.parseObject(d.Name, "metadata", m); err != nil {
		return err
	}
	if d.UpdatePolicy, err = c.parseObject(d.Name, "update_policy", m); err != nil {
		return err
	}
	if d.DependsOn, err = dependsOn(d.Name, m["depends_on"]); err != nil {
		return err
	}
	if d.DeletionPolicy, err = c.deletionPolicy(d.Name, m); err != nil {
		return err
	}
	return c.fillExtra(d, m)
}

func (c *Context) fillExtra(d *Definition, m map[string]any) error {
	if raw, ok := m["description"]; ok {
		s, isStr := raw.(string)
		if !isStr {
			return typeError("Resource %s description type must be string", d.Name)
		}
		d.Description = s
	}
	if raw, ok := m["external_id"]; ok {
		v, err := c.Parse(raw, "resources."+d.Name+".external_id")
		if err != nil {
			return err
		}
		d.ExternalID = v
	}
	return nil
}

// parseObject parses a field that must be a map (or a function).
func (c *Context) parseObject(name, key string, m map[string]any) (any, error) {
	raw, ok := m[key]
	if !ok {
		return nil, nil
	}
	v, err := c.Parse(raw, "resources."+name+"."+key)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case map[string]any, Fn, nil:
		return v, nil
	}
	return nil, typeError("Resource %s %s type must be object", name, key)
}

func dependsOn(name string, raw any) ([]string, error) {
	switch x := raw.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, d := range x {
			s, ok := d.(string)
			if !ok {
				return nil, validationError(nil, "Resource %s depends_on must be a list of strings", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, typeError("Resource %s depends_on type must be list or string", name)
}

func (c *Context) deletionPolicy(name string, m map[string]any) (string, error) {
	raw, ok := m["deletion_policy"]
	if !ok {
		return "Delete", nil
	}
	p, err := c.Parse(raw, "resources."+name+".deletion_policy")
	if err != nil {
		return "", err
	}
	v, err := Resolve(p)
	if err != nil {
		return "", err
	}
	if v == nil {
		return "Delete", nil
	}
	s, _ := v.(string)
	canon, ok := c.Template.Version.deletionPolicies()[s]
	if !ok {
		return "", validationError(nil, "Invalid deletion policy \"%s\"", PyStr(v))
	}
	return canon, nil
}

// Output is a parsed output definition.
type Output struct {
	Name        string
	Description string
	// Value is the parsed value; nil when the output's condition is false.
	Value any
	// Enabled is false when the output's condition is false.
	Enabled bool
}

// Outputs parses the outputs section.
func (c *Context) Outputs() (map[string]*Output, error) {
	outs, err := c.Template.section("outputs")
	if err != nil {
		return nil, err
	}
	res := make(map[string]*Output, len(outs))
	for _, name := range sortedKeys(outs) {
		o, err := c.output(name, outs[name])
		if err != nil {
			return nil, err
		}
		res[name] = o
	}
	return res, nil
}

func (c *Context) output(name string, raw any) (*Output, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, &Error{Type: TypeStackValidationFailed, Class: "Output validation error", Path: []string{"outputs", name},
			Message: fmt.Sprintf("Output definitions must be a map. Found a %s instead", pyType(raw))}
	}
	if _, ok := m["value"]; !ok {
		return nil, &Error{Type: TypeStackValidationFailed, Class: "Output validation error", Path: []string{"outputs", name},
			Message: "Each output definition must contain a value key."}
	}
	o := &Output{Name: name, Enabled: true}
	o.Description, _ = m["description"].(string)
	if c.Template.Version.HasConditions() {
		enabled, err := c.outputEnabled(name, m["condition"])
		if err != nil {
			return nil, err
		}
		if o.Enabled = enabled; !enabled {
			return o, nil
		}
	}
	v, err := c.Parse(m["value"], "outputs."+name+".value")
	if err != nil {
		return nil, err
	}
	o.Value = v
	return o, nil
}

func (c *Context) outputEnabled(name string, raw any) (bool, error) {
	cond, err := c.parseCondition(raw, "outputs."+name+".condition")
	if err != nil {
		return false, err
	}
	v, err := Resolve(cond)
	if err != nil {
		return false, err
	}
	enabled, err := c.IsEnabled(v)
	if err != nil {
		var pe *PyError
		if errors.As(err, &pe) {
			return false, validationError([]string{"outputs", name, "condition"}, "%s", pe.Msg)
		}
		return false, err
	}
	return enabled, nil
}
