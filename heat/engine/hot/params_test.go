package hot

import (
	"testing"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func parseTemplate(t *testing.T, s string) *Template {
	t.Helper()
	tp, err := Parse([]byte(s))
	require.NoError(t, err)
	return tp
}

func TestParamValidation(t *testing.T) {
	tmpl := `
heat_template_version: 2018-08-31
parameters:
  s: {type: string, constraints: [{allowed_values: [a, b]}]}
  n: {type: number, default: 5, constraints: [{range: {min: 1, max: 10}}]}
  b: {type: boolean, default: false}
  l: {type: comma_delimited_list, default: "x", constraints: [{length: {max: 2}}]}
  p: {type: string, default: abc, constraints: [{allowed_pattern: "[a-c]+"}]}
  c: {type: string, default: "1.2.3.4", constraints: [{custom_constraint: ip_addr}]}
`
	tests := []struct {
		name string
		user map[string]any
		want string
		typ  string
	}{
		{"ok", map[string]any{"s": "a"}, "", ""},
		{"undeclared", map[string]any{"s": "a", "x": 1}, "The Parameter (x) was not defined in template.", TypeUnknownUserParameter},
		{"missing", nil, "The Parameter (s) was not provided.", TypeUserParameterMissing},
		{"allowed", map[string]any{"s": "z"}, `Parameter 's' is invalid: "z" is not an allowed value ["a", "b"]`, TypeStackValidationFailed},
		{"range", map[string]any{"s": "a", "n": "11"}, "Parameter 'n' is invalid: 11 is out of range (min: 1, max: 10)", TypeStackValidationFailed},
		{"number", map[string]any{"s": "a", "n": "x"}, "Parameter 'n' is invalid: could not convert string to float: 'x'", TypeStackValidationFailed},
		{"boolean", map[string]any{"s": "a", "b": "maybe"},
			"Parameter 'b' is invalid: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'",
			TypeStackValidationFailed},
		{"length", map[string]any{"s": "a", "l": "1,2,3"}, "Parameter 'l' is invalid: length (3) is out of range (min: None, max: 2)", TypeStackValidationFailed},
		{"pattern", map[string]any{"s": "a", "p": "abd"}, `Parameter 'p' is invalid: "abd" does not match pattern "[a-c]+"`, TypeStackValidationFailed},
		{"custom", map[string]any{"s": "a", "c": "nope"}, `Parameter 'c' is invalid: Error validating value 'nope': bad`, TypeStackValidationFailed},
	}
	tp := parseTemplate(t, tmpl)
	custom := func(name string, v any) error {
		if v == "nope" {
			return assert.AnError
		}
		return nil
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tp.Bind(Identity{}, tt.user, nil).Validate(true, func(n string, v any) error {
				if err := custom(n, v); err != nil {
					return valueError("bad")
				}
				return nil
			})
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assert.ErrorIs(t, err, heat.ErrInvalid)
			var he *Error
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.typ, he.Type)
		})
	}
}

func TestParamSchemaErrors(t *testing.T) {
	tests := []struct{ params, want string }{
		{"a: {default: 1}", "Missing parameter type for parameter: a"},
		{"a: {type: strin}", "Invalid type (strin)"},
		{"a: {type: string, foo: 1}", "Invalid key 'foo' for parameter (a)"},
		{"a: {type: string, constraints: [{range: {min: 1}}]}", ""},
		{"a: {type: number, constraints: [{modulo: {step: 2, offset: 3}}]}", "offset must be smaller (by absolute value) than step."},
		{"a: {type: number, constraints: [{bogus: 1}]}", "Invalid key 'bogus' for parameter constraints"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte("heat_template_version: 2018-08-31\nparameters:\n  " + tt.params + "\n"))
		if tt.want == "" {
			require.NoError(t, err, tt.params)
			continue
		}
		require.Error(t, err, tt.params)
		assert.Equal(t, tt.want, err.Error())
	}
	tp := parseTemplate(t, "heat_template_version: 2018-08-31\nparameters:\n  a: {type: string, default: x, constraints: [{range: {min: 1}}]}\n")
	err := tp.Bind(Identity{}, nil, nil).Validate(false, nil)
	require.Error(t, err)
	assert.Equal(t, "Parameter 'a' is invalid: Range constraint invalid for string", err.Error())
}

func TestParamValuesAndTexts(t *testing.T) {
	tp := parseTemplate(t, `
heat_template_version: 2018-08-31
parameters:
  n: {type: number}
  b: {type: boolean}
  l: {type: comma_delimited_list}
  j: {type: json}
  h: {type: string, hidden: true, default: s}
`)
	p := tp.Bind(Identity{StackName: "st"}, map[string]any{"n": "2", "b": "yes", "l": []any{1, "a"}, "j": `{"x": [1]}`},
		map[string]any{"h": "from-env"})
	require.NoError(t, p.Validate(true, nil))
	for name, want := range map[string]any{"n": 2, "b": true, "l": []any{"1", "a"}, "j": map[string]any{"x": []any{1}}, "h": "from-env"} {
		v, ok, err := p.Value(name)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, want, v, name)
	}
	assert.Equal(t, map[string]string{"n": "2", "b": "True", "l": "1,a", "j": `{"x": [1]}`, "h": "******",
		"OS::stack_id": "", "OS::project_id": "", "OS::stack_name": "st"}, p.Texts())
}

func TestParameterGroups(t *testing.T) {
	tests := []struct{ groups, want string }{
		{"[{label: g, parameters: [a]}]", ""},
		{"{}", ""},
		{"x", "Parameter Groups error: parameter_groups: The parameter_groups should be a list."},
		{"[{label: g}]", "Parameter Groups error: parameter_groups.g: The parameters must be provided for each parameter group."},
		{"[{label: g, parameters: [a]}, {label: h, parameters: [a]}]",
			"Parameter Groups error: parameter_groups.h: The a parameter must be assigned to one parameter group only."},
		{"[{label: g, parameters: [zz]}]", "Parameter Groups error: parameter_groups.g: The grouped parameter zz does not reference a valid parameter."},
	}
	for _, tt := range tests {
		tp := parseTemplate(t, "heat_template_version: 2018-08-31\nparameters:\n  a: {type: string}\nparameter_groups: "+tt.groups+"\n")
		err := tp.ValidateParameterGroups()
		if tt.want == "" {
			assert.NoError(t, err, tt.groups)
			continue
		}
		require.Error(t, err, tt.groups)
		assert.Equal(t, tt.want, err.Error())
	}
}

func TestConditions(t *testing.T) {
	tp := parseTemplate(t, `
heat_template_version: 2017-09-01
parameters:
  env: {type: string, default: prod}
conditions:
  prod: {equals: [{get_param: env}, prod]}
  dev: {not: prod}
  both: {and: [prod, dev]}
  any: {or: [prod, dev]}
  loop1: {not: loop2}
  loop2: {not: loop1}
  listed: {contains: [prod, [prod, dev]]}
`)
	c := NewContext(tp, tp.Bind(Identity{}, nil, nil), nil, scope)
	for name, want := range map[string]bool{"prod": true, "dev": false, "both": false, "any": true, "listed": true} {
		got, err := c.IsEnabled(name)
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
	}
	_, err := c.IsEnabled("loop1")
	require.Error(t, err)
	assert.Equal(t, `Condition validation error: Circular definition for condition "loop1"`, err.Error())
	_, err = c.IsEnabled("nope")
	assert.EqualError(t, err, `Invalid condition "nope"`)
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct{ tmpl, want string }{
		{"heat_template_version: 2012-01-01", `The template version is invalid: "heat_template_version: 2012-01-01". "heat_template_version" should be one of: 2013-05-23, 2014-10-16, 2015-04-30, 2015-10-15, 2016-04-08, 2016-10-14, 2017-02-24, 2017-09-01, 2018-03-02, 2018-08-31, 2021-04-16, newton, ocata, pike, queens, rocky, wallaby`},
		{"heat_template_version: 2016-10-14\nfoo: 1", "The template section is invalid: foo"},
		{"heat_template_version: 2015-10-15\nconditions: {}", "The template section is invalid: conditions"},
		{"heat_template_version: 2018-08-31\nresources: {r: {}}", "Each resource must contain a type key."},
		{"heat_template_version: 2018-08-31\nresources: {r: {type: T, foo: 1}}", `"foo" is not a valid keyword inside a resource definition`},
		{"heat_template_version: 2018-08-31\noutputs: {o: {description: x}}", "Each output must contain a value key."},
		{"AWSTemplateFormatVersion: 2010-09-09", "The template version is invalid: AWSTemplateFormatVersion templates are not supported by this engine"},
	}
	for _, tt := range tests {
		tp, err := Parse([]byte(tt.tmpl))
		if err == nil {
			err = tp.ValidateStructure()
		}
		require.Error(t, err, tt.tmpl)
		assert.Equal(t, tt.want, err.Error())
	}
}

func TestRegistry(t *testing.T) {
	env, err := NewEnvironment(heat.Environment{ResourceRegistry: map[string]any{
		"A::B":      "c.yaml",
		"X::*":      "OS::Heat::None",
		"Q::*":      "R::*",
		"R::Obj":    "OS::Heat::Value",
		"Alias":     "X::Thing",
		"Broken":    "Nowhere",
		"resources": map[string]any{"special": map[string]any{"A::B": "OS::Heat::Value", "hooks": "pre-create"}},
	}})
	require.NoError(t, err)
	builtin := func(s string) bool { return s == "OS::Heat::None" || s == "OS::Heat::Value" }
	tests := []struct {
		typ, name string
		want      Resolution
	}{
		{"A::B", "r", Resolution{Template: "c.yaml", Entry: "A::B"}},
		{"A::B", "special", Resolution{Builtin: "OS::Heat::Value"}},
		{"X::Y", "r", Resolution{Builtin: "OS::Heat::None"}},
		{"Q::Obj", "r", Resolution{Builtin: "OS::Heat::Value"}},
		{"Alias", "r", Resolution{Builtin: "OS::Heat::None"}},
		{"file.yaml", "r", Resolution{Template: "file.yaml", Entry: "file.yaml"}},
		{"OS::Heat::Value", "r", Resolution{Builtin: "OS::Heat::Value"}},
	}
	for _, tt := range tests {
		got, err := env.Registry.Resolve(tt.typ, tt.name, builtin)
		require.NoError(t, err, tt.typ)
		assert.Equal(t, tt.want, got, tt.typ)
	}
	_, err = env.Registry.Resolve("Broken", "r", builtin)
	assert.EqualError(t, err, "The Resource Type (Broken) could not be found.")
	child := env.Registry.Child("A::B")
	_, err = child.Resolve("A::B", "r", builtin)
	assert.Error(t, err, "the child registry drops the entry of its own template")
}
