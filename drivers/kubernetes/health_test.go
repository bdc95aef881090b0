package kubernetes_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

// apiServer answers as a Kubernetes API server does: /healthz in text and
// /api/v1/nodes as a NodeList.
func apiServer(healthz string, ready map[string]string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		if healthz != "ok" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		fmt.Fprint(w, healthz)
	})
	mux.HandleFunc("GET /api/v1/nodes", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"NodeList","apiVersion":"v1","items":[`)
		i := 0
		for name, status := range ready {
			if i > 0 {
				fmt.Fprint(w, ",")
			}
			i++
			fmt.Fprintf(w, `{"metadata":{"name":%q},"status":{"conditions":[`+
				`{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":%q}]}}`, name, status)
		}
		fmt.Fprint(w, `]}`)
	})
	return mux
}

func TestHealth(t *testing.T) {
	pki := stacktest.NewPKI(t)
	other := stacktest.NewPKI(t)
	d := kubernetes.New(kubernetes.WithHealthTimeout(5 * time.Second))
	healthy := pki.Server(t, apiServer("ok", map[string]string{"master-0": "True", "node-0": "True"}))
	notReady := pki.Server(t, apiServer("ok", map[string]string{"master-0": "True", "node-0": "False"}))
	failing := pki.Server(t, apiServer("[-]etcd failed", map[string]string{"master-0": "True"}))
	down := pki.Server(t, apiServer("ok", nil))
	down.Close()
	foreign := other.Server(t, apiServer("ok", map[string]string{"master-0": "True"}))

	tests := []struct {
		name   string
		url    string
		creds  drivers.Credentials
		status drivers.HealthStatus
		reason map[string]string
		api    string
	}{
		{"healthy", healthy.URL, pki.Credentials, drivers.Healthy,
			map[string]string{"api": "ok", "master-0.Ready": "True", "node-0.Ready": "True"}, ""},
		{"one node not ready", notReady.URL, pki.Credentials, drivers.Unhealthy,
			map[string]string{"api": "ok", "master-0.Ready": "True", "node-0.Ready": "False"}, ""},
		{"healthz failing", failing.URL, pki.Credentials, drivers.Unhealthy, nil, "[-]etcd failed"},
		{"api down", down.URL, pki.Credentials, drivers.Unhealthy, nil, "connect"},
		{"server of another CA", foreign.URL, pki.Credentials, drivers.Unhealthy, nil, "certificate"},
		{"client certificate refused", healthy.URL, drivers.Credentials{CACert: pki.CAPEM, ClientCert: other.Credentials.ClientCert, ClientKey: other.Credentials.ClientKey},
			drivers.Unhealthy, nil, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cluster(defaultOptions)
			c.APIAddress = tt.url
			h, err := d.Health(ctx, c, tt.creds)
			require.NoError(t, err)
			assert.Equal(t, tt.status, h.Status)
			if tt.reason != nil {
				assert.Equal(t, tt.reason, h.Reason)
			}
			assert.Contains(t, h.Reason["api"], tt.api)
		})
	}
}

func TestHealthNotAccessible(t *testing.T) {
	d := kubernetes.New()
	for _, o := range []stacktest.Options{{Masters: 1, TLS: true}, {Masters: 1, LB: true, FloatingIP: true, TLS: true}} {
		c := cluster(o)
		c.APIAddress = "https://10.0.0.5:6443"
		if o.LB {
			c.Labels["master_lb_floating_ip_enabled"] = "false"
		}
		h, err := d.Health(ctx, c, drivers.Credentials{})
		require.NoError(t, err)
		assert.Equal(t, drivers.Unknown, h.Status)
		assert.Equal(t, "The cluster "+c.Name+" is not accessible.", h.Reason["api"])
	}
}

func TestHealthErrors(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	c.APIAddress = "https://127.0.0.1:1"
	_, err := d.Health(ctx, c, drivers.Credentials{CACert: []byte("not a pem")})
	require.ErrorIs(t, err, drivers.ErrInvalid)

	c.Labels["auto_healing_enabled"] = "true"
	_, err = d.Health(ctx, c, drivers.Credentials{})
	require.ErrorIs(t, err, drivers.ErrNotSupported)

	pki := stacktest.NewPKI(t)
	srv := pki.Server(t, apiServer("ok", nil))
	c = cluster(defaultOptions)
	c.APIAddress = srv.URL
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = d.Health(cancelled, c, pki.Credentials)
	require.Error(t, err)
}
