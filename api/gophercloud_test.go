package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/apiversions"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/certificates"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/clusters"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/clustertemplates"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/nodegroups"
	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/quotas"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// k8sTemplate is a Kubernetes template the simulated cloud can serve.
func k8sTemplate(name string) clustertemplates.CreateOpts {
	return clustertemplates.CreateOpts{Name: name, COE: "kubernetes", ImageID: "fedora-coreos-40",
		ExternalNetworkID: "public", FlavorID: "m1.small", MasterFlavorID: "m1.medium", KeyPairID: "default",
		NetworkDriver: "flannel", DockerStorageDriver: "overlay2", Labels: map[string]string{"kube_tag": "v1.30.1"}}
}

// waitCluster polls a cluster until it leaves the in-progress statuses.
func waitCluster(t *testing.T, c *gophercloud.ServiceClient, id string) *clusters.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		cl, err := clusters.Get(ctx, c, id).Extract()
		require.NoError(t, err)
		switch cl.Status {
		case "CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS":
		default:
			return cl
		}
		select {
		case <-ctx.Done():
			t.Fatalf("cluster %s still %s: %s", id, cl.Status, cl.StatusReason)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestGophercloudAPIVersions(t *testing.T) {
	srv := newServer(t, newService(t))
	c := serviceClient(srv, "demo", "")
	ctx := context.Background()

	pages, err := apiversions.List(c).AllPages(ctx)
	require.NoError(t, err)
	all, err := apiversions.ExtractAPIVersions(pages)
	require.NoError(t, err)
	want := apiversions.APIVersion{ID: "v1", Status: "CURRENT", MinVersion: "1.1", Version: "1.14"}
	assert.Equal(t, []apiversions.APIVersion{want}, all)

	v1, err := apiversions.Get(ctx, c, "v1").Extract()
	require.NoError(t, err)
	assert.Equal(t, want, *v1)
}

func TestGophercloudClusterTemplates(t *testing.T) {
	srv := newServer(t, newService(t))
	c := serviceClient(srv, "demo", "1.14")
	ctx := context.Background()

	res := clustertemplates.Create(ctx, c, k8sTemplate("tpl-0"))
	ct, err := res.Extract()
	require.NoError(t, err)
	assert.Regexp(t, `^req-[0-9a-f-]{36}$`, res.Header.Get("X-OpenStack-Request-Id"))
	assert.Equal(t, "fedora-coreos", ct.ClusterDistro)
	assert.Equal(t, sim.DemoProjectID, ct.ProjectID)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1"}, ct.Labels)
	assert.True(t, ct.FloatingIPEnabled)
	assert.Equal(t, "vm", ct.ServerType)
	assert.True(t, ct.UpdatedAt.IsZero())
	require.Len(t, ct.Links, 2)
	assert.Equal(t, srv.URL+"/v1/clustertemplates/"+ct.UUID, ct.Links[0].Href)

	got, err := clustertemplates.Get(ctx, c, "tpl-0").Extract()
	require.NoError(t, err)
	assert.Equal(t, ct.UUID, got.UUID)

	for i := 1; i < 5; i++ {
		_, err := clustertemplates.Create(ctx, c, k8sTemplate("tpl-"+string(rune('0'+i)))).Extract()
		require.NoError(t, err)
	}
	var pagesSeen int
	var names []string
	err = clustertemplates.List(c, clustertemplates.ListOpts{Limit: 2}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		pagesSeen++
		list, err := clustertemplates.ExtractClusterTemplates(p)
		for _, t := range list {
			names = append(names, t.Name)
		}
		return true, err
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"tpl-0", "tpl-1", "tpl-2", "tpl-3", "tpl-4"}, names)
	assert.Equal(t, 3, pagesSeen, "pages of 2, 2 and 1 through the next links")

	updated, err := clustertemplates.Update(ctx, c, ct.UUID, []clustertemplates.UpdateOpts{
		{Op: clustertemplates.ReplaceOp, Path: "/name", Value: "renamed"},
		{Op: clustertemplates.AddOp, Path: "/dns_nameserver", Value: "8.8.8.8"},
		{Op: clustertemplates.ReplaceOp, Path: "/labels", Value: "{'kube_tag': 'v1.31.0', 'debug': True}"},
	}).Extract()
	require.NoError(t, err)
	assert.Equal(t, "renamed", updated.Name)
	assert.Equal(t, "8.8.8.8", updated.DNSNameServer)
	assert.Equal(t, map[string]string{"kube_tag": "v1.31.0", "debug": "True"}, updated.Labels)
	assert.False(t, updated.UpdatedAt.IsZero())

	require.NoError(t, clustertemplates.Delete(ctx, c, ct.UUID).ExtractErr())
	_, err = clustertemplates.Get(ctx, c, ct.UUID).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, 404), "%v", err)
}

func TestGophercloudClustersAndNodeGroups(t *testing.T) {
	srv := newServer(t, newService(t))
	c := serviceClient(srv, "demo", "1.10")
	ctx := context.Background()
	ct, err := clustertemplates.Create(ctx, c, k8sTemplate("k8s")).Extract()
	require.NoError(t, err)

	two := 2
	id, err := clusters.Create(ctx, c, clusters.CreateOpts{Name: "c1", ClusterTemplateID: ct.UUID, NodeCount: &two,
		Labels: map[string]string{"extra": "yes"}, MergeLabels: gophercloud.Enabled}).Extract()
	require.NoError(t, err)
	require.NotEmpty(t, id)

	cl := waitCluster(t, c, id)
	require.Equal(t, "CREATE_COMPLETE", cl.Status, cl.StatusReason)
	assert.Equal(t, 2, cl.NodeCount)
	assert.Equal(t, 1, cl.MasterCount)
	assert.NotEmpty(t, cl.APIAddress)
	assert.Len(t, cl.NodeAddresses, 2)
	assert.Equal(t, map[string]string{"kube_tag": "v1.30.1", "extra": "yes"}, cl.Labels)
	assert.Equal(t, map[string]string{"extra": "yes"}, cl.LabelsAdded)
	assert.Equal(t, "default", cl.KeyPair)
	assert.NotEmpty(t, cl.StackID)

	t.Run("list", func(t *testing.T) {
		pages, err := clusters.List(c, clusters.ListOpts{}).AllPages(ctx)
		require.NoError(t, err)
		list, err := clusters.ExtractClusters(pages)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, id, list[0].UUID)
		assert.Empty(t, list[0].APIAddress, "the brief list leaves api_address out")

		pages, err = clusters.ListDetail(c, clusters.ListOpts{Limit: 5}).AllPages(ctx)
		require.NoError(t, err)
		list, err = clusters.ExtractClusters(pages)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, cl.APIAddress, list[0].APIAddress)
	})

	t.Run("update", func(t *testing.T) {
		uuid, err := clusters.Update(ctx, c, id, []clusters.UpdateOpts{
			{Op: clusters.ReplaceOp, Path: "/node_count", Value: 3},
		}).Extract()
		require.NoError(t, err)
		assert.Equal(t, id, uuid)
		cl := waitCluster(t, c, id)
		assert.Equal(t, "UPDATE_COMPLETE", cl.Status, cl.StatusReason)
		assert.Equal(t, 3, cl.NodeCount)
	})

	t.Run("resize", func(t *testing.T) {
		one := 1
		uuid, err := clusters.Resize(ctx, c, id, clusters.ResizeOpts{NodeCount: &one}).Extract()
		require.NoError(t, err)
		assert.Equal(t, id, uuid)
		cl := waitCluster(t, c, id)
		assert.Equal(t, "UPDATE_COMPLETE", cl.Status, cl.StatusReason)
		assert.Equal(t, 1, cl.NodeCount)
	})

	t.Run("nodegroups", func(t *testing.T) {
		pages, err := nodegroups.List(c, id, nodegroups.ListOpts{}).AllPages(ctx)
		require.NoError(t, err)
		ngs, err := nodegroups.ExtractNodeGroups(pages)
		require.NoError(t, err)
		require.Len(t, ngs, 2)
		roles := []string{ngs[0].Role, ngs[1].Role}
		assert.ElementsMatch(t, []string{"master", "worker"}, roles)

		four := 4
		ng, err := nodegroups.Create(ctx, c, id, nodegroups.CreateOpts{Name: "extra", NodeCount: &two,
			MaxNodeCount: &four, FlavorID: "m1.large"}).Extract()
		require.NoError(t, err)
		assert.Equal(t, "extra", ng.Name)
		assert.Equal(t, "worker", ng.Role)
		assert.Equal(t, id, ng.ClusterID)
		assert.Equal(t, 2, ng.NodeCount)

		got, err := nodegroups.Get(ctx, c, id, "extra").Extract()
		require.NoError(t, err)
		assert.Equal(t, ng.UUID, got.UUID)
		assert.Equal(t, "m1.large", got.FlavorID)

		updated, err := nodegroups.Update(ctx, c, id, ng.UUID, []nodegroups.UpdateOpts{
			{Op: nodegroups.ReplaceOp, Path: "/max_node_count", Value: 5},
			{Op: nodegroups.ReplaceOp, Path: "/min_node_count", Value: 1},
		}).Extract()
		require.NoError(t, err)
		require.NotNil(t, updated.MaxNodeCount)
		assert.Equal(t, 5, *updated.MaxNodeCount)
		assert.Equal(t, 1, updated.MinNodeCount)

		pages, err = nodegroups.List(c, id, nodegroups.ListOpts{Role: "worker", Limit: 1}).AllPages(ctx)
		require.NoError(t, err)
		ngs, err = nodegroups.ExtractNodeGroups(pages)
		require.NoError(t, err)
		assert.Len(t, ngs, 2, "both worker groups, one page each")

		require.NoError(t, nodegroups.Delete(ctx, c, id, ng.UUID).ExtractErr())
		require.Eventually(t, func() bool {
			_, err := nodegroups.Get(ctx, c, id, ng.UUID).Extract()
			return gophercloud.ResponseCodeIs(err, 404)
		}, time.Minute, 50*time.Millisecond, "the node group goes once its stack is deleted")
	})

	t.Run("upgrade", func(t *testing.T) {
		opts := k8sTemplate("k8s-next")
		opts.Labels = map[string]string{"kube_tag": "v1.31.0"}
		next, err := clustertemplates.Create(ctx, c, opts).Extract()
		require.NoError(t, err)
		waitCluster(t, c, id)
		uuid, err := clusters.Upgrade(ctx, c, id, clusters.UpgradeOpts{ClusterTemplate: next.UUID}).Extract()
		require.NoError(t, err)
		assert.Equal(t, id, uuid)
		cl := waitCluster(t, c, id)
		assert.Equal(t, "UPDATE_COMPLETE", cl.Status, cl.StatusReason)
		assert.Equal(t, next.UUID, cl.ClusterTemplateID)
	})

	t.Run("certificates", func(t *testing.T) {
		ca, err := certificates.Get(ctx, c, id).Extract()
		require.NoError(t, err)
		assert.Equal(t, id, ca.ClusterUUID)
		assert.Equal(t, id, ca.BayUUID)
		caCert := parseCert(t, ca.PEM)
		assert.True(t, caCert.IsCA)

		csr := newCSR(t, "demo")
		signed, err := certificates.Create(ctx, c, certificates.CreateOpts{ClusterUUID: id, CSR: csr}).Extract()
		require.NoError(t, err)
		assert.Equal(t, csr, signed.CSR)
		leaf := parseCert(t, signed.PEM)
		assert.Equal(t, "demo", leaf.Subject.CommonName)
		require.NoError(t, leaf.CheckSignatureFrom(caCert))

		require.NoError(t, certificates.Update(ctx, c, id).Err)
		cl := waitCluster(t, c, id)
		assert.Equal(t, "UPDATE_COMPLETE", cl.Status, cl.StatusReason)
		rotated, err := certificates.Get(ctx, c, id).Extract()
		require.NoError(t, err)
		assert.NotEqual(t, ca.PEM, rotated.PEM, "the CA changed")
	})

	require.NoError(t, clusters.Delete(ctx, c, id).ExtractErr())
	require.Eventually(t, func() bool {
		_, err := clusters.Get(ctx, c, id).Extract()
		return gophercloud.ResponseCodeIs(err, 404)
	}, time.Minute, 100*time.Millisecond)
}

func TestGophercloudQuotas(t *testing.T) {
	srv := newServer(t, newService(t))
	ctx := context.Background()
	q, err := quotas.Create(ctx, serviceClient(srv, "admin", "1.10"),
		quotas.CreateOpts{ProjectID: sim.AltProjectID, Resource: "Cluster", HardLimit: 3}).Extract()
	require.NoError(t, err)
	assert.Equal(t, sim.AltProjectID, q.ProjectID)
	assert.Equal(t, 3, q.HardLimit)
	assert.Equal(t, "Cluster", q.Resource)
	assert.NotEmpty(t, q.ID)

	_, err = quotas.Create(ctx, serviceClient(srv, "demo", "1.10"),
		quotas.CreateOpts{ProjectID: sim.DemoProjectID, Resource: "Cluster", HardLimit: 3}).Extract()
	assert.True(t, gophercloud.ResponseCodeIs(err, 403), "%v", err)
}

func newCSR(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func parseCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	require.NotNil(t, block, "no PEM in %q", s)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return cert
}
