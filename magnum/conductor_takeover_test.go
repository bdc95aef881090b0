package magnum_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	cloudpkg "github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/magnum"
)

// stalledUpdates starts every stack update it is given and then, instead
// of returning, holds the caller until its context ends: a conductor that
// started an update and stalled before it could record it.
type stalledUpdates struct {
	heat.Orchestrator
	started chan string
}

func (o stalledUpdates) UpdateStack(ctx context.Context, id string, u heat.StackUpdate) error {
	if err := o.Orchestrator.UpdateStack(ctx, id, u); err != nil {
		return err
	}
	o.started <- id
	<-ctx.Done()
	return ctx.Err()
}

// TestTakeoverOfStartedUpdate: an instance starts a resize's stack update
// and loses the operation before it records the start; the instance that
// takes the operation over finds the stack busy with that update, follows
// it, and the resize completes instead of failing.
func TestTakeoverOfStartedUpdate(t *testing.T) {
	ctx := context.Background()
	cloud, orch := simEngine(t, 5*time.Second)
	dir := t.TempDir()
	open := func(name string, o heat.Orchestrator) *magnum.Service {
		s, err := magnum.New(ctx, append(fastOptions(dir), magnum.WithCloud(cloud), magnum.WithOrchestrator(o),
			magnum.WithHost(name))...)
		require.NoError(t, err)
		return s
	}
	stalled := stalledUpdates{Orchestrator: orch, started: make(chan string, 1)}
	a := open("a", stalled)
	ct := mustTemplate(t, a, demo, k8sTemplate("k8s"))
	id := mustCluster(t, a, demo, magnum.ClusterCreate{ClusterTemplateID: ct.UUID, Name: "c"})
	waitDone(t, a, demo, id, magnum.CreateComplete)
	_, err := a.ResizeCluster(as(demo), id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	select {
	case <-stalled.started:
	case <-time.After(60 * time.Second):
		t.Fatal("the resize did not start its stack update")
	}
	require.NoError(t, a.Close()) // gives up the operation where it stands

	b := open("b", orch)
	t.Cleanup(func() { b.Close() })
	c := waitDone(t, b, demo, id, magnum.UpdateComplete)
	require.Equal(t, 2, c.NodeCount)
}

// gatedTrustees holds every trustee creation until the gate opens.
type gatedTrustees struct {
	*trusteeLedger
	asked, gate chan struct{}
	made        chan cloudpkg.Trustee
}

func (g gatedTrustees) CreateTrustee(ctx context.Context, req cloudpkg.TrusteeRequest) (cloudpkg.Trustee, error) {
	g.asked <- struct{}{}
	<-g.gate
	tr, err := g.trusteeLedger.CreateTrustee(ctx, req)
	if err == nil {
		g.made <- tr
	}
	return tr, err
}

// TestTrusteeOfSupersededCreate: an instance is slow making a cluster's
// trustee, so slow that its hold on the create runs out; another instance
// takes the cluster's delete meanwhile, and the cluster is gone. The
// trustee made after that, which nothing records, is deleted by the
// create that made it.
func TestTrusteeOfSupersededCreate(t *testing.T) {
	ctx := context.Background()
	cloud, orch := simEngine(t, 0)
	ledger := newTrusteeLedger(cloud)
	gated := gatedTrustees{trusteeLedger: ledger, asked: make(chan struct{}, 1), gate: make(chan struct{}),
		made: make(chan cloudpkg.Trustee, 1)}
	dir := t.TempDir()
	certStore, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	open := func(name string, c cloudpkg.Cloud, opts ...magnum.Option) *magnum.Service {
		s, err := magnum.New(ctx, append(fastOptions(dir), append(opts, magnum.WithCloud(c), magnum.WithCertStore(certStore),
			magnum.WithOrchestrator(orch), magnum.WithHost(name))...)...)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	a := open("a", gated)
	ct := mustTemplate(t, a, demo, k8sTemplate("k8s"))
	id := mustCluster(t, a, demo, magnum.ClusterCreate{ClusterTemplateID: ct.UUID, Name: "c"})
	select {
	case <-gated.asked:
	case <-time.After(60 * time.Second):
		t.Fatal("the create did not ask for a trustee")
	}
	// b's clock is an hour ahead: to it, a's hold on the create ran out.
	clock := &offsetClock{offset: time.Hour}
	b := open("b", ledger, magnum.WithClock(clock.now))
	require.NoError(t, b.DeleteCluster(as(demo), id))
	require.Eventually(t, func() bool {
		_, err := b.GetCluster(as(demo), id)
		return errors.Is(err, magnum.ErrNotFound)
	}, 60*time.Second, 20*time.Millisecond, "the delete did not end")
	close(gated.gate)
	select {
	case <-gated.made:
	case <-time.After(60 * time.Second):
		t.Fatal("the create did not make its trustee")
	}
	require.Eventually(t, func() bool { return len(ledger.left()) == 0 },
		60*time.Second, 20*time.Millisecond, "trustees left: %v", ledger.left())
	names, err := certStore.List(ctx, id)
	require.NoError(t, err)
	require.Empty(t, names, "certificates left")
}
