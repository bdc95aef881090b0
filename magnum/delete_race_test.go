package magnum_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	cloudpkg "github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/testenv"
	"github.com/gomagnum/gomagnum/magnum"
)

// trusteeLedger is a cloud that keeps the trustees it made and did not
// delete, per cluster.
type trusteeLedger struct {
	cloudpkg.Cloud
	mu   sync.Mutex
	live map[string]cloudpkg.Trustee // cluster UUID -> its current trustee
}

func newTrusteeLedger(c cloudpkg.Cloud) *trusteeLedger {
	return &trusteeLedger{Cloud: c, live: map[string]cloudpkg.Trustee{}}
}

func (l *trusteeLedger) CreateTrustee(ctx context.Context, req cloudpkg.TrusteeRequest) (cloudpkg.Trustee, error) {
	t, err := l.Cloud.CreateTrustee(ctx, req)
	if err == nil {
		l.mu.Lock()
		l.live[req.ClusterUUID] = t // the cloud replaces the cluster's previous one
		l.mu.Unlock()
	}
	return t, err
}

func (l *trusteeLedger) DeleteTrustee(ctx context.Context, t cloudpkg.Trustee) error {
	err := l.Cloud.DeleteTrustee(ctx, t)
	if err == nil {
		l.mu.Lock()
		for cluster, x := range l.live {
			if x.UserID == t.UserID || x.TrustID == t.TrustID {
				delete(l.live, cluster)
			}
		}
		l.mu.Unlock()
	}
	return err
}

func (l *trusteeLedger) left() map[string]cloudpkg.Trustee {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]cloudpkg.Trustee{}
	for k, v := range l.live {
		out[k] = v
	}
	return out
}

// deleteLag is when, after its create was accepted, each cluster of the
// race tests is deleted.
var deleteLag = []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second}

// createThenDelete creates rounds clusters per lag in deleteLag, all at
// once, deletes each that long after its create was accepted, and
// returns their UUIDs once every one is gone; a cluster still there after
// within fails the test.
func createThenDelete(t *testing.T, s *magnum.Service, template string, rounds int, within time.Duration) []string {
	t.Helper()
	var (
		mu  sync.Mutex
		ids []string
		wg  sync.WaitGroup
	)
	for round := range rounds {
		for _, lag := range deleteLag {
			wg.Go(func() {
				id, err := s.CreateCluster(as(demo), magnum.ClusterCreate{Name: fmt.Sprintf("race-%d-%d", lag.Milliseconds(), round),
					ClusterTemplateID: template, NodeCount: ptr(1)})
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
				time.Sleep(lag) // the lag under test, not a synchronisation
				assert.NoError(t, s.DeleteCluster(as(demo), id))
			})
		}
	}
	wg.Wait()
	require.Len(t, ids, rounds*len(deleteLag))
	start := time.Now()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var stuck []string
		for _, id := range ids {
			cl, err := s.GetCluster(as(demo), id)
			if err == nil {
				stuck = append(stuck, cl.Name+" "+string(cl.Status)+" "+cl.StatusReason)
				continue
			}
			require.ErrorIs(c, err, magnum.ErrNotFound)
		}
		assert.Empty(c, stuck, "clusters still there")
	}, within, 50*time.Millisecond)
	t.Logf("%d clusters deleted at %v after their create: all gone %v after the last delete",
		len(ids), deleteLag, time.Since(start).Round(time.Millisecond))
	return ids
}

// assertNothingLeft checks that no cluster left a stack, a trustee or a
// certificate behind.
func assertNothingLeft(t *testing.T, stacks *stackLedger, trustees *trusteeLedger, certStore certs.Store, ids []string) {
	t.Helper()
	ctx := context.Background()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		left, err := stacks.left(ctx)
		require.NoError(c, err)
		assert.Empty(c, left, "stacks left behind")
	}, 30*time.Second, 100*time.Millisecond)
	assert.Empty(t, trustees.left(), "trustees left behind")
	for _, id := range ids {
		names, err := certStore.List(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, names, "certificates of cluster %s left behind", id)
	}
}

// TestDeleteRightAfterCreateOnEngine deletes clusters at moments spread
// over their create, several at each, all at once, on the embedded engine
// over the simulated cloud: every cluster is gone within seconds, and no
// stack, server, port, trustee or certificate is left.
func TestDeleteRightAfterCreateOnEngine(t *testing.T) {
	ctx := context.Background()
	cloud, e := simEngine(t, 300*time.Millisecond)
	orch := &stackLedger{Orchestrator: e}
	certStore, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	trustees := newTrusteeLedger(cloud)
	s := newLiveService(t, magnum.WithCloud(trustees), magnum.WithOrchestrator(orch), magnum.WithCertStore(certStore),
		magnum.WithDefaultClusterQuota(1000), magnum.WithCertOptions(certs.WithKeyType(certs.ECDSAP256)))
	ct := mustTemplate(t, s, demo, k8sTemplate("k8s"))
	portsBefore, err := cloud.Ports(ctx, "")
	require.NoError(t, err)

	ids := createThenDelete(t, s, ct.UUID, 3, 60*time.Second)

	t.Logf("%d of the %d clusters had a stack made before their delete", len(orch.made()), len(ids))
	assertNothingLeft(t, orch, trustees, certStore, ids)
	stacks, _, err := e.ListStacks(ctx, heat.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, stacks, "stacks left behind")
	servers, err := cloud.Servers(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, servers, "servers left behind")
	ports, err := cloud.Ports(ctx, "")
	require.NoError(t, err)
	assert.Len(t, ports, len(portsBefore), "ports left behind")
}

// TestDeleteOfClusterFailedBeforeItsStack: a cluster whose create failed
// before it had a stack is deleted at once, not when its create timeout
// would have run out.
func TestDeleteOfClusterFailedBeforeItsStack(t *testing.T) {
	cloud, err := sim.New(context.Background())
	require.NoError(t, err)
	_, err = cloud.InjectFault(sim.Fault{Kind: sim.KindTrustee, Effect: sim.EffectError, Times: 1})
	require.NoError(t, err)
	s := newLiveService(t, magnum.WithCloud(cloud))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	c := waitDone(t, s, demo, id, magnum.CreateFailed)
	require.Empty(t, c.StackID)

	require.NoError(t, s.DeleteCluster(as(demo), id))
	require.Eventually(t, func() bool {
		_, err := s.GetCluster(as(demo), id)
		return err != nil
	}, 20*time.Second, 20*time.Millisecond, "a cluster without a stack is deleted at once")
	_, err = s.GetCluster(as(demo), id)
	require.ErrorIs(t, err, magnum.ErrNotFound)
}

// stackLedger is an orchestrator keeping the IDs of the stacks it made.
type stackLedger struct {
	heat.Orchestrator
	mu  sync.Mutex
	ids []string
}

func (o *stackLedger) CreateStack(ctx context.Context, spec heat.StackSpec) (string, error) {
	id, err := o.Orchestrator.CreateStack(ctx, spec)
	if err == nil {
		o.mu.Lock()
		o.ids = append(o.ids, id)
		o.mu.Unlock()
	}
	return id, err
}

func (o *stackLedger) made() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.ids)
}

// left returns the stacks it made that are not deleted.
func (o *stackLedger) left(ctx context.Context) ([]string, error) {
	var out []string
	for _, id := range o.made() {
		st, err := o.GetStack(ctx, id)
		switch {
		case errors.Is(err, heat.ErrNotFound):
		case err != nil:
			return nil, err
		case st.Status != heat.DeleteComplete:
			out = append(out, st.Name+" "+string(st.Status))
		}
	}
	return out, nil
}

// slowStackDriver is the stub Kubernetes driver whose stacks a real Heat
// builds without a cloud: a test resource that takes a few seconds.
type slowStackDriver struct{ stubDriver }

const slowStackTemplate = `heat_template_version: 2018-08-31
resources:
  build:
    type: OS::Heat::TestResource
    properties:
      value: built
      action_wait_secs: {create: 3}
`

func (slowStackDriver) ClusterStack(context.Context, drivers.Cluster) (drivers.Stack, error) {
	return drivers.Stack{Template: []byte(slowStackTemplate)}, nil
}

// oneDriver is a registry of one driver.
type oneDriver struct{ d drivers.Driver }

func (r oneDriver) Select(t drivers.Tuple) (drivers.Driver, error) {
	info, err := r.d.Info(context.Background())
	if err != nil || !slices.Contains(info.Provides, t) {
		return nil, drivers.ErrNoDriver
	}
	return r.d, nil
}

func (r oneDriver) Infos() []drivers.Info {
	info, _ := r.d.Info(context.Background())
	return []drivers.Info{info}
}

// TestDeleteRightAfterCreateOnHeat is TestDeleteRightAfterCreateOnEngine
// on a real Heat: no stack is left.
func TestDeleteRightAfterCreateOnHeat(t *testing.T) {
	endpoint := testenv.Lookup(t, testenv.HeatURL, "a noauth Heat")
	client, err := heat.NewClient(t.Context(), heat.WithNoAuth(endpoint))
	require.NoError(t, err)
	orch := &stackLedger{Orchestrator: client}
	t.Cleanup(func() { // what a failure left, for the Heat other tests share
		for _, id := range orch.made() {
			_ = client.DeleteStack(context.Background(), id)
		}
	})
	simCloud, err := sim.New(context.Background())
	require.NoError(t, err)
	certStore, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	trustees := newTrusteeLedger(simCloud)
	s := newLiveService(t, magnum.WithCloud(trustees), magnum.WithOrchestrator(orch), magnum.WithCertStore(certStore),
		magnum.WithDrivers(oneDriver{slowStackDriver{stubDrivers[0]}}), magnum.WithSyncInterval(500*time.Millisecond),
		magnum.WithDefaultClusterQuota(1000), magnum.WithCertOptions(certs.WithKeyType(certs.ECDSAP256)))
	ct := mustTemplate(t, s, demo, k8sTemplate("k8s"))

	ids := createThenDelete(t, s, ct.UUID, 3, 3*time.Minute)

	t.Logf("%d of the %d clusters had a stack made before their delete", len(orch.made()), len(ids))
	assertNothingLeft(t, orch, trustees, certStore, ids)
}

// stallAfterCreate is an orchestrator that, once it made a stack, does
// not answer until its caller gives up: a conductor that dies before it
// records its stack.
type stallAfterCreate struct {
	heat.Orchestrator
	made chan string
}

func (o *stallAfterCreate) CreateStack(ctx context.Context, spec heat.StackSpec) (string, error) {
	id, err := o.Orchestrator.CreateStack(ctx, spec)
	if err != nil {
		return "", err
	}
	o.made <- id
	<-ctx.Done()
	return "", ctx.Err()
}

// TestDeleteFindsStackOfDeadCreate: an instance dies between making a
// cluster's trustee and stack and recording them on the cluster; a delete
// on another instance finds the stack by its tags and the trustee in the
// create's parameters, and deletes them with the certificates.
func TestDeleteFindsStackOfDeadCreate(t *testing.T) {
	ctx := context.Background()
	cloud, e := simEngine(t, time.Hour)
	orch := &stackLedger{Orchestrator: e}
	trustees := newTrusteeLedger(cloud)
	certStore, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	dir := t.TempDir()
	open := func(o heat.Orchestrator) *magnum.Service {
		s, err := magnum.New(ctx, append(fastOptions(dir), magnum.WithCloud(trustees), magnum.WithOrchestrator(o),
			magnum.WithCertStore(certStore))...)
		require.NoError(t, err)
		return s
	}
	stall := &stallAfterCreate{Orchestrator: orch, made: make(chan string, 1)}
	a := open(stall)
	mustTemplate(t, a, demo, k8sTemplate("k8s"))
	id := mustCluster(t, a, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	select {
	case <-stall.made:
	case <-time.After(30 * time.Second):
		t.Fatal("no stack was made")
	}
	require.NoError(t, a.Close())

	b := open(orch)
	t.Cleanup(func() { b.Close() })
	c, err := b.GetCluster(as(demo), id)
	require.NoError(t, err)
	require.Empty(t, c.StackID, "the stack was never recorded")
	require.Len(t, trustees.left(), 1)
	require.NoError(t, b.DeleteCluster(as(demo), id))
	require.Eventually(t, func() bool {
		_, err := b.GetCluster(as(demo), id)
		return err != nil
	}, 30*time.Second, 20*time.Millisecond)
	assertNothingLeft(t, orch, trustees, certStore, []string{id})
	servers, err := cloud.Servers(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, servers)
}
