package magnum_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

func TestTemplateAndClusterLifecycle(t *testing.T) {
	s := newService(t)
	ct := mustTemplate(t, s, demo, k8sTemplate("k8s"))
	assert.Equal(t, "fedora-coreos", ct.ClusterDistro)
	assert.Equal(t, "flannel", ct.NetworkDriver)
	assert.True(t, ct.FloatingIPEnabled)
	assert.Equal(t, "vm", ct.ServerType)

	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s", NodeCount: ptr(2),
		Labels: map[string]string{"extra": "1"}, MergeLabels: true})
	c, err := s.GetCluster(as(demo), id)
	require.NoError(t, err)
	assert.Equal(t, magnum.CreateInProgress, c.Status)
	assert.Equal(t, 2, c.NodeCount)
	assert.Equal(t, 1, c.MasterCount)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1", "extra": "1"}, c.Labels)
	assert.Equal(t, map[string]string{"extra": "1"}, c.LabelsAdded)
	assert.Equal(t, "default", c.Keypair)
	assert.Equal(t, 60, c.CreateTimeout)

	ngs, err := s.ListNodeGroups(as(demo), id, magnum.NodeGroupListOptions{})
	require.NoError(t, err)
	require.Len(t, ngs, 2)

	_, err = s.UpdateClusterTemplate(as(demo), "k8s", []magnum.PatchOp{{Op: "replace", Path: "/network_driver", Value: "calico"}})
	require.ErrorIs(t, err, magnum.ErrInvalid)
	assert.Contains(t, err.Error(), "is referenced by one or multiple clusters")

	ct2, err := s.UpdateClusterTemplate(as(demo), "k8s", []magnum.PatchOp{{Op: "replace", Path: "/name", Value: "renamed"}})
	require.NoError(t, err)
	assert.Equal(t, "renamed", ct2.Name)

	st, err := s.Stats(as(demo), "", "")
	require.NoError(t, err)
	assert.Equal(t, magnum.Stats{Clusters: 1, Nodes: 3}, *st)

	require.NoError(t, s.DeleteCluster(as(demo), id))
	c, err = s.GetCluster(as(demo), id)
	require.NoError(t, err)
	assert.Equal(t, magnum.DeleteInProgress, c.Status)
}
