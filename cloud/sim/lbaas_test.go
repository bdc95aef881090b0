package sim_test

import (
	"context"
	"testing"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadBalancer(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	lb, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "api", VIPSubnet: "private-subnet"})
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", lb.ProvisioningStatus)
	assert.Equal(t, "ONLINE", lb.OperatingStatus)
	assert.Equal(t, "amphora", lb.Provider)
	vip, err := c.Port(ctx, lb.VIPPortID)
	require.NoError(t, err)
	assert.Equal(t, lb.VIPAddress, vip.FixedIPs[0].IPAddress)
	assert.Equal(t, "10.0.0.2", lb.VIPAddress)
	assert.Equal(t, sim.OwnerOctavia, vip.DeviceOwner)
	require.ErrorIs(t, c.DeletePort(ctx, vip.ID), sim.ErrConflict)

	li, err := c.CreateListener(ctx, sim.ListenerSpec{Name: "https", LoadBalancerID: lb.ID, Protocol: "TCP", ProtocolPort: 6443})
	require.NoError(t, err)
	_, err = c.CreateListener(ctx, sim.ListenerSpec{Name: "dup", LoadBalancerID: lb.ID, Protocol: "TCP", ProtocolPort: 6443})
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "Another Listener on this Load Balancer is already using protocol TCP and protocol_port 6443")

	pool, err := c.CreatePool(ctx, sim.PoolSpec{Name: "p", ListenerID: li.ID, Protocol: "TCP"})
	require.NoError(t, err)
	assert.Equal(t, "ROUND_ROBIN", pool.LBAlgorithm)
	assert.Equal(t, lb.ID, pool.LoadBalancerID)
	li, err = c.Listener(ctx, li.ID)
	require.NoError(t, err)
	assert.Equal(t, pool.ID, li.DefaultPoolID)
	_, err = c.CreatePool(ctx, sim.PoolSpec{Name: "q", ListenerID: li.ID, Protocol: "TCP"})
	require.ErrorIs(t, err, sim.ErrConflict)

	m, err := c.CreateMember(ctx, sim.MemberSpec{PoolID: pool.ID, Address: "10.0.0.10", ProtocolPort: 6443, Subnet: "private-subnet"})
	require.NoError(t, err)
	assert.Equal(t, 1, m.Weight)
	_, err = c.CreateMember(ctx, sim.MemberSpec{PoolID: pool.ID, Address: "10.0.0.10", ProtocolPort: 6443})
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "Another member on this pool is already using ip 10.0.0.10 on protocol_port 6443")
	m2, err := c.CreateMember(ctx, sim.MemberSpec{PoolID: pool.ID, Address: "10.0.0.11", ProtocolPort: 6443, Weight: ptr(0)})
	require.NoError(t, err)
	assert.Equal(t, 0, m2.Weight)

	hm, err := c.CreateHealthMonitor(ctx, sim.HealthMonitorSpec{PoolID: pool.ID, Type: "TCP", Delay: 5, Timeout: 3, MaxRetries: 3})
	require.NoError(t, err)
	_, err = c.CreateHealthMonitor(ctx, sim.HealthMonitorSpec{PoolID: pool.ID, Type: "TCP", Delay: 5, Timeout: 3, MaxRetries: 3})
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "This pool already has a health monitor")

	pool, err = c.Pool(ctx, pool.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{m.ID, m2.ID}, pool.MemberIDs)
	assert.Equal(t, hm.ID, pool.HealthMonitorID)
	lb, err = c.LoadBalancer(ctx, lb.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{li.ID}, lb.ListenerIDs)
	assert.Equal(t, []string{pool.ID}, lb.PoolIDs)

	err = c.DeleteLoadBalancer(ctx, lb.ID)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "Cannot delete Load Balancer "+lb.ID+" - it has children")

	// Children go one by one, as Heat deletes them.
	require.NoError(t, c.DeleteHealthMonitor(ctx, hm.ID))
	require.NoError(t, c.DeleteMember(ctx, m.ID))
	_, err = c.Member(ctx, m.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound)
	require.NoError(t, c.DeletePool(ctx, pool.ID))
	_, err = c.Member(ctx, m2.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "members go with their pool")
	li, err = c.Listener(ctx, li.ID)
	require.NoError(t, err)
	assert.Empty(t, li.DefaultPoolID)
	require.NoError(t, c.DeleteListener(ctx, li.ID))
	require.NoError(t, c.DeleteLoadBalancer(ctx, lb.ID))
	_, err = c.Port(ctx, lb.VIPPortID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "the VIP port goes with the load balancer")
}

func TestLoadBalancerValidation(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	_, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "novip"})
	require.ErrorIs(t, err, sim.ErrInvalid)
	_, err = c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "x", VIPSubnet: "nope"})
	require.ErrorIs(t, err, cloud.ErrNotFound)
	lb, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "net", VIPNetwork: "private", VIPAddress: "10.0.0.200"})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.200", lb.VIPAddress)
	_, err = c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "dup", VIPNetwork: "private", VIPAddress: "10.0.0.200"})
	require.ErrorIs(t, err, sim.ErrConflict)

	listeners := []sim.ListenerSpec{
		{Protocol: "FTP", ProtocolPort: 21},
		{Protocol: "TCP", ProtocolPort: 0},
		{Protocol: "TCP", ProtocolPort: 70000},
		{Protocol: "TCP", ProtocolPort: 80, AllowedCIDRs: []string{"nope"}},
	}
	for _, spec := range listeners {
		spec.LoadBalancerID = lb.ID
		_, err := c.CreateListener(ctx, spec)
		require.ErrorIs(t, err, sim.ErrInvalid, "%+v", spec)
	}
	_, err = c.CreateListener(ctx, sim.ListenerSpec{LoadBalancerID: "nope", Protocol: "TCP", ProtocolPort: 80})
	require.ErrorIs(t, err, cloud.ErrNotFound)

	pool, err := c.CreatePool(ctx, sim.PoolSpec{Name: "p", LoadBalancerID: lb.ID, Protocol: "HTTP", LBAlgorithm: "SOURCE_IP"})
	require.NoError(t, err)
	for _, spec := range []sim.PoolSpec{
		{LoadBalancerID: lb.ID, Protocol: "HTTP", LBAlgorithm: "RANDOM"},
		{LoadBalancerID: lb.ID, Protocol: "GOPHER"},
		{Protocol: "TCP"},
	} {
		_, err := c.CreatePool(ctx, spec)
		require.ErrorIs(t, err, sim.ErrInvalid, "%+v", spec)
	}
	for _, spec := range []sim.MemberSpec{
		{Address: "nope", ProtocolPort: 80},
		{Address: "10.0.0.5", ProtocolPort: 0},
		{Address: "10.0.0.5", ProtocolPort: 80, Weight: ptr(257)},
	} {
		spec.PoolID = pool.ID
		_, err := c.CreateMember(ctx, spec)
		require.ErrorIs(t, err, sim.ErrInvalid, "%+v", spec)
	}
	for _, spec := range []sim.HealthMonitorSpec{
		{Type: "SMTP", Delay: 1, Timeout: 1, MaxRetries: 1},
		{Type: "HTTP", Delay: 0, Timeout: 1, MaxRetries: 1},
		{Type: "HTTP", Delay: 1, Timeout: 1, MaxRetries: 11},
	} {
		spec.PoolID = pool.ID
		_, err := c.CreateHealthMonitor(ctx, spec)
		require.ErrorIs(t, err, sim.ErrInvalid, "%+v", spec)
	}
	require.NoError(t, c.DeleteLoadBalancerCascade(ctx, lb.ID))
	_, err = c.Pool(ctx, pool.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound)
}

func TestCleanupLoadBalancers(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	const cluster = "3a4f1e2b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
	const other = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"

	ingress := sim.ProviderLoadBalancerSpec("", cluster, "kube-system/ingress", "private-subnet")
	assert.Equal(t, "Kubernetes external service kube-system/ingress from cluster "+cluster, ingress.Description)
	lb1, err := c.CreateLoadBalancer(ctx, ingress)
	require.NoError(t, err)
	li, err := c.CreateListener(ctx, sim.ListenerSpec{LoadBalancerID: lb1.ID, Protocol: "HTTP", ProtocolPort: 80})
	require.NoError(t, err)
	_, err = c.CreatePool(ctx, sim.PoolSpec{ListenerID: li.ID, Protocol: "HTTP"})
	require.NoError(t, err)
	fip, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{PortID: lb1.VIPPortID})
	require.NoError(t, err)

	lb2, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "ing", VIPSubnet: "private-subnet",
		Description: "Kubernetes Ingress default/web from cluster " + cluster})
	require.NoError(t, err)
	keepOther, err := c.CreateLoadBalancer(ctx, sim.ProviderLoadBalancerSpec("", other, "default/web", "private-subnet"))
	require.NoError(t, err)
	keepAPI, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "api", VIPSubnet: "private-subnet",
		Description: "the cluster's API load balancer " + cluster})
	require.NoError(t, err)

	require.NoError(t, c.CleanupLoadBalancers(context.Background(), cluster))
	for _, id := range []string{lb1.ID, lb2.ID} {
		_, err := c.LoadBalancer(ctx, id)
		require.ErrorIs(t, err, cloud.ErrNotFound)
	}
	for _, id := range []string{keepOther.ID, keepAPI.ID} {
		_, err := c.LoadBalancer(ctx, id)
		require.NoError(t, err)
	}
	_, err = c.FloatingIP(ctx, fip.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "the VIP's floating IP is released")
	u, err := c.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Usage{LoadBalancers: 2}, u)

	require.NoError(t, c.CleanupLoadBalancers(context.Background(), cluster), "nothing left is fine")
	require.ErrorIs(t, c.CleanupLoadBalancers(context.Background(), ""), sim.ErrInvalid)

	// A delete failure fails the cleanup, as PreDeletionFailed does.
	_, err = c.InjectFault(sim.Fault{Kind: sim.KindLoadBalancer, Op: sim.OpDelete, Effect: sim.EffectError})
	require.NoError(t, err)
	err = c.CleanupLoadBalancers(context.Background(), other)
	require.ErrorIs(t, err, sim.ErrInjected)
	assert.Contains(t, err.Error(), "delete load balancer "+keepOther.ID+" of cluster "+other)
}

func TestTrustees(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	const cluster = "3a4f1e2b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
	req := cloud.TrusteeRequest{ClusterUUID: cluster, ProjectID: sim.DemoProjectID, TrustorUserID: sim.DemoUserID}

	tr, err := c.CreateTrustee(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, cluster+"_"+sim.DemoProjectID, tr.UserName)
	assert.Equal(t, "2a05d1538af540b0967a94921e04aeb2", tr.DomainID)
	assert.Len(t, tr.UserID, 32)
	assert.Len(t, tr.TrustID, 32)
	assert.GreaterOrEqual(t, len(tr.Password), 20)

	// A second trustee for the cluster (a retried create, a rotation)
	// replaces the first: the old password and trust stop working.
	again, err := c.CreateTrustee(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, tr.UserName, again.UserName)
	assert.NotEqual(t, tr.Password, again.Password)
	assert.NotEqual(t, tr.TrustID, again.TrustID)
	require.NoError(t, c.DeleteTrustee(ctx, tr), "the replaced trustee is already gone")
	tr = again

	for _, bad := range []cloud.TrusteeRequest{
		{ProjectID: "p", TrustorUserID: "u"}, {ClusterUUID: "c", TrustorUserID: "u"}, {ClusterUUID: "c", ProjectID: "p"},
	} {
		_, err := c.CreateTrustee(ctx, bad)
		require.ErrorIs(t, err, sim.ErrInvalid)
	}

	require.NoError(t, c.DeleteTrustee(ctx, cloud.Trustee{TrustID: tr.TrustID}))
	require.NoError(t, c.DeleteTrustee(ctx, tr), "already gone is fine")
	tr2, err := c.CreateTrustee(ctx, req)
	require.NoError(t, err, "the cluster may get a new trustee")
	assert.NotEqual(t, tr.UserID, tr2.UserID)

	_, err = c.InjectFault(sim.Fault{Kind: sim.KindTrustee, Op: sim.OpDelete, Effect: sim.EffectError})
	require.NoError(t, err)
	require.ErrorIs(t, c.DeleteTrustee(ctx, tr2), sim.ErrInjected)
}
