package magnumtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

func testTemplates(t *testing.T, api magnum.API) {
	ctx := As(t, Demo)
	created, err := api.CreateClusterTemplate(ctx, K8sTemplate("k8s"))
	require.NoError(t, err)
	assert.NotEmpty(t, created.UUID)
	assert.Equal(t, "fedora-coreos", created.ClusterDistro)
	assert.Equal(t, "flannel", created.NetworkDriver)
	assert.Equal(t, Demo.ProjectID, created.ProjectID)

	byName, err := api.GetClusterTemplate(ctx, "k8s")
	require.NoError(t, err)
	assert.Equal(t, created.UUID, byName.UUID)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1"}, byName.Labels)

	list, err := api.ListClusterTemplates(ctx, magnum.ListOptions{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, created.UUID, list[0].UUID)

	updated, err := api.UpdateClusterTemplate(ctx, created.UUID, []magnum.PatchOp{
		{Op: magnum.PatchReplace, Path: "/name", Value: "k8s-renamed"},
		{Op: magnum.PatchAdd, Path: "/labels/extra", Value: "1"},
	})
	require.NoError(t, err)
	assert.Equal(t, "k8s-renamed", updated.Name)
	assert.Equal(t, "1", updated.Labels["extra"])

	_, err = api.GetClusterTemplate(As(t, Alt), created.UUID)
	require.ErrorIs(t, err, magnum.ErrNotFound, "another project's private template is not found")
	require.NoError(t, api.DeleteClusterTemplate(ctx, "k8s-renamed"))
	_, err = api.GetClusterTemplate(ctx, created.UUID)
	require.ErrorIs(t, err, magnum.ErrNotFound)
}
