package remote_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/magnum/magnumtest"
	"github.com/gomagnum/gomagnum/remote"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// serve starts a service with a fast conductor and serves its REST API
// on loopback, trusting identity headers as magnumd's noauth mode does.
func serve(t *testing.T) (*magnum.Service, *httptest.Server) {
	t.Helper()
	svc, err := magnum.New(context.Background(), magnum.WithDataDir(t.TempDir()), magnum.WithLogger(quiet),
		magnum.WithSyncInterval(50*time.Millisecond), magnum.WithProgressInterval(50*time.Millisecond),
		magnum.WithLease(2*time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { svc.Close() })
	require.NoError(t, svc.Heartbeat(context.Background()))
	srv := httptest.NewServer(api.NewHandler(svc, api.WithAuthenticator(api.NoAuth{}), api.WithLogger(quiet)))
	t.Cleanup(srv.Close)
	return svc, srv
}

// client is a remote client of srv acting as the caller of each
// request's context.
func client(srv *httptest.Server) *remote.Client {
	return remote.NewNoAuth(srv.URL+"/v1/", srv.Client(), remote.WithPollInterval(50*time.Millisecond))
}

// TestSuite runs the suite of magnum.API against magnumd's REST API
// through the remote client.
func TestSuite(t *testing.T) {
	magnumtest.Run(t, func(t *testing.T) magnum.API {
		_, srv := serve(t)
		return client(srv)
	})
}
