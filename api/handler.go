package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// Service is what the handler serves; *magnum.Service implements it.
type Service interface {
	templates
	clusters
	actions
	nodeGroups
	certificates
	credentials
	quotas
	serviceInfo
	federations
	revisions
}

// Handler serves Magnum's v1 REST API over a Service.
type Handler struct {
	svc         Service
	auth        Authenticator
	log         *slog.Logger
	metrics     *Metrics
	maxLimit    int
	disableFile string
	router      router
	views       *viewCache // nil: no cache
	readLevel   slog.Level // of the access-log lines of successful reads
}

// Option configures NewHandler.
type Option func(*Handler)

// WithAuthenticator sets how callers are identified; by default NoAuth
// with no default identity (identity headers required).
func WithAuthenticator(a Authenticator) Option { return func(h *Handler) { h.auth = a } }

// WithLogger sets the logger; its records carry the request_id of the
// request they are logged for.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithMetrics records every request in m.
func WithMetrics(m *Metrics) Option { return func(h *Handler) { h.metrics = m } }

// WithMaxLimit sets the page size of lists without a limit and the largest
// one (1000); it must match the service's magnum.WithMaxLimit, since the
// next link depends on it.
func WithMaxLimit(n int) Option { return func(h *Handler) { h.maxLimit = n } }

// WithHealthcheckDisableFile makes /healthcheck answer 503 while the file
// exists, to take an instance out of a load balancer.
func WithHealthcheckDisableFile(path string) Option { return func(h *Handler) { h.disableFile = path } }

// NewHandler returns the REST API over svc.
func NewHandler(svc Service, opts ...Option) *Handler {
	h := &Handler{svc: svc, auth: NoAuth{}, log: slog.Default(), maxLimit: 1000,
		views: newViewCache(DefaultViewCacheBytes), readLevel: slog.LevelDebug}
	for _, o := range opts {
		o(h)
	}
	h.log = withRequestIDs(h.log)
	h.routes()
	return h
}

// routes registers every endpoint, one resource file each.
func (h *Handler) routes() {
	h.router.handle("GET /", "get", h.getV1, public())
	h.templateRoutes()
	h.clusterRoutes()
	h.actionRoutes()
	h.nodeGroupRoutes()
	h.certificateRoutes()
	h.credentialRoutes()
	h.quotaRoutes()
	h.statsRoutes()
	h.mserviceRoutes()
	h.federationRoutes()
	h.bayRoutes()
	h.baymodelRoutes()
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	w.Header()[canonicalRequestIDHeader] = []string{id}
	r = r.WithContext(withRequestID(r.Context(), id))
	rec := &statusRecorder{ResponseWriter: w}
	name := h.dispatch(rec, r)
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	elapsed := time.Since(start)
	if h.metrics != nil {
		h.metrics.observe(name, r.Method, rec.status, elapsed)
	}
	h.accessLog(r, name, rec, elapsed)
}

// dispatch serves a request and returns the name of the route that served
// it, for metrics.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request) string {
	switch r.URL.Path {
	case "/":
		h.getRoot(w, r)
		return "GET /"
	case "/healthcheck":
		h.healthcheck(w, r)
		return "GET /healthcheck"
	}
	segs := splitPath(r.URL.Path)
	if len(segs) == 0 || segs[0] != "v1" {
		segs = append([]string{"v1"}, segs...)
	}
	rt, others := h.router.match(r, segs[1:])
	if r.Method == http.MethodOptions {
		answerOptions(w, r, others)
		return "OPTIONS"
	}
	// The caller and the version go into the request's context together,
	// in one copy of the request: the answers before the route's need
	// neither.
	ctx := r.Context()
	if rt == nil || !rt.public {
		var ok bool
		if ctx, ok = h.authenticate(w, r); !ok {
			return "unauthenticated"
		}
	}
	v, err := parseVersion(r.Header)
	if err != nil {
		writeRoutingError(w, r, http.StatusNotAcceptable, err.Error())
		return "unmatched"
	}
	if !supported(v) {
		writeUnsupportedVersion(w, r, v)
		return "unmatched"
	}
	if rt == nil {
		writeUnrouted(w, r, v, others)
		return "unmatched"
	}
	if !rt.serves(v) {
		writeNotServed(w, r, v, rt.api)
		return rt.name
	}
	setVersionHeaders(w.Header(), v)
	rt.handle(w, r.WithContext(withVersion(ctx, v)))
	return rt.name
}

// writeUnrouted answers a request no route serves, given the routes of
// its path with other methods: 405 with their Allow header, 406 when none
// of them serves the microversion, 404 when there are none. As Magnum's,
// the body says no more than the status.
func writeUnrouted(w http.ResponseWriter, r *http.Request, v Version, others []*route) {
	if len(others) == 0 {
		writeRoutingError(w, r, http.StatusNotFound, "")
		return
	}
	allow, ok := allowed(others, v)
	if !ok {
		writeNotServed(w, r, v, others[0].api)
		return
	}
	w.Header().Set("Allow", allow)
	writeRoutingError(w, r, http.StatusMethodNotAllowed, "")
}

// writeNotServed answers 406 for an API, named as Magnum's controller
// method, that microversion v does not have.
func writeNotServed(w http.ResponseWriter, r *http.Request, v Version, api string) {
	writeRoutingError(w, r, http.StatusNotAcceptable, fmt.Sprintf(
		"Version %s was requested but the requested API %s is not supported for this version.", v, api))
}

// answerOptions answers OPTIONS as Magnum's CORS middleware does, 200
// without a body on any path, before authentication, and adds the Allow
// header (RFC 9110) of the path's methods at the requested microversion.
func answerOptions(w http.ResponseWriter, r *http.Request, routes []*route) {
	allow := ""
	if v, err := parseVersion(r.Header); err == nil {
		allow, _ = allowed(routes, v)
	}
	writeOptions(w, allow)
}

// writeOptions writes the answer to OPTIONS: 200, the Allow header when
// allow lists methods, no body.
func writeOptions(w http.ResponseWriter, allow string) {
	if allow != "" {
		w.Header().Set("Allow", allow)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// authenticate puts the caller of a request in its context, or answers
// 401 (503 when the identity service cannot be reached).
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (context.Context, bool) {
	c, err := h.auth.Authenticate(r)
	switch {
	case err == nil:
		return magnum.WithCaller(r.Context(), c), true
	case isUnauthorized(err):
		writeUnauthorized(w)
	default:
		h.log.ErrorContext(r.Context(), "authenticating request", slog.Any("error", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]any{
			"code": http.StatusServiceUnavailable, "title": "Service Unavailable",
			"message": "The server is currently unavailable. Please try again at a later time.",
		}})
	}
	return nil, false
}

// healthcheck answers load balancers as oslo.middleware's healthcheck does.
func (h *Handler) healthcheck(w http.ResponseWriter, r *http.Request) {
	status, body := http.StatusOK, "OK"
	if h.disableFile != "" {
		if _, err := os.Stat(h.disableFile); err == nil {
			status, body = http.StatusServiceUnavailable, "DISABLED BY FILE"
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = strings.NewReader(body).WriteTo(w)
	}
}
