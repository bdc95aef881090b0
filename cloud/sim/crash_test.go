package sim_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/testkeys"
)

// cutBlobs stores writes until its budget runs out and drops the others,
// as the store of a process killed in the middle of a change.
type cutBlobs struct {
	sim.MemBlobs
	mu     sync.Mutex
	budget int // writes still stored; negative: all
	seen   int // writes since the last cut
}

func (b *cutBlobs) cut(budget int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.budget, b.seen = budget, 0
}

func (b *cutBlobs) stores() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen++
	if b.budget == 0 {
		return false
	}
	b.budget--
	return true
}

func (b *cutBlobs) Put(ctx context.Context, key string, value []byte) error {
	if !b.stores() {
		return nil
	}
	return b.MemBlobs.Put(ctx, key, value)
}

func (b *cutBlobs) Delete(ctx context.Context, key string) error {
	if !b.stores() {
		return nil
	}
	return b.MemBlobs.Delete(ctx, key)
}

// shape counts the stored records of each kind.
func shape(t *testing.T, b sim.Blobs) map[string]int {
	all, err := b.List(context.Background(), "")
	require.NoError(t, err)
	out := map[string]int{}
	for key := range all {
		kind, _, _ := strings.Cut(key, "/")
		out[kind]++
	}
	return out
}

// TestCrashInTheMiddleOfAChange makes changes that write several records,
// cuts the store after each of their writes, and checks that a cloud
// restarted on what was stored repeats the change (under the same client
// token) as if it had been stored whole or not at all.
func TestCrashInTheMiddleOfAChange(t *testing.T) {
	type change func(c *sim.Cloud, ctx context.Context) error
	tests := []struct {
		name  string
		setup func(t *testing.T, c *sim.Cloud) change
		check func(t *testing.T, c *sim.Cloud)
	}{
		{"server with an existing port, a new port and a volume", func(t *testing.T, c *sim.Cloud) change {
			p, err := c.CreatePort(asDemo(), sim.PortSpec{Name: "p", Network: "private"})
			require.NoError(t, err)
			v, err := c.CreateVolume(asDemo(), sim.VolumeSpec{Name: "v", SizeGB: 1})
			require.NoError(t, err)
			return func(c *sim.Cloud, ctx context.Context) error {
				s, err := c.CreateServer(ctx, sim.ServerSpec{Name: "vm", Image: "fedora-coreos-40", Flavor: "m1.small",
					Networks:     []sim.NIC{{Port: p.ID}, {Network: "private"}},
					BlockDevices: []sim.BlockDevice{{VolumeID: v.ID, BootIndex: -1}}})
				if err == nil && (len(s.Addresses) != 2 || len(s.VolumeIDs) != 1) {
					t.Errorf("server %+v lacks its ports or volume", s)
				}
				return err
			}
		}, func(t *testing.T, c *sim.Cloud) {
			servers, err := c.Servers(asDemo(), "")
			require.NoError(t, err)
			require.Len(t, servers, 1)
			ports, err := c.Ports(asDemo(), "")
			require.NoError(t, err)
			for _, p := range ports {
				if p.DeviceOwner == sim.OwnerCompute || p.Name == "p" {
					assert.Equal(t, servers[0].ID, p.DeviceID, "port %s", p.Name)
				}
			}
			vols, err := c.Volumes(asDemo(), "")
			require.NoError(t, err)
			assert.Equal(t, "in-use", vols[0].Status)
		}},
		{"router with a gateway", func(t *testing.T, c *sim.Cloud) change {
			return func(c *sim.Cloud, ctx context.Context) error {
				_, err := c.CreateRouter(ctx, sim.RouterSpec{Name: "r", ExternalNetwork: "public"})
				return err
			}
		}, nil},
		{"load balancer", func(t *testing.T, c *sim.Cloud) change {
			return func(c *sim.Cloud, ctx context.Context) error {
				_, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
				return err
			}
		}, nil},
		{"pool on a listener", func(t *testing.T, c *sim.Cloud) change {
			lb, err := c.CreateLoadBalancer(asDemo(), sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
			require.NoError(t, err)
			li, err := c.CreateListener(asDemo(), sim.ListenerSpec{LoadBalancerID: lb.ID, Protocol: "TCP", ProtocolPort: 6443})
			require.NoError(t, err)
			return func(c *sim.Cloud, ctx context.Context) error {
				p, err := c.CreatePool(ctx, sim.PoolSpec{Name: "pool", ListenerID: li.ID, Protocol: "TCP"})
				if err == nil {
					li, err = c.Listener(ctx, li.ID)
					assert.Equal(t, p.ID, li.DefaultPoolID)
				}
				return err
			}
		}, nil},
		{"volume attachment", func(t *testing.T, c *sim.Cloud) change {
			s := server(t, c, asDemo(), "vm")
			v, err := c.CreateVolume(asDemo(), sim.VolumeSpec{Name: "v", SizeGB: 1})
			require.NoError(t, err)
			return func(c *sim.Cloud, ctx context.Context) error {
				_, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: s.ID, VolumeID: v.ID})
				if err == nil {
					v, err = c.Volume(ctx, v.ID)
					assert.Equal(t, "in-use", v.Status)
				}
				return err
			}
		}, nil},
	}
	sealed := sim.WithSealer(testkeys.Keyring(t, "k1")) // the restarts read sealed objects
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := sim.WithClientToken(asDemo(), "the-change")
			ref := &cutBlobs{budget: -1}
			c := newCloud(t, sim.WithBlobs(ref), sealed)
			do := tt.setup(t, c)
			ref.cut(-1)
			require.NoError(t, do(c, ctx))
			writes, want := ref.seen, shape(t, ref)
			require.Greater(t, writes, 1, "the change writes several records")

			for stored := range writes {
				b := &cutBlobs{budget: -1}
				c := newCloud(t, sim.WithBlobs(b), sealed)
				do := tt.setup(t, c)
				b.cut(stored)
				require.NoError(t, do(c, ctx))

				c = newCloud(t, sim.WithBlobs(&b.MemBlobs), sealed)
				require.NoError(t, do(c, ctx), "the change repeated after a crash after %d of its %d writes", stored, writes)
				assert.Equal(t, want, shape(t, &b.MemBlobs), "after %d of %d writes", stored, writes)
				if tt.check != nil {
					tt.check(t, c)
				}
			}
		})
	}
}
