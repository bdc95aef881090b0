package engine

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
)

const slowGroup = `
heat_template_version: 2018-08-31
resources:
  rand: {type: OS::Heat::RandomString}
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Heat::TestResource
        properties: {value: {get_attr: [rand, value]}, action_wait_secs: {create: 1}}
  server:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{network: private}]}
outputs:
  values: {value: {get_attr: [group, output]}}
  rand: {value: {get_attr: [rand, value]}}
  ip: {value: {get_attr: [server, first_address]}}
`

// TestRestartResumesInProgressStacks stops an engine while a stack is
// being created; a new engine over the same stores finishes it.
func TestRestartResumesInProgressStacks(t *testing.T) {
	ctx := context.Background()
	blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
	c1, err := sim.New(ctx, sim.WithBlobs(cloudBlobs))
	require.NoError(t, err)
	e1, err := New(ctx, WithBlobs(blobs), WithCloud(c1))
	require.NoError(t, err)
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "resumed", Template: []byte(slowGroup)})
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond)
	st, err := e1.GetStack(ctx, id)
	require.NoError(t, err)
	require.Equal(t, heat.CreateInProgress, st.Status)
	rand := st.Outputs["rand"]
	require.NoError(t, e1.Close())
	_, err = e1.GetStack(ctx, id)
	require.ErrorIs(t, err, heat.ErrUnavailable)

	c2, err := sim.New(ctx, sim.WithBlobs(cloudBlobs))
	require.NoError(t, err)
	e2, err := New(ctx, WithBlobs(blobs), WithCloud(c2))
	require.NoError(t, err)
	defer e2.Close()
	st = waitStack(t, e2, id)
	require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
	assert.Equal(t, rand, st.Outputs["rand"], "completed resources are kept")
	assert.Equal(t, []any{rand, rand}, st.Outputs["values"])
	assert.NotEmpty(t, st.Outputs["ip"])
	servers, err := c2.Servers(ctx, "")
	require.NoError(t, err)
	assert.Len(t, servers, 1, "the server is not created twice")

	require.NoError(t, e2.DeleteStack(ctx, id))
	st = waitStack(t, e2, id)
	assert.Equal(t, heat.DeleteComplete, st.Status)
	assert.Zero(t, blobs.Len(), "a deleted stack leaves nothing in the store")
}
