package ui

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/magnum"
)

// Prefix is the path the dashboard is served under.
const Prefix = "/ui/"

// Service is what the dashboard shows and acts through; *magnum.Service
// implements it. Every call checks the caller the request context carries
// against the service's policy.
type Service interface {
	ListClusters(ctx context.Context, o magnum.ListOptions) ([]magnum.Cluster, error)
	GetCluster(ctx context.Context, ident string) (*magnum.Cluster, error)
	CreateCluster(ctx context.Context, req magnum.ClusterCreate) (string, error)
	ResizeCluster(ctx context.Context, ident string, r magnum.Resize) (string, error)
	UpgradeCluster(ctx context.Context, ident string, u magnum.Upgrade) (string, error)
	DeleteCluster(ctx context.Context, ident string) error
	ListNodeGroups(ctx context.Context, clusterIdent string, o magnum.NodeGroupListOptions) ([]magnum.NodeGroup, error)
	ListClusterTemplates(ctx context.Context, o magnum.ListOptions) ([]magnum.ClusterTemplate, error)
	SignCertificate(ctx context.Context, clusterIdent, csrPEM, caType string) (*magnum.Certificate, error)
	ClientConfig(ctx context.Context, clusterIdent string, certPEM, keyPEM []byte) (*drivers.ClientConfig, error)
	GetQuota(ctx context.Context, projectID, resource string) (*magnum.Quota, error)
	ListQuotas(ctx context.Context, o magnum.QuotaListOptions) ([]magnum.Quota, error)
	Stats(ctx context.Context, projectID, typ string) (*magnum.Stats, error)
	ListMServices(ctx context.Context) ([]magnum.MService, error)
}

// Authenticator establishes the caller of a request, as the REST API's
// authenticators do (api.NoAuth and api.Keystone implement it): the
// dashboard hands it the request with the token of its session cookie in
// X-Auth-Token.
type Authenticator interface {
	Authenticate(r *http.Request) (magnum.Caller, error)
}

// Handler serves the dashboard under Prefix.
type Handler struct {
	svc      Service
	auth     Authenticator
	policy   magnum.Policy
	timeline *Timeline
	log      *slog.Logger
	pageSize int
	mux      *http.ServeMux
	origin   *http.CrossOriginProtection
	next     http.Handler // mux behind the origin check
	pages    *pages
}

// Option configures New.
type Option func(*Handler)

// WithAuthenticator sets how callers are identified; it should be the REST
// API's, so that both see the same callers. Without it every request is
// refused as unauthenticated.
func WithAuthenticator(a Authenticator) Option { return func(h *Handler) { h.auth = a } }

// WithPolicy sets the policy the dashboard consults to show or disable the
// buttons of actions; it should be the service's (magnum.DefaultRules by
// default). The service enforces its own policy on every action whatever
// the dashboard shows.
func WithPolicy(p magnum.Policy) Option { return func(h *Handler) { h.policy = p } }

// WithTimeline shows the events t recorded on the clusters' pages.
func WithTimeline(t *Timeline) Option { return func(h *Handler) { h.timeline = t } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithPageSize sets how many clusters a page of the list shows (default
// and largest 1000).
func WithPageSize(n int) Option {
	return func(h *Handler) { h.pageSize = min(max(n, 1), maxPageSize) }
}

// maxPageSize is the largest page of the cluster list, the service's
// largest page.
const maxPageSize = 1000

// New returns the dashboard over svc.
func New(svc Service, opts ...Option) *Handler {
	h := &Handler{svc: svc, auth: refuseAll{}, policy: magnum.DefaultRules(""), log: slog.Default(),
		pageSize: maxPageSize, mux: http.NewServeMux(), origin: http.NewCrossOriginProtection(), pages: loadPages()}
	for _, o := range opts {
		o(h)
	}
	h.origin.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, errForbiddenOrigin)
	}))
	h.routes()
	h.next = h.origin.Handler(h.mux)
	return h
}

// routes registers the pages and actions.
func (h *Handler) routes() {
	h.mux.Handle("GET "+Prefix+"static/", staticHandler())
	h.mux.HandleFunc("GET "+Prefix+"login", h.loginPage)
	h.mux.HandleFunc("POST "+Prefix+"login", h.login)
	h.mux.HandleFunc("POST "+Prefix+"logout", h.logout)
	h.handle("GET "+Prefix+"{$}", h.home)
	h.handle("GET "+Prefix+"clusters", h.clusterList)
	h.handle("GET "+Prefix+"clusters/rows", h.clusterRows)
	h.handle("GET "+Prefix+"clusters/new", h.newClusterPage)
	h.handle("POST "+Prefix+"clusters", h.createCluster)
	h.handle("GET "+Prefix+"clusters/{id}", h.clusterPage)
	h.handle("GET "+Prefix+"clusters/{id}/live", h.clusterLive)
	h.handle("GET "+Prefix+"clusters/{id}/config", h.clusterConfig)
	h.handle("POST "+Prefix+"clusters/{id}/resize", h.resizeCluster)
	h.handle("POST "+Prefix+"clusters/{id}/upgrade", h.upgradeCluster)
	h.handle("POST "+Prefix+"clusters/{id}/delete", h.deleteCluster)
	h.handle("GET "+Prefix+"templates", h.templateList)
	h.handle("GET "+Prefix+"quotas", h.quotaPage)
	h.handle("GET "+Prefix+"services", h.servicePage)
}

// handle registers a page or action that needs a caller; actions (POST)
// need the session's CSRF token too.
func (h *Handler) handle(pattern string, fn func(http.ResponseWriter, *http.Request, *session)) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s, ok := h.session(w, r)
		if !ok {
			return
		}
		if r.Method == http.MethodPost && !h.checkForm(w, r, s) {
			return
		}
		fn(w, r.WithContext(magnum.WithCaller(r.Context(), s.caller)), s)
	})
}

// ServeHTTP implements http.Handler: it sets the security headers of every
// response and refuses cross-origin actions before routing.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "same-origin")
	hdr.Set("Cache-Control", "no-store")
	h.next.ServeHTTP(w, r)
}

// contentSecurityPolicy lets pages load their scripts, styles and images
// from the dashboard only, and talk to nothing else.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
