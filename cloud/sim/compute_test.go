package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateServer(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, s, _ := tenantNetwork(t, c, ctx, "10.80.0.0/24")
	own, err := c.CreatePort(ctx, sim.PortSpec{Name: "own", Network: n.ID})
	require.NoError(t, err)
	g, err := c.CreateServerGroup(ctx, sim.ServerGroupSpec{Name: "g", Policy: "anti-affinity"})
	require.NoError(t, err)

	srv, err := c.CreateServer(ctx, sim.ServerSpec{
		Name: "master-0", Image: "fedora-coreos-40", Flavor: "m1.medium", KeyName: "default",
		UserData: "#!/bin/sh\necho hi", Metadata: map[string]string{"role": "master"},
		Networks:    []sim.NIC{{Port: own.ID}, {Network: "private"}, {Subnet: s.Name, FixedIP: "10.80.0.77"}},
		ServerGroup: g.ID,
	})
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", srv.Status)
	assert.Equal(t, sim.DemoProjectID, srv.ProjectID)
	assert.Equal(t, sim.DemoUserID, srv.UserID)
	assert.Equal(t, "nova", srv.AvailabilityZone)
	im, err := c.Image(ctx, "fedora-coreos-40")
	require.NoError(t, err)
	assert.Equal(t, im.ID, srv.ImageID)
	require.Len(t, srv.PortIDs, 3)
	assert.Equal(t, own.ID, srv.PortIDs[0])
	assert.Equal(t, srv.PortIDs[1:], srv.CreatedPortIDs)

	require.Len(t, srv.Addresses, 3)
	assert.Equal(t, own.FixedIPs[0].IPAddress, srv.FirstAddress())
	assert.Equal(t, "10.0.0.2", srv.Addresses[1].Addr)
	assert.Equal(t, "private", srv.Addresses[1].NetworkName)
	assert.Equal(t, "10.80.0.77", srv.Addresses[2].Addr)
	nets := srv.Networks()
	assert.Equal(t, []string{"10.0.0.2"}, nets["private"])
	assert.Equal(t, []string{own.FixedIPs[0].IPAddress, "10.80.0.77"}, nets[n.ID])

	p, err := c.Port(ctx, own.ID)
	require.NoError(t, err)
	assert.Equal(t, srv.ID, p.DeviceID)
	assert.Equal(t, sim.OwnerCompute, p.DeviceOwner)
	assert.Equal(t, "ACTIVE", p.Status)

	g, err = c.ServerGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{srv.ID}, g.Members)

	// A floating IP shows in the addresses.
	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{PortID: srv.PortIDs[1]})
	require.NoError(t, err)
	srv, err = c.Server(ctx, srv.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.2", f.FloatingIPAddress}, srv.Networks()["private"])
	assert.Equal(t, "floating", srv.Addresses[2].Type)

	// Delete: created ports go, the given port stays unbound, the
	// floating IP stays allocated but dissociated.
	require.NoError(t, c.DeleteServer(ctx, srv.ID))
	p, err = c.Port(ctx, own.ID)
	require.NoError(t, err)
	assert.Empty(t, p.DeviceID)
	assert.Equal(t, "DOWN", p.Status)
	for _, id := range srv.CreatedPortIDs {
		_, err = c.Port(ctx, id)
		require.ErrorIs(t, err, cloud.ErrNotFound)
	}
	f, err = c.FloatingIP(ctx, f.ID)
	require.NoError(t, err)
	assert.Empty(t, f.PortID)
	g, err = c.ServerGroup(ctx, g.ID)
	require.NoError(t, err)
	assert.Empty(t, g.Members)
	_, err = c.Server(ctx, srv.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound)
	assert.EqualError(t, err, "Instance "+srv.ID+" could not be found.")
}

func TestCreateServerErrors(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "n"})
	require.NoError(t, err)
	used, err := c.CreatePort(ctx, sim.PortSpec{Name: "used", Network: "private"})
	require.NoError(t, err)
	server := func(mod func(*sim.ServerSpec)) sim.ServerSpec {
		spec := sim.ServerSpec{Name: "s", Image: "fedora-40", Flavor: "m1.small", Networks: []sim.NIC{{Network: "private"}}}
		mod(&spec)
		return spec
	}
	_, err = c.CreateServer(ctx, server(func(s *sim.ServerSpec) { s.Networks = []sim.NIC{{Port: used.ID}} }))
	require.NoError(t, err)

	tests := []struct {
		name string
		spec sim.ServerSpec
		err  error
		msg  string
	}{
		{"unknown image", server(func(s *sim.ServerSpec) { s.Image = "windows" }), cloud.ErrNotFound, "Image windows could not be found."},
		{"other's private image", server(func(s *sim.ServerSpec) { s.Image = "alt-fedora-coreos-custom" }), cloud.ErrForbidden, "not available"},
		{"no image", server(func(s *sim.ServerSpec) { s.Image = "" }), sim.ErrInvalid, "Missing imageRef attribute"},
		{"unknown flavor", server(func(s *sim.ServerSpec) { s.Flavor = "m1.huge" }), cloud.ErrNotFound, "Flavor m1.huge could not be found."},
		{"unknown keypair", server(func(s *sim.ServerSpec) { s.KeyName = "nope" }), cloud.ErrNotFound, "Keypair nope not found for user " + sim.DemoUserID},
		{"keypair of another user", server(func(s *sim.ServerSpec) { s.KeyName, s.UserID = "default", sim.AltUserID }), cloud.ErrNotFound, "not found for user"},
		{"unknown network", server(func(s *sim.ServerSpec) { s.Networks = []sim.NIC{{Network: "nope"}} }), cloud.ErrNotFound, "networks[0]: Network nope could not be found."},
		{"empty nic", server(func(s *sim.ServerSpec) { s.Networks = []sim.NIC{{}} }), sim.ErrInvalid, "a port, network or subnet is required"},
		{"port in use", server(func(s *sim.ServerSpec) { s.Networks = []sim.NIC{{Port: used.ID}} }), sim.ErrConflict, "Port " + used.ID + " is still in use."},
		{"network without subnet gives a port without address", server(func(s *sim.ServerSpec) { s.Networks = []sim.NIC{{Network: n.ID}} }), nil, ""},
		{"unknown server group", server(func(s *sim.ServerSpec) { s.ServerGroup = "nope" }), cloud.ErrNotFound, "Server group nope"},
		{"unknown security group", server(func(s *sim.ServerSpec) { s.SecurityGroups = []string{"nope"} }), cloud.ErrNotFound, "Security group nope"},
		{"unknown boot volume", server(func(s *sim.ServerSpec) {
			s.Image, s.BlockDevices = "", []sim.BlockDevice{{VolumeID: "nope"}}
		}), cloud.ErrNotFound, "Volume nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := c.Usage(ctx, sim.DemoProjectID)
			require.NoError(t, err)
			ports, err := c.Ports(ctx, "")
			require.NoError(t, err)
			_, err = c.CreateServer(ctx, tt.spec)
			if tt.err == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.msg)
			after, err := c.Usage(ctx, sim.DemoProjectID)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a failed create charges nothing")
			portsAfter, err := c.Ports(ctx, "")
			require.NoError(t, err)
			assert.Len(t, portsAfter, len(ports), "a failed create leaves no port")
		})
	}
}

func TestBootFromVolume(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	boot, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "boot", SizeGB: 20, Image: "fedora-coreos-40"})
	require.NoError(t, err)
	assert.True(t, boot.Bootable)
	data, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "data", SizeGB: 5, VolumeType: "lvmdriver-1"})
	require.NoError(t, err)
	assert.Equal(t, "lvmdriver-1", data.VolumeType)

	srv, err := c.CreateServer(ctx, sim.ServerSpec{
		Name: "bfv", Flavor: "m1.small", Networks: []sim.NIC{{Network: "private"}},
		BlockDevices: []sim.BlockDevice{{VolumeID: boot.ID, BootIndex: 0, DeleteOnTermination: true}},
	})
	require.NoError(t, err)
	assert.Equal(t, boot.ImageID, srv.ImageID)
	assert.Equal(t, []string{boot.ID}, srv.VolumeIDs)

	a, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: srv.ID, VolumeID: data.ID})
	require.NoError(t, err)
	assert.Equal(t, "/dev/vdb", a.Device)
	data, err = c.Volume(ctx, data.ID)
	require.NoError(t, err)
	assert.Equal(t, "in-use", data.Status)
	assert.Equal(t, []sim.VolumeAttachment{a}, data.Attachments)

	_, err = c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: srv.ID, VolumeID: data.ID})
	require.ErrorIs(t, err, sim.ErrConflict)
	err = c.DeleteVolume(ctx, data.ID)
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.Contains(t, err.Error(), "Invalid volume: Volume status must be available or error, but current status is: in-use.")

	require.NoError(t, c.DeleteServer(ctx, srv.ID))
	_, err = c.Volume(ctx, boot.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound, "delete_on_termination")
	data, err = c.Volume(ctx, data.ID)
	require.NoError(t, err)
	assert.Equal(t, "available", data.Status)
	assert.Empty(t, data.Attachments)
	u, err := c.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Usage{Volumes: 1, VolumeGB: 5}, u)
}

func TestVolumeErrors(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	s := server(t, c, ctx, "s")
	v, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "v", SizeGB: 1})
	require.NoError(t, err)
	assert.Equal(t, "__DEFAULT__", v.VolumeType)
	tests := []struct {
		name string
		spec sim.VolumeSpec
		err  error
	}{
		{"zero size", sim.VolumeSpec{Name: "z"}, sim.ErrInvalid},
		{"unknown type", sim.VolumeSpec{Name: "t", SizeGB: 1, VolumeType: "ssd"}, cloud.ErrNotFound},
		{"unknown image", sim.VolumeSpec{Name: "i", SizeGB: 1, Image: "nope"}, cloud.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateVolume(ctx, tt.spec)
			require.ErrorIs(t, err, tt.err)
		})
	}
	a, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: s.ID, VolumeID: v.ID, Device: "/dev/vdc"})
	require.NoError(t, err)
	got, err := c.VolumeAttachment(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, got)
	w, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "w", SizeGB: 1})
	require.NoError(t, err)
	_, err = c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: s.ID, VolumeID: w.ID, Device: "/dev/vdc"})
	require.ErrorIs(t, err, sim.ErrConflict)
	_, err = c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: "nope", VolumeID: w.ID})
	require.ErrorIs(t, err, cloud.ErrNotFound)
	require.NoError(t, c.DetachVolume(ctx, a.ID))
	require.ErrorIs(t, c.DetachVolume(ctx, a.ID), cloud.ErrNotFound)
	vols, err := c.Volumes(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Len(t, vols, 2)
}

func TestRebuildBootsAgain(t *testing.T) {
	clock := sim.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	c := newCloud(t, sim.WithClock(clock), sim.WithDelays(sim.Delays{Boot: time.Minute}))
	ctx := asDemo()
	s := server(t, c, ctx, "s")
	assert.Equal(t, clock.Now().Add(time.Minute), s.Boot.DoneAt)
	clock.Advance(2 * time.Minute)
	require.NoError(t, c.WaitBooted(ctx, s.ID))

	name := "renamed"
	s, err := c.UpdateServer(ctx, s.ID, sim.ServerUpdate{Name: &name, Image: "fedora-40", Metadata: map[string]string{"a": "b"}})
	require.NoError(t, err)
	assert.Equal(t, "renamed", s.Name)
	assert.Equal(t, map[string]string{"a": "b"}, s.Metadata)
	assert.Equal(t, clock.Now().Add(time.Minute), s.Boot.DoneAt)

	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, c.WaitBooted(short, s.ID), context.DeadlineExceeded, "the rebuilt guest is booting")
	_, err = c.UpdateServer(ctx, s.ID, sim.ServerUpdate{Image: "nope"})
	require.ErrorIs(t, err, cloud.ErrNotFound)
}

func TestServerGroups(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	_, err := c.CreateServerGroup(ctx, sim.ServerGroupSpec{Name: "g", Policy: "together"})
	require.ErrorIs(t, err, sim.ErrInvalid)
	g, err := c.CreateServerGroup(ctx, sim.ServerGroupSpec{Name: "g", Policy: "soft-anti-affinity"})
	require.NoError(t, err)
	s, err := c.CreateServer(ctx, sim.ServerSpec{Name: "s", Image: "fedora-40", Flavor: "m1.tiny", ServerGroup: g.ID})
	require.NoError(t, err)
	require.NoError(t, c.DeleteServerGroup(ctx, g.ID))
	s, err = c.Server(ctx, s.ID)
	require.NoError(t, err)
	assert.Empty(t, s.ServerGroupID)
	assert.Empty(t, s.Addresses, "a server without NICs")
	_, err = c.ServerGroup(ctx, g.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound)
}

// TestDeleteMissing: deleting an object that does not exist wraps
// cloud.ErrNotFound for every kind.
func TestDeleteMissing(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	const id = "00000000-0000-0000-0000-000000000000"
	deletes := map[string]func() error{
		"server":          func() error { return c.DeleteServer(ctx, id) },
		"server group":    func() error { return c.DeleteServerGroup(ctx, id) },
		"network":         func() error { return c.DeleteNetwork(ctx, id) },
		"subnet":          func() error { return c.DeleteSubnet(ctx, id) },
		"router":          func() error { return c.DeleteRouter(ctx, id) },
		"interface":       func() error { return c.RemoveRouterInterface(ctx, id, id) },
		"port":            func() error { return c.DeletePort(ctx, id) },
		"floating ip":     func() error { return c.ReleaseFloatingIP(ctx, id) },
		"security group":  func() error { return c.DeleteSecurityGroup(ctx, id) },
		"rule":            func() error { return c.DeleteSecurityGroupRule(ctx, id) },
		"volume":          func() error { return c.DeleteVolume(ctx, id) },
		"attachment":      func() error { return c.DetachVolume(ctx, id) },
		"load balancer":   func() error { return c.DeleteLoadBalancer(ctx, id) },
		"cascade":         func() error { return c.DeleteLoadBalancerCascade(ctx, id) },
		"listener":        func() error { return c.DeleteListener(ctx, id) },
		"pool":            func() error { return c.DeletePool(ctx, id) },
		"member":          func() error { return c.DeleteMember(ctx, id) },
		"health monitor":  func() error { return c.DeleteHealthMonitor(ctx, id) },
		"wait for a boot": func() error { return c.WaitBooted(ctx, id) },
	}
	for name, del := range deletes {
		t.Run(name, func(t *testing.T) {
			err := del()
			require.ErrorIs(t, err, cloud.ErrNotFound)
			assert.Contains(t, err.Error(), id)
		})
	}
}

// TestOtherProjectsObjects: objects of another project are invisible by
// ID, as in OpenStack.
func TestOtherProjectsObjects(t *testing.T) {
	c := newCloud(t)
	s := server(t, c, asDemo(), "s")
	_, err := c.Server(asAlt(), s.ID)
	require.ErrorIs(t, err, cloud.ErrNotFound)
	require.ErrorIs(t, c.DeleteServer(asAlt(), s.ID), cloud.ErrNotFound)
	_, err = c.Server(context.Background(), s.ID)
	require.NoError(t, err, "the service sees everything")
	// A spec naming another project's network is refused.
	_, err = c.CreateServer(asAlt(), sim.ServerSpec{Name: "x", Image: "fedora-40", Flavor: "m1.tiny",
		Networks: []sim.NIC{{Network: "private"}}})
	require.ErrorIs(t, err, cloud.ErrForbidden)
	servers, err := c.Servers(context.Background(), sim.AltProjectID)
	require.NoError(t, err)
	assert.Empty(t, servers)
}

// TestFailedCreateRollsBack: a server whose second NIC fails leaves no
// trace of its first one: no port, no address, no quota.
func TestFailedCreateRollsBack(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	n, s, _ := tenantNetwork(t, c, ctx, "10.85.0.0/24")
	taken, err := c.CreatePort(ctx, sim.PortSpec{Name: "taken", Network: n.ID, FixedIPs: []sim.FixedIPSpec{{IPAddress: "10.85.0.9"}}})
	require.NoError(t, err)
	before, err := c.Ports(ctx, "")
	require.NoError(t, err)

	_, err = c.CreateServer(ctx, sim.ServerSpec{Name: "s", Image: "fedora-40", Flavor: "m1.tiny",
		Networks: []sim.NIC{{Network: n.ID}, {Subnet: s.ID, FixedIP: "10.85.0.9"}}})
	require.ErrorIs(t, err, sim.ErrConflict)
	assert.Contains(t, err.Error(), "networks[1]: IP address 10.85.0.9 already allocated")

	after, err := c.Ports(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, before, after)
	u, err := c.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Usage{}, u)
	p, err := c.CreatePort(ctx, sim.PortSpec{Name: "next", Network: n.ID})
	require.NoError(t, err)
	assert.Equal(t, "10.85.0.2", p.FixedIPs[0].IPAddress, "the first NIC's address was given back")
	require.NoError(t, c.DeletePort(ctx, taken.ID))
}

func TestDeleteAServersPort(t *testing.T) {
	c := newCloud(t)
	ctx := asDemo()
	srv, err := c.CreateServer(ctx, sim.ServerSpec{Name: "s", Image: "fedora-40", Flavor: "m1.tiny",
		Networks: []sim.NIC{{Network: "private"}, {Network: "private"}}})
	require.NoError(t, err)
	require.Len(t, srv.Addresses, 2)
	require.NoError(t, c.DeletePort(ctx, srv.PortIDs[0]))
	srv, err = c.Server(ctx, srv.ID)
	require.NoError(t, err)
	assert.Len(t, srv.PortIDs, 1)
	assert.Equal(t, srv.PortIDs, srv.CreatedPortIDs)
	require.Len(t, srv.Addresses, 1)
	assert.Equal(t, "10.0.0.3", srv.FirstAddress())
}

func TestWallClockDelays(t *testing.T) {
	c := newCloud(t, sim.WithDelays(sim.Delays{Create: map[sim.Kind]time.Duration{sim.KindNetwork: 30 * time.Millisecond}}))
	start := time.Now()
	_, err := c.CreateNetwork(asDemo(), sim.NetworkSpec{Name: "slow"})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}
