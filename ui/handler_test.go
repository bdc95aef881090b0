package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// storedFixture is a service without a conductor, with the template k8s
// and demo's cluster name (labels merged over the template's), stored but
// never built.
func storedFixture(t *testing.T, name string, labels map[string]string) (*magnum.Service, string) {
	t.Helper()
	svc := newService(t, magnum.WithoutConductor())
	template(t, svc)
	return svc, storedCluster(t, svc, name, labels)
}

// assertUntouched checks that a stored cluster is as it was created.
func assertUntouched(t *testing.T, svc *magnum.Service, id string) {
	t.Helper()
	c, err := svc.GetCluster(as(demo), id)
	require.NoError(t, err)
	assert.Equal(t, magnum.CreateInProgress, c.Status)
}

// storedCluster creates a cluster of demo's without building it.
func storedCluster(t *testing.T, svc *magnum.Service, name string, labels map[string]string) string {
	t.Helper()
	id, err := svc.CreateCluster(as(demo), magnum.ClusterCreate{Name: name, ClusterTemplateID: "k8s", Labels: labels, MergeLabels: true})
	require.NoError(t, err)
	return id
}

func TestPages(t *testing.T) {
	svc, id := storedFixture(t, "web", nil)
	srv := newServer(t, svc)
	tests := []struct {
		name, token, path string
		status            int
		want              []string
	}{
		{"root redirects", "", "/ui/", http.StatusSeeOther, nil},
		{"clusters", "", "/ui/clusters", http.StatusOK, []string{`id="cluster-rows"`, ">web</a>", "CREATE_IN_PROGRESS", `id="create-cluster"`}},
		{"filtered out", "", "/ui/clusters?status=CREATE_FAILED", http.StatusOK, []string{"No clusters."}},
		{"cluster", "", "/ui/clusters/" + id, http.StatusOK, []string{`id="build-progress"`, `id="resize-form"`, "default-worker", "kube_tag"}},
		{"cluster by name", "", "/ui/clusters/web", http.StatusOK, []string{id}},
		{"unknown cluster", "", "/ui/clusters/nope", http.StatusNotFound, []string{"Cluster nope could not be found."}},
		{"new", "", "/ui/clusters/new", http.StatusOK, []string{`id="create-form"`, "k8s — kubernetes"}},
		{"templates", "", "/ui/templates", http.StatusOK, []string{"fedora-coreos-40", "v1.30.1"}},
		{"quotas", "", "/ui/quotas", http.StatusOK, []string{`id="stat-clusters">1<`, "default quota"}},
		{"services for members", "", "/ui/services", http.StatusForbidden, []string{"Policy doesn&#39;t allow magnum-service:get_all to be performed."}},
		{"services for admins", "admin", "/ui/services", http.StatusOK, []string{`id="services"`}},
		{"admin sees projects", "admin", "/ui/clusters", http.StatusOK, []string{`id="f-project"`, "c99cc16a"}},
		{"static", "", "/ui/static/app.js", http.StatusOK, []string{"data-live"}},
		{"no listing of static", "", "/ui/static/", http.StatusNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newBrowser(t, srv, tc.token).get(tc.path)
			assert.Equal(t, tc.status, p.status, p.body)
			for _, w := range tc.want {
				assert.Contains(t, p.body, w)
			}
			assert.Contains(t, p.header.Get("Content-Security-Policy"), "default-src 'none'")
			assert.Equal(t, "nosniff", p.header.Get("X-Content-Type-Options"))
		})
	}
}

// TestLiveFragments: the parts of pages the script refreshes come alone,
// with the next poll's interval.
func TestLiveFragments(t *testing.T) {
	svc, id := storedFixture(t, "web", nil)
	b := newBrowser(t, newServer(t, svc), "")
	for path, want := range map[string]string{"/ui/clusters/" + id + "/live": `id="status"`, "/ui/clusters/rows": `data-uuid="` + id} {
		req, err := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("X-Live", "1")
		p := b.do(req)
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Contains(t, p.body, want)
		assert.NotContains(t, p.body, "<html")
		assert.NotEmpty(t, p.header.Get("X-Poll-Ms"))
	}
}

// TestUnauthenticated: without an identity, pages send to the sign-in
// page and actions are refused.
func TestUnauthenticated(t *testing.T) {
	svc, id := storedFixture(t, "web", nil)
	srv := newServer(t, svc, withAuth(noDefault))
	b := newBrowser(t, srv, "")
	p := b.get("/ui/clusters")
	assert.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/ui/login", p.header.Get("Location"))
	login := b.get("/ui/login")
	require.Equal(t, http.StatusOK, login.status)
	p = b.post("/ui/clusters/"+id+"/delete", url.Values{"csrf_token": {csrfOf(t, login.body)}}, nil)
	assert.Equal(t, http.StatusUnauthorized, p.status)

	p = b.post("/ui/login", url.Values{"token": {"forged"}, "csrf_token": {csrfOf(t, login.body)}}, nil)
	assert.Equal(t, http.StatusUnauthorized, p.status)
	assert.Contains(t, p.body, "The token was not accepted.")
	p = b.post("/ui/login", url.Values{"token": {"demo"}}, nil)
	assert.Equal(t, http.StatusForbidden, p.status, "a sign-in without the CSRF token is refused")

	b = newBrowser(t, srv, "demo")
	p = b.get("/ui/clusters")
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, ">web</a>")
	p = b.action("/ui/clusters", "/ui/logout", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, http.StatusSeeOther, b.get("/ui/clusters").status, "signed out")
}

// TestCSRF: an action needs the session's CSRF token and the dashboard's
// origin.
func TestCSRF(t *testing.T) {
	svc := newService(t, magnum.WithoutConductor())
	template(t, svc)
	b := newBrowser(t, newServer(t, svc), "")
	token := csrfOf(t, b.get("/ui/clusters").body)
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
		status int
	}{
		{"no token", url.Values{}, nil, http.StatusForbidden},
		{"wrong token", url.Values{"csrf_token": {strings.Repeat("A", len(token))}}, nil, http.StatusForbidden},
		{"cross-site with the token", url.Values{"csrf_token": {token}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"other origin with the token", url.Values{"csrf_token": {token}}, map[string]string{"Origin": "http://localhost:1"}, http.StatusForbidden},
		{"token", url.Values{"csrf_token": {token}}, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := storedCluster(t, svc, "", nil)
			p := b.post("/ui/clusters/"+id+"/delete", tc.form, tc.header)
			assert.Equal(t, tc.status, p.status, p.body)
			c, err := svc.GetCluster(as(demo), id)
			require.NoError(t, err)
			assert.Equal(t, tc.status == http.StatusSeeOther, c.Status == magnum.DeleteInProgress, "deleted: %s", c.Status)
		})
	}
}

// TestIsolation: another project's user sees none of demo's clusters.
func TestIsolation(t *testing.T) {
	svc, id := storedFixture(t, "secret", nil)
	b := newBrowser(t, newServer(t, svc), "alt")
	p := b.get("/ui/clusters")
	require.Equal(t, http.StatusOK, p.status)
	assert.NotContains(t, p.body, "secret")
	assert.NotContains(t, p.body, id)
	for _, path := range []string{"/ui/clusters/" + id, "/ui/clusters/" + id + "/live", "/ui/clusters/" + id + "/config"} {
		p := b.get(path)
		assert.Equal(t, http.StatusNotFound, p.status, path)
		assert.NotContains(t, p.body, "secret", path)
	}
	assert.Equal(t, http.StatusNotFound, b.get("/ui/clusters/secret").status)
	p = b.action("/ui/clusters", "/ui/clusters/"+id+"/delete", url.Values{})
	assert.Equal(t, http.StatusNotFound, p.status)
	assertUntouched(t, svc, id)
}

// TestReader: a reader sees the actions disabled, and the service refuses
// them anyway with its own message.
func TestReader(t *testing.T) {
	svc, id := storedFixture(t, "web", nil)
	b := newBrowser(t, newServer(t, svc), "reader")
	p := b.get("/ui/clusters/" + id)
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, `id="forbidden-note"`)
	assert.Equal(t, 3, strings.Count(p.body, "<fieldset disabled>"), "resize, upgrade and delete are disabled")
	assert.NotContains(t, p.body, `id="config-link"`)
	assert.NotContains(t, b.get("/ui/clusters").body, `id="create-cluster"`)
	for action, rule := range map[string]string{"resize": "cluster:resize", "delete": "cluster:delete", "upgrade": "cluster:upgrade"} {
		p := b.action("/ui/clusters/"+id, "/ui/clusters/"+id+"/"+action, url.Values{"node_count": {"3"}, "template": {"k8s"}})
		assert.Equal(t, http.StatusForbidden, p.status, action)
		assert.Contains(t, p.body, "Policy doesn&#39;t allow "+rule+" to be performed.", action)
	}
	p = b.action("/ui/clusters/new", "/ui/clusters", url.Values{"template": {"k8s"}, "name": {"mine"}})
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Contains(t, p.body, "Policy doesn&#39;t allow cluster:create to be performed.")
	assertUntouched(t, svc, id)
}

// TestFormErrors: a refused form comes back with the service's message
// and the values sent.
func TestFormErrors(t *testing.T) {
	svc := newService(t, magnum.WithoutConductor())
	template(t, svc)
	b := newBrowser(t, newServer(t, svc), "")
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"bad count", url.Values{"template": {"k8s"}, "node_count": {"many"}}, http.StatusBadRequest, "Invalid input for field/attribute node_count."},
		{"negative count", url.Values{"template": {"k8s"}, "master_count": {"-1"}}, http.StatusBadRequest, "master_count"},
		{"unknown template", url.Values{"template": {"nope"}}, http.StatusNotFound, "nope"},
		{"bad labels", url.Values{"template": {"k8s"}, "labels": {"novalue"}}, http.StatusBadRequest, "novalue"},
		{"too many nodes", url.Values{"template": {"k8s"}, "node_count": {"5000"}, "name": {"kept-name"}}, http.StatusBadRequest, `value="kept-name"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.action("/ui/clusters/new", "/ui/clusters", tc.form)
			assert.Equal(t, tc.status, p.status, p.body)
			assert.Contains(t, p.body, `role="alert"`)
			assert.Contains(t, p.body, tc.want)
		})
	}
	p := b.action("/ui/clusters/new", "/ui/clusters", url.Values{"template": {"k8s"}, "name": {"ok"}, "node_count": {"2"},
		"labels": {"foo=bar"}, "merge_labels": {"1"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	c, err := svc.GetCluster(as(demo), "ok")
	require.NoError(t, err)
	assert.Equal(t, 2, c.NodeCount)
	assert.Equal(t, "bar", c.Labels["foo"])
	assert.Equal(t, "v1.30.1", c.Labels["kube_tag"])
	assert.Equal(t, "/ui/clusters/"+c.UUID, p.header.Get("Location"))
}

// TestEscaping: what users wrote is shown, never run.
func TestEscaping(t *testing.T) {
	svc, id := storedFixture(t, "web", map[string]string{"note": `<script>alert("x")</script>`})
	p := newBrowser(t, newServer(t, svc), "").get("/ui/clusters/" + id)
	require.Equal(t, http.StatusOK, p.status)
	assert.NotContains(t, p.body, `<script>alert`)
	assert.Contains(t, p.body, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`)
}

// TestBoundedForm: an oversized form is refused before it is read whole.
func TestBoundedForm(t *testing.T) {
	svc := newService(t, magnum.WithoutConductor())
	b := newBrowser(t, newServer(t, svc), "")
	p := b.post("/ui/clusters", url.Values{"labels": {strings.Repeat("a", 1<<20)}}, nil)
	assert.Equal(t, http.StatusBadRequest, p.status)
}

// TestAdminFilters: admins see every project's clusters and filter them
// by project; a non-admin's project filter is ignored.
func TestAdminFilters(t *testing.T) {
	svc, demoID := storedFixture(t, "demo-cluster", nil)
	altID, err := svc.CreateCluster(as(alt), magnum.ClusterCreate{Name: "alt-cluster", ClusterTemplateID: "k8s"})
	require.NoError(t, err)
	srv := newServer(t, svc)
	tests := []struct {
		token, query string
		want, not    []string
	}{
		{"admin", "", []string{demoID, altID}, nil},
		{"admin", "?project=" + alt.ProjectID, []string{altID}, []string{demoID}},
		{"admin", "?project=" + alt.ProjectID + "&status=CREATE_FAILED", nil, []string{demoID, altID}},
		{"demo", "?project=" + alt.ProjectID, []string{demoID}, []string{altID}},
	}
	for _, tc := range tests {
		t.Run(tc.token+tc.query, func(t *testing.T) {
			p := newBrowser(t, srv, tc.token).get("/ui/clusters" + tc.query)
			require.Equal(t, http.StatusOK, p.status, p.body)
			for _, id := range tc.want {
				assert.Contains(t, p.body, `data-uuid="`+id)
			}
			for _, id := range tc.not {
				assert.NotContains(t, p.body, `data-uuid="`+id)
			}
		})
	}
}
