package sim_test

import (
	"context"
	"testing"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/require"
)

// newCloud returns a simulated cloud over the default catalog.
func newCloud(t testing.TB, opts ...sim.Option) *sim.Cloud {
	t.Helper()
	c, err := sim.New(context.Background(), opts...)
	require.NoError(t, err)
	return c
}

// asDemo is a context acting for the default catalog's demo project.
func asDemo() context.Context {
	return cloud.WithProject(context.Background(), sim.DemoProjectID)
}

// asAlt is a context acting for the default catalog's alt project.
func asAlt() context.Context {
	return cloud.WithProject(context.Background(), sim.AltProjectID)
}

// server creates a small server on the private network.
func server(t testing.TB, c *sim.Cloud, ctx context.Context, name string) sim.Server {
	t.Helper()
	s, err := c.CreateServer(ctx, sim.ServerSpec{
		Name: name, Image: "fedora-coreos-40", Flavor: "m1.small", Networks: []sim.NIC{{Network: "private"}},
	})
	require.NoError(t, err)
	return s
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
