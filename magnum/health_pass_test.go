package magnum_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/magnum"
)

// listCounter is a certificate store that counts how often a cluster's
// certificates are listed (what reading its credentials starts with).
type listCounter struct {
	certs.Store
	lists atomic.Int64
}

func (c *listCounter) List(ctx context.Context, cluster string) ([]string, error) {
	c.lists.Add(1)
	return c.Store.List(ctx, cluster)
}

// pacedDriver is the Kubernetes driver whose health check answers what the
// test says after a pause, recording when each check started and how many
// ran at once.
type pacedDriver struct {
	drivers.Driver
	status  atomic.Value // drivers.HealthStatus
	pause   time.Duration
	mu      sync.Mutex
	starts  []time.Time
	running int
	most    int
}

func (d *pacedDriver) Health(context.Context, drivers.Cluster, drivers.Credentials) (drivers.Health, error) {
	d.mu.Lock()
	d.starts = append(d.starts, time.Now())
	d.running++
	d.most = max(d.most, d.running)
	d.mu.Unlock()
	time.Sleep(d.pause)
	d.mu.Lock()
	d.running--
	d.mu.Unlock()
	return drivers.Health{Status: d.status.Load().(drivers.HealthStatus), Reason: map[string]string{"api": "ok"}}, nil
}

// startsSince returns the checks started since the i-th one.
func (d *pacedDriver) startsSince(i int) []time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Time(nil), d.starts[i:]...)
}

// healthFixture is a service with n built clusters, checked by d, whose
// certificate lists are counted, and no health loop of its own.
func healthFixture(t *testing.T, n int, d *pacedDriver) (*magnum.Service, *listCounter, []string) {
	d.Driver = kubernetes.New()
	d.status.Store(drivers.Healthy)
	reg := drivers.NewRegistry()
	require.NoError(t, reg.Register(context.Background(), d))
	dir, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	store := &listCounter{Store: dir}
	s := newLiveService(t, magnum.WithDrivers(reg), magnum.WithHealthInterval(time.Hour), magnum.WithCertStore(store),
		magnum.WithCertOptions(certs.WithKeyType(certs.ECDSAP256)), magnum.WithDefaultClusterQuota(100),
		magnum.WithSimulatedCloud(sim.WithCatalog(sim.UnlimitedCatalog())))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	var ids []string
	for range n {
		ids = append(ids, mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"}))
	}
	for _, id := range ids {
		waitDone(t, s, demo, id, magnum.CreateComplete)
	}
	return s, store, ids
}

// TestHealthPassKeepsCredentials runs health passes over clusters that do
// not change: the second pass reads no certificates, and a verdict other
// than HEALTHY is confirmed with credentials read anew before it is
// recorded.
func TestHealthPassKeepsCredentials(t *testing.T) {
	d := &pacedDriver{}
	s, store, ids := healthFixture(t, 3, d)
	pass := magnum.HealthPasses(s)
	ctx := context.Background()

	pass(ctx, 0)
	for _, id := range ids {
		c, err := s.GetCluster(as(demo), id)
		require.NoError(t, err)
		assert.Equal(t, magnum.Healthy, c.HealthStatus)
	}
	pass(ctx, 0) // the first verdicts changed the clusters: credentials are read again
	before := store.lists.Load()
	pass(ctx, 0)
	assert.Equal(t, before, store.lists.Load(), "a pass over unchanged clusters reads no certificates")
	assert.Len(t, d.startsSince(0), 3*3)

	d.status.Store(drivers.Unhealthy)
	pass(ctx, 0)
	assert.Equal(t, before+3, store.lists.Load(), "each unhealthy verdict is confirmed with fresh credentials")
	assert.Len(t, d.startsSince(0), 3*3+2*3, "one check with kept credentials, one with fresh ones")
	for _, id := range ids {
		c, err := s.GetCluster(as(demo), id)
		require.NoError(t, err)
		assert.Equal(t, magnum.Unhealthy, c.HealthStatus)
	}
}

// TestHealthPassPacing checks that a pass spreads its checks over the
// window it is given and never runs more than eight at once.
func TestHealthPassPacing(t *testing.T) {
	d := &pacedDriver{pause: 30 * time.Millisecond}
	s, _, _ := healthFixture(t, 12, d)
	pass := magnum.HealthPasses(s)

	pass(context.Background(), 0)
	assert.LessOrEqual(t, d.most, 8, "at most eight checks at once")
	assert.Greater(t, d.most, 1, "checks run concurrently")

	n := len(d.startsSince(0))
	pass(context.Background(), 1200*time.Millisecond)
	starts := d.startsSince(n)
	require.Len(t, starts, 12)
	assert.GreaterOrEqual(t, starts[11].Sub(starts[0]), time.Second,
		"12 checks over 1.2 s start 100 ms apart")
}
