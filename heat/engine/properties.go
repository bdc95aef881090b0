package engine

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomagnum/gomagnum/heat/engine/hot"
)

// Property types, as Heat names them in property schemas.
const (
	tString  = "string"
	tInteger = "integer"
	tNumber  = "number"
	tBoolean = "boolean"
	tMap     = "map"
	tList    = "list"
	tAny     = "any"
)

// prop is the schema of one resource property.
type prop struct {
	typ      string
	required bool
	def      any
	update   bool // may change without replacing the resource
	// lenient accepts a comma-separated string for a list and a list for
	// a map (JSON-encoded), as template resource properties do.
	lenient     bool
	constraints []*hot.Constraint
	// schema holds the schema of map keys, or (under key "*") of list
	// items.
	schema map[string]*prop
}

// schema is the properties schema of a resource type.
type schema map[string]*prop

func p(typ string) *prop { return &prop{typ: typ} }

func (p *prop) req() *prop                  { p.required = true; return p }
func (p *prop) upd() *prop                  { p.update = true; return p }
func (p *prop) dflt(v any) *prop            { p.def = v; return p }
func (p *prop) of(s map[string]*prop) *prop { p.schema = s; return p }
func (p *prop) items(item *prop) *prop      { p.schema = map[string]*prop{"*": item}; return p }

// with adds a constraint written as in HOT ({"range": {"min": 1}}).
func (p *prop) with(def map[string]any) *prop {
	c, err := hot.NewConstraint(def)
	if err != nil {
		panic(fmt.Sprintf("bad built-in constraint %v: %v", def, err))
	}
	p.constraints = append(p.constraints, c)
	return p
}

func (p *prop) allowed(values ...any) *prop {
	return p.with(map[string]any{"allowed_values": values})
}

func (p *prop) between(lo, hi any) *prop {
	r := map[string]any{}
	if lo != nil {
		r["min"] = lo
	}
	if hi != nil {
		r["max"] = hi
	}
	return p.with(map[string]any{"range": r})
}

// propError is a property error at a path below "properties".
type propError struct {
	path []string
	msg  string
}

func (e *propError) Error() string { return e.msg }

// value converts a raw value to the property type, as Heat's
// Property.get_value does, validating constraints when asked.
func (p *prop) value(v any, validate bool, custom hot.CustomChecker) (any, error) {
	out, err := p.convert(v, validate, custom)
	if err != nil || !validate {
		return out, err
	}
	for _, c := range p.constraints {
		if err := c.Check(out, p.constraintType(), custom); err != nil {
			return nil, &propError{msg: err.Error()}
		}
	}
	return out, nil
}

func (p *prop) constraintType() string {
	switch p.typ {
	case tList:
		return "list"
	case tMap:
		return "map"
	}
	return p.typ
}

func (p *prop) orDefault(v, zero any) any {
	if v != nil {
		return v
	}
	if p.def != nil {
		return p.def
	}
	return zero
}

func (p *prop) convert(v any, validate bool, custom hot.CustomChecker) (any, error) {
	switch p.typ {
	case tString:
		return convertString(p.orDefault(v, ""))
	case tInteger:
		return convertInteger(p.orDefault(v, 0))
	case tNumber:
		n, err := hot.StrToNum(p.orDefault(v, 0))
		if err != nil {
			return nil, &propError{msg: err.Error()}
		}
		return n, nil
	case tBoolean:
		return convertBool(p.orDefault(v, false))
	case tMap:
		return p.convertMap(p.orDefault(v, map[string]any{}), validate, custom)
	case tList:
		return p.convertList(p.orDefault(v, []any{}), validate, custom)
	}
	return v, nil
}

func convertString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool, int:
		return hot.PyStr(x), nil
	}
	return nil, &propError{msg: "Value must be a string; got " + hot.PyRepr(v)}
}

func convertInteger(v any) (any, error) {
	if s, ok := v.(string); ok {
		i, err := hot.PyInt(s)
		if err != nil {
			return nil, &propError{msg: fmt.Sprintf("Value '%s' is not an integer", s)}
		}
		return i, nil
	}
	i, err := hot.PyInt(v)
	if err != nil {
		return nil, &propError{msg: err.Error()}
	}
	return i, nil
}

func convertBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch l := lower(x); l {
		case "true", "false":
			return l == "true", nil
		default:
			return nil, &propError{msg: fmt.Sprintf("\"%s\" is not a valid boolean", l)}
		}
	}
	return nil, &propError{msg: fmt.Sprintf("\"%s\" is not a valid boolean", hot.PyStr(v))}
}

func (p *prop) convertMap(v any, validate bool, custom hot.CustomChecker) (any, error) {
	if p.lenient {
		switch x := v.(type) {
		case string:
			return x, nil
		case []any:
			return hot.PyJSON(x)
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &propError{msg: fmt.Sprintf("\"%s\" is not a map", hot.PyStr(v))}
	}
	if p.schema == nil {
		return m, nil
	}
	return schema(p.schema).resolve(m, func(string) bool { return validate }, custom)
}

func (p *prop) convertList(v any, validate bool, custom hot.CustomChecker) (any, error) {
	if s, ok := v.(string); ok && p.lenient {
		v = splitList(s)
	}
	l, ok := v.([]any)
	if !ok {
		return nil, &propError{msg: fmt.Sprintf("\"%s\" is not a list", hot.PyRepr(v))}
	}
	item := p.schema["*"]
	if item == nil {
		return l, nil
	}
	out := make([]any, len(l))
	for i, e := range l {
		c, err := item.value(e, validate, custom)
		if err != nil {
			return nil, prefixed(err, fmt.Sprint(i))
		}
		out[i] = c
	}
	return out, nil
}

func prefixed(err error, key string) error {
	var pe *propError
	if errors.As(err, &pe) {
		return &propError{path: append([]string{key}, pe.path...), msg: pe.msg}
	}
	return &propError{path: []string{key}, msg: err.Error()}
}

// resolve converts resolved property data against the schema: unknown
// keys are refused, missing required ones reported, defaults filled.
// strict tells whether a key's constraints are checked. Keys are taken
// in any order; when one fails, they are taken again in order to report
// the first failure, as Heat does.
func (s schema) resolve(data map[string]any, strict func(string) bool, custom hot.CustomChecker) (map[string]any, error) {
	out, err := s.resolveKeys(data, strict, custom, false)
	if err != nil {
		return s.resolveKeys(data, strict, custom, true)
	}
	return out, nil
}

func (s schema) resolveKeys(data map[string]any, strict func(string) bool, custom hot.CustomChecker, sorted bool) (map[string]any, error) {
	for k := range keysOf(data, sorted) {
		if _, ok := s[k]; !ok {
			return nil, &propError{msg: "Unknown Property " + k}
		}
	}
	out := make(map[string]any, len(s))
	for k := range keysOf(s, sorted) {
		v, err := s.one(k, data, strict(k), custom)
		if err != nil {
			return nil, err
		}
		if v != nil {
			out[k] = v
		}
	}
	return out, nil
}

func (s schema) one(k string, data map[string]any, validate bool, custom hot.CustomChecker) (any, error) {
	p := s[k]
	raw, present := data[k]
	if !present || raw == nil {
		switch {
		case p.def != nil:
			return p.value(nil, validate, custom)
		case p.required && !present:
			return nil, &propError{msg: "Property " + k + " not assigned"}
		case !present:
			return nil, nil
		}
	}
	v, err := p.value(raw, validate, custom)
	if err != nil {
		return nil, prefixed(err, k)
	}
	return v, nil
}

// updatable reports whether every changed key may be updated in place.
func (s schema) updatable(changed []string) bool {
	for _, k := range changed {
		if p, ok := s[k]; !ok || !p.update {
			return false
		}
	}
	return true
}

// splitList is Heat's delim_string_to_list.
func splitList(s string) []any {
	if s == "" {
		return []any{}
	}
	parts := strings.Split(s, ",")
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}
