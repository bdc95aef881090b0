package magnum_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers/builtin"
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
	waitNodeGroupGone(ctx, t, s, id, "extra")
	stillFailed(waitDone(t, s, demo, id, magnum.UpdateFailed))

	_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	c = waitDone(t, s, demo, id, magnum.UpdateComplete)
	assert.Equal(t, "UPDATE completed successfully", c.StatusReason)
	assert.Nil(t, c.Fault)
	assert.Empty(t, c.Faults)
}

// TestUpgradeCheckedBeforeAccepted: an upgrade the driver cannot make is
// refused when it is asked for, as Magnum refuses it, and leaves the
// cluster as it was; one it can make is accepted.
func TestUpgradeCheckedBeforeAccepted(t *testing.T) {
	reg, err := builtin.Registry(context.Background(), builtin.InProcess)
	require.NoError(t, err)
	s := newService(t, magnum.WithDrivers(reg))
	ctx := as(demo)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	require.NoError(t, magnum.SetClusterState(s, id, magnum.CreateComplete, "https://172.24.4.10:6443"))
	withLabels := func(name string, labels map[string]string) string {
		req := k8sTemplate(name)
		req.Labels = labels
		return mustTemplate(t, s, demo, req).Name
	}

	refused := []struct {
		name     string
		template string
		kind     error
		msg      string
	}{
		{"no version label", withLabels("bare", map[string]string{}), magnum.ErrConflict,
			"Cluster Template is not valid for upgrade: Cluster template bare does not contain any supported upgrade labels: [kube_tag]"},
		{"other labels only", withLabels("tagless", map[string]string{"etcd_tag": "v3.5.16"}), magnum.ErrConflict,
			"Cluster Template is not valid for upgrade: Cluster template tagless does not contain any supported upgrade labels: [kube_tag]"},
		{"downgrade", withLabels("older", map[string]string{"kube_tag": "v1.29.0"}), magnum.ErrInvalid,
			"Received invalid tag for kube_tag: v1.29.0 is older than the current v1.30.1"},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			_, err := s.UpgradeCluster(ctx, id, magnum.Upgrade{ClusterTemplate: r.template})
			require.ErrorIs(t, err, r.kind)
			assert.Equal(t, r.msg, err.Error())
			c, err := s.GetCluster(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, magnum.CreateComplete, c.Status, "a refused upgrade leaves the cluster alone")
			assert.Equal(t, "v1.30.1", c.Labels["kube_tag"])
		})
	}

	_, err = s.UpgradeCluster(ctx, id, magnum.Upgrade{ClusterTemplate: withLabels("newer", map[string]string{"kube_tag": "v1.31.0"})})
	require.NoError(t, err)
	c, err := s.GetCluster(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, magnum.UpdateInProgress, c.Status)
}

// TestNodeGroupResourcesChecked: a node group's flavor and image are
// looked up in the cloud when it is asked for, as a template's are, and an
// unknown one is refused with Magnum's message before anything is stored.
func TestNodeGroupResourcesChecked(t *testing.T) {
	create := func(req magnum.NodeGroupCreate) func(f *fixture) error {
		return func(f *fixture) error {
			_, err := f.s.CreateNodeGroup(as(demo), "c1", req)
			if err != nil {
				if _, getErr := f.s.GetNodeGroup(as(demo), "c1", req.Name); !errors.Is(getErr, magnum.ErrNotFound) {
					return fmt.Errorf("the refused node group was stored: %w", getErr)
				}
			}
			return err
		}
	}
	runRules(t, []rule{
		{"unknown flavor", create(magnum.NodeGroupCreate{Name: "ng", FlavorID: "m1.huge"}),
			magnum.ErrInvalid, "Unable to find flavor m1.huge.", false},
		{"unknown image", create(magnum.NodeGroupCreate{Name: "ng", ImageID: "no-such-image"}),
			magnum.ErrInvalid, "Image no-such-image could not be found.", false},
	})

	f := newFixture(t)
	ng, err := f.s.CreateNodeGroup(as(demo), "c1", magnum.NodeGroupCreate{Name: "big", FlavorID: "m1.large"})
	require.NoError(t, err, "a known flavor is accepted")
	assert.Equal(t, "m1.large", ng.FlavorID)
	assert.Equal(t, "fedora-coreos-40", ng.ImageID, "the template's image by default")
}

// TestUpgradeOfBusyClusterRefusedForItsStatus: the status of the cluster
// is checked before the driver looks at the template, as in Magnum.
func TestUpgradeOfBusyClusterRefusedForItsStatus(t *testing.T) {
	reg, err := builtin.Registry(context.Background(), builtin.InProcess)
	require.NoError(t, err)
	s := newService(t, magnum.WithDrivers(reg))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	bare := k8sTemplate("bare")
	bare.Labels = map[string]string{}
	mustTemplate(t, s, demo, bare)
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	_, err = s.UpgradeCluster(as(demo), id, magnum.Upgrade{ClusterTemplate: "bare"})
	require.ErrorIs(t, err, magnum.ErrInvalidState)
	assert.Equal(t, `Upgrading a cluster when status is "CREATE_IN_PROGRESS" is not supported.`, err.Error())
}
