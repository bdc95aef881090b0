package magnum_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
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
	cloud, err := sim.New(ctx, sim.WithCatalog(sim.UnlimitedCatalog()), sim.WithDelays(sim.Delays{Boot: 5 * time.Second}))
	require.NoError(t, err)
	orch, err := engine.New(ctx, engine.WithCloud(cloud))
	require.NoError(t, err)
	t.Cleanup(func() { orch.Close() })
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
	_, err = a.ResizeCluster(as(demo), id, magnum.Resize{NodeCount: 2})
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
