package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// The deliberate differences from Heat listed in docs/compatibility.md.

// TestMakeURLQueryFromFunctionSorted: a make_url query that another
// function gives (here a json parameter) lists its keys sorted, where
// Heat keeps the order the parameter was written in; a query written in
// make_url keeps its order (differential case key_order).
func TestMakeURLQueryFromFunctionSorted(t *testing.T) {
	e := newTestEngine(t)
	st := createAndWait(t, e, `
heat_template_version: 2018-08-31
parameters:
  q: {type: json, default: {z: 1, a: 2}}
resources:
  none: {type: OS::Heat::None}
outputs:
  url: {value: {make_url: {scheme: http, host: h, query: {get_param: q}}}}
`, nil)
	assert.Equal(t, "http://h?a=2&z=1", st.Outputs["url"])
	assert.Equal(t, `{"z": 1, "a": 2}`, st.Parameters["q"])
}

// TestBoolPropertyKeyName: a boolean key among a resource's properties
// is named by its JSON form, where Heat says True.
func TestBoolPropertyKeyName(t *testing.T) {
	err := Preflight(context.Background(), heat.StackSpec{Name: "b", Template: []byte(
		"heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::TestResource\n    properties: {on: 1}\n")})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Equal(t, "Property error: resources.r.properties: Unknown Property true", err.Error())
}

// TestInvalidResourcesReportedByName: of several invalid resources the
// first by name is reported; Heat reports whichever its dependency walk
// meets first.
func TestInvalidResourcesReportedByName(t *testing.T) {
	err := Preflight(context.Background(), heat.StackSpec{Name: "b", Template: []byte(`
heat_template_version: 2018-08-31
resources:
  z: {type: OS::Heat::Value, properties: {type: boolean, value: "no"}}
  a: {type: OS::Heat::Value, properties: {type: boolean, value: "off"}}
`)})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Equal(t, `Property error: resources.a.properties.value: "off" is not a valid boolean`, err.Error())
}
