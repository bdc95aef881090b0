package magnum_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	cloudpkg "github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/magnum"
)

// newLiveService is a service on the embedded defaults (engine, simulated
// cloud, built-in drivers in process) whose conductor syncs fast.
func newLiveService(t testing.TB, opts ...magnum.Option) *magnum.Service {
	t.Helper()
	opts = append([]magnum.Option{magnum.WithDataDir(t.TempDir()), magnum.WithSyncInterval(50 * time.Millisecond),
		magnum.WithProgressInterval(50 * time.Millisecond), magnum.WithLease(2 * time.Second)}, opts...)
	s, err := magnum.New(context.Background(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// waitDone waits until a cluster has no operation in progress, checks its
// status and returns it.
func waitDone(t testing.TB, s *magnum.Service, c magnum.Caller, id string, want magnum.Status) *magnum.Cluster {
	t.Helper()
	var cl *magnum.Cluster
	require.Eventually(t, func() bool {
		var err error
		cl, err = s.GetCluster(as(c), id)
		require.NoError(t, err)
		return !cl.Status.IsInProgress()
	}, 90*time.Second, 20*time.Millisecond)
	require.Equal(t, want, cl.Status, "status reason: %s", cl.StatusReason)
	return cl
}

// eventLog records the events a service delivers, as type/outcome.
type eventLog struct {
	mu  sync.Mutex
	got []string
}

func (l *eventLog) option() magnum.Option {
	return magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
		l.mu.Lock()
		l.got = append(l.got, e.Type+"/"+e.Outcome)
		l.mu.Unlock()
	})
}

// expect waits for as many events as want holds, and checks that they
// are want, in its order.
func (l *eventLog) expect(t testing.TB, want ...string) {
	t.Helper()
	assert.Eventually(t, func() bool { return len(l.delivered()) >= len(want) }, 10*time.Second, 10*time.Millisecond,
		"too few events delivered")
	require.Equal(t, want, l.delivered())
}

func (l *eventLog) delivered() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

func TestClusterLifecycleOnEngine(t *testing.T) {
	events := &eventLog{}
	s := newLiveService(t, events.option())
	ctx := as(demo)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "live", ClusterTemplateID: "k8s", NodeCount: ptr(2)})
	c := waitDone(t, s, demo, id, magnum.CreateComplete)
	assert.Regexp(t, `^https://172\.24\.4\.\d+:6443$`, c.APIAddress)
	assert.Len(t, c.MasterAddresses, 1)
	assert.Len(t, c.NodeAddresses, 2)
	assert.NotEmpty(t, c.StackID)
	assert.Equal(t, "CREATE completed successfully", c.StatusReason)
	ca, err := s.GetCACertificate(ctx, id, "")
	require.NoError(t, err)
	assert.Contains(t, ca.PEM, "BEGIN CERTIFICATE")
	want := []string{"magnum.cluster.create/pending", "magnum.cluster.create/success"}
	events.expect(t, want...)

	// Grow, then shrink naming the node to remove.
	update := []string{"magnum.cluster.update/pending", "magnum.cluster.update/success"}
	_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 3})
	require.NoError(t, err)
	c = waitDone(t, s, demo, id, magnum.UpdateComplete)
	require.Len(t, c.NodeAddresses, 3)
	want = append(want, update...)
	events.expect(t, want...)
	_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2, NodesToRemove: []string{"0"}})
	require.NoError(t, err)
	c = waitDone(t, s, demo, id, magnum.UpdateComplete)
	require.Len(t, c.NodeAddresses, 2)
	assert.Equal(t, 2, c.NodeCount)
	want = append(want, update...)
	events.expect(t, want...)

	// Upgrade to a newer template.
	next := k8sTemplate("k8s-next")
	next.Labels = map[string]string{"kube_tag": "v1.31.0"}
	mustTemplate(t, s, demo, next)
	_, err = s.UpgradeCluster(ctx, id, magnum.Upgrade{ClusterTemplate: "k8s-next", MaxBatchSize: 1})
	require.NoError(t, err)
	c = waitDone(t, s, demo, id, magnum.UpdateComplete)
	assert.Equal(t, "v1.31.0", c.Labels["kube_tag"])
	want = append(want, update...)
	events.expect(t, want...)

	// Delete: the rows go.
	require.NoError(t, s.DeleteCluster(ctx, id))
	require.Eventually(t, func() bool {
		_, err := s.GetCluster(ctx, id)
		return err != nil
	}, 60*time.Second, 20*time.Millisecond)
	_, err = s.GetCluster(ctx, id)
	require.ErrorIs(t, err, magnum.ErrNotFound)
	st, err := s.Stats(ctx, "", "")
	require.NoError(t, err)
	assert.Equal(t, magnum.Stats{}, *st)
	stacks, _, err := magnum.Orchestrator(s).ListStacks(context.Background(), heat.ListOptions{Tags: []string{"gomagnum"}})
	require.NoError(t, err)
	assert.Empty(t, stacks)
	events.expect(t, append(want, "magnum.cluster.delete/pending", "magnum.cluster.delete/success")...)
}

// TestEventsInOrderOfChanges: a client that reacts to a cluster's status
// by asking for its next operation gets the success of the first before
// the pending of the next, even when a handler is slow to take the
// success.
func TestEventsInOrderOfChanges(t *testing.T) {
	release := make(chan struct{})
	events := &eventLog{}
	slow := magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
		if e.Type == "magnum.cluster.create" && e.Outcome == magnum.OutcomeSuccess {
			select {
			case <-release:
			case <-time.After(time.Minute):
			}
		}
	})
	s := newLiveService(t, slow, events.option())
	ctx := as(demo)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	c := waitDone(t, s, demo, id, magnum.CreateComplete)

	_, err := s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err)
	require.Eventually(t, func() bool { // the resize started
		st, err := magnum.Orchestrator(s).GetStack(context.Background(), c.StackID)
		require.NoError(t, err)
		return st.Status.Action() == "UPDATE"
	}, 30*time.Second, 10*time.Millisecond)
	close(release)
	waitDone(t, s, demo, id, magnum.UpdateComplete)
	events.expect(t, "magnum.cluster.create/pending", "magnum.cluster.create/success",
		"magnum.cluster.update/pending", "magnum.cluster.update/success")
}

func TestInjectedServerFailure(t *testing.T) {
	cloud, err := sim.New(context.Background())
	require.NoError(t, err)
	cloud.InjectFault(sim.Fault{Kind: sim.KindServer, Name: "*-node-1", Effect: sim.EffectNoValidHost})
	s := newLiveService(t, magnum.WithCloud(cloud))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "doomed", ClusterTemplateID: "k8s", NodeCount: ptr(2)})
	c := waitDone(t, s, demo, id, magnum.CreateFailed)
	require.NotNil(t, c.Fault)
	assert.Equal(t, magnum.FaultNoValidHost, c.Fault.Code)
	assert.True(t, c.Fault.Retryable)
	assert.Equal(t, "OS::Nova::Server", c.Fault.ResourceType)
	assert.Contains(t, c.StatusReason, "No valid host was found")
	assert.Contains(t, c.StatusReason, c.Fault.Resource)
	assert.Equal(t, map[string]string{"default-master": c.StatusReason, "default-worker": c.StatusReason}, c.Faults)
	t.Log(c.StatusReason)
}

func TestCreateTimeout(t *testing.T) {
	clock := &offsetClock{}
	cloud, err := sim.New(context.Background(), sim.WithDelays(sim.Delays{Boot: time.Hour}))
	require.NoError(t, err)
	s := newLiveService(t, magnum.WithCloud(cloud), magnum.WithClock(clock.now))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", CreateTimeout: ptr(5)})
	require.Eventually(t, func() bool {
		c, err := s.GetCluster(as(demo), id)
		require.NoError(t, err)
		return c.StackID != ""
	}, 30*time.Second, 20*time.Millisecond)
	clock.advance(6 * time.Minute)
	c := waitDone(t, s, demo, id, magnum.CreateFailed)
	require.NotNil(t, c.Fault)
	assert.Equal(t, magnum.FaultTimeout, c.Fault.Code)
	assert.Contains(t, c.StatusReason, "did not finish within 5 minutes")
}

// offsetClock is the wall clock moved forward on demand.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

func TestRotateCAOnEngine(t *testing.T) {
	s := newLiveService(t)
	ctx := as(demo)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	waitDone(t, s, demo, id, magnum.CreateComplete)
	before, err := s.GetCACertificate(ctx, id, "")
	require.NoError(t, err)
	_, err = s.RotateCA(ctx, id)
	require.NoError(t, err)
	waitDone(t, s, demo, id, magnum.UpdateComplete)
	after, err := s.GetCACertificate(ctx, id, "")
	require.NoError(t, err)
	assert.NotEqual(t, before.PEM, after.PEM)
	assert.Equal(t, 1, strings.Count(after.PEM, "BEGIN CERTIFICATE"), "the old CA is gone once the cluster moved")
}

// TestQueuedOperationKeepsClusterInProgress: a resize accepted while a
// node group is being added waits for it, and the cluster stays in
// progress until both are done.
func TestQueuedOperationKeepsClusterInProgress(t *testing.T) {
	cloud, err := sim.New(context.Background(), sim.WithDelays(sim.Delays{Boot: 300 * time.Millisecond}))
	require.NoError(t, err)
	s := newLiveService(t, magnum.WithCloud(cloud))
	ctx := as(demo)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	waitDone(t, s, demo, id, magnum.CreateComplete)

	_, err = s.CreateNodeGroup(ctx, id, magnum.NodeGroupCreate{Name: "extra"})
	require.NoError(t, err)
	_, err = s.ResizeCluster(ctx, id, magnum.Resize{NodeCount: 2})
	require.NoError(t, err, "a resize is accepted while an update runs")
	for {
		c, err := s.GetCluster(ctx, id)
		require.NoError(t, err)
		ng, err := s.GetNodeGroup(ctx, id, "extra")
		require.NoError(t, err)
		if !c.Status.IsInProgress() {
			assert.Equal(t, magnum.UpdateComplete, c.Status)
			assert.Equal(t, 3, c.NodeCount, "both operations are done when the cluster stops being in progress")
			assert.Equal(t, magnum.CreateComplete, ng.Status)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// trusteeRecorder is the simulated cloud noting the trustor's token each
// trustee was created with.
type trusteeRecorder struct {
	*sim.Cloud
	mu     sync.Mutex
	tokens []string
}

func (r *trusteeRecorder) CreateTrustee(ctx context.Context, req cloudpkg.TrusteeRequest) (cloudpkg.Trustee, error) {
	token, _ := cloudpkg.TrustorTokenFrom(ctx)
	r.mu.Lock()
	r.tokens = append(r.tokens, token)
	r.mu.Unlock()
	return r.Cloud.CreateTrustee(ctx, req)
}

// TestTrustorToken: the caller's token reaches the cloud when the
// conductor creates the cluster's trust, and when it rotates it.
func TestTrustorToken(t *testing.T) {
	simCloud, err := sim.New(context.Background())
	require.NoError(t, err)
	rec := &trusteeRecorder{Cloud: simCloud}
	orch, err := engine.New(context.Background(), engine.WithCloud(simCloud))
	require.NoError(t, err)
	t.Cleanup(func() { orch.Close() })
	s := newLiveService(t, magnum.WithCloud(rec), magnum.WithOrchestrator(orch))
	withToken := demo
	withToken.AuthToken = "gAAAAAB-token-of-demo"
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, withToken, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	waitDone(t, s, demo, id, magnum.CreateComplete)
	_, err = s.RotateCredentials(as(withToken), id)
	require.NoError(t, err)
	waitDone(t, s, demo, id, magnum.UpdateComplete)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, []string{"gAAAAAB-token-of-demo", "gAAAAAB-token-of-demo"}, rec.tokens)
}

// TestDefaultVolumeType builds a cluster with volumes whose labels name no
// volume type: as Magnum, the service names the cloud's default type (an
// empty one is refused by Heat and by the embedded engine alike).
func TestDefaultVolumeType(t *testing.T) {
	ctx := context.Background()
	cloud, err := sim.New(ctx)
	require.NoError(t, err)
	s := newLiveService(t, magnum.WithCloud(cloud))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", DockerVolumeSize: 5})
	waitDone(t, s, demo, id, magnum.CreateComplete)
	vols, err := cloud.Volumes(ctx, "")
	require.NoError(t, err)
	require.NotEmpty(t, vols)
	for _, v := range vols {
		assert.Equal(t, "__DEFAULT__", v.VolumeType, v.Name)
	}
}

// TestCloseDuringDeliveryDeliversOnce closes a service while its
// dispatcher is handing an event to a handler: the event is removed from
// the outbox all the same, so that close does not deliver it again.
func TestCloseDuringDeliveryDeliversOnce(t *testing.T) {
	var (
		mu      sync.Mutex
		seen    = map[string]int{}
		entered = make(chan struct{})
		first   sync.Once
	)
	handler := func(ctx context.Context, ev magnum.Event) {
		mu.Lock()
		seen[ev.Cluster.UUID+" "+ev.Type+"/"+ev.Outcome]++
		mu.Unlock()
		first.Do(func() {
			close(entered)
			<-ctx.Done() // the dispatcher is being stopped
		})
	}
	s := newLiveService(t, magnum.WithEventHandler(handler))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	select {
	case <-entered:
	case <-time.After(time.Minute):
		t.Fatal("no event was delivered")
	}
	require.NoError(t, s.Close())
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, seen)
	for ev, n := range seen {
		assert.Equal(t, 1, n, ev)
	}
}

// waitNodeGroupGone waits until a cluster's node group is deleted.
func waitNodeGroupGone(ctx context.Context, t *testing.T, s *magnum.Service, cluster, name string) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := s.GetNodeGroup(ctx, cluster, name)
		return err != nil
	}, 60*time.Second, 20*time.Millisecond)
}
