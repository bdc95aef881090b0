package hot

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// ErrUnknownConstraint is returned by a CustomChecker for a custom
// constraint it does not know.
var ErrUnknownConstraint = errors.New("constraint not found")

// CustomChecker validates a value against a named custom constraint
// ("nova.flavor", "ip_addr"). It returns nil when the value is valid,
// ErrUnknownConstraint when the name is unknown, and otherwise an error
// whose message explains the failure.
type CustomChecker func(name string, value any) error

// Constraint is one constraint of a parameter or property schema.
type Constraint struct {
	// Kind is the constraint key: range, length, modulo, allowed_values,
	// allowed_pattern or custom_constraint.
	Kind string
	// Description replaces the generated message when set.
	Description string
	// Min and Max bound range and length (nil when absent).
	Min, Max any
	// Step and Offset define modulo.
	Step, Offset int
	// Allowed lists the allowed values.
	Allowed []any
	// Pattern is the allowed pattern; Name the custom constraint name.
	Pattern string
	Name    string
	re      *regexp.Regexp
}

// className is the Python class name Heat prints in schema errors.
func (c *Constraint) className() string {
	switch c.Kind {
	case "range":
		return "Range"
	case "length":
		return "Length"
	case "modulo":
		return "Modulo"
	case "allowed_values":
		return "AllowedValues"
	case "allowed_pattern":
		return "AllowedPattern"
	}
	return "CustomConstraint"
}

// validFor reports whether the constraint applies to a schema type
// (string, number, json, comma_delimited_list, boolean, integer, map,
// list).
func (c *Constraint) validFor(typ string) bool {
	var types []string
	switch c.Kind {
	case "range", "modulo":
		types = []string{"integer", "number"}
	case "length":
		types = []string{"string", "comma_delimited_list", "list", "json", "map"}
	case "allowed_values", "custom_constraint":
		types = []string{"string", "integer", "number", "boolean", "comma_delimited_list", "list"}
	case "allowed_pattern":
		types = []string{"string"}
	}
	return slices.Contains(types, typ)
}

// check validates value; typ is the schema type used to convert allowed
// values before comparing them.
func (c *Constraint) check(value any, typ string, custom CustomChecker) error {
	ok, msg, err := c.valid(value, typ, custom)
	if err != nil || ok {
		return err
	}
	if c.Description != "" {
		msg = c.Description
	}
	return valueError("%s", msg)
}

// valid reports whether value meets the constraint and, when it does
// not, the message saying why.
func (c *Constraint) valid(value any, typ string, custom CustomChecker) (bool, string, error) {
	switch c.Kind {
	case "range":
		return c.validRange(value)
	case "length":
		return c.validLength(value)
	case "modulo":
		return c.validModulo(value)
	case "allowed_values":
		return c.validAllowed(value, typ)
	case "allowed_pattern":
		return c.validPattern(value)
	}
	return c.validCustom(value, custom)
}

func (c *Constraint) inRange(n any) bool {
	if c.Min != nil && numLess(n, c.Min) {
		return false
	}
	return c.Max == nil || !numLess(c.Max, n)
}

func (c *Constraint) validRange(value any) (bool, string, error) {
	n, err := StrToNum(value)
	if err != nil {
		return false, "", err
	}
	if c.inRange(n) {
		return true, "", nil
	}
	return false, fmt.Sprintf("%s is out of range (min: %s, max: %s)", PyStr(value), PyStr(c.Min), PyStr(c.Max)), nil
}

func (c *Constraint) validLength(value any) (bool, string, error) {
	n, err := pyLen(value)
	if err != nil {
		return false, "", err
	}
	if c.inRange(n) {
		return true, "", nil
	}
	return false, fmt.Sprintf("length (%d) is out of range (min: %s, max: %s)", n, PyStr(c.Min), PyStr(c.Max)), nil
}

func (c *Constraint) validModulo(value any) (bool, string, error) {
	n, err := StrToNum(value)
	if err != nil {
		return false, "", err
	}
	f, _ := pyNumber(n)
	step := float64(c.Step)
	mod := f - step*math.Floor(f/step)
	if mod == float64(c.Offset) {
		return true, "", nil
	}
	return false, fmt.Sprintf("%s is not a multiple of %d with an offset of %d", PyStr(value), c.Step, c.Offset), nil
}

func (c *Constraint) allowedText() string {
	parts := make([]string, len(c.Allowed))
	for i, a := range c.Allowed {
		parts[i], _ = PyJSON(a)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (c *Constraint) validAllowed(value any, typ string) (bool, string, error) {
	ok, err := c.allowed(value, typ)
	if ok || err != nil {
		return ok, "", err
	}
	js, _ := PyJSON(value)
	return false, fmt.Sprintf("%s is not an allowed value %s", js, c.allowedText()), nil
}

func (c *Constraint) allowed(value any, typ string) (bool, error) {
	if l, ok := value.([]any); ok {
		for _, v := range l {
			if !slices.ContainsFunc(c.Allowed, func(a any) bool { return PyEqual(a, v) }) {
				return false, nil
			}
		}
		return true, nil
	}
	conv, err := toSchemaType(value, typ)
	if err != nil {
		return false, err
	}
	for _, a := range c.Allowed {
		ca, err := toSchemaType(a, typ)
		if err != nil {
			return false, err
		}
		if PyEqual(ca, conv) {
			return true, nil
		}
	}
	return false, nil
}

func (c *Constraint) validPattern(value any) (bool, string, error) {
	s, ok := value.(string)
	if !ok {
		return false, "", typeError("expected string or bytes-like object, got '%s'", pyType(value))
	}
	if loc := c.re.FindStringIndex(s); loc != nil && loc[1] == len(s) {
		return true, "", nil
	}
	return false, fmt.Sprintf("\"%s\" does not match pattern \"%s\"", s, c.Pattern), nil
}

func (c *Constraint) validCustom(value any, custom CustomChecker) (bool, string, error) {
	var err error = ErrUnknownConstraint
	if custom != nil {
		err = custom(c.Name, value)
	}
	switch {
	case err == nil:
		return true, "", nil
	case errors.Is(err, ErrUnknownConstraint):
		return false, fmt.Sprintf("\"%s\" does not validate %s (constraint not found)", PyStr(value), c.Name), nil
	}
	return false, fmt.Sprintf("Error validating value '%s': %s", PyStr(value), err.Error()), nil
}

// toSchemaType converts a value to the schema's data type, as Heat's
// Schema.to_schema_type does.
func toSchemaType(v any, typ string) (any, error) {
	var out any
	var err error
	switch typ {
	case "integer":
		out, err = StrToNum(v)
		if f, isFloat := out.(float64); err == nil && isFloat {
			err = valueError("%s is not an integer.", pyFloat(f))
		}
	case "number":
		out, err = StrToNum(v)
	case "string":
		out = PyStr(v)
	case "boolean":
		out, err = boolFromString(PyStr(v))
	default:
		out = v
	}
	if err != nil {
		return nil, valueError("Value \"%s\" is invalid for data type \"%s\".", PyStr(v), schemaTypeName(typ))
	}
	return out, nil
}

// schemaTypeName returns the type name Heat prints in conversion errors.
func schemaTypeName(typ string) string {
	switch typ {
	case "integer":
		return "Integer"
	case "number":
		return "Number"
	case "string":
		return "String"
	case "boolean":
		return "Boolean"
	}
	return typ
}

// parseConstraint builds a constraint from its HOT definition.
func parseConstraint(v Version, def any) (*Constraint, error) {
	m, ok := def.(map[string]any)
	if !ok {
		return nil, newError(TypeInvalidSchemaError, "Invalid parameter constraints, expected a mapping")
	}
	keys := []string{"description", "length", "range", "modulo", "allowed_values", "allowed_pattern", "custom_constraint"}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(keys, k) {
			return nil, newError(TypeInvalidSchemaError, "Invalid key '%s' for parameter constraints", k)
		}
	}
	c := &Constraint{}
	if d, ok := m["description"].(string); ok {
		c.Description = d
	}
	if _, ok := m["modulo"]; ok && v.AtLeast("2017-02-24") {
		return c, c.parseModulo(m["modulo"])
	}
	for _, kind := range []string{"range", "length", "allowed_values", "allowed_pattern", "custom_constraint"} {
		if arg, ok := m[kind]; ok {
			c.Kind = kind
			return c, c.parseArg(arg)
		}
	}
	return nil, newError(TypeInvalidSchemaError, "No constraint expressed")
}

func (c *Constraint) parseArg(arg any) error {
	switch c.Kind {
	case "range", "length":
		return c.parseBounds(arg)
	case "allowed_values":
		l, ok := arg.([]any)
		if !ok {
			return newError(TypeInvalidSchemaError, "AllowedValues must be a list")
		}
		c.Allowed = l
	case "allowed_pattern":
		return c.parsePattern(arg)
	default:
		s, ok := arg.(string)
		if !ok {
			return newError(TypeInvalidSchemaError, "Invalid custom constraint name %s", PyStr(arg))
		}
		c.Name = s
	}
	return nil
}

func (c *Constraint) parsePattern(arg any) error {
	p, ok := arg.(string)
	if !ok {
		return newError(TypeInvalidSchemaError, "AllowedPattern must be a string")
	}
	re, err := regexp.Compile(`^(?:` + p + `)`)
	if err != nil {
		return newError(TypeInvalidSchemaError, "Invalid pattern %q: %v", p, err)
	}
	c.Pattern, c.re = p, re
	return nil
}

func boundsMap(kind string, arg any) (map[string]any, error) {
	m, ok := arg.(map[string]any)
	if !ok {
		return nil, newError(TypeInvalidSchemaError, "Invalid %s constraint, expected a mapping", kind)
	}
	return m, nil
}

func (c *Constraint) parseBounds(arg any) error {
	m, err := boundsMap(c.Kind, arg)
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(m) {
		if k != "min" && k != "max" {
			return newError(TypeInvalidSchemaError, "Invalid key '%s' for %s constraint", k, c.Kind)
		}
	}
	if c.Min, err = schemaNum(m["min"]); err != nil {
		return err
	}
	if c.Max, err = schemaNum(m["max"]); err != nil {
		return err
	}
	if c.Min == nil && c.Max == nil {
		return newError(TypeInvalidSchemaError, "A %s constraint must have a min value and/or a max value specified.", c.Kind)
	}
	if c.Kind == "length" && !(isIntOrNil(c.Min) && isIntOrNil(c.Max)) {
		return newError(TypeInvalidSchemaError, "min/max length must be integral")
	}
	return nil
}

func isIntOrNil(v any) bool {
	_, isInt := v.(int)
	return v == nil || isInt
}

func schemaNum(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	n, err := StrToNum(v)
	if err != nil {
		return nil, newError(TypeInvalidSchemaError, "min/max must be numeric")
	}
	if _, isBool := n.(bool); isBool {
		return nil, newError(TypeInvalidSchemaError, "min/max must be numeric")
	}
	return n, nil
}

func (c *Constraint) parseModulo(arg any) error {
	c.Kind = "modulo"
	m, err := boundsMap("modulo", arg)
	if err != nil {
		return err
	}
	step, err1 := schemaNum(m["step"])
	offset, err2 := schemaNum(m["offset"])
	if err1 != nil || err2 != nil || step == nil || offset == nil {
		return newError(TypeInvalidSchemaError, "A modulo constraint must have a step value and an offset value specified.")
	}
	fs, _ := pyNumber(step)
	fo, _ := pyNumber(offset)
	switch {
	case fs != math.Trunc(fs) || fo != math.Trunc(fo):
		return newError(TypeInvalidSchemaError, "step/offset must be integer")
	case fs == 0:
		return newError(TypeInvalidSchemaError, "step cannot be 0.")
	case math.Abs(fo) >= math.Abs(fs):
		return newError(TypeInvalidSchemaError, "offset must be smaller (by absolute value) than step.")
	case fs*fo < 0:
		return newError(TypeInvalidSchemaError, "step and offset must be both positive or both negative.")
	}
	c.Step, c.Offset = int(fs), int(fo)
	return nil
}

// NewConstraint builds a constraint from its HOT definition
// ({range: {min: 1}}), for property schemas.
func NewConstraint(def map[string]any) (*Constraint, error) {
	return parseConstraint(Version{Date: versionDates[len(versionDates)-1]}, def)
}

// Check validates a value of the given schema type against the
// constraint, returning a ValueError with Heat's message.
func (c *Constraint) Check(value any, typ string, custom CustomChecker) error {
	return c.check(value, typ, custom)
}

// ValidFor reports whether the constraint applies to a schema type.
func (c *Constraint) ValidFor(typ string) bool { return c.validFor(typ) }
