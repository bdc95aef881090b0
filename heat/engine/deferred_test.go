package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// deferredNode is a nested template whose parameters are all required.
const deferredNode = `
heat_template_version: 2021-04-16
parameters:
  token: {type: string, hidden: true}
  fixed_network: {type: string}
  size: {type: number}
resources:
  v:
    type: OS::Heat::Value
    properties:
      value:
        list_join: [":", [{get_param: fixed_network}, {get_param: token}, {str_replace: {template: N, params: {N: {get_param: size}}}}]]
outputs:
  summary: {value: {get_attr: [v, value]}}
`

// deferredNetwork is a nested template standing for a cluster's network:
// its outputs are known only once it is created.
const deferredNetwork = `
heat_template_version: 2021-04-16
resources:
  net: {type: OS::Heat::RandomString, properties: {length: 8}}
outputs:
  fixed_network: {value: {get_attr: [net, value]}}
`

// Required parameters and properties fed by get_attr of resources not
// created yet are accepted at validation, as Heat 19 does, and resolved
// when their resource is created, after its dependencies.
func TestDeferredRequiredParameters(t *testing.T) {
	tests := []struct {
		name      string
		resources string
		summary   string // the output holding the members' summaries
		members   int
	}{
		{"group member fed by get_attr of siblings", `
  nodes:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: node.yaml
        properties:
          token: {get_attr: [token, value]}
          fixed_network: {get_attr: [network, fixed_network]}
          size: {get_attr: [size, value]}
`, "{get_attr: [nodes, summary]}", 2},
		{"nested template parameter fed by get_attr", `
  node:
    type: node.yaml
    properties:
      token: {get_attr: [token, value]}
      fixed_network: {get_attr: [network, fixed_network]}
      size: {get_attr: [size, value]}
`, "[{get_attr: [node, summary]}]", 1},
		{"group inside a nested template fed through its parameter", `
  wrapped:
    type: wrapper.yaml
    properties:
      token: {get_attr: [token, value]}
      fixed_network: {get_attr: [network, fixed_network]}
`, "{get_attr: [wrapped, summary]}", 3},
	}
	wrapper := `
heat_template_version: 2021-04-16
parameters:
  token: {type: string}
  fixed_network: {type: string}
resources:
  size: {type: OS::Heat::Value, properties: {type: number, value: 3}}
  nodes:
    type: OS::Heat::ResourceGroup
    properties:
      count: 3
      resource_def:
        type: node.yaml
        properties:
          token: {get_param: token}
          fixed_network: {get_param: fixed_network}
          size: {get_attr: [size, value]}
outputs:
  summary: {value: {get_attr: [nodes, summary]}}
`
	files := map[string]string{"node.yaml": deferredNode, "network.yaml": deferredNetwork, "wrapper.yaml": wrapper}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := `
heat_template_version: 2021-04-16
resources:
  token: {type: OS::Heat::RandomString}
  network: {type: network.yaml}
  size: {type: OS::Heat::Value, properties: {type: number, value: 3}}
` + tt.resources + `
outputs:
  token: {value: {get_attr: [token, value]}}
  network: {value: {get_attr: [network, fixed_network]}}
  summary: {value: ` + tt.summary + `}
`
			spec := heat.StackSpec{Name: "deferred", Template: []byte(tmpl), Files: files}
			require.NoError(t, Validate(context.Background(), spec))

			e := newTestEngine(t)
			id, err := e.CreateStack(context.Background(), spec)
			require.NoError(t, err)
			st := waitStack(t, e, id)
			require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
			token, network := st.Outputs["token"].(string), st.Outputs["network"].(string)
			require.Len(t, token, 32)
			require.Len(t, network, 8)
			want := make([]any, tt.members)
			for i := range want {
				want[i] = network + ":" + token + ":3"
			}
			assert.Equal(t, want, st.Outputs["summary"], "every member got the values of its created siblings")
		})
	}
}

// A deferred value is checked in full when its resource is created: a
// value still null then leaves a required parameter unassigned (as does
// one left out of a group member, whose nested stack Heat validates
// without values), one breaking a constraint fails the property; all are
// reported the way Heat reports them (see testdata/diff/deferred_* and
// group_member_param_missing).
func TestDeferredValuesCheckedAtCreate(t *testing.T) {
	tests := []struct {
		name      string
		resources string
		reason    string
	}{
		{"still null", `
  nothing: {type: OS::Heat::None}
  nodes:
    type: OS::Heat::ResourceGroup
    properties:
      count: 1
      resource_def:
        type: node.yaml
        properties:
          token: {get_attr: [nothing, token]}
          fixed_network: net
          size: 1
`, "Resource CREATE failed: StackValidationFailed: resources.nodes: Property error: " +
			"nodes.resources[0].properties: Property token not assigned"},
		{"left out of a group member, validated without values", `
  nodes:
    type: OS::Heat::ResourceGroup
    properties:
      resource_def:
        type: node.yaml
        properties: {fixed_network: net, size: 1}
`, "Resource CREATE failed: StackValidationFailed: resources.nodes: Property error: " +
			"nodes.resources[0].properties: Property token not assigned"},
		{"constraint broken", `
  kind: {type: OS::Heat::TestResource, properties: {value: bogus}}
  value:
    type: OS::Heat::Value
    properties: {value: x, type: {get_attr: [kind, output]}}
`, `Resource CREATE failed: StackValidationFailed: resources.value: Property error: value.Properties.type: ` +
			`"bogus" is not an allowed value ["string", "number", "comma_delimited_list", "json", "boolean"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := heat.StackSpec{Name: "late", Template: []byte("heat_template_version: 2021-04-16\nresources:" + tt.resources),
				Files: map[string]string{"node.yaml": deferredNode}}
			require.NoError(t, Validate(context.Background(), spec), "nothing is known to be wrong before the create")

			e := newTestEngine(t)
			id, err := e.CreateStack(context.Background(), spec)
			require.NoError(t, err)
			st := waitStack(t, e, id)
			require.Equal(t, heat.CreateFailed, st.Status)
			assert.Equal(t, tt.reason, st.StatusReason)
		})
	}
}

// A required property left out of a template resource is refused by
// Validate when the resource is validated with values (top level), as
// Heat does.
func TestRequiredParameterLeftOutRefused(t *testing.T) {
	err := Preflight(context.Background(), heat.StackSpec{Name: "missing",
		Template: []byte("heat_template_version: 2021-04-16\nresources:\n  node: {type: node.yaml, properties: {size: 1}}\n"),
		Files:    map[string]string{"node.yaml": deferredNode}})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Equal(t, "Property error: resources.node.properties: Property fixed_network not assigned", err.Error())
}

func TestMemberDefinitionNullProperties(t *testing.T) {
	props := map[string]any{"index_var": "%i%", "resource_def": map[string]any{
		"type": "node.yaml", "properties": map[string]any{"name": "n-%i%", "token": nil},
	}}
	tests := []struct {
		keepNull bool
		want     map[string]any
	}{
		{true, map[string]any{"name": "n-4", "token": nil}},
		{false, map[string]any{"name": "n-4"}},
	}
	for _, tt := range tests {
		got := memberDefinition(props, "4", tt.keepNull)
		assert.Equal(t, map[string]any{"type": "node.yaml", "properties": tt.want}, got, "keepNull %v", tt.keepNull)
	}
}
