package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/testkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapshot is everything a test can read of a cloud's state.
type snapshot struct {
	Servers       []sim.Server
	Ports         []sim.Port
	FloatingIPs   []sim.FloatingIP
	Volumes       []sim.Volume
	LoadBalancers []sim.LoadBalancer
	Usage         map[string]sim.Usage
	Quota         sim.Quota
}

func takeSnapshot(t *testing.T, c *sim.Cloud) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	var err error
	s.Servers, err = c.Servers(ctx, "")
	require.NoError(t, err)
	s.Ports, err = c.Ports(ctx, "")
	require.NoError(t, err)
	s.FloatingIPs, err = c.FloatingIPs(ctx, "")
	require.NoError(t, err)
	s.Volumes, err = c.Volumes(ctx, "")
	require.NoError(t, err)
	s.LoadBalancers, err = c.LoadBalancers(ctx, "")
	require.NoError(t, err)
	s.Usage = map[string]sim.Usage{}
	for _, p := range []string{sim.DemoProjectID, sim.AltProjectID} {
		s.Usage[p], err = c.Usage(ctx, p)
		require.NoError(t, err)
	}
	s.Quota, err = c.Quota(ctx, sim.AltProjectID)
	require.NoError(t, err)
	return s
}

// TestPersistenceRoundTrip stores a cluster's worth of objects, in clear
// and sealed, and checks that a new cloud over the same store has them
// all.
func TestPersistenceRoundTrip(t *testing.T) {
	for name, sealer := range map[string]sim.Sealer{"in clear": nil, "sealed": testkeys.Keyring(t, "k1")} {
		t.Run(name, func(t *testing.T) { testPersistenceRoundTrip(t, sealer) })
	}
}

func testPersistenceRoundTrip(t *testing.T, sealer sim.Sealer) {
	blobs := &sim.MemBlobs{}
	clock := sim.NewManualClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	opts := []sim.Option{sim.WithBlobs(blobs), sim.WithClock(clock), sim.WithDelays(sim.Delays{Boot: time.Minute})}
	if sealer != nil {
		opts = append(opts, sim.WithSealer(sealer))
	}
	c := newCloud(t, opts...)
	ctx := asDemo()

	// A cluster's worth of objects.
	n, s, r := tenantNetwork(t, c, ctx, "10.90.0.0/24")
	sg, err := c.CreateSecurityGroup(ctx, sim.SecurityGroupSpec{Name: "sg",
		Rules: []sim.SecurityGroupRuleSpec{{Protocol: "tcp", PortRangeMin: 22, PortRangeMax: 22}}})
	require.NoError(t, err)
	g, err := c.CreateServerGroup(ctx, sim.ServerGroupSpec{Name: "g", Policy: "affinity"})
	require.NoError(t, err)
	boot, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "boot", SizeGB: 10, Image: "fedora-coreos-40"})
	require.NoError(t, err)
	srv, err := c.CreateServer(ctx, sim.ServerSpec{
		Name: "master", Flavor: "m1.medium", KeyName: "default", UserData: "#cloud-config",
		Networks: []sim.NIC{{Network: n.ID}}, SecurityGroups: []string{"sg"}, ServerGroup: g.ID,
		BlockDevices: []sim.BlockDevice{{VolumeID: boot.ID, DeleteOnTermination: true}},
	})
	require.NoError(t, err)
	data, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "data", SizeGB: 3})
	require.NoError(t, err)
	att, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: srv.ID, VolumeID: data.ID})
	require.NoError(t, err)
	fip, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{PortID: srv.PortIDs[0]})
	require.NoError(t, err)
	lb, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "api", VIPSubnet: s.ID})
	require.NoError(t, err)
	li, err := c.CreateListener(ctx, sim.ListenerSpec{LoadBalancerID: lb.ID, Protocol: "TCP", ProtocolPort: 6443})
	require.NoError(t, err)
	pool, err := c.CreatePool(ctx, sim.PoolSpec{ListenerID: li.ID, Protocol: "TCP"})
	require.NoError(t, err)
	_, err = c.CreateMember(ctx, sim.MemberSpec{PoolID: pool.ID, Address: srv.FirstAddress(), ProtocolPort: 6443})
	require.NoError(t, err)
	hm, err := c.CreateHealthMonitor(ctx, sim.HealthMonitorSpec{PoolID: pool.ID, Type: "TCP", Delay: 1, Timeout: 1, MaxRetries: 1})
	require.NoError(t, err)
	trustee, err := c.CreateTrustee(ctx, cloud.TrusteeRequest{ClusterUUID: "c1", ProjectID: sim.DemoProjectID, TrustorUserID: sim.DemoUserID})
	require.NoError(t, err)
	require.NoError(t, c.SetQuota(ctx, sim.AltProjectID, sim.Unlimited()))
	altPort, err := c.CreatePort(asAlt(), sim.PortSpec{Name: "alt", Network: "public"})
	require.NoError(t, err)
	deleted, err := c.CreatePort(ctx, sim.PortSpec{Name: "gone", Network: n.ID})
	require.NoError(t, err)
	require.NoError(t, c.DeletePort(ctx, deleted.ID))

	before := takeSnapshot(t, c)
	assert.NotContains(t, blobs.Keys(), "port/"+deleted.ID, "deletes reach the store")
	if sealer != nil {
		checkSealed(t, blobs, "#cloud-config", trustee.Password)
	}

	// A new process over the same store.
	c2 := newCloud(t, opts...)
	after := takeSnapshot(t, c2)
	assert.Equal(t, before, after)

	for _, check := range []func(*sim.Cloud) (any, error){
		func(c *sim.Cloud) (any, error) { return c.NetworkDetail(ctx, n.ID) },
		func(c *sim.Cloud) (any, error) { return c.SubnetDetail(ctx, s.ID) },
		func(c *sim.Cloud) (any, error) { return c.Router(ctx, r.ID) },
		func(c *sim.Cloud) (any, error) { return c.SecurityGroup(ctx, sg.ID) },
		func(c *sim.Cloud) (any, error) { return c.ServerGroup(ctx, g.ID) },
		func(c *sim.Cloud) (any, error) { return c.VolumeAttachment(ctx, att.ID) },
		func(c *sim.Cloud) (any, error) { return c.Listener(ctx, li.ID) },
		func(c *sim.Cloud) (any, error) { return c.Pool(ctx, pool.ID) },
		func(c *sim.Cloud) (any, error) { return c.HealthMonitor(ctx, hm.ID) },
		func(c *sim.Cloud) (any, error) { return c.FloatingIP(ctx, fip.ID) },
		func(c *sim.Cloud) (any, error) { return c.Port(asAlt(), altPort.ID) },
	} {
		want, err := check(c)
		require.NoError(t, err)
		got, err := check(c2)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}

	// The reloaded cloud goes on: no address is handed out twice, the
	// relations still hold, the trustee is still there.
	p, err := c2.CreatePort(ctx, sim.PortSpec{Name: "next", Network: n.ID})
	require.NoError(t, err)
	for _, old := range before.Ports {
		for _, ip := range old.FixedIPs {
			assert.NotEqual(t, ip.IPAddress, p.FixedIPs[0].IPAddress)
		}
	}
	require.ErrorIs(t, c2.DeleteNetwork(ctx, n.ID), sim.ErrConflict)
	require.ErrorIs(t, c2.DeleteSecurityGroup(ctx, sg.ID), sim.ErrConflict)
	require.NoError(t, c2.DeleteTrustee(ctx, trustee), "the trustee survived the restart")

	// The boot is still due at the same moment.
	booted := make(chan error, 1)
	go func() { booted <- c2.WaitBooted(ctx, srv.ID) }()
	waitForWaiters(t, clock, 1)
	clock.Advance(time.Minute)
	require.NoError(t, <-booted)

	// Deleting everything through the new process frees the quota.
	require.NoError(t, c2.DeleteLoadBalancerCascade(ctx, lb.ID))
	require.NoError(t, c2.DeleteServer(ctx, srv.ID))
	require.NoError(t, c2.ReleaseFloatingIP(ctx, fip.ID))
	require.NoError(t, c2.DeleteVolume(ctx, data.ID))
	u, err := c2.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Usage{}, u)
	_, err = c2.Volume(ctx, boot.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "the attachment kept delete_on_termination")
}

// TestConcurrentWritesOfOneKey: many concurrent updates of one object end
// with the store holding the newest value.
func TestConcurrentWritesOfOneKey(t *testing.T) {
	blobs := &sim.MemBlobs{}
	c := newCloud(t, sim.WithBlobs(blobs))
	ctx := asDemo()
	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "p", Network: "private"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			name := fmt.Sprint(i)
			_, err := c.UpdatePort(ctx, p.ID, sim.PortUpdate{Name: &name})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	mem, err := c.Port(ctx, p.ID)
	require.NoError(t, err)
	raw, err := blobs.Get(context.Background(), "port/"+p.ID)
	require.NoError(t, err)
	var stored sim.Port
	require.NoError(t, json.Unmarshal(raw, &stored))
	assert.Equal(t, mem.Name, stored.Name)
}

// failingBlobs fails every call after a switch is set.
type failingBlobs struct {
	sim.MemBlobs
	mu   sync.Mutex
	fail bool
}

var errDisk = errors.New("disk on fire")

func (f *failingBlobs) failing() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail
}

func (f *failingBlobs) Put(ctx context.Context, key string, value []byte) error {
	if f.failing() {
		return errDisk
	}
	return f.MemBlobs.Put(ctx, key, value)
}

func (f *failingBlobs) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	if f.failing() {
		return nil, errDisk
	}
	return f.MemBlobs.List(ctx, prefix)
}

func TestStoreFailures(t *testing.T) {
	blobs := &failingBlobs{}
	c := newCloud(t, sim.WithBlobs(blobs))
	blobs.mu.Lock()
	blobs.fail = true
	blobs.mu.Unlock()

	_, err := c.CreateNetwork(asDemo(), sim.NetworkSpec{Name: "n"})
	require.ErrorIs(t, err, errDisk)
	assert.Contains(t, err.Error(), "persist network/")

	_, err = sim.New(context.Background(), sim.WithBlobs(blobs))
	require.ErrorIs(t, err, errDisk)

	bad := &sim.MemBlobs{}
	require.NoError(t, bad.Put(context.Background(), "server/x", []byte("{not json")))
	_, err = sim.New(context.Background(), sim.WithBlobs(bad))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "decode server/x")

	unknown := &sim.MemBlobs{}
	require.NoError(t, unknown.Put(context.Background(), "gizmo/x", []byte("{}")))
	_, err = sim.New(context.Background(), sim.WithBlobs(unknown), sim.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err, "unknown keys are skipped")
}

func TestMemBlobs(t *testing.T) {
	ctx := context.Background()
	var b sim.MemBlobs
	_, err := b.Get(ctx, "a")
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, b.Put(ctx, "a/1", []byte("x")))
	require.NoError(t, b.Put(ctx, "b/1", []byte("y")))
	v, err := b.Get(ctx, "a/1")
	require.NoError(t, err)
	v[0] = 'z'
	v, err = b.Get(ctx, "a/1")
	require.NoError(t, err)
	assert.Equal(t, "x", string(v), "values are copied")
	m, err := b.List(ctx, "a/")
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"a/1": []byte("x")}, m)
	require.NoError(t, b.Delete(ctx, "a/1"))
	require.NoError(t, b.Delete(ctx, "a/1"))
	assert.Equal(t, 1, b.Len())
	assert.Equal(t, []string{"b/1"}, b.Keys())

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, b.Put(cctx, "c", nil), context.Canceled)
	_, err = b.List(cctx, "")
	require.ErrorIs(t, err, context.Canceled)
	for _, k := range b.Keys() {
		assert.False(t, strings.HasPrefix(k, "c"))
	}
}

// barrierBlobs holds every Put until n of them are in flight at once, so
// it only completes if the cloud writes concurrently.
type barrierBlobs struct {
	sim.MemBlobs
	n       int
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func (b *barrierBlobs) Put(ctx context.Context, key string, value []byte) error {
	b.mu.Lock()
	b.waiting++
	if b.waiting == b.n {
		close(b.release)
	}
	b.mu.Unlock()
	select {
	case <-b.release:
	case <-time.After(10 * time.Second):
		return errors.New("writes were serialized")
	}
	return b.MemBlobs.Put(ctx, key, value)
}

// TestWritesDoNotSerialize: creates write to the store outside the
// cloud's lock, so slow writes overlap instead of queueing.
func TestWritesDoNotSerialize(t *testing.T) {
	const n = 8
	blobs := &barrierBlobs{n: n, release: make(chan struct{})}
	c := newCloud(t, sim.WithBlobs(blobs))
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := c.CreateNetwork(asDemo(), sim.NetworkSpec{Name: fmt.Sprint(i)})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}
