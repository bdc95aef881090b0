package openstack_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/openstack"
)

// This file is a small fake OpenStack: Keystone v3 (tokens with a
// catalog, projects, domains, users, role assignments, trusts), Glance
// v2, Nova v2.1, Neutron v2.0 and Octavia v2, each on its own httptest
// server as in a real cloud. The objects come from testdata/*.json in the
// services' own response shapes; the fakes filter, page and answer errors
// the way the real services do (status codes, error bodies, policies that
// the code under test runs into), as observed on Keystone 22 and taken
// from the services' API references.

// IDs of the fixtures.
const (
	demoProject   = "8f1e4bd0c6a94ad1a5f0b3a4c2d9e711"
	otherProject  = "2c7a9e0f5b8d4c3e9a1f6b2d8e4c7a05"
	magnumDomain  = "5e0a3c1f9d7b4e2a8c6f1b3d5e7a9c20"
	adminUser     = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
	aliceUser     = "a11ce0000000400080000000000000a1"
	bobUser       = "b0b000000000400080000000000000b0"
	adminRole     = "6f0e8f1c2b3a4d5e9f8a7b6c5d4e3f21"
	memberRole    = "4d3c2b1a0f9e48d7a6b5c4d3e2f1a0b9"
	readerRole    = "9a8b7c6d5e4f40312a1b0c9d8e7f6a5b"
	stackOwner    = "7e6d5c4b3a2940188f7e6d5c4b3a2918"
	clusterOne    = "3f0c8d2e-9b1a-4c7d-8e6f-5a4b3c2d1e0f"
	clusterTwo    = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	clusterBusy   = "8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f"
	clusterNone   = "00000000-1111-4222-8333-444444444444"
	fcosImage     = "0c5d3a9e-6f1b-4e2a-9c8d-7b6a5f4e3d21"
	cirrosImage   = "2e7f5c1a-8b3d-4a4c-9e0f-9d8c7b6a5f43"
	communityImg  = "51a28f4d-be60-4d7f-8b3c-2a1f0e9d8c76"
	hiddenImage   = "62b3905e-cf71-4e80-9c4d-3b2a1f0e9d87"
	publicNet     = "e1c0ffee-0000-4000-8000-000000000001"
	privateNet    = "9f1e0000-0000-4000-8000-000000000010"
	privateSubnet = "5b0c0000-0000-4000-8000-000000000010"
	missingUUID   = "deadbeef-0000-4000-8000-00000000dead"
)

type object = map[string]any

// fixtures are the objects of testdata/*.json.
type fixtures struct {
	Domains         []object `json:"domains"`
	Projects        []object `json:"projects"`
	Roles           []object `json:"roles"`
	Users           []object `json:"users"`
	RoleAssignments []object `json:"role_assignments"`
	Images          []object `json:"images"`
	Flavors         []object `json:"flavors"`
	Keypairs        []object `json:"keypairs"`
	Networks        []object `json:"networks"`
	Subnets         []object `json:"subnets"`
	FloatingIPs     []object `json:"floatingips"`
	LoadBalancers   []object `json:"loadbalancers"`
}

func loadFixtures(t testing.TB) fixtures {
	t.Helper()
	var fx fixtures
	for _, name := range []string{"keystone", "glance", "nova", "neutron", "octavia"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &fx), name)
	}
	return fx
}

// session is what a token stands for.
type session struct{ user, project string }

// fault is an error a fake answers instead of the real handler, after
// letting skip requests through.
type fault struct {
	status  int
	message string
	skip    int
}

type fakeCloud struct {
	t  testing.TB
	mu sync.Mutex // held for every request
	fx fixtures

	trusts  []object
	tokens  map[string]session
	calls   []string         // "glance GET /v2/images?name=x", in order
	faults  map[string]fault // by "METHOD /path"
	lbPolls map[string]int   // load balancers in PENDING_DELETE: lists left before they go; <0 never

	pageSize      int // Glance limit_param_default, Nova and Octavia page size
	deleteLBAfter int
	without       []string // service types left out of the catalog

	servers   map[string]*httptest.Server // by service type
	elsewhere *httptest.Server            // endpoints of other regions and interfaces
}

type fakeOption func(*fakeCloud)

// without leaves service types out of the catalog.
func without(types ...string) fakeOption {
	return func(f *fakeCloud) { f.without = append(f.without, types...) }
}

// lbGoneAfter sets how many load-balancer lists a deleted load balancer
// still shows up in (as PENDING_DELETE); negative means forever.
func lbGoneAfter(n int) fakeOption { return func(f *fakeCloud) { f.deleteLBAfter = n } }

// pageSize sets the page size of the paginated lists.
func pageSize(n int) fakeOption { return func(f *fakeCloud) { f.pageSize = n } }

func newFake(t testing.TB, opts ...fakeOption) *fakeCloud {
	t.Helper()
	f := &fakeCloud{
		t: t, fx: loadFixtures(t),
		tokens: map[string]session{}, faults: map[string]fault{}, lbPolls: map[string]int{},
		pageSize: 2, deleteLBAfter: 1, servers: map[string]*httptest.Server{},
	}
	for _, o := range opts {
		o(f)
	}
	for _, lb := range f.fx.LoadBalancers {
		if lb["provisioning_status"] == "PENDING_DELETE" {
			f.lbPolls[lb["id"].(string)] = f.deleteLBAfter
		}
	}
	f.elsewhere = httptest.NewServer(f.elsewhereHandler())
	t.Cleanup(f.elsewhere.Close)
	for _, s := range f.services() {
		srv := httptest.NewServer(f.serve(s))
		t.Cleanup(srv.Close)
		f.servers[s.typ] = srv
	}
	return f
}

// api describes one fake service.
type api struct {
	typ, name, path string // catalog type and name, path of the endpoint
	routes          func(*http.ServeMux)
	fail            func(w http.ResponseWriter, status int, typ, msg string)
}

func (f *fakeCloud) services() []api {
	return []api{
		{"identity", "keystone", "/v3", f.keystoneRoutes, keystoneError},
		{"image", "glance", "", f.glanceRoutes, glanceError},
		{"compute", "nova", "/v2.1", f.novaRoutes, novaError},
		{"network", "neutron", "", f.neutronRoutes, neutronError},
		{"load-balancer", "octavia", "", f.octaviaRoutes, octaviaError},
	}
}

// serve records the call, checks the token and applies faults.
func (f *fakeCloud) serve(s api) http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls = append(f.calls, s.name+" "+r.Method+" "+r.URL.RequestURI())
		key := r.Method + " " + r.URL.Path
		public := r.URL.Path == "/" || key == "POST /v3/auth/tokens"
		if _, ok := f.tokens[r.Header.Get("X-Auth-Token")]; !ok && !public {
			authError(w) // keystonemiddleware answers before any service
			return
		}
		if fl, ok := f.faults[key]; ok {
			if fl.skip == 0 {
				s.fail(w, fl.status, "", fl.message)
				return
			}
			fl.skip--
			f.faults[key] = fl
		}
		mux.ServeHTTP(w, r)
	})
}

// elsewhereHandler answers version discovery and records every other
// request: it stands for the endpoints of another region or interface.
func (f *fakeCloud) elsewhereHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.URL.Path == "/" {
			writeJSON(w, http.StatusOK, object{"versions": []object{{"id": "v2.0", "status": "CURRENT", "links": []object{}}}})
			return
		}
		f.calls = append(f.calls, "elsewhere "+r.Method+" "+r.URL.RequestURI())
		writeJSON(w, http.StatusNotFound, object{"message": "this endpoint is in another region"})
	})
}

// fail makes the fake answer status with msg to every METHOD /path.
func (f *fakeCloud) fail(method, path string, status int, msg string) {
	f.failAfter(method, path, 0, status, msg)
}

// failAfter is fail once skip requests went through.
func (f *fakeCloud) failAfter(method, path string, skip, status int, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method+" "+path] = fault{status, msg, skip}
}

// callsTo returns the recorded calls starting with prefix
// ("glance GET /v2/images").
func (f *fakeCloud) callsTo(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// count returns how many recorded calls are exactly call.
func (f *fakeCloud) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

// resetCalls forgets the recorded calls.
func (f *fakeCloud) resetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

func (f *fakeCloud) url(typ string) string { return f.servers[typ].URL }

// provider authenticates user (in the Default domain) on the demo project.
func (f *fakeCloud) provider(t testing.TB, user, password string) *gophercloud.ProviderClient {
	t.Helper()
	p, err := gopenstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
		IdentityEndpoint: f.url("identity") + "/v3/",
		Username:         user, Password: password, DomainID: "default",
		Scope: &gophercloud.AuthScope{ProjectID: demoProject},
	})
	require.NoError(t, err)
	return p
}

// quiet discards the logs of the Clouds under test.
var quiet = slog.New(slog.DiscardHandler)

// cloud returns a Cloud acting as the admin user.
func (f *fakeCloud) cloud(t testing.TB, opts ...openstack.Option) *openstack.Cloud {
	t.Helper()
	opts = append([]openstack.Option{openstack.WithLogger(quiet)}, opts...)
	c, err := openstack.New(context.Background(), f.provider(t, "admin", "secret"), opts...)
	require.NoError(t, err)
	return c
}

// ---- shared helpers of the fakes

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func authError(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, object{"error": object{
		"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}})
}

func keystoneError(w http.ResponseWriter, status int, _, msg string) {
	writeJSON(w, status, object{"error": object{"code": status, "message": msg, "title": http.StatusText(status)}})
}

// glanceError writes the HTML page of webob that Glance answers with.
func glanceError(w http.ResponseWriter, status int, _, msg string) {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n  <h1>%s</h1>\n  %s<br /><br />\n\n\n\n </body>\n</html>", title, title, msg)
}

func novaError(w http.ResponseWriter, status int, _, msg string) {
	key := map[int]string{400: "badRequest", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest"}[status]
	if key == "" {
		key = "computeFault"
	}
	writeJSON(w, status, object{key: object{"code": status, "message": msg}})
}

func neutronError(w http.ResponseWriter, status int, typ, msg string) {
	if typ == "" {
		typ = map[int]string{403: "PolicyNotAuthorized", 404: "NotFound", 409: "Conflict"}[status]
	}
	if typ == "" {
		typ = "HTTPInternalServerError"
	}
	writeJSON(w, status, object{"NeutronError": object{"type": typ, "message": msg, "detail": ""}})
}

func octaviaError(w http.ResponseWriter, status int, _, msg string) {
	code := "Client"
	if status >= 500 {
		code = "Server"
	}
	writeJSON(w, status, object{"faultcode": code, "faultstring": msg, "debuginfo": nil})
}

// find returns the first object whose field key equals value.
func find(objs []object, key, value string) object {
	for _, o := range objs {
		if o[key] == value {
			return o
		}
	}
	return nil
}

// page cuts objs after marker (an ID) to at most limit objects and
// reports whether more follow.
func page(objs []object, r *http.Request, defaultLimit int) ([]object, bool) {
	limit := defaultLimit
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 {
		limit = v
	}
	if marker := r.URL.Query().Get("marker"); marker != "" {
		i := slices.IndexFunc(objs, func(o object) bool { return o["id"] == marker })
		objs = objs[i+1:]
	}
	if len(objs) > limit {
		return objs[:limit], true
	}
	return objs, false
}

// nextURL is the URL of the page after last, keeping the other parameters.
func nextURL(base string, r *http.Request, last object, limit int) string {
	q := r.URL.Query()
	q.Set("marker", last["id"].(string))
	if q.Get("limit") == "" {
		q.Set("limit", strconv.Itoa(limit))
	}
	return base + r.URL.Path + "?" + q.Encode()
}

// matches applies Neutron-style attribute filters: every query parameter
// not about paging must equal the attribute (booleans as Neutron parses
// them; repeated parameters mean any of them).
func matches(o object, r *http.Request, skip ...string) bool {
	for key, values := range r.URL.Query() {
		if slices.Contains(skip, key) {
			continue
		}
		if !slices.ContainsFunc(values, func(v string) bool { return attrEquals(o[key], v) }) {
			return false
		}
	}
	return true
}

func attrEquals(attr any, v string) bool {
	if b, ok := attr.(bool); ok {
		parsed, err := strconv.ParseBool(v)
		return err == nil && parsed == b
	}
	s, ok := attr.(string)
	return ok && s == v
}

func versions(w http.ResponseWriter, status int, base string, ids ...string) {
	var vs []object
	for i, id := range ids {
		st := "SUPPORTED"
		if i == 0 {
			st = "CURRENT"
		}
		vs = append(vs, object{"id": id, "status": st, "links": []object{{"rel": "self", "href": base + "/" + id + "/"}}})
	}
	writeJSON(w, status, object{"versions": vs})
}

func baseURL(r *http.Request) string { return "http://" + r.Host }

func stamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }
