package hot

import (
	"errors"
	"slices"
	"strings"
)

// Parameter types of HOT.
const (
	ParamString  = "string"
	ParamNumber  = "number"
	ParamJSON    = "json"
	ParamList    = "comma_delimited_list"
	ParamBoolean = "boolean"
)

// Pseudo parameters every stack has.
const (
	ParamStackID   = "OS::stack_id"
	ParamStackName = "OS::stack_name"
	ParamProjectID = "OS::project_id"
	ParamRegion    = "OS::region"
)

// ParamSchema is the declaration of one template parameter.
type ParamSchema struct {
	Name        string
	Type        string
	Description string
	Label       string
	// Default is the declared default; nil when there is none.
	Default     any
	Hidden      bool
	Immutable   bool
	Tags        []string
	Constraints []*Constraint
	// orders are the written key orders of a json default.
	orders keyOrders
}

func parseParamSchemas(v Version, raw any) (map[string]*ParamSchema, error) {
	out := map[string]*ParamSchema{}
	if raw == nil {
		return out, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, newError(TypeInvalidSchemaError, "Invalid parameters section, expected a mapping")
	}
	for _, name := range sortedKeys(m) {
		s, err := parseParamSchema(v, name, m[name])
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

func parseParamSchema(v Version, name string, raw any) (*ParamSchema, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, newError(TypeInvalidSchemaError, "Invalid parameter (%s), expected a mapping", name)
	}
	allowed := v.paramKeys()
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			return nil, newError(TypeInvalidSchemaError, "Invalid key '%s' for parameter (%s)", k, name)
		}
	}
	typ, ok := m["type"]
	if !ok {
		return nil, newError(TypeInvalidSchemaError, "Missing parameter type for parameter: %s", name)
	}
	s := &ParamSchema{Name: name, Default: m["default"], Hidden: truthy(m["hidden"]), Immutable: truthy(m["immutable"])}
	s.Type, _ = typ.(string)
	if !slices.Contains([]string{ParamString, ParamNumber, ParamJSON, ParamList, ParamBoolean}, s.Type) {
		return nil, newError(TypeInvalidSchemaError, "Invalid type (%s)", PyStr(typ))
	}
	s.Description, _ = m["description"].(string)
	s.Label, _ = m["label"].(string)
	if err := s.parseTags(m["tags"]); err != nil {
		return nil, err
	}
	return s, s.parseConstraints(v, m["constraints"])
}

func (s *ParamSchema) parseTags(raw any) error {
	if raw == nil {
		return nil
	}
	l, ok := raw.([]any)
	if !ok {
		return newError(TypeInvalidSchemaError, "Tags property should be a list for parameter: %s", s.Name)
	}
	for _, t := range l {
		s.Tags = append(s.Tags, PyStr(t))
	}
	return nil
}

func (s *ParamSchema) parseConstraints(v Version, raw any) error {
	if raw == nil {
		return nil
	}
	l, ok := raw.([]any)
	if !ok {
		return newError(TypeInvalidSchemaError, "Invalid parameter constraints for parameter %s, expected a list", s.Name)
	}
	for _, def := range l {
		c, err := parseConstraint(v, def)
		if err != nil {
			return err
		}
		s.Constraints = append(s.Constraints, c)
	}
	return nil
}

// truthy implements Python's bool() of a value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// validateSchema checks that every constraint applies to the type and
// that the default satisfies the non-custom constraints.
func (s *ParamSchema) validateSchema(def any) error {
	for _, c := range s.Constraints {
		if !c.validFor(s.Type) {
			return newError(TypeInvalidSchemaError, "%s constraint invalid for %s", c.className(), s.Type)
		}
	}
	if def == nil {
		return nil
	}
	value := def
	if s.Type == ParamList {
		value = defaultList(def)
	}
	if err := s.checkConstraints(value, nil, true); err != nil {
		return newError(TypeInvalidSchemaError, "Invalid default %s (%s)", PyStr(def), err.Error())
	}
	return nil
}

func defaultList(def any) any {
	switch x := def.(type) {
	case string:
		return toAnyList(strings.Split(x, ","))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = PyStr(e)
		}
		return out
	}
	return def
}

func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

// checkConstraints validates value against the constraints, skipping
// custom ones when skipCustom is set.
func (s *ParamSchema) checkConstraints(value any, custom CustomChecker, skipCustom bool) error {
	for _, c := range s.Constraints {
		if skipCustom && c.Kind == "custom_constraint" {
			continue
		}
		if err := c.check(value, s.Type, custom); err != nil {
			return err
		}
	}
	return nil
}

// parseValue converts a raw parameter value to the parameter's type.
func (s *ParamSchema) parseValue(raw any) (any, error) {
	switch s.Type {
	case ParamNumber:
		return StrToNum(raw)
	case ParamBoolean:
		return boolFromString(raw)
	case ParamList:
		return parseListParam(raw)
	case ParamJSON:
		return parseJSONParam(raw)
	}
	return PyStr(raw), nil
}

func parseListParam(raw any) (any, error) {
	switch x := raw.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = PyStr(e)
		}
		return out, nil
	case string:
		if x == "" {
			return []any{}, nil
		}
		return toAnyList(strings.Split(x, ",")), nil
	}
	return nil, valueError("Value must be a comma-delimited list string: '%s' object has no attribute 'split'", pyType(raw))
}

func parseJSONParam(raw any) (any, error) {
	s, isStr := raw.(string)
	if !isStr {
		js, err := PyJSON(raw)
		if err != nil {
			return nil, valueError("Value must be valid JSON: %v", err)
		}
		s = js
	}
	if s == "" {
		return raw, nil
	}
	v, ok := loadJSON([]byte(s))
	if !ok {
		return nil, valueError("Value must be valid JSON: Expecting value: line 1 column 1 (char 0)")
	}
	return v, nil
}

// validateValue checks a user value or default against the type and the
// constraints, returning the message Heat gives.
func (s *ParamSchema) validateValue(raw any, custom CustomChecker) error {
	value := raw
	if s.Type != ParamString {
		v, err := s.parseValue(raw)
		if err != nil {
			return err
		}
		if s.Type != ParamBoolean && s.Type != ParamNumber {
			value = v
		}
	}
	return s.checkConstraints(value, custom, false)
}

// Text returns the parameter value as Heat shows it in a stack: str()
// of the value, lists joined with commas, JSON encoded maps.
func (s *ParamSchema) Text(value any) string {
	switch s.Type {
	case ParamList:
		if l, ok := value.([]any); ok {
			parts := make([]string, len(l))
			for i, e := range l {
				parts[i] = PyStr(e)
			}
			return strings.Join(parts, ",")
		}
	case ParamJSON:
		if js, err := PyJSON(value); err == nil {
			return js
		}
	}
	return PyStr(value)
}

// Params are the bound parameter values of a stack.
type Params struct {
	schemas map[string]*ParamSchema
	user    map[string]any
	// defaults are environment parameter_defaults.
	defaults map[string]any
	pseudo   map[string]any
	values   map[string]any
	// order is the order the parameters were written in, when it is not
	// sorted: Heat validates them in that order.
	order []string
}

// Identity names a stack for its pseudo parameters.
type Identity struct {
	StackID   string
	StackName string
	ProjectID string
}

// Bind binds user parameter values and environment parameter defaults to
// the template's parameters.
func (t *Template) Bind(id Identity, user, defaults map[string]any) *Params {
	p := &Params{schemas: t.Params, user: user, defaults: defaults, values: map[string]any{},
		order: t.orders["parameters"]}
	p.pseudo = map[string]any{ParamStackID: id.StackID, ParamProjectID: id.ProjectID}
	if id.StackName != "" {
		p.pseudo[ParamStackName] = id.StackName
	}
	return p
}

// raw returns the unconverted value of a parameter and whether it has one.
func (p *Params) raw(name string) (any, bool) {
	if v := p.user[name]; v != nil {
		return v, true
	}
	if v := p.defaults[name]; v != nil {
		return v, true
	}
	if s := p.schemas[name]; s != nil && s.Default != nil {
		return s.Default, true
	}
	return nil, false
}

// Names returns the names of the declared and pseudo parameters, sorted.
func (p *Params) Names() []string {
	names := sortedKeys(p.schemas)
	for k := range p.pseudo {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// Value returns the typed value of a parameter. A declared parameter
// with neither a value nor a default is an UserParameterMissing error; an
// undeclared one gives ok false.
func (p *Params) Value(name string) (any, bool, error) {
	if v, ok := p.pseudo[name]; ok {
		return v, true, nil
	}
	s := p.schemas[name]
	if s == nil {
		return nil, false, nil
	}
	if v, ok := p.values[name]; ok {
		return v, true, nil
	}
	raw, ok := p.raw(name)
	if !ok {
		return nil, true, newError(TypeUserParameterMissing, "The Parameter (%s) was not provided.", name)
	}
	v, err := s.parseValue(raw)
	if err != nil {
		return nil, true, err
	}
	p.values[name] = v
	return v, true, nil
}

// Validate checks that every user parameter is declared, that every
// declared parameter has a valid value (when values is set) and that each
// schema is well formed.
func (p *Params) Validate(values bool, custom CustomChecker) error {
	for _, name := range sortedKeys(p.user) {
		if _, ok := p.schemas[name]; !ok {
			return newError(TypeUnknownUserParameter, "The Parameter (%s) was not defined in template.", name)
		}
	}
	for _, name := range orderedKeys(p.order, p.schemas) {
		if err := p.validateOne(name, values, custom); err != nil {
			return err
		}
	}
	return nil
}

func (p *Params) validateOne(name string, values bool, custom CustomChecker) error {
	s := p.schemas[name]
	def := s.Default
	if d := p.defaults[name]; d != nil {
		def = d
	}
	if err := s.validateSchema(def); err != nil {
		return &Error{Type: TypeInvalidSchemaError, Message: "Parameter '" + name + "' is invalid: " + err.(*Error).Message}
	}
	if !values {
		return nil
	}
	raw, ok := p.raw(name)
	if !ok {
		return newError(TypeUserParameterMissing, "The Parameter (%s) was not provided.", name)
	}
	if err := s.validateValue(raw, custom); err != nil {
		return validationError(nil, "Parameter '%s' is invalid: %s", name, err.Error())
	}
	return nil
}

// Texts returns every parameter value as Heat shows it in a stack, with
// hidden values masked and parameters lacking a value left out.
func (p *Params) Texts() map[string]string {
	out := map[string]string{}
	for k, v := range p.pseudo {
		out[k] = PyStr(v)
	}
	for name, s := range p.schemas {
		v, _, err := p.Value(name)
		switch {
		case err != nil:
			continue
		case s.Hidden:
			out[name] = "******"
		case s.Type == ParamJSON:
			out[name] = s.jsonText(v, p.orderOf(name))
		default:
			out[name] = s.Text(v)
		}
	}
	return out
}

// orderOf returns the written key order of a json parameter's value: a
// JSON text given keeps its order, a default its template's; a value
// given as a map has none.
func (p *Params) orderOf(name string) keyOrders {
	raw, _ := p.raw(name)
	if s, ok := raw.(string); ok {
		return jsonKeyOrders([]byte(s))
	}
	if p.user[name] == nil && p.defaults[name] == nil {
		return p.schemas[name].orders
	}
	return nil
}

// jsonText is Text of a json parameter, its maps' keys in the order
// given.
func (s *ParamSchema) jsonText(value any, orders keyOrders) string {
	var b strings.Builder
	if err := writePyJSON(&b, value, orders, ""); err != nil {
		return PyStr(value)
	}
	return b.String()
}

// ImmutableChanged returns the immutable parameters whose value differs
// between p (the old values) and next.
func (p *Params) ImmutableChanged(next *Params) []string {
	var changed []string
	for _, name := range sortedKeys(next.schemas) {
		s := next.schemas[name]
		if _, existed := p.schemas[name]; !existed || !s.Immutable {
			continue
		}
		old, _, err1 := p.Value(name)
		cur, _, err2 := next.Value(name)
		if errors.Join(err1, err2) == nil && !PyEqual(old, cur) {
			changed = append(changed, name)
		}
	}
	return changed
}
