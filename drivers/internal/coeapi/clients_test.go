package coeapi_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers/internal/coeapi"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
)

// TestClusterClientKeepsConnections: the checks of a cluster whose
// credentials do not change reuse one connection (one TLS handshake);
// another cluster, or the same cluster with a rotated CA bundle, gets a
// client of its own, and a client made for credentials that changed is
// not used again.
func TestClusterClientKeepsConnections(t *testing.T) {
	pki := stacktest.NewPKI(t)
	var mu sync.Mutex
	conns := map[string]bool{} // client addresses: one per connection
	srv := pki.Server(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		conns[r.RemoteAddr] = true
		mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	rotated := pki.Credentials
	rotated.CACert = append(bytes.Clone(pki.CAPEM), pki.CAPEM...) // a bundle of other bytes

	a, b := t.Name()+"-a", t.Name()+"-b"
	for _, step := range []struct {
		name    string
		cluster string
		rotated bool
		conns   int
	}{
		{"first check", a, false, 1},
		{"second check", a, false, 1},
		{"third check", a, false, 1},
		{"another cluster", b, false, 2},
		{"a rotated CA", a, true, 3},
		{"the rotated CA again", a, true, 3},
		{"the old CA: its client was dropped", a, false, 4},
	} {
		creds := pki.Credentials
		if step.rotated {
			creds = rotated
		}
		c, err := coeapi.ClusterClient(step.cluster, creds, true)
		require.NoError(t, err, step.name)
		c.Timeout = 0 // the caller's copy
		body, err := coeapi.Get(context.Background(), c, srv.URL+"/")
		require.NoError(t, err, step.name)
		assert.Equal(t, "ok", string(body))
		mu.Lock()
		assert.Len(t, conns, step.conns, step.name)
		mu.Unlock()
	}
	again, err := coeapi.ClusterClient(a, pki.Credentials, true)
	require.NoError(t, err)
	assert.Equal(t, coeapi.DefaultTimeout, again.Timeout, "a caller's change of its copy stays in its copy")
}
