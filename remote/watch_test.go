package remote_test

import (
	"context"
	"iter"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/magnum/magnumtest"
	"github.com/gomagnum/gomagnum/remote"
)

// startCluster creates a cluster through a remote client of srv, as the
// demo user; it returns the client, the demo user's context and the
// cluster's UUID.
func startCluster(t *testing.T, srv *httptest.Server) (*remote.Client, context.Context, string) {
	c := client(srv)
	ctx := magnumtest.As(t, magnumtest.Demo)
	tmpl, err := c.CreateClusterTemplate(ctx, magnumtest.K8sTemplate("k8s"))
	require.NoError(t, err)
	id, err := c.CreateCluster(ctx, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: tmpl.UUID})
	require.NoError(t, err)
	return c, ctx, id
}

// TestWatchCluster follows a remote cluster from its snapshot through its
// build to its deletion, and a project's watch sees the same cluster.
func TestWatchCluster(t *testing.T) {
	_, srv := serve(t)
	c, ctx, id := startCluster(t, srv)

	projectCtx, stop := context.WithCancel(ctx)
	defer stop()
	seen := make(chan magnum.Change, 1000)
	go func() {
		defer close(seen)
		for ch, err := range c.Watch(projectCtx, magnum.WatchFilter{}) {
			if err != nil {
				return
			}
			seen <- ch
		}
	}()

	var statuses []magnum.Status
	var last int64
	for ch, err := range c.WatchCluster(ctx, id) {
		require.NoError(t, err)
		assert.Greater(t, ch.Seq, last)
		last = ch.Seq
		if ch.Cluster == nil {
			continue
		}
		if len(statuses) == 0 {
			assert.Equal(t, magnum.ClusterSnapshot, ch.Kind)
		}
		if n := len(statuses); n == 0 || statuses[n-1] != ch.Cluster.Status {
			statuses = append(statuses, ch.Cluster.Status)
		}
		if ch.Cluster.Status == magnum.CreateComplete {
			require.NoError(t, c.DeleteCluster(ctx, id))
		}
		if ch.Kind == magnum.ClusterDeleted {
			break
		}
	}
	require.NotEmpty(t, statuses)
	assert.Equal(t, magnum.DeleteComplete, statuses[len(statuses)-1])
	assert.Contains(t, statuses, magnum.CreateComplete)
	assert.True(t, isSubsequence(statuses, []magnum.Status{magnum.CreateInProgress, magnum.CreateComplete,
		magnum.DeleteInProgress, magnum.DeleteComplete}), "states in order: %v", statuses)

	timeout := time.After(30 * time.Second)
	for deleted := false; !deleted; {
		select {
		case ch, open := <-seen:
			require.True(t, open, "the project's watch ended early")
			deleted = ch.Kind == magnum.ClusterDeleted && ch.ClusterUUID == id
		case <-timeout:
			t.Fatal("the project's watch did not see the cluster go")
		}
	}
}

// isSubsequence reports whether got lists some of want, in want's order.
func isSubsequence(got, want []magnum.Status) bool {
	i := 0
	for _, st := range got {
		for i < len(want) && want[i] != st {
			i++
		}
		if i == len(want) {
			return false
		}
	}
	return true
}

// TestWatchEndsOnCancel cancels remote watches: each ends with the
// context's error and leaves no goroutine behind.
func TestWatchEndsOnCancel(t *testing.T) {
	svc, srv := serve(t)
	_, ctx, id := startCluster(t, srv)
	_, err := svc.WaitCluster(ctx, id)
	require.NoError(t, err)
	srv.Client().CloseIdleConnections()
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// Connections kept alive would outlive the wait by design.
	c := remote.NewNoAuth(srv.URL+"/v1/", &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
		remote.WithPollInterval(20*time.Millisecond))

	watchCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 2)
	last := func(changes iter.Seq2[magnum.Change, error]) {
		var last error
		for _, err := range changes {
			last = err
		}
		done <- last
	}
	go last(c.WatchCluster(watchCtx, id))
	go last(c.Watch(watchCtx, magnum.WatchFilter{}))
	time.Sleep(100 * time.Millisecond) // let them poll a few times; any moment will do
	cancel()
	for range 2 {
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(30 * time.Second):
			t.Fatal("the watch did not end on cancel")
		}
	}
}
