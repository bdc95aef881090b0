package magnumtest

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// testClusterLifecycle takes a cluster through create, node groups,
// resize, certificates, credentials and delete, waiting for each step.
func testClusterLifecycle(t *testing.T, api magnum.API) {
	ctx := As(t, Demo)
	tmpl, err := api.CreateClusterTemplate(ctx, K8sTemplate("k8s"))
	require.NoError(t, err)
	workers := 1
	id, err := api.CreateCluster(ctx, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: tmpl.UUID, NodeCount: &workers})
	require.NoError(t, err)
	c, err := api.WaitCluster(ctx, id, magnum.CreateComplete)
	require.NoError(t, err)
	assert.Equal(t, magnum.CreateComplete, c.Status)
	assert.NotEmpty(t, c.APIAddress)
	assert.NotEmpty(t, c.StackID)
	assert.Equal(t, 1, c.NodeCount)

	got, err := api.GetCluster(ctx, "c1")
	require.NoError(t, err)
	assert.Equal(t, id, got.UUID)
	list, err := api.ListClusters(ctx, magnum.ListOptions{})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, magnum.CreateComplete, list[0].Status)

	testNodeGroups(t, api, id)

	_, err = api.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	c, err = api.WaitCluster(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, magnum.UpdateComplete, c.Status)
	assert.Equal(t, 2, c.NodeCount)
	st, err := api.Stats(ctx, "", "")
	require.NoError(t, err)
	assert.Equal(t, magnum.Stats{Clusters: 1, Nodes: 3}, *st)

	testCertificates(t, api, id)

	require.NoError(t, api.DeleteCluster(ctx, id))
	c, err = api.WaitCluster(ctx, id, magnum.DeleteComplete)
	require.NoError(t, err)
	if c != nil {
		assert.Equal(t, magnum.DeleteComplete, c.Status)
	}
	_, err = api.GetCluster(ctx, id)
	require.ErrorIs(t, err, magnum.ErrNotFound)
}

// testNodeGroups adds a node group with labels and taints (microversion
// 1.14), changes and deletes it.
func testNodeGroups(t *testing.T, api magnum.API, cluster string) {
	ctx := As(t, Demo)
	ngs, err := api.ListNodeGroups(ctx, cluster, magnum.NodeGroupListOptions{})
	require.NoError(t, err)
	require.Len(t, ngs, 2, "the default master and worker groups")
	one := 1
	ng, err := api.CreateNodeGroup(ctx, cluster, magnum.NodeGroupCreate{Name: "extra", NodeCount: &one,
		NodeLabels: map[string]string{"tier": "batch"}})
	require.NoError(t, err)
	assert.Equal(t, "extra", ng.Name)
	_, err = api.WaitCluster(ctx, cluster)
	require.NoError(t, err)
	ng, err = api.GetNodeGroup(ctx, cluster, "extra")
	require.NoError(t, err)
	assert.Equal(t, magnum.CreateComplete, ng.Status)
	assert.Equal(t, map[string]string{"tier": "batch"}, ng.NodeLabels)
	workers, err := api.ListNodeGroups(ctx, cluster, magnum.NodeGroupListOptions{Role: "worker"})
	require.NoError(t, err)
	assert.Len(t, workers, 2)

	ng, err = api.UpdateNodeGroup(ctx, cluster, "extra", []magnum.PatchOp{{Op: magnum.PatchReplace, Path: "/max_node_count", Value: 5}})
	require.NoError(t, err)
	require.NotNil(t, ng.MaxNodeCount)
	assert.Equal(t, 5, *ng.MaxNodeCount)
	require.NoError(t, api.DeleteNodeGroup(ctx, cluster, "extra"))
	_, err = api.WaitCluster(ctx, cluster)
	require.NoError(t, err)
	_, err = api.GetNodeGroup(ctx, cluster, "extra")
	require.ErrorIs(t, err, magnum.ErrNotFound)
}

// testCertificates reads the CA, signs a CSR, gets credentials and
// rotates the trustee credentials.
func testCertificates(t *testing.T, api magnum.API, cluster string) {
	ctx := As(t, Demo)
	ca, err := api.GetCACertificate(ctx, cluster, "")
	require.NoError(t, err)
	assert.Contains(t, ca.PEM, "BEGIN CERTIFICATE")
	etcd, err := api.GetCACertificate(ctx, cluster, "etcd")
	require.NoError(t, err)
	assert.NotEqual(t, ca.PEM, etcd.PEM)

	key, err := magnum.NewClientKey("", "demo")
	require.NoError(t, err)
	cert, err := api.SignCertificate(ctx, cluster, string(key.CSRPEM), "")
	require.NoError(t, err)
	assert.Equal(t, "demo", subjectOf(t, cert.PEM).CommonName)
	bad, err := magnum.NewClientKey("", "admin", "system:masters")
	require.NoError(t, err)
	_, err = api.SignCertificate(ctx, cluster, string(bad.CSRPEM), "")
	require.ErrorIs(t, err, magnum.ErrForbidden)

	cr, err := api.ClusterCredentials(ctx, cluster, magnum.CredentialsOptions{})
	require.NoError(t, err)
	assert.Equal(t, "demo", cr.Subject.CommonName)
	require.Contains(t, cr.Files, "config")
	kubeconfig := string(cr.Files["config"])
	assert.True(t, strings.Contains(kubeconfig, "client-key-data"), kubeconfig)
	assert.NotContains(t, cert.PEM, "PRIVATE KEY")

	_, err = api.RotateCredentials(ctx, cluster)
	require.NoError(t, err)
	c, err := api.WaitCluster(ctx, cluster)
	require.NoError(t, err)
	assert.Equal(t, magnum.UpdateComplete, c.Status)
}

func subjectOf(t *testing.T, certPEM string) (s struct{ CommonName string }) {
	block, _ := pem.Decode([]byte(certPEM))
	require.NotNil(t, block)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	s.CommonName = cert.Subject.CommonName
	return s
}
