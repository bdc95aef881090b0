package magnum_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cloudpkg "github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

// startedBy is the cloud of one service instance, noting in a ledger
// shared by the instances which instance started each cluster: the one
// that made its trustee.
type startedBy struct {
	*sim.Cloud
	instance string
	ledger   *startLedger
}

func (c startedBy) CreateTrustee(ctx context.Context, req cloudpkg.TrusteeRequest) (cloudpkg.Trustee, error) {
	c.ledger.mu.Lock()
	if c.ledger.by[req.ClusterUUID] == nil {
		c.ledger.by[req.ClusterUUID] = map[string]bool{}
	}
	c.ledger.by[req.ClusterUUID][c.instance] = true
	c.ledger.mu.Unlock()
	return c.Cloud.CreateTrustee(ctx, req)
}

// startLedger records which instances started which cluster.
type startLedger struct {
	mu sync.Mutex
	by map[string]map[string]bool // cluster -> instance -> true
}

func (l *startLedger) count(instance string) (mine, shared int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, insts := range l.by {
		if insts[instance] {
			mine++
		}
		if len(insts) > 1 {
			shared++
		}
	}
	return mine, shared
}

func (l *startLedger) startedBy(instance string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for id, insts := range l.by {
		if insts[instance] {
			out = append(out, id)
		}
	}
	return out
}

// clusterEvents gathers the events every instance delivers, per cluster.
type clusterEvents struct {
	mu sync.Mutex
	by map[string][]string // cluster -> type/outcome, in delivery order
}

func (e *clusterEvents) handler() magnum.Option {
	return magnum.WithEventHandler(func(_ context.Context, ev magnum.Event) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.by[ev.Cluster.UUID] = append(e.by[ev.Cluster.UUID], ev.Type+"/"+ev.Outcome)
	})
}

// createdInOrder checks that every cluster's events were delivered in the
// order of its create: pending (once, or again by the instance that took
// the create over), then success, once.
func (e *clusterEvents) createdInOrder(t *testing.T, ids []string) {
	t.Helper()
	order := regexp.MustCompile(`^(magnum\.cluster\.create/pending )+magnum\.cluster\.create/success $`)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, id := range ids {
			assert.Regexp(c, order, strings.Join(e.by[id], " ")+" ", "events of cluster %s", id)
		}
	}, 10*time.Second, 10*time.Millisecond)
}

// haLease is the lease of TestTwoInstances' instances: longer than the
// test, so that b can only take a's clusters over because a gave them
// up. A 1 s lease was lost under load: renewals, SQLite writes queued
// behind both instances' others, waited up to 2 s under the race
// detector on a loaded 2-core machine, and b took over clusters a was
// still driving.
const haLease = 10 * time.Minute

// haBoot is how long a server of TestTwoInstances takes to boot: long
// enough that a stops while clusters it started are still building, even
// when b starts its last ones a few seconds after a (a machine under
// load), so that b has something of a's to take over.
const haBoot = 2 * time.Second

// TestTwoInstances runs two service instances on one database (SQLite,
// then PostgreSQL), one orchestrator and one cloud: no cluster is driven
// by both, and when one stops the other finishes its work at once.
func TestTwoInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testTwoInstances(t) })
	t.Run("postgres", func(t *testing.T) { testTwoInstances(t, magnum.WithDatabase(storetest.PostgresDSN(t))) })
}

func testTwoInstances(t *testing.T, dbOpts ...magnum.Option) {
	ctx := context.Background()
	cloud, orch := simEngine(t, haBoot)
	dir := t.TempDir()
	started := &startLedger{by: map[string]map[string]bool{}}
	events := &clusterEvents{by: map[string][]string{}}
	open := func(name string) *magnum.Service {
		// A live instance must never lose a lease here (the test asserts
		// that no cluster is started by both), however long its renewals
		// wait for the database: a's leases pass to b only because a
		// gives them up when it closes.
		opts := append(fastOptions(dir), magnum.WithLease(haLease),
			magnum.WithCloud(startedBy{Cloud: cloud, instance: name, ledger: started}),
			magnum.WithOrchestrator(orch), magnum.WithHost(name), events.handler())
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
	// Let both start some, then stop a while its clusters are building.
	require.Eventually(t, func() bool {
		ma, _ := started.count("a")
		mb, _ := started.count("b")
		return ma+mb == len(ids)
	}, 30*time.Second, 10*time.Millisecond)
	mineA, shared := started.count("a")
	require.Zero(t, shared, "no cluster is started by both instances")
	require.NoError(t, a.Close())
	var building []string
	for _, id := range started.startedBy("a") {
		c, err := b.GetCluster(as(demo), id)
		require.NoError(t, err)
		if c.Status.IsInProgress() {
			building = append(building, id)
		}
	}
	t.Logf("a started %d clusters before it stopped, %d of them still building", mineA, len(building))

	for _, id := range ids {
		waitDone(t, b, demo, id, magnum.CreateComplete)
	}
	assert.NotEmpty(t, building, "b finished clusters a had started")
	events.createdInOrder(t, ids)
	svcs, err := b.ListMServices(as(admin))
	require.NoError(t, err)
	assert.Len(t, svcs, 2)
}
