package sim_test

import (
	"context"
	"testing"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	c, err := sim.New(ctx)
	require.NoError(t, err)
	s, err := c.CreateServer(ctx, sim.ServerSpec{Name: "a", Image: "fedora-coreos-40", Flavor: "m1.small",
		KeyName: "default", Networks: []sim.NIC{{Network: "private"}}})
	require.NoError(t, err)
	t.Logf("%+v", s)
	p, err := c.Port(ctx, s.PortIDs[0])
	require.NoError(t, err)
	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{PortID: p.ID})
	require.NoError(t, err)
	t.Logf("%+v", f)
	s, _ = c.Server(ctx, s.ID)
	t.Logf("%+v %v", s.Addresses, s.Networks())
	r, _ := c.NetworkDetail(ctx, "public")
	t.Logf("%+v", r)
	require.NoError(t, c.WaitBooted(ctx, s.ID))
	require.NoError(t, c.DeleteServer(ctx, s.ID))
}
