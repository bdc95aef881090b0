package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// The identities of the simulated cloud's catalog the tests act as.
var (
	demo  = magnum.Caller{UserID: sim.DemoUserID, UserName: "demo", ProjectID: sim.DemoProjectID, ProjectName: "demo", Roles: []string{"member"}}
	admin = magnum.Caller{UserID: sim.AdminUserID, UserName: "admin", ProjectID: sim.AdminProjectID, ProjectName: "admin", Roles: []string{"admin", "member"}}
	alt   = magnum.Caller{UserID: sim.AltUserID, UserName: "alt", ProjectID: sim.AltProjectID, ProjectName: "alt", Roles: []string{"member"}}
)

// noAuth maps the tokens "demo", "admin" and "alt" to those identities;
// requests without a token act as demo.
var noAuth = api.NoAuth{Default: demo, Tokens: map[string]magnum.Caller{"demo": demo, "admin": admin, "alt": alt}}

// noIdentity is noauth without a default identity: requests must carry
// identity headers.
var noIdentity = api.NoAuth{}

// withAuth replaces the test authenticator.
func withAuth(a api.Authenticator) api.Option { return api.WithAuthenticator(a) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newService starts the service on the embedded defaults in a temporary
// directory.
func newService(t testing.TB, opts ...magnum.Option) *magnum.Service {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts = append([]magnum.Option{magnum.WithDataDir(t.TempDir()), magnum.WithLogger(quiet),
		magnum.WithSyncInterval(200 * time.Millisecond)}, opts...)
	svc, err := magnum.New(ctx, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	return svc
}

// newServer serves the API over svc.
func newServer(t testing.TB, svc *magnum.Service, opts ...api.Option) *httptest.Server {
	t.Helper()
	opts = append([]api.Option{api.WithAuthenticator(noAuth), api.WithLogger(quiet)}, opts...)
	srv := httptest.NewServer(api.NewHandler(svc, opts...))
	t.Cleanup(srv.Close)
	return srv
}

// serviceClient is a gophercloud client of the API acting as the identity
// a token names.
func serviceClient(srv *httptest.Server, token, microversion string) *gophercloud.ServiceClient {
	provider := &gophercloud.ProviderClient{HTTPClient: *srv.Client()}
	provider.SetToken(token)
	return &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: srv.URL + "/v1/",
		Type: "container-infra", Microversion: microversion}
}

// call sends a raw request and returns the response and its JSON body.
type call struct {
	method, path, body string
	token              string
	// version is the microversion asked for, if any.
	version string
	// header holds headers to send; an empty value sends none.
	header map[string]string
}

type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

func do(t testing.TB, srv *httptest.Server, c call) response {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, srv.URL+c.path, body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("X-Auth-Token", c.token)
	}
	if c.version != "" {
		req.Header.Set("OpenStack-API-Version", "container-infra "+c.version)
	}
	for k, v := range c.header {
		if v != "" { // "" leaves the header out
			req.Header.Set(k, v)
		}
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	if len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(data, &out.body), "body: %s", data)
	}
	return out
}

// errorOf returns the first entry of a Magnum error body.
func errorOf(t testing.TB, r response) map[string]any {
	t.Helper()
	errs, ok := r.body["errors"].([]any)
	require.True(t, ok, "no errors in %s", r.raw)
	require.Len(t, errs, 1)
	return errs[0].(map[string]any)
}

// templateBody is a valid Kubernetes template body with fields replaced
// or added.
func templateBody(over map[string]any) string {
	b := map[string]any{"name": "k8s", "coe": "kubernetes", "image_id": "fedora-coreos-40",
		"external_network_id": "public", "flavor_id": "m1.small", "master_flavor_id": "m1.medium",
		"keypair_id": "default", "network_driver": "flannel", "docker_storage_driver": "overlay2",
		"labels": map[string]any{"kube_tag": "v1.30.1"}}
	for k, v := range over {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	data, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// fixture is a server with helpers to set resources up through the API.
type fixture struct {
	t   *testing.T
	srv *httptest.Server
}

func newFixture(t *testing.T, opts ...magnum.Option) *fixture {
	return &fixture{t: t, srv: newServer(t, newService(t, opts...))}
}

// do sends a request, failing the test unless the status is want.
func (f *fixture) do(want int, c call) response {
	f.t.Helper()
	r := do(f.t, f.srv, c)
	require.Equal(f.t, want, r.status, "%s %s: %s", c.method, c.path, r.raw)
	return r
}

// template creates a template as token and returns its UUID.
func (f *fixture) template(token string, over map[string]any) string {
	f.t.Helper()
	return f.do(http.StatusCreated, call{method: "POST", path: "/v1/clustertemplates", token: token,
		body: templateBody(over)}).body["uuid"].(string)
}

// cluster creates a cluster as token and returns its UUID.
func (f *fixture) cluster(token string, body map[string]any) string {
	f.t.Helper()
	data, err := json.Marshal(body)
	require.NoError(f.t, err)
	return f.do(http.StatusAccepted, call{method: "POST", path: "/v1/clusters", token: token, version: "1.10",
		body: string(data)}).body["uuid"].(string)
}

// wait polls a cluster until it leaves the in-progress statuses.
func (f *fixture) wait(token, uuid string) map[string]any {
	f.t.Helper()
	var last map[string]any
	require.Eventually(f.t, func() bool {
		last = f.do(http.StatusOK, call{method: "GET", path: "/v1/clusters/" + uuid, token: token, version: "latest"}).body
		return !strings.HasSuffix(last["status"].(string), "_IN_PROGRESS")
	}, 2*time.Minute, 50*time.Millisecond)
	return last
}

// running creates a template and a cluster of it as token, and waits
// until the cluster is built.
func (f *fixture) running(token string, body map[string]any) (template, cluster string) {
	f.t.Helper()
	template = f.template(token, nil)
	b := map[string]any{"name": "c1", "cluster_template_id": template}
	for k, v := range body {
		b[k] = v
	}
	cluster = f.cluster(token, b)
	cl := f.wait(token, cluster)
	require.Equal(f.t, "CREATE_COMPLETE", cl["status"], cl["status_reason"])
	return template, cluster
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonString(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}
