package magnum_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

// drivenBy records which service instance started which cluster's
// operations.
type drivenBy struct {
	mu       sync.Mutex
	by       map[string]map[string]bool // cluster -> instance -> true
	finished map[string]string          // cluster -> instance that saw it complete
}

func (d *drivenBy) handler(instance string) magnum.Option {
	return magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if e.Outcome == magnum.OutcomeSuccess {
			d.finished[e.Cluster.UUID] = instance
			return
		}
		if d.by[e.Cluster.UUID] == nil {
			d.by[e.Cluster.UUID] = map[string]bool{}
		}
		d.by[e.Cluster.UUID][instance] = true
	})
}

func (d *drivenBy) count(instance string) (mine, shared int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, insts := range d.by {
		if insts[instance] {
			mine++
		}
		if len(insts) > 1 {
			shared++
		}
	}
	return mine, shared
}

// TestTwoInstances runs two service instances on one database (SQLite,
// then PostgreSQL), one orchestrator and one cloud: no cluster is driven
// by both, and when one dies the other finishes its work.
func TestTwoInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testTwoInstances(t) })
	t.Run("postgres", func(t *testing.T) { testTwoInstances(t, magnum.WithDatabase(storetest.PostgresDSN(t))) })
}

func testTwoInstances(t *testing.T, dbOpts ...magnum.Option) {
	ctx := context.Background()
	cloud, err := sim.New(ctx, sim.WithCatalog(unlimitedCatalog()), sim.WithDelays(sim.Delays{Boot: 300 * time.Millisecond}))
	require.NoError(t, err)
	orch, err := engine.New(ctx, engine.WithCloud(cloud))
	require.NoError(t, err)
	t.Cleanup(func() { orch.Close() })
	dir := t.TempDir()
	driven := &drivenBy{by: map[string]map[string]bool{}, finished: map[string]string{}}
	open := func(name string) *magnum.Service {
		opts := append(fastOptions(dir), magnum.WithCloud(cloud), magnum.WithOrchestrator(orch),
			magnum.WithHost(name), driven.handler(name))
		s, err := magnum.New(ctx, append(opts, dbOpts...)...)
		require.NoError(t, err)
		return s
	}
	a, b := open("a"), open("b")
	defer b.Close()

	ct := mustTemplate(t, a, demo, k8sTemplate("k8s"))
	var ids []string
	for i := range 20 {
		svc := a
		if i%2 == 1 {
			svc = b
		}
		ids = append(ids, mustCluster(t, svc, demo, magnum.ClusterCreate{ClusterTemplateID: ct.UUID}))
	}
	// Let both start some, then kill a while its clusters are building.
	require.Eventually(t, func() bool {
		ma, _ := driven.count("a")
		mb, _ := driven.count("b")
		return ma+mb == len(ids)
	}, 30*time.Second, 10*time.Millisecond)
	mineA, shared := driven.count("a")
	require.Zero(t, shared, "no cluster is started by both instances")
	require.NoError(t, a.Close())
	t.Logf("a started %d clusters before it died", mineA)

	for _, id := range ids {
		waitDone(t, b, demo, id, magnum.CreateComplete)
	}
	driven.mu.Lock()
	defer driven.mu.Unlock()
	takenOver := 0
	for id, insts := range driven.by {
		if insts["a"] && driven.finished[id] == "b" {
			takenOver++
		}
	}
	assert.Positive(t, takenOver, "b finished clusters a had started")
	t.Logf("b finished %d of the clusters a started", takenOver)
	svcs, err := b.ListMServices(as(admin))
	require.NoError(t, err)
	assert.Len(t, svcs, 2)
}
