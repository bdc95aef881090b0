package engine

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/atrest"
)

// crash makes the stores of an engine and its cloud stop at one moment,
// as a process killed then would: the write that triggers it is the last
// one stored, later ones are dropped while the process runs on.
type crash struct {
	// trigger reports whether a write of the cloud is the last one.
	trigger func(key string, value []byte) bool
	done    atomic.Bool
}

// crashingBlobs is a store that stops storing when its crash happens.
type crashingBlobs struct {
	Blobs
	crash   *crash
	trigger bool // whether this store's writes trigger the crash
}

func (b *crashingBlobs) Put(ctx context.Context, key string, value []byte) error {
	if b.crash.done.Load() {
		return nil
	}
	err := b.Blobs.Put(ctx, key, value)
	if b.trigger && b.crash.trigger(key, opened(key, value)) {
		b.crash.done.Store(true)
	}
	return err
}

// opened returns a cloud object sealed with testSealer in clear (as it
// is when it does not open: the crash then never happens, and the test
// says so).
func opened(key string, value []byte) []byte {
	if plain, _, err := atrest.Open(testSealer, "sim", key, value); err == nil {
		return plain
	}
	return value
}

func (b *crashingBlobs) Delete(ctx context.Context, key string) error {
	if b.crash.done.Load() {
		return nil
	}
	return b.Blobs.Delete(ctx, key)
}

// resumedCluster is a small cluster: a network with its router, a port
// with a floating IP and a server behind a load balancer, and a group of
// servers.
const resumedCluster = `
heat_template_version: 2018-08-31
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: 10.70.0.0/24}
  router:
    type: OS::Neutron::Router
    properties: {external_gateway_info: {network: public}}
  iface:
    type: OS::Neutron::RouterInterface
    properties: {router: {get_resource: router}, subnet: {get_resource: subnet}}
  sg:
    type: OS::Neutron::SecurityGroup
    properties: {rules: [{protocol: tcp, port_range_min: 22, port_range_max: 22}]}
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: sg}]
  fip:
    type: OS::Neutron::FloatingIP
    depends_on: iface
    properties: {floating_network: public, port_id: {get_resource: port}}
  master:
    type: OS::Nova::Server
    properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{port: {get_resource: port}}]}
  lb:
    type: OS::Octavia::LoadBalancer
    depends_on: iface
    properties: {vip_subnet: {get_resource: subnet}}
  listener:
    type: OS::Octavia::Listener
    properties: {loadbalancer: {get_resource: lb}, protocol: TCP, protocol_port: 6443}
  pool:
    type: OS::Octavia::Pool
    properties: {listener: {get_resource: listener}, lb_algorithm: ROUND_ROBIN, protocol: TCP}
  monitor:
    type: OS::Octavia::HealthMonitor
    properties: {pool: {get_resource: pool}, type: TCP, delay: 5, max_retries: 5, timeout: 5}
  member:
    type: OS::Octavia::PoolMember
    properties:
      pool: {get_resource: pool}
      address: {get_attr: [master, first_address]}
      protocol_port: 6443
      subnet: {get_resource: subnet}
  workers:
    type: OS::Heat::ResourceGroup
    depends_on: iface
    properties:
      count: 2
      resource_def:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{network: {get_resource: net}}]}
outputs:
  ip: {value: {get_attr: [master, first_address]}}
`

// TestResumeAfterCrashMakesEachObjectOnce kills an engine and its cloud
// right after the cloud stored an object and before the engine stored
// its ID; the engine restarted on their stores finishes the stack, with
// one object per resource.
func TestResumeAfterCrashMakesEachObjectOnce(t *testing.T) {
	has := func(prefix string, parts ...string) func(string, []byte) bool {
		return func(key string, value []byte) bool {
			if !strings.HasPrefix(key, prefix) {
				return false
			}
			for _, p := range parts {
				if !strings.Contains(string(value), p) {
					return false
				}
			}
			return true
		}
	}
	for _, tc := range []struct {
		name    string
		trigger func(key string, value []byte) bool
	}{
		{"network", has("network/")},
		{"subnet", has("subnet/")},
		{"router", has("router/")},
		{"router interface", has("port/", `"device_owner":"network:router_interface"`)},
		{"security group", has("security_group/", `"port_range_min":22`)},
		{"port", has("port/", `-port-`)},
		{"floating IP", has("floating_ip/")},
		{"server", has("server/", `-master-`)},
		{"port bound to the server", has("port/", `-port-`, `"device_owner":"compute:nova"`)},
		{"server of a group", has("server/", `-workers-`)},
		{"load balancer", has("load_balancer/")},
		{"listener given its default pool", func(key string, value []byte) bool {
			return strings.HasPrefix(key, "listener/") && !strings.Contains(string(value), `"default_pool_id":""`)
		}},
		{"pool", has("pool/")},
		{"member", has("member/")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
			cr := &crash{trigger: tc.trigger}
			_, e1 := engineOnCloud(t, &crashingBlobs{Blobs: blobs, crash: cr}, &crashingBlobs{Blobs: cloudBlobs, crash: cr, trigger: true})
			id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "resumed", Template: []byte(resumedCluster)})
			require.NoError(t, err)
			waitStack(t, e1, id)
			require.NoError(t, e1.Close())
			require.True(t, cr.done.Load(), "the crash happened")

			c2, e2 := engineOnCloud(t, blobs, cloudBlobs)
			defer e2.Close()
			st := waitStack(t, e2, id)
			require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
			assert.NotEmpty(t, st.Outputs["ip"])

			records := func(prefix string) int {
				all, err := cloudBlobs.List(ctx, prefix)
				require.NoError(t, err)
				return len(all)
			}
			assert.Equal(t, 1, records("network/"))
			assert.Equal(t, 1, records("subnet/"))
			assert.Equal(t, 1, records("router/"))
			assert.Equal(t, 1, records("floating_ip/"))
			assert.Equal(t, 3, records("server/"))
			// The port, two for the group's servers, the router's
			// gateway and interface, the load balancer's VIP.
			assert.Equal(t, 6, records("port/"))
			for _, kind := range []string{"load_balancer/", "listener/", "pool/", "member/", "health_monitor/"} {
				assert.Equal(t, 1, records(kind), kind)
			}
			routers, err := cloudBlobs.List(ctx, "router/")
			require.NoError(t, err)
			for key := range routers {
				r, err := c2.Router(ctx, strings.TrimPrefix(key, "router/"))
				require.NoError(t, err)
				assert.Len(t, r.Interfaces, 1)
			}
		})
	}
}

// replaceable is a server replaced when its flavor changes, on a network
// whose create may fail.
const replaceable = `
heat_template_version: 2018-08-31
parameters:
  flavor: {type: string, default: m1.tiny}
resources:
  net: {type: OS::Neutron::Net}
  server:
    type: OS::Nova::Server
    properties:
      image: cirros-0.6.2
      flavor: {get_param: flavor}
      flavor_update_policy: REPLACE
      networks: [{network: private}]
outputs:
  server: {value: {get_resource: server}}
  net: {value: {get_resource: net}}
`

// TestLaterActionsMakeNewObjects checks that the client tokens of a
// create differ from one action to the next: a replacement made while
// the old object exists, a create retried by an update after it failed,
// a rollback, each make a new object.
func TestLaterActionsMakeNewObjects(t *testing.T) {
	ctx := context.Background()
	e, c := newSimEngine(t)
	update := func(id string, u heat.StackUpdate) *heat.Stack {
		t.Helper()
		require.NoError(t, e.UpdateStack(ctx, id, u))
		return waitStack(t, e, id)
	}
	remove, err := c.InjectFault(sim.Fault{Kind: sim.KindNetwork, Effect: sim.EffectError, Times: 1})
	require.NoError(t, err)
	defer remove()
	st := createAndWait(t, e, replaceable, nil)
	require.Equal(t, heat.CreateFailed, st.Status)

	// The update retries the network's create, with another token.
	st = update(st.ID, heat.StackUpdate{})
	require.Equal(t, heat.UpdateComplete, st.Status, st.StatusReason)
	first := st.Outputs["server"].(string)
	_, err = c.NetworkDetail(ctx, st.Outputs["net"].(string))
	require.NoError(t, err)

	// The replacement is made while the old server exists.
	st = update(st.ID, heat.StackUpdate{Parameters: map[string]any{"flavor": "m1.small"}})
	require.Equal(t, heat.UpdateComplete, st.Status, st.StatusReason)
	second := st.Outputs["server"].(string)
	assert.NotEqual(t, first, second)
	servers, err := c.Servers(ctx, "")
	require.NoError(t, err)
	require.Len(t, servers, 1)
	assert.Equal(t, second, servers[0].ID)

	// An update whose replacement fails rolls back to the previous
	// flavor, on a server of its own.
	_, err = c.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectError, Times: 1})
	require.NoError(t, err)
	st = update(st.ID, heat.StackUpdate{Parameters: map[string]any{"flavor": "m1.medium"}, Rollback: true})
	require.Equal(t, heat.RollbackComplete, st.Status, st.StatusReason)
	servers, err = c.Servers(ctx, "")
	require.NoError(t, err)
	require.Len(t, servers, 1)
	assert.Equal(t, st.Outputs["server"], servers[0].ID)
	assert.NotContains(t, []string{first, second}, servers[0].ID)
	small, err := c.Flavor(ctx, "m1.small")
	require.NoError(t, err)
	assert.Equal(t, small.ID, servers[0].FlavorID)
}

// TestResumedNestedUpdateMakesEachObjectOnce grows a group; the engine
// and its cloud are killed right after the cloud stored a new member's
// server. The restarted engine begins the nested update again, and its
// creates find the objects the first attempt made.
func TestResumedNestedUpdateMakesEachObjectOnce(t *testing.T) {
	const group = `
heat_template_version: 2018-08-31
parameters:
  count: {type: number}
resources:
  workers:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: count}
      resource_def:
        type: OS::Nova::Server
        properties: {image: cirros-0.6.2, flavor: m1.tiny, networks: [{network: private}]}
`
	ctx := context.Background()
	blobs, cloudBlobs := NewMemoryBlobs(), &sim.MemBlobs{}
	var growing atomic.Bool
	cr := &crash{trigger: func(key string, value []byte) bool {
		return growing.Load() && strings.HasPrefix(key, "server/") && strings.Contains(string(value), "-2-")
	}}
	_, e1 := engineOnCloud(t, &crashingBlobs{Blobs: blobs, crash: cr}, &crashingBlobs{Blobs: cloudBlobs, crash: cr, trigger: true})
	id, err := e1.CreateStack(ctx, heat.StackSpec{Name: "grown", Template: []byte(group), Parameters: map[string]any{"count": 1}})
	require.NoError(t, err)
	require.Equal(t, heat.CreateComplete, waitStack(t, e1, id).Status)
	growing.Store(true)
	require.NoError(t, e1.UpdateStack(ctx, id, heat.StackUpdate{Parameters: map[string]any{"count": 3}}))
	waitStack(t, e1, id)
	require.NoError(t, e1.Close())
	require.True(t, cr.done.Load(), "the crash happened")

	c2, e2 := engineOnCloud(t, blobs, cloudBlobs)
	defer e2.Close()
	st := waitStack(t, e2, id)
	require.Equal(t, heat.UpdateComplete, st.Status, st.StatusReason)
	servers, err := c2.Servers(ctx, "")
	require.NoError(t, err)
	assert.Len(t, servers, 3)
}
