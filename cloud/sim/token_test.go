package sim_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// tokenCase is one kind of create under a client token.
type tokenCase struct {
	kind sim.Kind
	// setup makes what the creates need and returns the operations.
	setup func(t *testing.T, c *sim.Cloud) tokenOps
}

// tokenOps create, delete and count the objects of a kind.
type tokenOps struct {
	// create makes variant i of the object (variants differ enough not to
	// conflict) and returns its ID.
	create func(c *sim.Cloud, ctx context.Context, i int) (string, error)
	del    func(c *sim.Cloud, ctx context.Context, id string) error
	// count returns how many objects of the kind exist; nil counts the
	// kind's persisted records.
	count func(t *testing.T, c *sim.Cloud) int
}

func tokenCases() []tokenCase {
	return []tokenCase{
		{sim.KindNetwork, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: fmt.Sprint("net-", i)})
				return n.ID, err
			}, del: (*sim.Cloud).DeleteNetwork}
		}},
		{sim.KindSubnet, func(t *testing.T, c *sim.Cloud) tokenOps {
			n, err := c.CreateNetwork(asDemo(), sim.NetworkSpec{Name: "net"})
			require.NoError(t, err)
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				s, err := c.CreateSubnet(ctx, sim.SubnetSpec{Name: fmt.Sprint("sub-", i), Network: n.ID, CIDR: fmt.Sprintf("10.80.%d.0/24", i)})
				return s.ID, err
			}, del: (*sim.Cloud).DeleteSubnet}
		}},
		{sim.KindRouter, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				r, err := c.CreateRouter(ctx, sim.RouterSpec{Name: fmt.Sprint("router-", i), ExternalNetwork: "public"})
				return r.ID, err
			}, del: (*sim.Cloud).DeleteRouter}
		}},
		{sim.KindRouterInterface, func(t *testing.T, c *sim.Cloud) tokenOps {
			router, err := c.CreateRouter(asDemo(), sim.RouterSpec{Name: "router", ExternalNetwork: "public"})
			require.NoError(t, err)
			var subnets []string
			for i := range 3 {
				n, err := c.CreateNetwork(asDemo(), sim.NetworkSpec{Name: fmt.Sprint("net-", i)})
				require.NoError(t, err)
				s, err := c.CreateSubnet(asDemo(), sim.SubnetSpec{Network: n.ID, CIDR: fmt.Sprintf("10.81.%d.0/24", i)})
				require.NoError(t, err)
				subnets = append(subnets, s.ID)
			}
			return tokenOps{
				create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
					ri, err := c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: router.ID, Subnet: subnets[i]})
					return ri.PortID, err
				},
				del: func(c *sim.Cloud, ctx context.Context, port string) error {
					return c.RemoveRouterInterface(ctx, router.ID, port)
				},
				count: func(t *testing.T, c *sim.Cloud) int {
					r, err := c.Router(asDemo(), router.ID)
					require.NoError(t, err)
					return len(r.Interfaces)
				},
			}
		}},
		{sim.KindPort, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				p, err := c.CreatePort(ctx, sim.PortSpec{Name: fmt.Sprint("port-", i), Network: "private"})
				return p.ID, err
			}, del: (*sim.Cloud).DeletePort}
		}},
		{sim.KindServer, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				s, err := c.CreateServer(ctx, sim.ServerSpec{Name: fmt.Sprint("vm-", i), Image: "fedora-coreos-40", Flavor: "m1.small",
					Networks: []sim.NIC{{Network: "private"}}})
				return s.ID, err
			}, del: (*sim.Cloud).DeleteServer}
		}},
		{sim.KindServerGroup, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				g, err := c.CreateServerGroup(ctx, sim.ServerGroupSpec{Name: fmt.Sprint("group-", i), Policy: "anti-affinity"})
				return g.ID, err
			}, del: (*sim.Cloud).DeleteServerGroup}
		}},
		{sim.KindFloatingIP, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{Description: fmt.Sprint("fip-", i)})
				return f.ID, err
			}, del: (*sim.Cloud).ReleaseFloatingIP}
		}},
		{sim.KindSecurityGroup, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				g, err := c.CreateSecurityGroup(ctx, sim.SecurityGroupSpec{Name: fmt.Sprint("sg-", i)})
				return g.ID, err
			}, del: (*sim.Cloud).DeleteSecurityGroup}
		}},
		{sim.KindSecurityGroupRule, func(t *testing.T, c *sim.Cloud) tokenOps {
			_, err := c.CreateSecurityGroup(asDemo(), sim.SecurityGroupSpec{Name: "sg"})
			require.NoError(t, err)
			return tokenOps{
				create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
					r, err := c.CreateSecurityGroupRule(ctx, sim.SecurityGroupRuleSpec{SecurityGroup: "sg", Protocol: "tcp",
						PortRangeMin: 1000 + i, PortRangeMax: 1000 + i})
					return r.ID, err
				},
				del: (*sim.Cloud).DeleteSecurityGroupRule,
				count: func(t *testing.T, c *sim.Cloud) int {
					g, err := c.SecurityGroup(asDemo(), "sg")
					require.NoError(t, err)
					return len(g.Rules)
				},
			}
		}},
		{sim.KindVolume, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				v, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: fmt.Sprint("vol-", i), SizeGB: 1 + i})
				return v.ID, err
			}, del: (*sim.Cloud).DeleteVolume}
		}},
		{sim.KindVolumeAttachment, func(t *testing.T, c *sim.Cloud) tokenOps {
			s := server(t, c, asDemo(), "vm")
			var volumes []string
			for i := range 3 {
				v, err := c.CreateVolume(asDemo(), sim.VolumeSpec{Name: fmt.Sprint("vol-", i), SizeGB: 1})
				require.NoError(t, err)
				volumes = append(volumes, v.ID)
			}
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				a, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: s.ID, VolumeID: volumes[i]})
				return a.ID, err
			}, del: (*sim.Cloud).DetachVolume}
		}},
		{sim.KindLoadBalancer, func(t *testing.T, c *sim.Cloud) tokenOps {
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				lb, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: fmt.Sprint("lb-", i), VIPSubnet: "private-subnet"})
				return lb.ID, err
			}, del: (*sim.Cloud).DeleteLoadBalancer}
		}},
		{sim.KindListener, func(t *testing.T, c *sim.Cloud) tokenOps {
			lb, err := c.CreateLoadBalancer(asDemo(), sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
			require.NoError(t, err)
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				l, err := c.CreateListener(ctx, sim.ListenerSpec{Name: fmt.Sprint("l-", i), LoadBalancerID: lb.ID, Protocol: "TCP",
					ProtocolPort: 6443 + i})
				return l.ID, err
			}, del: (*sim.Cloud).DeleteListener}
		}},
		{sim.KindPool, func(t *testing.T, c *sim.Cloud) tokenOps {
			lb, err := c.CreateLoadBalancer(asDemo(), sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
			require.NoError(t, err)
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				p, err := c.CreatePool(ctx, sim.PoolSpec{Name: fmt.Sprint("pool-", i), LoadBalancerID: lb.ID, Protocol: "TCP"})
				return p.ID, err
			}, del: (*sim.Cloud).DeletePool}
		}},
		{sim.KindMember, func(t *testing.T, c *sim.Cloud) tokenOps {
			pool := lbPool(t, c, "pool")
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				m, err := c.CreateMember(ctx, sim.MemberSpec{PoolID: pool, Address: fmt.Sprintf("10.0.0.%d", 10+i), ProtocolPort: 6443})
				return m.ID, err
			}, del: (*sim.Cloud).DeleteMember}
		}},
		{sim.KindHealthMonitor, func(t *testing.T, c *sim.Cloud) tokenOps {
			var pools []string
			for i := range 3 {
				pools = append(pools, lbPool(t, c, fmt.Sprint("pool-", i)))
			}
			return tokenOps{create: func(c *sim.Cloud, ctx context.Context, i int) (string, error) {
				h, err := c.CreateHealthMonitor(ctx, sim.HealthMonitorSpec{PoolID: pools[i], Type: "TCP", Delay: 5, Timeout: 3, MaxRetries: 3})
				return h.ID, err
			}, del: (*sim.Cloud).DeleteHealthMonitor}
		}},
	}
}

// lbPool makes a pool on a new load balancer and returns its ID.
func lbPool(t *testing.T, c *sim.Cloud, name string) string {
	lb, err := c.CreateLoadBalancer(asDemo(), sim.LoadBalancerSpec{Name: "lb-" + name, VIPSubnet: "private-subnet"})
	require.NoError(t, err)
	p, err := c.CreatePool(asDemo(), sim.PoolSpec{Name: name, LoadBalancerID: lb.ID, Protocol: "TCP"})
	require.NoError(t, err)
	return p.ID
}

// records counts the persisted records of a kind.
func records(t *testing.T, blobs *sim.MemBlobs, kind sim.Kind) int {
	all, err := blobs.List(context.Background(), string(kind)+"/")
	require.NoError(t, err)
	return len(all)
}

func TestClientTokens(t *testing.T) {
	for _, tc := range tokenCases() {
		t.Run(string(tc.kind), func(t *testing.T) {
			blobs := &sim.MemBlobs{}
			c := newCloud(t, sim.WithBlobs(blobs))
			ops := tc.setup(t, c)
			count := func(c *sim.Cloud) int {
				if ops.count != nil {
					return ops.count(t, c)
				}
				return records(t, blobs, tc.kind)
			}
			usage := func(c *sim.Cloud) sim.Usage {
				u, err := c.Usage(context.Background(), sim.DemoProjectID)
				require.NoError(t, err)
				return u
			}
			tok := func(s string) context.Context { return sim.WithClientToken(asDemo(), s+"-"+string(tc.kind)) }

			// The same token gives the same object, charged once.
			first, err := ops.create(c, tok("a"), 0)
			require.NoError(t, err)
			n, used := count(c), usage(c)
			again, err := ops.create(c, tok("a"), 0)
			require.NoError(t, err)
			assert.Equal(t, first, again, "the same token makes one object")
			assert.Equal(t, n, count(c))
			assert.Equal(t, used, usage(c), "no second charge")

			// Another token makes another object; so does no token.
			other, err := ops.create(c, tok("b"), 1)
			require.NoError(t, err)
			assert.NotEqual(t, first, other)
			plain, err := ops.create(c, asDemo(), 2)
			require.NoError(t, err)
			assert.NotContains(t, []string{first, other}, plain)
			assert.Equal(t, n+2, count(c))
			used = usage(c)

			// A restarted cloud knows the tokens.
			c = newCloud(t, sim.WithBlobs(blobs))
			again, err = ops.create(c, tok("a"), 0)
			require.NoError(t, err)
			assert.Equal(t, first, again, "the token survives a restart")
			assert.Equal(t, n+2, count(c))
			assert.Equal(t, used, usage(c))

			// Deleting the object forgets its token; the token then makes
			// a new object, which a restart remembers.
			require.NoError(t, ops.del(c, asDemo(), first))
			fresh, err := ops.create(c, tok("a"), 0)
			require.NoError(t, err)
			assert.NotEqual(t, first, fresh, "a deleted object's token makes a new one")
			c = newCloud(t, sim.WithBlobs(blobs))
			again, err = ops.create(c, tok("a"), 0)
			require.NoError(t, err)
			assert.Equal(t, fresh, again)
			assert.Equal(t, n+2, count(c))
			assert.Equal(t, used, usage(c))
		})
	}
}

func TestClientTokenReplaySkipsDelaysAndFaults(t *testing.T) {
	clock := sim.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	c := newCloud(t, sim.WithClock(clock))
	ctx := sim.WithClientToken(asDemo(), "vm-1")
	first := server(t, c, ctx, "vm")

	require.NoError(t, c.SetDelays(sim.Delays{Create: map[sim.Kind]time.Duration{sim.KindServer: time.Hour}}))
	_, err := c.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoValidHost, Times: 1})
	require.NoError(t, err)
	replayed := make(chan sim.Server, 1)
	go func() { replayed <- server(t, c, ctx, "vm") }()
	select {
	case s := <-replayed:
		assert.Equal(t, first.ID, s.ID)
		assert.Equal(t, first.Addresses, s.Addresses)
	case <-time.After(10 * time.Second):
		t.Fatal("the replay waited for the create delay")
	}

	// The fault is still armed: the replay did not fire it.
	require.NoError(t, c.SetDelays(sim.Delays{}))
	_, err = c.CreateServer(asDemo(), sim.ServerSpec{Name: "vm", Image: "fedora-coreos-40", Flavor: "m1.small"})
	require.ErrorIs(t, err, sim.ErrNoValidHost)
}

func TestClientTokenFailedCreateKeepsNothing(t *testing.T) {
	c := newCloud(t)
	ctx := sim.WithClientToken(asDemo(), "fip-1")
	require.NoError(t, c.SetQuota(asDemo(), sim.DemoProjectID, sim.Quota{Instances: -1, Cores: -1, RAMMiB: -1, FloatingIPs: 0,
		Volumes: -1, VolumeGB: -1, LoadBalancers: -1}))
	_, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
	require.ErrorIs(t, err, sim.ErrQuotaExceeded)

	_, err = c.InjectFault(sim.Fault{Kind: sim.KindFloatingIP, Effect: sim.EffectError, Times: 1})
	require.NoError(t, err)
	require.NoError(t, c.SetQuota(asDemo(), sim.DemoProjectID, sim.Quota{Instances: -1, Cores: -1, RAMMiB: -1, FloatingIPs: 1,
		Volumes: -1, VolumeGB: -1, LoadBalancers: -1}))
	_, err = c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
	require.ErrorIs(t, err, sim.ErrInjected)

	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
	require.NoError(t, err, "failed creates left the token free")
	again, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
	require.NoError(t, err, "the replay charges no quota")
	assert.Equal(t, f, again)
}

func TestClientTokenMisuse(t *testing.T) {
	c := newCloud(t)
	ctx := sim.WithClientToken(asDemo(), "tok")
	n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "net"})
	require.NoError(t, err)

	_, err = c.CreatePort(ctx, sim.PortSpec{Network: "private"})
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.ErrorContains(t, err, "Client token tok was used to create network "+n.ID)

	long := sim.WithClientToken(asDemo(), strings.Repeat("x", sim.MaxClientTokenLen+1))
	_, err = c.CreateNetwork(long, sim.NetworkSpec{Name: "net"})
	require.ErrorIs(t, err, sim.ErrInvalid)

	_, err = c.CreateNetwork(sim.WithClientToken(asDemo(), ""), sim.NetworkSpec{Name: "other"})
	require.NoError(t, err, "an empty token is no token")
	_, err = c.CreateNetwork(sim.WithClientToken(asDemo(), ""), sim.NetworkSpec{Name: "other"})
	require.NoError(t, err)
}

func TestClientTokenConcurrentCreates(t *testing.T) {
	c := newCloud(t)
	ctx := sim.WithClientToken(asDemo(), "vm")
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() { ids[i] = server(t, c, ctx, "vm").ID })
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
	servers, err := c.Servers(asDemo(), sim.DemoProjectID)
	require.NoError(t, err)
	assert.Len(t, servers, 1)
	u, err := c.Usage(asDemo(), sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, 1, u.Instances)
}

// A port made under one token and plugged into a router under another
// carries both, in its own record, until the interface is removed.
func TestClientTokensOfARouterPort(t *testing.T) {
	blobs := &sim.MemBlobs{}
	c := newCloud(t, sim.WithBlobs(blobs))
	n, s, _ := tenantNetwork(t, c, asDemo(), "10.82.0.0/24")
	r, err := c.CreateRouter(asDemo(), sim.RouterSpec{Name: "r2"})
	require.NoError(t, err)
	portCtx, ifCtx := sim.WithClientToken(asDemo(), "port-tok"), sim.WithClientToken(asDemo(), "if-tok")
	p, err := c.CreatePort(portCtx, sim.PortSpec{Network: n.ID, FixedIPs: []sim.FixedIPSpec{{Subnet: s.ID, IPAddress: "10.82.0.9"}}})
	require.NoError(t, err)
	ri, err := c.AddRouterInterface(ifCtx, sim.RouterInterfaceSpec{RouterID: r.ID, PortID: p.ID})
	require.NoError(t, err)

	rec, err := blobs.Get(context.Background(), "port/"+p.ID)
	require.NoError(t, err)
	assert.Contains(t, string(rec), `"client_tokens":{"port-tok":"","if-tok":"router_interface/`+p.ID+`"}`)

	c = newCloud(t, sim.WithBlobs(blobs))
	again, err := c.AddRouterInterface(ifCtx, sim.RouterInterfaceSpec{RouterID: r.ID, PortID: p.ID})
	require.NoError(t, err, "the replay does not find the port in use")
	assert.Equal(t, ri, again)
	port, err := c.CreatePort(portCtx, sim.PortSpec{Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, p.ID, port.ID)
	assert.Equal(t, r.ID, port.DeviceID, "the replay shows the port as it is now")

	require.NoError(t, c.RemoveRouterInterface(asDemo(), r.ID, p.ID))
	port, err = c.CreatePort(portCtx, sim.PortSpec{Network: n.ID})
	require.NoError(t, err)
	assert.NotEqual(t, p.ID, port.ID, "removing the interface deleted the port and its tokens")
}

func TestClientTokensOfAnyText(t *testing.T) {
	blobs := &sim.MemBlobs{}
	c := newCloud(t, sim.WithBlobs(blobs))
	tokens := []string{"plain", `quo"te`, `back\slash`, "tab\t", "héllo ✓", "<html>&"}
	ids := map[string]string{}
	for _, tok := range tokens {
		n, err := c.CreateNetwork(sim.WithClientToken(asDemo(), tok), sim.NetworkSpec{Name: "net"})
		require.NoError(t, err)
		ids[tok] = n.ID
	}
	c = newCloud(t, sim.WithBlobs(blobs))
	for _, tok := range tokens {
		n, err := c.CreateNetwork(sim.WithClientToken(asDemo(), tok), sim.NetworkSpec{Name: "net"})
		require.NoError(t, err)
		assert.Equal(t, ids[tok], n.ID, "token %q", tok)
	}
	assert.Equal(t, len(tokens), records(t, blobs, sim.KindNetwork))
}
