package magnum_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// TestNodeGroupOperationsOnFailedCluster: node group operations that
// succeed on a cluster whose default groups failed leave it failed, with
// the failure of those groups as its reason and fault; a resize that
// repairs the groups completes it again.
func TestNodeGroupOperationsOnFailedCluster(t *testing.T) {
	cloud, err := sim.New(context.Background())
	require.NoError(t, err)
	_, err = cloud.InjectFault(sim.Fault{Kind: sim.KindServer, Name: "*-node-1", Effect: sim.EffectNoValidHost, Times: 1})
	require.NoError(t, err)
	s := newLiveService(t, magnum.WithCloud(cloud))
	ctx := as(demo)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	waitDone(t, s, demo, id, magnum.CreateComplete)
	_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	failed := waitDone(t, s, demo, id, magnum.UpdateFailed)
	require.Contains(t, failed.StatusReason, "No valid host")

	// stillFailed checks that the cluster kept the default groups'
	// failure.
	stillFailed := func(c *magnum.Cluster) {
		t.Helper()
		assert.NotContains(t, c.StatusReason, "completed successfully")
		assert.Contains(t, c.StatusReason, "default-worker")
		assert.Contains(t, c.StatusReason, "No valid host")
		require.NotNil(t, c.Fault, "a failed cluster has a fault")
		assert.Equal(t, magnum.FaultNoValidHost, c.Fault.Code)
		assert.Equal(t, c.StatusReason, c.Fault.Reason)
	}

	_, err = s.CreateNodeGroup(ctx, id, magnum.NodeGroupCreate{Name: "extra"})
	require.NoError(t, err)
	c := waitDone(t, s, demo, id, magnum.UpdateFailed)
	stillFailed(c)
	ng, err := s.GetNodeGroup(ctx, id, "extra")
	require.NoError(t, err)
	assert.Equal(t, magnum.CreateComplete, ng.Status, "the node group itself was built")

	require.NoError(t, s.DeleteNodeGroup(ctx, id, "extra"))
	require.Eventually(t, func() bool {
		_, err := s.GetNodeGroup(ctx, id, "extra")
		return err != nil
	}, 60*time.Second, 20*time.Millisecond)
	stillFailed(waitDone(t, s, demo, id, magnum.UpdateFailed))

	_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	c = waitDone(t, s, demo, id, magnum.UpdateComplete)
	assert.Equal(t, "UPDATE completed successfully", c.StatusReason)
	assert.Nil(t, c.Fault)
	assert.Empty(t, c.Faults)
}
