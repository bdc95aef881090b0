package ui_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/ui"
)

// The identities the tests act as: the simulated cloud's users, and a
// reader of demo's project.
var (
	demo   = magnum.Caller{UserID: sim.DemoUserID, UserName: "demo", ProjectID: sim.DemoProjectID, ProjectName: "demo", Roles: []string{"member"}}
	admin  = magnum.Caller{UserID: sim.AdminUserID, UserName: "admin", ProjectID: sim.AdminProjectID, ProjectName: "admin", Roles: []string{"admin", "member"}}
	alt    = magnum.Caller{UserID: sim.AltUserID, UserName: "alt", ProjectID: sim.AltProjectID, ProjectName: "alt", Roles: []string{"member"}}
	reader = magnum.Caller{UserID: "0d5bcbd2b9a44d38ab3cbd1d34e12a10", UserName: "reader", ProjectID: sim.DemoProjectID, ProjectName: "demo", Roles: []string{"reader"}}
)

// noAuth is the REST API's noauth authenticator with a token per identity
// and demo by default.
var noAuth = api.NoAuth{Default: demo, Tokens: map[string]magnum.Caller{"demo": demo, "admin": admin, "alt": alt, "reader": reader}}

var quiet = slog.New(slog.DiscardHandler)

func as(c magnum.Caller) context.Context { return magnum.WithCaller(context.Background(), c) }

// newService starts the service on the embedded defaults; builds are
// quick.
func newService(t testing.TB, opts ...magnum.Option) *magnum.Service {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts = append([]magnum.Option{magnum.WithDataDir(t.TempDir()), magnum.WithLogger(quiet),
		magnum.WithSyncInterval(50 * time.Millisecond), magnum.WithProgressInterval(50 * time.Millisecond)}, opts...)
	svc, err := magnum.New(ctx, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	return svc
}

// newServer serves the dashboard over svc.
func newServer(t testing.TB, svc ui.Service, opts ...ui.Option) *httptest.Server {
	t.Helper()
	opts = append([]ui.Option{ui.WithAuthenticator(noAuth), ui.WithLogger(quiet)}, opts...)
	srv := httptest.NewServer(ui.New(svc, opts...))
	t.Cleanup(srv.Close)
	return srv
}

// template creates demo's Kubernetes template "k8s", public so that every
// project may use it.
func template(t testing.TB, svc *magnum.Service) *magnum.ClusterTemplate {
	t.Helper()
	ct, err := svc.CreateClusterTemplate(as(admin), magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small",
		MasterFlavorID: "m1.medium", NetworkDriver: "flannel", Public: true, Labels: map[string]string{"kube_tag": "v1.30.1"}}})
	require.NoError(t, err)
	return ct
}

// browser is a client of the dashboard with a cookie jar, acting as the
// identity of its token (the default one without).
type browser struct {
	t   testing.TB
	srv *httptest.Server
	c   *http.Client
}

func newBrowser(t testing.TB, srv *httptest.Server, token string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b := &browser{t: t, srv: srv, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	if token != "" {
		page := b.get("/ui/login")
		resp := b.post("/ui/login", url.Values{"token": {token}, "csrf_token": {csrfOf(t, page.body)}}, nil)
		require.Equal(t, http.StatusSeeOther, resp.status, resp.body)
	}
	return b
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.srv.URL+path, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

// post sends a form, with extra headers.
func (b *browser) post(path string, form url.Values, header map[string]string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return b.do(req)
}

// action posts a form of a page, with the page's CSRF token.
func (b *browser) action(from, path string, form url.Values) page {
	b.t.Helper()
	p := b.get(from)
	require.Equal(b.t, http.StatusOK, p.status, p.body)
	form.Set("csrf_token", csrfOf(b.t, p.body))
	return b.post(path, form, nil)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(body)
	require.NotNil(t, m, "no CSRF token in %s", body)
	return m[1]
}

// noDefault is noauth without a default identity: only tokens sign in.
var noDefault = api.NoAuth{Tokens: noAuth.Tokens}

func withAuth(a ui.Authenticator) ui.Option { return ui.WithAuthenticator(a) }
