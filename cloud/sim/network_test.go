package sim_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tenantNetwork creates a network, a subnet with cidr and a router joining
// it to the public network, as Magnum's network template does.
func tenantNetwork(t testing.TB, c *sim.Cloud, ctx context.Context, cidr string) (sim.Network, sim.Subnet, sim.Router) {
	t.Helper()
	n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "net-" + cidr})
	require.NoError(t, err)
	s, err := c.CreateSubnet(ctx, sim.SubnetSpec{Name: "sub-" + cidr, Network: n.ID, CIDR: cidr})
	require.NoError(t, err)
	r, err := c.CreateRouter(ctx, sim.RouterSpec{Name: "router-" + cidr, ExternalNetwork: "public"})
	require.NoError(t, err)
	_, err = c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: r.ID, Subnet: s.ID})
	require.NoError(t, err)
	return n, s, r
}

func TestSubnetPlans(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "n"})
	require.NoError(t, err)
	tests := []struct {
		name     string
		spec     sim.SubnetSpec
		gateway  string
		pools    []sim.IPRange
		version  int
		errorMsg string
	}{
		{name: "defaults", spec: sim.SubnetSpec{CIDR: "10.10.0.0/24"}, gateway: "10.10.0.1",
			pools: []sim.IPRange{{Start: "10.10.0.2", End: "10.10.0.254"}}, version: 4},
		{name: "gateway in the middle", spec: sim.SubnetSpec{CIDR: "10.11.0.0/29", GatewayIP: "10.11.0.4"}, gateway: "10.11.0.4",
			pools: []sim.IPRange{{Start: "10.11.0.1", End: "10.11.0.3"}, {Start: "10.11.0.5", End: "10.11.0.6"}}, version: 4},
		{name: "no gateway", spec: sim.SubnetSpec{CIDR: "10.12.0.0/30", NoGateway: true},
			pools: []sim.IPRange{{Start: "10.12.0.1", End: "10.12.0.2"}}, version: 4},
		{name: "explicit pool", spec: sim.SubnetSpec{CIDR: "10.13.0.0/24", AllocationPools: []sim.IPRange{{Start: "10.13.0.100", End: "10.13.0.110"}}},
			gateway: "10.13.0.1", pools: []sim.IPRange{{Start: "10.13.0.100", End: "10.13.0.110"}}, version: 4},
		{name: "ipv6", spec: sim.SubnetSpec{CIDR: "fd00:1::/64"}, gateway: "fd00:1::1",
			pools: []sim.IPRange{{Start: "fd00:1::2", End: "fd00:1::ffff:ffff:ffff:ffff"}}, version: 6},
		{name: "overlap", spec: sim.SubnetSpec{CIDR: "10.10.0.128/25"}, errorMsg: "overlaps with another subnet"},
		{name: "bad cidr", spec: sim.SubnetSpec{CIDR: "10.300.0.0/24"}, errorMsg: `invalid cidr "10.300.0.0/24"`},
		{name: "gateway outside", spec: sim.SubnetSpec{CIDR: "10.14.0.0/24", GatewayIP: "10.15.0.1"}, errorMsg: "is not a host address"},
		{name: "broadcast gateway", spec: sim.SubnetSpec{CIDR: "10.14.0.0/24", GatewayIP: "10.14.0.255"}, errorMsg: "is not a host address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			spec.Name, spec.Network = tt.name, n.ID
			s, err := c.CreateSubnet(ctx, spec)
			if tt.errorMsg != "" {
				require.ErrorIs(t, err, sim.ErrInvalid)
				assert.Contains(t, err.Error(), tt.errorMsg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.gateway, s.GatewayIP)
			assert.Equal(t, tt.pools, s.AllocationPools)
			assert.Equal(t, tt.version, s.IPVersion)
			assert.Equal(t, n.ID, s.NetworkID)
		})
	}
	got, err := c.NetworkDetail(ctx, n.ID)
	require.NoError(t, err)
	assert.Len(t, got.SubnetIDs, 5)
}

func TestAddressAllocation(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, s, _ := tenantNetwork(t, c, ctx, "10.20.0.0/29") // hosts .1-.6, gateway .1 on the router

	var got []string
	for i := range 5 {
		p, err := c.CreatePort(ctx, sim.PortSpec{Name: fmt.Sprint(i), Network: n.ID})
		require.NoError(t, err)
		require.Len(t, p.FixedIPs, 1)
		assert.Equal(t, s.ID, p.FixedIPs[0].SubnetID)
		got = append(got, p.FixedIPs[0].IPAddress)
	}
	assert.Equal(t, []string{"10.20.0.2", "10.20.0.3", "10.20.0.4", "10.20.0.5", "10.20.0.6"}, got)

	_, err := c.CreatePort(ctx, sim.PortSpec{Name: "full", Network: n.ID})
	require.ErrorIs(t, err, sim.ErrAddressExhausted)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, fmt.Sprintf("No more IP addresses available on network %s.", n.ID))
	_, err = c.CreatePort(ctx, sim.PortSpec{Name: "full", Network: n.ID, FixedIPs: []sim.FixedIPSpec{{Subnet: s.ID}}})
	require.ErrorIs(t, err, sim.ErrAddressExhausted)

	// A released address is handed out again.
	ports, err := c.Ports(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	var third string
	for _, p := range ports {
		if p.Name == "2" {
			third = p.ID
		}
	}
	require.NoError(t, c.DeletePort(ctx, third))
	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "again", Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, "10.20.0.4", p.FixedIPs[0].IPAddress)
}

func TestFixedAddressRequests(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, s, _ := tenantNetwork(t, c, ctx, "10.21.0.0/24")
	tests := []struct {
		name  string
		fixed sim.FixedIPSpec
		want  string
		err   error
		msg   string
	}{
		{"given address", sim.FixedIPSpec{IPAddress: "10.21.0.50"}, "10.21.0.50", nil, ""},
		{"given address and subnet", sim.FixedIPSpec{Subnet: s.Name, IPAddress: "10.21.0.51"}, "10.21.0.51", nil, ""},
		{"taken", sim.FixedIPSpec{IPAddress: "10.21.0.50"}, "", sim.ErrConflict, "IP address 10.21.0.50 already allocated in subnet " + s.ID},
		{"gateway taken by router", sim.FixedIPSpec{IPAddress: "10.21.0.1"}, "", sim.ErrConflict, "already allocated"},
		{"outside every subnet", sim.FixedIPSpec{IPAddress: "10.99.0.5"}, "", sim.ErrInvalid, "not a valid IP for any of the subnets"},
		{"broadcast", sim.FixedIPSpec{Subnet: s.ID, IPAddress: "10.21.0.255"}, "", sim.ErrInvalid, "does not belong to subnet"},
		{"not an address", sim.FixedIPSpec{IPAddress: "ten"}, "", sim.ErrInvalid, "'ten' is not a valid IP address"},
		{"subnet of another network", sim.FixedIPSpec{Subnet: "private-subnet"}, "", sim.ErrInvalid, "invalid subnet"},
		{"unknown subnet", sim.FixedIPSpec{Subnet: "nope"}, "", cloud.ErrNotFound, "Subnet nope could not be found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := c.CreatePort(ctx, sim.PortSpec{Name: tt.name, Network: n.ID, FixedIPs: []sim.FixedIPSpec{tt.fixed}})
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.FixedIPs[0].IPAddress)
		})
	}
}

// TestAddressesUnderConcurrency creates ports and floating IPs from many
// goroutines: no address is ever handed out twice, and exhaustion is
// reported cleanly.
func TestAddressesUnderConcurrency(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	require.NoError(t, c.SetQuota(ctx, sim.DemoProjectID, sim.Unlimited()))
	n, _, _ := tenantNetwork(t, c, ctx, "10.30.0.0/24") // 253 free host addresses

	const workers = 300
	var wg sync.WaitGroup
	ips := make([]string, workers)
	fips := make([]string, workers)
	errs := make([]error, workers)
	for i := range workers {
		wg.Go(func() {
			p, err := c.CreatePort(ctx, sim.PortSpec{Name: fmt.Sprint(i), Network: n.ID})
			if err != nil {
				errs[i] = err
				return
			}
			ips[i] = p.FixedIPs[0].IPAddress
			f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{PortID: p.ID})
			if err != nil {
				errs[i] = err
				return
			}
			fips[i] = f.FloatingIPAddress
		})
	}
	wg.Wait()

	seen := map[string]bool{}
	ok, exhausted := 0, 0
	for i := range workers {
		if errs[i] != nil {
			require.ErrorIs(t, errs[i], sim.ErrAddressExhausted)
			exhausted++
		} else {
			ok++
		}
		for _, a := range []string{ips[i], fips[i]} {
			if a == "" {
				continue
			}
			assert.False(t, seen[a], "address %s handed out twice", a)
			seen[a] = true
			assert.True(t, netip.MustParseAddr(a).IsValid())
		}
	}
	// The public pool holds 253 addresses; router1 and the new router's
	// gateways took two, so 251 floating IPs fit; the tenant subnet has 253
	// ports' worth of addresses.
	assert.Equal(t, 251, ok)
	assert.Equal(t, workers-251, exhausted)
}

func TestInUseConflicts(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, s, r := tenantNetwork(t, c, ctx, "10.40.0.0/24")
	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "p", Network: n.ID})
	require.NoError(t, err)

	err = c.DeleteNetwork(ctx, n.ID)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "Unable to complete operation on network "+n.ID+". There are one or more ports still in use on the network.")
	err = c.DeleteSubnet(ctx, s.ID)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.Contains(t, err.Error(), "One or more ports have an IP allocation from this subnet")
	err = c.DeleteRouter(ctx, r.ID)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "Router "+r.ID+" still has ports")

	r, err = c.Router(ctx, r.ID)
	require.NoError(t, err)
	require.Len(t, r.Interfaces, 1)
	err = c.DeletePort(ctx, r.Interfaces[0].PortID)
	require.ErrorIs(t, err, sim.ErrConflict, "router ports go with their router")
	err = c.DeletePort(ctx, r.GatewayPortID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "gateway ports belong to no project")
	err = c.DeletePort(context.Background(), r.GatewayPortID)
	require.ErrorIs(t, err, sim.ErrConflict)

	// Delete in the right order.
	require.NoError(t, c.DeletePort(ctx, p.ID))
	require.NoError(t, c.RemoveRouterInterface(ctx, r.ID, r.Interfaces[0].PortID))
	require.NoError(t, c.DeleteRouter(ctx, r.ID))
	require.NoError(t, c.DeleteNetwork(ctx, n.ID)) // takes the subnet along
	_, err = c.SubnetDetail(ctx, s.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound)

	// The router's gateway address went back to the public pool.
	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{FloatingIPAddress: r.ExternalFixedIPs[0].IPAddress})
	require.NoError(t, err)
	assert.Equal(t, r.ExternalFixedIPs[0].IPAddress, f.FloatingIPAddress)
}

func TestCatalogObjectsAreReadOnly(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	priv, err := c.NetworkDetail(ctx, "private")
	require.NoError(t, err)
	require.ErrorIs(t, c.DeleteNetwork(ctx, priv.ID), cloud.ErrForbidden)
	require.ErrorIs(t, c.DeleteSubnet(ctx, priv.SubnetIDs[0]), cloud.ErrForbidden)
	sub, err := c.SubnetDetail(ctx, "private-subnet")
	require.NoError(t, err)
	assert.True(t, sub.Catalog)
}

func TestRouterInterfaces(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "n"})
	require.NoError(t, err)
	s, err := c.CreateSubnet(ctx, sim.SubnetSpec{Name: "s", Network: n.ID, CIDR: "10.50.0.0/24"})
	require.NoError(t, err)
	noGW, err := c.CreateSubnet(ctx, sim.SubnetSpec{Name: "nogw", Network: n.ID, CIDR: "10.51.0.0/24", NoGateway: true})
	require.NoError(t, err)
	r, err := c.CreateRouter(ctx, sim.RouterSpec{Name: "r"})
	require.NoError(t, err)
	assert.Empty(t, r.ExternalNetworkID)

	_, err = c.CreateRouter(ctx, sim.RouterSpec{Name: "bad", ExternalNetwork: "private"})
	require.ErrorIs(t, err, sim.ErrInvalid)

	ri, err := c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: r.ID, Subnet: "s"})
	require.NoError(t, err)
	p, err := c.Port(ctx, ri.PortID)
	require.NoError(t, err)
	assert.Equal(t, []sim.FixedIP{{SubnetID: s.ID, IPAddress: "10.50.0.1"}}, p.FixedIPs)
	assert.Equal(t, sim.OwnerRouterInterface, p.DeviceOwner)

	_, err = c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: r.ID, Subnet: s.ID})
	require.ErrorIs(t, err, sim.ErrConflict)
	_, err = c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: r.ID, Subnet: noGW.ID})
	require.ErrorIs(t, err, sim.ErrInvalid)
	_, err = c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: r.ID})
	require.ErrorIs(t, err, sim.ErrInvalid)

	// Through an existing port.
	own, err := c.CreatePort(ctx, sim.PortSpec{Name: "own", Network: n.ID, FixedIPs: []sim.FixedIPSpec{{Subnet: noGW.ID}}})
	require.NoError(t, err)
	ri2, err := c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: r.ID, PortID: own.ID})
	require.NoError(t, err)
	assert.Equal(t, noGW.ID, ri2.SubnetID)

	err = c.RemoveRouterInterface(ctx, r.ID, "nope")
	require.ErrorIs(t, err, cloud.ErrNotFound)
	require.NoError(t, c.RemoveRouterInterface(ctx, r.ID, ri2.PortID))
	_, err = c.Port(ctx, own.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "removing an interface deletes its port")
}

func TestFloatingIPs(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, _, r := tenantNetwork(t, c, ctx, "10.60.0.0/24")
	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "p", Network: n.ID})
	require.NoError(t, err)

	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{Network: "public", Description: "d"})
	require.NoError(t, err)
	assert.Equal(t, "DOWN", f.Status)
	assert.True(t, netip.MustParsePrefix("172.24.4.0/24").Contains(netip.MustParseAddr(f.FloatingIPAddress)))

	f, err = c.AssociateFloatingIP(ctx, f.ID, p.ID, "")
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", f.Status)
	assert.Equal(t, p.FixedIPs[0].IPAddress, f.FixedIPAddress)
	assert.Equal(t, r.ID, f.RouterID)

	g, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
	require.NoError(t, err)
	_, err = c.AssociateFloatingIP(ctx, g.ID, p.ID, "")
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.Contains(t, err.Error(), "as that fixed IP already has a floating IP on external network")
	_, err = c.AssociateFloatingIP(ctx, g.ID, p.ID, "10.60.0.99")
	require.ErrorIs(t, err, sim.ErrInvalid)

	// A port on a subnet without a router to the public network.
	lonely, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "lonely"})
	require.NoError(t, err)
	_, err = c.CreateSubnet(ctx, sim.SubnetSpec{Name: "lonely", Network: lonely.ID, CIDR: "10.61.0.0/24"})
	require.NoError(t, err)
	lp, err := c.CreatePort(ctx, sim.PortSpec{Name: "lp", Network: lonely.ID})
	require.NoError(t, err)
	_, err = c.AssociateFloatingIP(ctx, g.ID, lp.ID, "")
	require.ErrorIs(t, err, cloud.ErrNotFound)
	assert.Contains(t, err.Error(), "is not reachable from subnet")

	f, err = c.DisassociateFloatingIP(ctx, f.ID)
	require.NoError(t, err)
	assert.Empty(t, f.PortID)
	assert.Equal(t, "DOWN", f.Status)

	// Deleting a port drops its association.
	f, err = c.AssociateFloatingIP(ctx, f.ID, p.ID, "")
	require.NoError(t, err)
	require.NoError(t, c.DeletePort(ctx, p.ID))
	f, err = c.FloatingIP(ctx, f.ID)
	require.NoError(t, err)
	assert.Empty(t, f.PortID)

	_, err = c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{Network: n.ID})
	require.ErrorIs(t, err, sim.ErrInvalid, "not an external network")
	_, err = c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{FloatingIPAddress: f.FloatingIPAddress})
	require.ErrorIs(t, err, sim.ErrConflict, "address already taken")

	list, err := c.FloatingIPs(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Len(t, list, 2)
}

func TestSecurityGroups(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	g, err := c.CreateSecurityGroup(ctx, sim.SecurityGroupSpec{
		Name: "k8s", Description: "cluster",
		Rules: []sim.SecurityGroupRuleSpec{
			{Protocol: "tcp", PortRangeMin: 6443, PortRangeMax: 6443, RemoteIPPrefix: "0.0.0.0/0"},
			{Protocol: "icmp"},
		},
	})
	require.NoError(t, err)
	require.Len(t, g.Rules, 4, "two default egress rules and two of ours")
	assert.Equal(t, "egress", g.Rules[0].Direction)
	assert.Equal(t, "IPv6", g.Rules[1].EtherType)
	assert.Equal(t, "ingress", g.Rules[2].Direction)
	assert.Equal(t, "IPv4", g.Rules[2].EtherType)

	rule, err := c.CreateSecurityGroupRule(ctx, sim.SecurityGroupRuleSpec{SecurityGroup: "k8s", RemoteGroup: "k8s"})
	require.NoError(t, err)
	assert.Equal(t, g.ID, rule.RemoteGroupID)
	_, err = c.CreateSecurityGroupRule(ctx, sim.SecurityGroupRuleSpec{SecurityGroup: g.ID, RemoteGroup: g.ID})
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.Contains(t, err.Error(), "Security group rule already exists. Rule id is "+rule.ID)

	bad := []struct {
		name string
		spec sim.SecurityGroupRuleSpec
		err  error
	}{
		{"direction", sim.SecurityGroupRuleSpec{Direction: "sideways"}, sim.ErrInvalid},
		{"ethertype", sim.SecurityGroupRuleSpec{EtherType: "IPX"}, sim.ErrInvalid},
		{"protocol", sim.SecurityGroupRuleSpec{Protocol: "carrier-pigeon"}, sim.ErrInvalid},
		{"protocol number", sim.SecurityGroupRuleSpec{Protocol: "300"}, sim.ErrInvalid},
		{"port range", sim.SecurityGroupRuleSpec{Protocol: "tcp", PortRangeMin: 10, PortRangeMax: 5}, sim.ErrInvalid},
		{"port range without protocol", sim.SecurityGroupRuleSpec{PortRangeMin: 10, PortRangeMax: 20}, sim.ErrInvalid},
		{"icmp code", sim.SecurityGroupRuleSpec{Protocol: "icmp", PortRangeMin: 300, PortRangeMax: 0}, sim.ErrInvalid},
		{"prefix", sim.SecurityGroupRuleSpec{RemoteIPPrefix: "10.0.0.0/99"}, sim.ErrInvalid},
		{"prefix and group", sim.SecurityGroupRuleSpec{RemoteIPPrefix: "10.0.0.0/8", RemoteGroup: "k8s"}, sim.ErrInvalid},
		{"prefix of the other family", sim.SecurityGroupRuleSpec{EtherType: "IPv6", RemoteIPPrefix: "10.0.0.0/8"}, sim.ErrConflict},
		{"unknown remote group", sim.SecurityGroupRuleSpec{RemoteGroup: "nope"}, cloud.ErrNotFound},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.SecurityGroup = g.ID
			_, err := c.CreateSecurityGroupRule(ctx, tt.spec)
			require.ErrorIs(t, err, tt.err)
		})
	}

	// A port without groups gets the project's default group, created on
	// first use; an empty list means none.
	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "p", Network: "private"})
	require.NoError(t, err)
	def, err := c.SecurityGroup(ctx, "default")
	require.NoError(t, err)
	assert.Equal(t, []string{def.ID}, p.SecurityGroupIDs)
	none, err := c.CreatePort(ctx, sim.PortSpec{Name: "none", Network: "private", SecurityGroups: []string{}})
	require.NoError(t, err)
	assert.Empty(t, none.SecurityGroupIDs)
	_, err = c.CreateSecurityGroup(ctx, sim.SecurityGroupSpec{Name: "default"})
	require.ErrorIs(t, err, sim.ErrConflict)

	p, err = c.UpdatePort(ctx, p.ID, sim.PortUpdate{SecurityGroups: &[]string{"k8s"}})
	require.NoError(t, err)
	assert.Equal(t, []string{g.ID}, p.SecurityGroupIDs)
	err = c.DeleteSecurityGroup(ctx, g.ID)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.EqualError(t, err, "Security Group "+g.ID+" in use.")
	require.NoError(t, c.DeleteSecurityGroup(ctx, def.ID), "no longer used")

	require.NoError(t, c.DeleteSecurityGroupRule(ctx, rule.ID))
	g, err = c.SecurityGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Len(t, g.Rules, 4)
	require.ErrorIs(t, c.DeleteSecurityGroupRule(ctx, rule.ID), cloud.ErrNotFound)

	// Another project neither sees nor uses the group.
	_, err = c.SecurityGroup(asAlt(), g.ID)
	require.ErrorIs(t, err, cloud.ErrForbidden)
	_, err = c.CreatePort(asAlt(), sim.PortSpec{Name: "x", Network: "public", SecurityGroups: []string{g.ID}})
	require.ErrorIs(t, err, cloud.ErrForbidden)
}

func TestPortUpdateAndPairs(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	_, err := c.CreatePort(ctx, sim.PortSpec{Name: "bad", Network: "private",
		AllowedAddressPairs: []sim.AddressPair{{IPAddress: "nope"}}})
	require.ErrorIs(t, err, sim.ErrInvalid)
	_, err = c.CreatePort(ctx, sim.PortSpec{Name: "bad", Network: "private", MACAddress: "zz"})
	require.ErrorIs(t, err, sim.ErrInvalid)

	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "p", Network: "private", MACAddress: "fa:16:3e:00:00:01",
		AllowedAddressPairs: []sim.AddressPair{{IPAddress: "10.100.0.0/16"}}})
	require.NoError(t, err)
	assert.Equal(t, "fa:16:3e:00:00:01", p.MACAddress)
	assert.Equal(t, "DOWN", p.Status)

	name := "renamed"
	pairs := []sim.AddressPair{{IPAddress: "10.0.0.200", MACAddress: "fa:16:3e:00:00:02"}}
	p, err = c.UpdatePort(ctx, p.ID, sim.PortUpdate{Name: &name, AllowedAddressPairs: &pairs})
	require.NoError(t, err)
	assert.Equal(t, "renamed", p.Name)
	assert.Equal(t, pairs, p.AllowedAddressPairs)
	_, err = c.UpdatePort(ctx, "nope", sim.PortUpdate{Name: &name})
	require.ErrorIs(t, err, cloud.ErrNotFound)

	// Returned values are copies.
	p.FixedIPs[0].IPAddress = "mutated"
	again, err := c.Port(ctx, p.ID)
	require.NoError(t, err)
	assert.NotEqual(t, "mutated", again.FixedIPs[0].IPAddress)
}

func TestSubnetOnAnotherProjectsNetwork(t *testing.T) {
	c := newCloud(t)
	_, err := c.CreateSubnet(asAlt(), sim.SubnetSpec{Name: "s", Network: "public", CIDR: "10.70.0.0/24"})
	require.ErrorIs(t, err, cloud.ErrForbidden)
	_, err = c.CreateSubnet(asAlt(), sim.SubnetSpec{Name: "s", Network: "private", CIDR: "10.70.0.0/24"})
	require.ErrorIs(t, err, cloud.ErrForbidden)
	_, err = c.CreateNetwork(asAlt(), sim.NetworkSpec{Name: "n", MTU: 10})
	require.ErrorIs(t, err, sim.ErrInvalid)
}
