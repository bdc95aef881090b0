package magnum_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// TestNodeGroupsOfEveryDriverOnEngine adds an extra worker node group to a
// cluster of each built-in driver on the embedded defaults, resizes it
// down naming the node to remove, and deletes it: the group has a stack of
// its own whose nodes it reports, the cluster's node count follows, and
// the COE's health counts the group's nodes.
func TestNodeGroupsOfEveryDriverOnEngine(t *testing.T) {
	s := newLiveService(t, magnum.WithHealthInterval(50*time.Millisecond))
	ctx := as(demo)
	for _, tc := range []struct {
		tmpl magnum.ClusterTemplateCreate
		// key and value are a health reason that counts the group's
		// nodes, if the COE reports one.
		key, value string
	}{
		{k8sTemplate("kubernetes"), "", ""},
		{simTemplate("swarm-mode", "fedora-coreos-40"), "", ""},
		{simTemplate("mesos", "ubuntu-22.04"), "agents", "3/3 active"},
	} {
		tmpl := tc.tmpl
		t.Run(tmpl.Name, func(t *testing.T) {
			mustTemplate(t, s, demo, tmpl)
			id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: tmpl.Name, ClusterTemplateID: tmpl.Name})
			waitDone(t, s, demo, id, magnum.CreateComplete)
			_, err := s.CreateNodeGroup(ctx, id, magnum.NodeGroupCreate{Name: "big", NodeCount: ptr(2), FlavorID: "m1.large"})
			require.NoError(t, err)
			c := waitDone(t, s, demo, id, magnum.UpdateComplete)
			assert.Equal(t, 3, c.NodeCount)
			ng, err := s.GetNodeGroup(ctx, id, "big")
			require.NoError(t, err)
			assert.Equal(t, magnum.CreateComplete, ng.Status)
			require.Len(t, ng.NodeAddresses, 2)
			assert.NotEqual(t, c.StackID, ng.StackID, "an extra node group has a stack of its own")
			waitHealth(t, s, id, magnum.Healthy, tc.key, tc.value)

			_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeGroup: "big", NodeCount: 1, NodesToRemove: []string{"0"}})
			require.NoError(t, err)
			c = waitDone(t, s, demo, id, magnum.UpdateComplete)
			assert.Equal(t, 2, c.NodeCount)
			resized, err := s.GetNodeGroup(ctx, id, "big")
			require.NoError(t, err)
			assert.Equal(t, 1, resized.NodeCount)
			assert.Equal(t, ng.NodeAddresses[1:], resized.NodeAddresses, "the node named is the one removed")

			require.NoError(t, s.DeleteNodeGroup(ctx, id, "big"))
			waitNodeGroupGone(ctx, t, s, id, "big")
			c = waitDone(t, s, demo, id, magnum.UpdateComplete)
			assert.Equal(t, 1, c.NodeCount)
		})
	}
}
