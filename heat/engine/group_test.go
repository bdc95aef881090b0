package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

func TestRollingBatches(t *testing.T) {
	tests := []struct {
		target, current, batch, minIn int
		want                          []rollBatch
	}{
		{3, 3, 2, 0, []rollBatch{{3, 2}, {3, 1}}},
		{4, 2, 2, 0, []rollBatch{{4, 2}, {4, 2}}},
		{2, 2, 1, 1, []rollBatch{{2, 1}, {2, 1}}},
		{1, 3, 1, 0, []rollBatch{{1, 1}}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, rollingBatches(tt.target, tt.current, tt.batch, tt.minIn), "%+v", tt)
	}
}

func TestGroupRemovalByReference(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	tmpl := `
heat_template_version: 2018-08-31
parameters:
  count: {type: number, default: 3}
  remove: {type: comma_delimited_list, default: ""}
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      removal_policies: [{resource_list: {get_param: remove}}]
      resource_def: {type: OS::Heat::TestResource, properties: {value: m%index%}}
outputs:
  refs: {value: {get_attr: [group, refs]}}
  members: {value: {get_attr: [group, output]}}
  removed: {value: {get_attr: [group, removed_rsrc_list]}}
`
	id, err := e.CreateStack(ctx, heat.StackSpec{Name: "byref", Template: []byte(tmpl)})
	require.NoError(t, err)
	st := waitStack(t, e, id)
	refs := st.Outputs["refs"].([]any)
	require.Len(t, refs, 3)
	require.NoError(t, e.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"count": 2, "remove": []any{refs[0]}}}))
	st = waitStack(t, e, id)
	require.Equal(t, heat.UpdateComplete, st.Status, st.StatusReason)
	assert.Equal(t, []any{"m1", "m2"}, st.Outputs["members"])
	assert.Equal(t, []any{"0"}, st.Outputs["removed"])
	assert.Equal(t, refs[1:], st.Outputs["refs"], "the remaining members are kept")
}
