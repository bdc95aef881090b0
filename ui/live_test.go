package ui_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// waitStatus polls a cluster's live fragment, as the page's script does,
// until the cluster leaves its operation, and returns the fragment.
func waitStatus(t *testing.T, b *browser, id string, want magnum.Status) string {
	t.Helper()
	var last string
	require.Eventually(t, func() bool {
		req, err := http.NewRequest(http.MethodGet, b.srv.URL+"/ui/clusters/"+id+"/live", nil)
		require.NoError(t, err)
		req.Header.Set("X-Live", "1")
		p := b.do(req)
		require.Equal(t, http.StatusOK, p.status, p.body)
		last = p.body
		return strings.Contains(p.body, `id="status">`+string(want)+`<`)
	}, 2*time.Minute, 50*time.Millisecond, "never %s: %s", want, last)
	return last
}

// TestBuildUpgradeAndConfig builds a cluster through the dashboard,
// upgrades it to a newer template and downloads its client configuration.
func TestBuildUpgradeAndConfig(t *testing.T) {
	svc := newService(t)
	template(t, svc)
	_, err := svc.CreateClusterTemplate(as(admin), magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s-new", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small",
		MasterFlavorID: "m1.medium", NetworkDriver: "flannel", Public: true, Labels: map[string]string{"kube_tag": "v1.30.2"}}})
	require.NoError(t, err)
	b := newBrowser(t, newServer(t, svc), "")
	p := b.action("/ui/clusters/new", "/ui/clusters", url.Values{"template": {"k8s"}, "name": {"web"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	id := strings.TrimPrefix(p.header.Get("Location"), "/ui/clusters/")
	live := waitStatus(t, b, id, magnum.CreateComplete)
	assert.Contains(t, live, `value="100"`)
	assert.Contains(t, live, "v1.30.1")

	p = b.action("/ui/clusters/"+id, "/ui/clusters/"+id+"/upgrade", url.Values{"template": {"k8s-new"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	waitStatus(t, b, id, magnum.UpdateComplete)
	c, err := svc.GetCluster(as(demo), id)
	require.NoError(t, err)
	assert.Equal(t, "v1.30.2", c.COEVersion)

	p = b.get("/ui/clusters/" + id + "/config")
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Equal(t, "application/zip", p.header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="web-config.zip"`, p.header.Get("Content-Disposition"))
	zr, err := zip.NewReader(bytes.NewReader([]byte(p.body)), int64(len(p.body)))
	require.NoError(t, err)
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		rc.Close()
		files[f.Name] = string(data)
	}
	require.Contains(t, files, "config", "a kubeconfig")
	assert.Contains(t, files["config"], c.APIAddress)
	assert.Contains(t, files["config"], "client-key-data", "the key made for this download")

	p = b.action("/ui/clusters/"+id, "/ui/clusters/"+id+"/resize", url.Values{"node_count": {"0"}, "nodegroup": {"default-master"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, "Resizing a master nodegroup is not supported.", "the service's refusal is shown")
}
