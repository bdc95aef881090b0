package engine

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// groupOfNodes is a group of count template resources, as the drivers'
// node groups are.
var groupOfNodes = heat.StackSpec{Template: []byte(`
heat_template_version: 2018-08-31
parameters:
  count: {type: number, default: 2}
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      resource_def: {type: node.yaml, properties: {index: "%index%"}}
outputs:
  refs: {value: {get_attr: [group, refs]}}
`), Files: map[string]string{"node.yaml": `
heat_template_version: 2018-08-31
parameters:
  index: {type: string}
resources:
  config: {type: OS::Heat::Value, properties: {value: {get_param: index}}}
  marker: {type: OS::Heat::None}
`}}

const tooManyResources = "Request limit exceeded: Maximum resources per stack exceeded."

func groupSpec(name string, count int) heat.StackSpec {
	spec := groupOfNodes
	spec.Name, spec.Parameters = name, map[string]any{"count": count}
	return spec
}

// TestGroupOverLimitFailsBeforeExpansion creates groups larger than a
// stack may hold: each is validated (with its first member, as Heat
// does) and fails as Heat's max_resources_per_stack makes it fail, at
// once and without building its members.
func TestGroupOverLimitFailsBeforeExpansion(t *testing.T) {
	for _, count := range []int{DefaultMaxResourcesPerStack + 1, 1_000_000, 2147483648} {
		t.Run(strconv.Itoa(count), func(t *testing.T) {
			e := newTestEngine(t)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			id, err := e.CreateStack(context.Background(), groupSpec("big", count))
			require.NoError(t, err)
			st := waitStack(t, e, id)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			t.Logf("failed in %s, %d KiB allocated", took, (after.TotalAlloc-before.TotalAlloc)>>10)

			assert.Equal(t, heat.CreateFailed, st.Status)
			assert.Equal(t, "Resource CREATE failed: RequestLimitExceeded: resources.group: "+tooManyResources, st.StatusReason)
			assert.Less(t, took, time.Second, "the group fails before any member is built")
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "bytes allocated")
			rs, err := e.Resources(context.Background(), id, 5)
			require.NoError(t, err)
			assert.Equal(t, 1, len(rs), "the group has no nested stack")
		})
	}
}

// TestGroupUpdateOverLimit grows a group past the limit: the update
// fails and the group keeps its members.
func TestGroupUpdateOverLimit(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()
	id, err := e.CreateStack(ctx, groupSpec("grow", 2))
	require.NoError(t, err)
	st := waitStack(t, e, id)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)

	require.NoError(t, e.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"count": 2147483648}}))
	st = waitStack(t, e, id)
	assert.Equal(t, heat.UpdateFailed, st.Status)
	assert.Equal(t, "Resource UPDATE failed: RequestLimitExceeded: resources.group: "+tooManyResources, st.StatusReason)
	assert.Len(t, st.Outputs["refs"], 2)
}

// TestMaxResourcesPerStack checks the limit on templates, nested
// templates and groups, at its default and as set by the option.
func TestMaxResourcesPerStack(t *testing.T) {
	ctx := context.Background()
	flat := func(n int) heat.StackSpec {
		var b strings.Builder
		b.WriteString("heat_template_version: 2018-08-31\nresources:\n")
		for i := range n {
			fmt.Fprintf(&b, "  r%d: {type: OS::Heat::None}\n", i)
		}
		return heat.StackSpec{Name: "flat", Template: []byte(b.String())}
	}
	nested := heat.StackSpec{Name: "nested", Template: []byte(`
heat_template_version: 2018-08-31
resources:
  node: {type: node.yaml, properties: {index: "0"}}
`), Files: groupOfNodes.Files}

	t.Run("default", func(t *testing.T) {
		e := newTestEngine(t)
		_, err := e.CreateStack(ctx, flat(DefaultMaxResourcesPerStack+1))
		require.ErrorIs(t, err, heat.ErrInvalid)
		assert.Contains(t, err.Error(), tooManyResources)
		id, err := e.CreateStack(ctx, flat(DefaultMaxResourcesPerStack))
		require.NoError(t, err)
		assert.Equal(t, heat.CreateComplete, waitStack(t, e, id).Status)
	})
	t.Run("option", func(t *testing.T) {
		e := newTestEngine(t, WithMaxResourcesPerStack(1))
		_, err := e.CreateStack(ctx, nested)
		require.ErrorIs(t, err, heat.ErrInvalid)
		assert.Equal(t, "RequestLimitExceeded: resources.node<node.yaml>: "+tooManyResources, err.Error(),
			"a nested template over the limit is refused when its parent is validated")

		e = newTestEngine(t, WithMaxResourcesPerStack(3))
		id, err := e.CreateStack(ctx, groupSpec("three", 3))
		require.NoError(t, err)
		st := waitStack(t, e, id)
		assert.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
		id, err = e.CreateStack(ctx, groupSpec("four", 4))
		require.NoError(t, err)
		st = waitStack(t, e, id)
		assert.Equal(t, heat.CreateFailed, st.Status)
		assert.Equal(t, "Resource CREATE failed: RequestLimitExceeded: resources.group: "+tooManyResources, st.StatusReason)
	})
	t.Run("invalid", func(t *testing.T) {
		_, err := New(ctx, WithMaxResourcesPerStack(0))
		require.Error(t, err)
	})
}
