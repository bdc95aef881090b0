package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
)

// gather returns the metric families of a registry by name.
func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := api.NewMetrics(reg)
	require.NoError(t, err)
	svc := newService(t, magnum.WithSyncObserver(m.SyncObserver()))
	require.NoError(t, m.WatchClusters(svc, quiet))
	f := &fixture{t: t, srv: newServer(t, svc, api.WithMetrics(m))}
	_, cluster := f.running("", nil)
	f.do(404, call{method: "GET", path: "/v1/clusters/nope"})
	f.do(404, call{method: "GET", path: "/v1/nowhere"})

	fams := gather(t, reg)
	requests := map[string]float64{}
	for _, metric := range fams["magnum_api_requests_total"].GetMetric() {
		l := labelsOf(metric)
		requests[l["method"]+" "+l["route"]+" "+l["code"]] = metric.GetCounter().GetValue()
	}
	assert.Equal(t, 1.0, requests["POST POST /v1/clustertemplates 201"])
	assert.Equal(t, 1.0, requests["POST POST /v1/clusters 202"])
	assert.Equal(t, 1.0, requests["GET GET /v1/clusters/{cluster} 404"], "routes are labelled by pattern, not path")
	assert.Equal(t, 1.0, requests["GET unmatched 404"])
	assert.GreaterOrEqual(t, requests["GET GET /v1/clusters/{cluster} 200"], 1.0)

	for _, metric := range fams["magnum_api_request_duration_seconds"].GetMetric() {
		assert.Positive(t, metric.GetHistogram().GetSampleCount())
	}
	clusters := map[string]float64{}
	for _, metric := range fams["magnum_clusters"].GetMetric() {
		clusters[labelsOf(metric)["status"]] = metric.GetGauge().GetValue()
	}
	assert.Equal(t, 1.0, clusters["CREATE_COMPLETE"], "cluster %s", cluster)
	assert.Equal(t, 0.0, clusters["CREATE_FAILED"])
	assert.Positive(t, fams["magnum_conductor_sync_pass_duration_seconds"].GetMetric()[0].GetHistogram().GetSampleCount(),
		"the service reports its sync passes")

	_, err = api.NewMetrics(reg)
	assert.Error(t, err, "metrics register once per registry")
}

func TestRequestIDsInLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	srv := newServer(t, newService(t), api.WithLogger(log))
	r := do(t, srv, call{method: "GET", path: "/v1/clusters/nope"})
	id := r.header.Get("X-OpenStack-Request-Id")
	require.NotEmpty(t, id)
	assert.Contains(t, buf.String(), `"request_id":"`+id+`"`)
	assert.Contains(t, buf.String(), `"route":"GET /v1/clusters/{cluster}"`)

	buf.Reset()
	wrapped := slog.New(api.LogHandler(slog.NewJSONHandler(&buf, nil)))
	ctx := context.Background()
	wrapped.InfoContext(ctx, "no request")
	assert.NotContains(t, buf.String(), "request_id")
}

func TestNoAuthIdentities(t *testing.T) {
	srv := newServer(t, newService(t), withAuth(noIdentity))
	hdr := map[string]string{"X-User-Id": demo.UserID, "X-Project-Id": demo.ProjectID, "X-Roles": "member"}
	r := do(t, srv, call{method: "POST", path: "/v1/clustertemplates", header: hdr, body: templateBody(nil)})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	assert.Equal(t, demo.ProjectID, r.body["project_id"])
	assert.Equal(t, demo.UserID, r.body["user_id"])

	r = do(t, srv, call{method: "GET", path: "/v1/mservices", header: hdr})
	assert.Equal(t, http.StatusForbidden, r.status)
	hdr["X-Roles"] = " member , admin "
	r = do(t, srv, call{method: "GET", path: "/v1/mservices", header: hdr})
	assert.Equal(t, http.StatusOK, r.status, "roles are a comma list")

	srv = newServer(t, newService(t)) // tokens name identities, headers override
	r = do(t, srv, call{method: "GET", path: "/v1/mservices", token: "admin"})
	assert.Equal(t, http.StatusOK, r.status)
	r = do(t, srv, call{method: "GET", path: "/v1/mservices", token: "admin", header: map[string]string{"X-Roles": "member"}})
	assert.Equal(t, http.StatusForbidden, r.status)
}

// TestNoAuthTokens: a token selects a configured identity, a token that
// names none is refused as keystonemiddleware refuses a bad one, and the
// placeholder keystoneauth's "none" auth type sends counts as no token.
func TestNoAuthTokens(t *testing.T) {
	srv := newServer(t, newService(t)) // tokens demo, admin, alt; no token acts as demo
	tests := []struct {
		name    string
		token   string
		header  map[string]string
		status  int
		project string
	}{
		{name: "named token", token: "alt", status: http.StatusOK, project: alt.ProjectID},
		{name: "no token", status: http.StatusOK, project: demo.ProjectID},
		{name: "keystoneauth's none placeholder", token: "notused", status: http.StatusOK, project: demo.ProjectID},
		{name: "unknown token", token: "guessed", status: http.StatusUnauthorized},
		{name: "unknown token with identity headers", token: "guessed", status: http.StatusUnauthorized,
			header: map[string]string{"X-User-Id": admin.UserID, "X-Project-Id": admin.ProjectID, "X-Roles": "admin"}},
		{name: "token of another case", token: "Admin", status: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, call{method: "POST", path: "/v1/clustertemplates", token: tt.token, header: tt.header,
				body: templateBody(map[string]any{"keypair_id": nil})}) // alt has no keypair
			if tt.status == http.StatusUnauthorized {
				require.Equal(t, tt.status, r.status, r.raw)
				assert.JSONEq(t, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`, r.raw)
				assert.Equal(t, `Keystone uri=""`, r.header.Get("WWW-Authenticate"))
				return
			}
			require.Equal(t, http.StatusCreated, r.status, r.raw)
			assert.Equal(t, tt.project, r.body["project_id"])
		})
	}
}
