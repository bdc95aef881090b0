package hot

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeResource is a created resource with fixed attributes.
type fakeResource struct {
	ref   any
	attrs map[string]any
}

func (f fakeResource) RefID() (any, error) { return f.ref, nil }
func (f fakeResource) Attribute(name string, path []any) (any, error) {
	return SelectPath(f.attrs[name], path), nil
}
func (f fakeResource) Attributes() (any, error)      { return f.attrs, nil }
func (f fakeResource) HasAttribute(name string) bool { _, ok := f.attrs[name]; return ok }

type fakeScope map[string]fakeResource

func (s fakeScope) Resource(name string) (Resource, bool) {
	r, ok := s[name]
	return r, ok
}
func (s fakeScope) Facade(kind string) (any, error) { return "facade-" + kind, nil }

var scope = fakeScope{"r": {ref: "r-id", attrs: map[string]any{
	"ip": "10.0.0.5", "list": []any{"a", "b"}, "map": map[string]any{"k": []any{1, 2}},
}}}

// eval evaluates one snippet in a template of the given version with
// parameters p (declared as json unless they are strings).
func eval(t *testing.T, version, snippet string, p map[string]any) (any, error) {
	t.Helper()
	params := map[string]any{}
	for k, v := range p {
		typ := "json"
		if _, ok := v.(string); ok {
			typ = "string"
		}
		params[k] = map[string]any{"type": typ}
	}
	tmpl := map[string]any{VersionKey: version, "parameters": params,
		"resources": map[string]any{"r": map[string]any{"type": "T"}}}
	sn, err := LoadDocument([]byte(snippet))
	require.NoError(t, err)
	tmpl["outputs"] = map[string]any{"o": map[string]any{"value": sn}}
	tp, err := FromMap(tmpl)
	require.NoError(t, err)
	c := NewContext(tp, tp.Bind(Identity{StackID: "sid", StackName: "sname", ProjectID: "proj"}, p, nil),
		map[string]string{"f.txt": "file content"}, scope)
	outs, err := c.Outputs()
	if err != nil {
		return nil, err
	}
	if err := Validate(outs["o"].Value, "outputs", "o", "value"); err != nil {
		return nil, err
	}
	return Resolve(outs["o"].Value)
}

func TestFunctions(t *testing.T) {
	tests := []struct {
		name, version, snippet string
		params                 map[string]any
		want                   any
	}{
		{"get_param path", "rocky", `{get_param: [p, a, 1]}`, map[string]any{"p": map[string]any{"a": []any{1, 2}}}, 2},
		{"get_param bad path", "rocky", `{get_param: [p, x, y]}`, map[string]any{"p": map[string]any{}}, ""},
		{"pseudo", "rocky", `[{get_param: "OS::stack_name"}, {get_param: "OS::stack_id"}, {get_param: "OS::project_id"}]`,
			nil, []any{"sname", "sid", "proj"}},
		{"get_resource", "rocky", `{get_resource: r}`, nil, "r-id"},
		{"get_attr path", "rocky", `{get_attr: [r, map, k, 0]}`, nil, 1},
		{"get_attr all", "rocky", `{get_attr: [r]}`, nil, scope["r"].attrs},
		{"get_attr then select", "2013-05-23", `{get_attr: [r, list, 1]}`, nil, "b"},
		{"get_file", "rocky", `{get_file: f.txt}`, nil, "file content"},
		{"str_replace python forms", "rocky", `{str_replace: {template: "$A $B $C $D", params: {$A: true, $B: 2, $C: [1], $D: null}}}`,
			nil, "True 2 [1] "},
		{"str_replace longest first", "rocky", `{str_replace: {template: "ab a abc", params: {a: 1, ab: 2, abc: 3}}}`, nil, "2 1 3"},
		{"str_replace longer key wins over an earlier shorter match", "rocky",
			`{str_replace: {template: "xabc", params: {abc: L, xa: S}}}`, nil, "xL"},
		{"str_replace replacements are not replaced", "rocky",
			`{str_replace: {template: "$A-$B", params: {$A: "$B", $B: "$A"}}}`, nil, "$B-$A"},
		{"str_replace equal lengths lexical", "rocky", `{str_replace: {template: "abc", params: {ab: 1, bc: 2}}}`, nil, "1c"},
		{"list_join", "rocky", `{list_join: [",", [a], [b, {x: 1}]]}`, nil, `a,b,{"x": 1}`},
		{"str_split index", "rocky", `{str_split: [",", "a,b,c", 2]}`, nil, "c"},
		{"digest", "rocky", `{digest: [sha1, abc]}`, nil, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"map_merge", "rocky", `{map_merge: [{a: 1}, {a: 2, b: 3}]}`, nil, map[string]any{"a": 2, "b": 3}},
		{"map_replace", "rocky", `{map_replace: [{a: x}, {keys: {a: b}, values: {x: y}}]}`, nil, map[string]any{"b": "y"}},
		{"list_concat_unique", "rocky", `{list_concat_unique: [[1, 2], [2, 1.0, 3]]}`, nil, []any{1, 2, 3}},
		{"filter", "rocky", `{filter: [[1], [1, 2, 1]]}`, nil, []any{2}},
		{"contains", "rocky", `{contains: [b, {get_attr: [r, list]}]}`, nil, true},
		{"repeat", "rocky", `{repeat: {for_each: {"%x%": [a, b]}, template: {k: "%x%"}}}`, nil,
			[]any{map[string]any{"k": "a"}, map[string]any{"k": "b"}}},
		{"make_url", "rocky", `{make_url: {scheme: http, host: h, port: 80, path: /p, query: {a: "b c"}}}`, nil, "http://h:80/p?a=b+c"},
		{"if", "rocky", `{if: [{equals: [1, 1.0]}, y, n]}`, nil, "y"},
		{"yaql", "rocky", `{yaql: {expression: "$.data.a.where($ > 1).select($ * 10)", data: {a: [1, 2, 3]}}}`, nil, []any{20, 30}},
		{"yaql strings", "rocky", `{yaql: {expression: '$.data.s.split("-").join(",").toUpper()', data: {s: a-b}}}`, nil, "A,B"},
		{"resource_facade", "rocky", `{resource_facade: metadata}`, nil, "facade-metadata"},
		{"Fn::Select", "2013-05-23", `{"Fn::Select": [5, [a]]}`, nil, ""},
		{"Ref param", "2013-05-23", `{Ref: x}`, map[string]any{"x": "v"}, "v"},
		{"Fn::MemberListToMap", "2013-05-23", `{"Fn::MemberListToMap": [Name, Value, [".member.0.Name=k", ".member.0.Value=v"]]}`,
			nil, map[string]any{"k": "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eval(t, tt.version, tt.snippet, tt.params)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFunctionErrors(t *testing.T) {
	tests := []struct {
		name, version, snippet, want string
	}{
		{"removed", "rocky", `{"Fn::Join": [",", []]}`,
			"outputs.o.value.Fn::Join: The template version is invalid: The function Fn::Join is not supported in this version of HOT."},
		{"unknown attribute", "rocky", `{get_attr: [r, nope]}`, "outputs.o.value.get_attr: The Referenced Attribute (r nope) is incorrect."},
		{"str_replace syntax", "rocky", `{str_replace: {template: x}}`,
			"outputs.o.value.str_replace: '\"str_replace\" syntax should be str_replace:\\n              template: This is var1 template var2\\n              params:\\n                var1: a\\n                var2: string'"},
		{"list_join args", "rocky", `{list_join: ","}`,
			"outputs.o.value.list_join: Incorrect arguments to \"list_join\" should be: \"list_join\" : [ \" \", [ \"str1\", \"str2\"] ...]"},
		{"if args", "rocky", `{if: [c]}`,
			"outputs.o.value.if: Arguments to \"if\" must be of the form: [condition_name, value_if_true, value_if_false]"},
		{"invalid condition", "rocky", `{if: [nope, a, b]}`, "outputs.o.value.if: Invalid condition \"nope\""},
		{"yaql bad", "rocky", `{yaql: {expression: "$.(", data: {}}}`, "outputs.o.value.yaql: Bad expression Parse error: expected a name after '.', got '('."},
		{"get_param in condition only", "newton", `{if: [{get_file: x}, a, b]}`, "if.get_file: The function \"get_file\" is invalid in this context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eval(t, tt.version, tt.snippet, nil)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct {
		snippet, want string
	}{
		{`{str_replace_strict: {template: a, params: {b: c}}}`, "The following params were not found in the template: b"},
		{`{str_replace: {template: a, params: {"": c}}}`, "empty separator"},
		{`{list_join: [",", [1]]}`, "Items to join must be string, map or list not 1"},
		{`{get_param: missing}`, "The Parameter (missing) was not provided."},
		{`{repeat: {for_each: {x: [1]}, template: x}}`, "replace() argument 2 must be str, not int"},
		{`{filter: [1, [1]]}`, "format requires a mapping"},
		{`{map_merge: [1]}`, "Incorrect arguments: Items to merge must be maps."},
		{`{digest: [nope, x]}`, "Algorithm must be one of"},
	}
	for _, tt := range tests {
		_, err := eval(t, "rocky", tt.snippet, nil)
		require.Error(t, err, tt.snippet)
		assert.Contains(t, err.Error(), tt.want, tt.snippet)
	}
}
