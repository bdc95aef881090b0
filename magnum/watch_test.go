package magnum_test

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

// lifecycle is the path of statuses every cluster of
// TestWatchTwoInstances goes through.
var lifecycle = []magnum.Status{magnum.CreateInProgress, magnum.CreateComplete, magnum.UpdateInProgress,
	magnum.UpdateComplete, magnum.DeleteInProgress, magnum.DeleteComplete}

// TestWatchTwoInstances runs clusters through create, resize and delete
// at once on two instances sharing a database, each step waited for on
// the other instance: a watch of the project on one instance sees every
// transition of every cluster in order, and a watch of one cluster on the
// other sees the same changes.
func TestWatchTwoInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testWatchTwoInstances(t) })
	t.Run("postgres", func(t *testing.T) { testWatchTwoInstances(t, magnum.WithDatabase(storetest.PostgresDSN(t))) })
}

func testWatchTwoInstances(t *testing.T, dbOpts ...magnum.Option) {
	ctx := context.Background()
	cloud, orch := simEngine(t, 200*time.Millisecond)
	dir := t.TempDir()
	open := func(name string) *magnum.Service {
		opts := append(fastOptions(dir), magnum.WithCloud(cloud), magnum.WithOrchestrator(orch), magnum.WithHost(name),
			magnum.WithProgressInterval(50*time.Millisecond))
		s, err := magnum.New(ctx, append(opts, dbOpts...)...)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open("a"), open("b")
	ct := mustTemplate(t, a, demo, k8sTemplate("k8s"))

	const clusters = 4
	project := newChangeLog()
	watchCtx, stop := context.WithCancel(as(demo))
	defer stop()
	watched := make(chan struct{})
	changes := b.Watch(watchCtx, magnum.WatchFilter{}) // the watch starts here
	go func() {
		defer close(watched)
		project.collect(changes, clusters)
	}()

	ids := make([]string, clusters)
	single := make([]*changeLog, clusters)
	var wg sync.WaitGroup
	for i := range clusters {
		one, other := a, b
		if i%2 == 1 {
			one, other = b, a
		}
		ids[i] = mustCluster(t, one, demo, magnum.ClusterCreate{ClusterTemplateID: ct.UUID, Name: fmt.Sprintf("c%d", i)})
		single[i] = newChangeLog()
		wg.Go(func() { single[i].collect(other.WatchCluster(watchCtx, ids[i]), 1) })
		wg.Go(func() { runLifecycle(t, one, other, ids[i]) })
	}
	wg.Wait()
	select {
	case <-watched:
	case <-time.After(60 * time.Second):
		t.Fatal("the project's watch did not see every cluster deleted")
	}
	project.inOrder(t)
	for i, id := range ids {
		assert.Equal(t, lifecycle, project.path(id), "cluster %d", i)
		all := project.seqs(id)
		mine := single[i].seqs(id)
		require.NotEmpty(t, mine)
		require.NotEmpty(t, all)
		// Each watcher skips states equal to the last one it delivered, so
		// the two may keep different intermediate changes under load; both
		// are in order and end with the same, final change.
		assert.True(t, slices.IsSorted(mine) && len(slices.Compact(slices.Clone(mine))) == len(mine), "out of order: %v", mine)
		assert.Equal(t, all[len(all)-1], mine[len(mine)-1], "the watch of one cluster on the other instance ends with the same change")
	}
}

// runLifecycle creates (already done), resizes and deletes a cluster on
// one instance, waiting for each step on the other.
func runLifecycle(t *testing.T, one, other *magnum.Service, id string) {
	ctx := as(demo)
	c, err := other.WaitCluster(ctx, id, magnum.CreateComplete)
	if !assert.NoError(t, err) {
		return
	}
	assert.NotEmpty(t, c.APIAddress)
	_, err = one.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	c, err = other.WaitCluster(ctx, id)
	if !assert.NoError(t, err) {
		return
	}
	assert.Equal(t, magnum.UpdateComplete, c.Status)
	assert.Equal(t, 2, c.NodeCount)
	require.NoError(t, one.DeleteCluster(ctx, id))
	// Under load the cluster may be gone before the wait starts: the
	// wait then returns no cluster and no error.
	c, err = other.WaitCluster(ctx, id, magnum.DeleteComplete)
	if assert.NoError(t, err) && c != nil {
		assert.Equal(t, magnum.DeleteComplete, c.Status)
	}
	_, err = other.GetCluster(ctx, id)
	assert.ErrorIs(t, err, magnum.ErrNotFound)
}

// changeLog records the changes a watch delivers.
type changeLog struct {
	mu  sync.Mutex
	got []magnum.Change
}

func newChangeLog() *changeLog { return &changeLog{} }

// collect records changes until deleted clusters were deleted or the
// watch ends.
func (l *changeLog) collect(changes iter.Seq2[magnum.Change, error], deleted int) {
	for ch, err := range changes {
		if err != nil {
			return
		}
		l.mu.Lock()
		l.got = append(l.got, ch)
		l.mu.Unlock()
		if ch.Kind == magnum.ClusterDeleted {
			if deleted--; deleted == 0 {
				return
			}
		}
	}
}

// inOrder checks the changes came in the order of their Seq.
func (l *changeLog) inOrder(t *testing.T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 1; i < len(l.got); i++ {
		assert.Less(t, l.got[i-1].Seq, l.got[i].Seq, "change %d", i)
	}
}

// path returns the statuses a cluster went through, each once in a row.
func (l *changeLog) path(id string) []magnum.Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []magnum.Status
	for _, ch := range l.got {
		if ch.ClusterUUID != id || ch.Cluster == nil {
			continue
		}
		st := ch.Cluster.Status
		if ch.Kind == magnum.ClusterDeleted {
			st = magnum.DeleteComplete
		}
		if len(out) == 0 || out[len(out)-1] != st {
			out = append(out, st)
		}
	}
	return out
}

// seqs returns the Seqs of a cluster's changes, not counting snapshots.
func (l *changeLog) seqs(id string) []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []int64
	for _, ch := range l.got {
		if ch.ClusterUUID == id && ch.Kind != magnum.ClusterSnapshot {
			out = append(out, ch.Seq)
		}
	}
	return out
}

// TestWatchSlowWatcher pauses a watch of one cluster while the cluster
// changes ten times: it then gets each change in order, or, once the feed
// dropped some, the cluster's latest state.
func TestWatchSlowWatcher(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retention int
		snapshot  bool
	}{
		{"feed keeps the changes", 1000, false},
		{"feed dropped changes", 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t, magnum.WithChangeRetention(tc.retention))
			mustTemplate(t, s, demo, k8sTemplate("k8s"))
			id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
			next, stop := iter.Pull2(s.WatchCluster(as(demo), id))
			defer stop()
			ch, err, ok := next()
			require.True(t, ok)
			require.NoError(t, err)
			require.Equal(t, magnum.ClusterSnapshot, ch.Kind)
			require.Equal(t, magnum.CreateInProgress, ch.Cluster.Status)

			var want []string
			for i := range 10 {
				st := []magnum.Status{magnum.UpdateInProgress, magnum.UpdateComplete}[i%2]
				addr := fmt.Sprintf("https://172.24.4.%d:6443", 10+i)
				require.NoError(t, magnum.SetClusterState(s, id, st, addr))
				want = append(want, string(st)+" "+addr)
			}
			if tc.snapshot {
				ch, err, ok = next()
				require.True(t, ok)
				require.NoError(t, err)
				assert.Equal(t, magnum.ClusterSnapshot, ch.Kind)
				assert.Equal(t, want[len(want)-1], string(ch.Cluster.Status)+" "+ch.Cluster.APIAddress)
				return
			}
			var got []string
			for len(got) < len(want) {
				ch, err, ok = next()
				require.True(t, ok)
				require.NoError(t, err)
				if ch.Kind == magnum.ClusterChanged {
					got = append(got, string(ch.Cluster.Status)+" "+ch.Cluster.APIAddress)
				}
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestWaitCluster checks what a wait returns for each outcome.
func TestWaitCluster(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  magnum.Status
		caller  magnum.Caller
		ident   string
		until   []magnum.Status
		want    magnum.Status
		wantErr error
	}{
		{name: "any end", status: magnum.CreateComplete, caller: demo, want: magnum.CreateComplete},
		{name: "the wanted end", status: magnum.CreateComplete, caller: demo, until: []magnum.Status{magnum.CreateComplete}, want: magnum.CreateComplete},
		{name: "another end", status: magnum.CreateFailed, caller: demo, until: []magnum.Status{magnum.CreateComplete}, want: magnum.CreateFailed, wantErr: magnum.ErrUnexpectedStatus},
		{name: "another project's", status: magnum.CreateComplete, caller: alt, wantErr: magnum.ErrNotFound},
		{name: "no caller", status: magnum.CreateComplete, wantErr: magnum.ErrUnauthenticated},
		{name: "gone", caller: demo, ident: "f2b2d0e0-0000-4000-8000-000000000000", until: []magnum.Status{magnum.DeleteComplete}},
		{name: "unknown", caller: demo, ident: "f2b2d0e0-0000-4000-8000-000000000000", wantErr: magnum.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t)
			mustTemplate(t, s, demo, k8sTemplate("k8s"))
			id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
			require.NoError(t, magnum.SetClusterState(s, id, tc.status, "https://172.24.4.10:6443"))
			if tc.ident != "" {
				id = tc.ident
			}
			ctx := nobody
			if tc.caller.UserID != "" {
				ctx = as(tc.caller)
			}
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c, err := s.WaitCluster(ctx, id, tc.until...)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			if tc.want == "" {
				assert.Nil(t, c)
				return
			}
			require.NotNil(t, c)
			assert.Equal(t, tc.want, c.Status)
		})
	}
}

// TestWaitClusterFollowsProgress waits for a cluster another goroutine
// moves through its build: the wait ends at the build's end.
func TestWaitClusterFollowsProgress(t *testing.T) {
	s := newService(t)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
	done := make(chan error, 1)
	go func() {
		for _, st := range []magnum.Status{magnum.CreateInProgress, magnum.CreateInProgress, magnum.CreateComplete} {
			if err := magnum.SetClusterState(s, id, st, "https://172.24.4.10:6443"); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	c, err := s.WaitCluster(as(demo), id)
	require.NoError(t, err)
	assert.Equal(t, magnum.CreateComplete, c.Status)
	require.NoError(t, <-done)
}

// TestWatchEndsOnCancel cancels waits and watches, and breaks out of one:
// each ends with the context's error, and no goroutine is left behind.
func TestWatchEndsOnCancel(t *testing.T) {
	s := newService(t)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "c1", ClusterTemplateID: "k8s"})
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	ctx, cancel := context.WithCancel(as(demo))
	waited := make(chan error, 1)
	go func() {
		_, err := s.WaitCluster(ctx, id)
		waited <- err
	}()
	var last error
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for _, err := range s.Watch(ctx, magnum.WatchFilter{}) {
			last = err
		}
	}()
	require.NoError(t, magnum.SetClusterState(s, id, magnum.UpdateInProgress, ""))
	cancel()
	select {
	case err := <-waited:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(30 * time.Second):
		t.Fatal("the wait did not end on cancel")
	}
	select {
	case <-watched:
		require.ErrorIs(t, last, context.Canceled)
	case <-time.After(30 * time.Second):
		t.Fatal("the watch did not end on cancel")
	}
	for ch, err := range s.WatchCluster(as(demo), id) {
		require.NoError(t, err)
		require.Equal(t, magnum.ClusterSnapshot, ch.Kind)
		break
	}
}

// TestWatchScope checks who may watch what.
func TestWatchScope(t *testing.T) {
	s := newService(t)
	for _, tc := range []struct {
		name    string
		caller  magnum.Caller
		filter  magnum.WatchFilter
		wantErr error
	}{
		{"own project", demo, magnum.WatchFilter{}, nil},
		{"own project named", demo, magnum.WatchFilter{ProjectID: demo.ProjectID}, nil},
		{"another project", demo, magnum.WatchFilter{ProjectID: alt.ProjectID}, magnum.ErrForbidden},
		{"all projects", demo, magnum.WatchFilter{AllProjects: true}, magnum.ErrForbidden},
		{"admin, another project", admin, magnum.WatchFilter{ProjectID: alt.ProjectID}, nil},
		{"admin, all projects", admin, magnum.WatchFilter{AllProjects: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(as(tc.caller), 300*time.Millisecond)
			defer cancel()
			var errs []error
			for _, err := range s.Watch(ctx, tc.filter) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			if tc.wantErr == nil {
				require.ErrorIs(t, errs[0], context.DeadlineExceeded)
				return
			}
			require.ErrorIs(t, errs[0], tc.wantErr)
		})
	}
}
