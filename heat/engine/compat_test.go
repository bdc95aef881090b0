package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// The deliberate differences from Heat listed in docs/compatibility.md.

// TestJSONParameterTextSorted: a json parameter's text lists its keys
// sorted, where Heat keeps the order written.
func TestJSONParameterTextSorted(t *testing.T) {
	e := newTestEngine(t)
	st := createAndWait(t, e, `
heat_template_version: 2018-08-31
parameters:
  j: {type: json, default: {b: 1, a: 2}}
resources:
  none: {type: OS::Heat::None}
`, nil)
	assert.Equal(t, `{"a": 2, "b": 1}`, st.Parameters["j"])
}

// TestBoolPropertyKeyName: a boolean key among a resource's properties
// is named by its JSON form, where Heat says True.
func TestBoolPropertyKeyName(t *testing.T) {
	err := Preflight(context.Background(), heat.StackSpec{Name: "b", Template: []byte(
		"heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::TestResource\n    properties: {on: 1}\n")})
	require.ErrorIs(t, err, heat.ErrInvalid)
	assert.Equal(t, "Property error: resources.r.properties: Unknown Property true", err.Error())
}
