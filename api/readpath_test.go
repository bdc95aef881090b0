package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

// rawGet sends a GET with a Host header and a microversion of its own and
// returns the status and the body as sent.
func rawGet(t *testing.T, srv *httptest.Server, path, host, token, version string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	if version != "" {
		req.Header.Set("OpenStack-API-Version", "container-infra "+version)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestCachedViewsAreTheEncodedViews serves the same service with and
// without the view cache: every read, first and again (from the cache),
// for every view, microversion and host, answers the very same bytes.
func TestCachedViewsAreTheEncodedViews(t *testing.T) {
	svc := newService(t)
	cached := newServer(t, svc)
	plain := newServer(t, svc, api.WithViewCache(0))
	f := &fixture{t: t, srv: cached}
	tmpl, cluster := f.running("", map[string]any{"labels": map[string]any{"a<b": "c&d"}})
	f.template("", map[string]any{"name": "second"})
	f.do(http.StatusAccepted, call{method: "PATCH", path: "/v1/clusters/" + cluster, token: "admin", body: `[
		{"op": "replace", "path": "/health_status", "value": "HEALTHY"}]`})

	paths := map[string][]string{
		"1.1": {"/v1/baymodels", "/v1/baymodels/detail", "/v1/baymodels/" + tmpl, "/v1/bays", "/v1/bays/detail",
			"/v1/bays/" + cluster, "/v1/bays/c1"},
		"1.12": {"/v1/clusters", "/v1/clusters/detail", "/v1/clusters/" + cluster},
		"latest": {"/v1/clustertemplates", "/v1/clustertemplates/detail", "/v1/clustertemplates/" + tmpl,
			"/v1/clustertemplates/second", "/v1/clustertemplates?limit=1", "/v1/clustertemplates?limit=1&sort_key=name&sort_dir=desc",
			"/v1/clusters", "/v1/clusters/detail?limit=1", "/v1/clusters/" + cluster, "/v1/clusters/c1",
			"/v1/clustertemplates/nothere", "/v1/clusters?marker=" + tmpl},
	}
	for version, ps := range paths {
		for _, p := range ps {
			for _, host := range []string{"127.0.0.1:9511", "magnum.example.com:9511", "[::1]:1", "a<b>&c"} {
				for _, token := range []string{"", "admin", "alt"} {
					wantStatus, want := rawGet(t, plain, p, host, token, version)
					for range 2 {
						status, got := rawGet(t, cached, p, host, token, version)
						require.Equal(t, wantStatus, status, "%s at %s as %q on %q", p, version, token, host)
						require.Equal(t, want, got, "%s at %s as %q on %q", p, version, token, host)
					}
				}
			}
		}
	}
}

// TestReadsSeeWrites changes and deletes objects between reads served from
// the view cache: every read shows the change, and project scoping holds
// whatever another caller's reads put in the cache.
func TestReadsSeeWrites(t *testing.T) {
	f := newFixture(t)
	private := f.template("", map[string]any{"name": "mine"})
	public := f.template("admin", map[string]any{"name": "shared", "public": true})
	get := func(token, path string) response {
		return do(t, f.srv, call{method: "GET", path: path, token: token, version: "latest"})
	}
	names := func(token string) []string {
		var out []string
		for _, it := range get(token, "/v1/clustertemplates").body["clustertemplates"].([]any) {
			out = append(out, it.(map[string]any)["name"].(string))
		}
		return out
	}

	// The admin's reads of the demo project's template fill the cache;
	// alt still sees neither it nor its name.
	for range 2 {
		assert.Equal(t, http.StatusOK, get("admin", "/v1/clustertemplates/"+private).status)
		assert.Contains(t, names("admin"), "mine")
	}
	assert.Equal(t, http.StatusNotFound, get("alt", "/v1/clustertemplates/"+private).status)
	assert.Equal(t, http.StatusNotFound, get("alt", "/v1/clustertemplates/mine").status)
	assert.NotContains(t, names("alt"), "mine")
	assert.Contains(t, names("alt"), "shared")

	// A rename shows at once, in gets and lists.
	f.do(http.StatusOK, call{method: "PATCH", path: "/v1/clustertemplates/" + private,
		body: `[{"op": "replace", "path": "/name", "value": "renamed"}]`})
	assert.Equal(t, "renamed", get("", "/v1/clustertemplates/"+private).body["name"])
	assert.Contains(t, names(""), "renamed")
	assert.NotContains(t, names(""), "mine")

	// A template made private disappears from the other project's reads.
	assert.Equal(t, http.StatusOK, get("alt", "/v1/clustertemplates/"+public).status)
	f.do(http.StatusOK, call{method: "PATCH", path: "/v1/clustertemplates/" + public, token: "admin",
		body: `[{"op": "replace", "path": "/public", "value": false}]`})
	assert.Equal(t, http.StatusNotFound, get("alt", "/v1/clustertemplates/"+public).status)
	assert.NotContains(t, names("alt"), "shared")

	// A deleted template is gone, and a new one under its name is served
	// as itself.
	f.do(http.StatusNoContent, call{method: "DELETE", path: "/v1/clustertemplates/" + private})
	assert.Equal(t, http.StatusNotFound, get("", "/v1/clustertemplates/"+private).status)
	again := f.template("", map[string]any{"name": "renamed", "docker_volume_size": 7})
	r := get("", "/v1/clustertemplates/renamed")
	assert.Equal(t, again, r.body["uuid"])
	assert.EqualValues(t, 7, r.body["docker_volume_size"])
}

// TestReadsSeeWritesOfAnotherInstance runs two services on one database
// (PostgreSQL, then SQLite, where an instance alone serves reads without
// a statement), each with its API and view cache: what one writes, the
// other reads at once, whatever its cache holds.
func TestReadsSeeWritesOfAnotherInstance(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		testReadsSeeWritesOfAnotherInstance(t, magnum.WithDatabase(storetest.PostgresDSN(t)))
	})
	t.Run("sqlite", func(t *testing.T) { testReadsSeeWritesOfAnotherInstance(t, magnum.WithDataDir(t.TempDir())) })
}

func testReadsSeeWritesOfAnotherInstance(t *testing.T, db magnum.Option) {
	ctx := context.Background()
	cloud, err := sim.New(ctx)
	require.NoError(t, err)
	orch, err := engine.New(ctx, engine.WithCloud(cloud))
	require.NoError(t, err)
	t.Cleanup(func() { orch.Close() })
	open := func(name string) *fixture {
		svc := newService(t, db, magnum.WithCloud(cloud), magnum.WithOrchestrator(orch), magnum.WithHost(name))
		return &fixture{t: t, srv: newServer(t, svc)}
	}
	a := open("a")
	tmpl, cluster := a.running("", nil)
	read := func(f *fixture, path string) response {
		return f.do(http.StatusOK, call{method: "GET", path: path, version: "latest"})
	}
	firstCluster := func(f *fixture, path string) map[string]any {
		return read(f, path).body["clusters"].([]any)[0].(map[string]any)
	}
	for range 2 { // the second read is served from a's cache
		read(a, "/v1/clustertemplates/"+tmpl)
		read(a, "/v1/clustertemplates")
		read(a, "/v1/clusters/"+cluster)
		firstCluster(a, "/v1/clusters/detail")
	}

	// b opens after a cached its reads (on SQLite, while a was alone).
	b := open("b")
	b.do(http.StatusOK, call{method: "PATCH", path: "/v1/clustertemplates/" + tmpl,
		body: `[{"op": "replace", "path": "/name", "value": "renamed-by-b"}]`})
	assert.Equal(t, "renamed-by-b", read(a, "/v1/clustertemplates/"+tmpl).body["name"])
	assert.Equal(t, "renamed-by-b", read(a, "/v1/clustertemplates").body["clustertemplates"].([]any)[0].(map[string]any)["name"])

	b.do(http.StatusAccepted, call{method: "PATCH", path: "/v1/clusters/" + cluster, token: "admin", body: `[
		{"op": "replace", "path": "/health_status", "value": "UNHEALTHY"}]`})
	assert.Equal(t, "UNHEALTHY", read(a, "/v1/clusters/"+cluster).body["health_status"])
	assert.Equal(t, "UNHEALTHY", firstCluster(a, "/v1/clusters/detail")["health_status"])

	b.do(http.StatusNoContent, call{method: "DELETE", path: "/v1/clusters/" + cluster})
	require.Eventually(t, func() bool {
		return do(t, a.srv, call{method: "GET", path: "/v1/clusters/" + cluster}).status == http.StatusNotFound
	}, time.Minute, 20*time.Millisecond)
	assert.Empty(t, read(a, "/v1/clusters").body["clusters"])
}

// TestCachedListsDoNotRebuildViews counts the allocations of serving a
// page of 100 templates again: from the view cache (the page encoded
// before, as nothing changed), without decoding any stored document or
// building any view, at a fraction of the allocations of a handler
// without the cache.
func TestCachedListsDoNotRebuildViews(t *testing.T) {
	svc := newService(t, magnum.WithSyncInterval(time.Hour))
	f := &fixture{t: t, srv: newServer(t, svc)}
	for range 100 {
		f.template("", nil)
	}
	allocs := func(h http.Handler) float64 {
		serve := func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/clustertemplates", nil))
			require.Equal(t, http.StatusOK, w.Code)
		}
		serve()
		return testing.AllocsPerRun(20, serve)
	}
	cached := allocs(api.NewHandler(svc, api.WithAuthenticator(noAuth), api.WithLogger(quiet)))
	plain := allocs(api.NewHandler(svc, api.WithAuthenticator(noAuth), api.WithLogger(quiet), api.WithViewCache(0)))
	t.Logf("allocations per page of 100 templates: %.0f cached, %.0f without the cache", cached, plain)
	assert.Less(t, cached*3, plain)
}
