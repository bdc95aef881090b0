package sim_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quotaCloud returns the default cloud with demo's quota set to q.
func quotaCloud(t *testing.T, q sim.Quota) *sim.Cloud {
	c := newCloud(t)
	require.NoError(t, c.SetQuota(context.Background(), sim.DemoProjectID, q))
	return c
}

func TestQuotaMessages(t *testing.T) {
	ctx := asDemo()
	tests := []struct {
		name  string
		quota func(*sim.Quota)
		fill  func(t *testing.T, c *sim.Cloud)
		try   func(c *sim.Cloud) error
		msg   string
		res   []string
	}{
		{
			name:  "instances",
			quota: func(q *sim.Quota) { q.Instances = 2 },
			fill: func(t *testing.T, c *sim.Cloud) {
				server(t, c, ctx, "a")
				server(t, c, ctx, "b")
			},
			try: func(c *sim.Cloud) error {
				_, err := c.CreateServer(ctx, sim.ServerSpec{Name: "c", Image: "fedora-40", Flavor: "m1.tiny"})
				return err
			},
			msg: "Quota exceeded for instances: Requested 1, but already used 2 of 2 instances",
			res: []string{"instances"},
		},
		{
			name:  "cores and ram",
			quota: func(q *sim.Quota) { q.Cores, q.RAMMiB = 4, 8192 },
			fill:  func(t *testing.T, c *sim.Cloud) { server(t, c, ctx, "a") },
			try: func(c *sim.Cloud) error {
				_, err := c.CreateServer(ctx, sim.ServerSpec{Name: "big", Image: "fedora-40", Flavor: "m1.large"})
				return err
			},
			msg: "Quota exceeded for cores, ram: Requested 4, 8192, but already used 1, 2048 of 4, 8192 cores, ram",
			res: []string{"cores", "ram"},
		},
		{
			name:  "floating IPs",
			quota: func(q *sim.Quota) { q.FloatingIPs = 1 },
			fill: func(t *testing.T, c *sim.Cloud) {
				_, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
				require.NoError(t, err)
			},
			try: func(c *sim.Cloud) error {
				_, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{Network: "public"})
				return err
			},
			msg: "Quota exceeded for resources: ['floatingip'].",
			res: []string{"floatingip"},
		},
		{
			name:  "volumes",
			quota: func(q *sim.Quota) { q.Volumes = 1 },
			fill: func(t *testing.T, c *sim.Cloud) {
				_, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "v", SizeGB: 1})
				require.NoError(t, err)
			},
			try: func(c *sim.Cloud) error {
				_, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "w", SizeGB: 1})
				return err
			},
			msg: "Maximum number of volumes allowed (1) exceeded for quota 'volumes'.",
			res: []string{"volumes"},
		},
		{
			name:  "gigabytes",
			quota: func(q *sim.Quota) { q.VolumeGB = 15 },
			fill: func(t *testing.T, c *sim.Cloud) {
				_, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "v", SizeGB: 10})
				require.NoError(t, err)
			},
			try: func(c *sim.Cloud) error {
				_, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "w", SizeGB: 6})
				return err
			},
			msg: "Requested volume or snapshot exceeds allowed gigabytes quota. Requested 6G, quota is 15G and 10G has been consumed.",
			res: []string{"gigabytes"},
		},
		{
			name:  "load balancers",
			quota: func(q *sim.Quota) { q.LoadBalancers = 0 },
			fill:  func(*testing.T, *sim.Cloud) {},
			try: func(c *sim.Cloud) error {
				_, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
				return err
			},
			msg: "Quota has been met for resources: Load Balancer",
			res: []string{"load_balancer"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := sim.DefaultQuota()
			tt.quota(&q)
			c := quotaCloud(t, q)
			tt.fill(t, c)
			before, err := c.Usage(ctx, sim.DemoProjectID)
			require.NoError(t, err)

			err = tt.try(c)
			require.ErrorIs(t, err, sim.ErrQuotaExceeded)
			assert.EqualError(t, err, tt.msg)
			var qe *sim.QuotaError
			require.True(t, errors.As(err, &qe))
			assert.Equal(t, tt.res, qe.Resources)
			assert.Equal(t, sim.DemoProjectID, qe.ProjectID)

			after, err := c.Usage(ctx, sim.DemoProjectID)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused request charges nothing")
		})
	}
}

func TestQuotaRefundAndUsage(t *testing.T) {
	ctx := asDemo()
	c := newCloud(t)
	s := server(t, c, ctx, "a")
	v, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "v", SizeGB: 5})
	require.NoError(t, err)
	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{})
	require.NoError(t, err)
	lb, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
	require.NoError(t, err)

	u, err := c.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Usage{Instances: 1, Cores: 1, RAMMiB: 2048, FloatingIPs: 1, Volumes: 1, VolumeGB: 5, LoadBalancers: 1}, u)

	v, err = c.ExtendVolume(ctx, v.ID, 8)
	require.NoError(t, err)
	assert.Equal(t, 8, v.SizeGB)
	_, err = c.ExtendVolume(ctx, v.ID, 8)
	require.ErrorIs(t, err, sim.ErrInvalid)

	require.NoError(t, c.DeleteServer(ctx, s.ID))
	require.NoError(t, c.DeleteVolume(ctx, v.ID))
	require.NoError(t, c.ReleaseFloatingIP(ctx, f.ID))
	require.NoError(t, c.DeleteLoadBalancer(ctx, lb.ID))
	u, err = c.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Usage{}, u)
}

func TestResizeChargesTheDifference(t *testing.T) {
	ctx := asDemo()
	q := sim.DefaultQuota()
	q.Cores = 3
	c := quotaCloud(t, q)
	s := server(t, c, ctx, "a") // m1.small: 1 core
	s, err := c.UpdateServer(ctx, s.ID, sim.ServerUpdate{Flavor: "m1.medium"})
	require.NoError(t, err)
	u, err := c.Usage(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, 2, u.Cores)
	assert.Equal(t, 4096, u.RAMMiB)

	_, err = c.UpdateServer(ctx, s.ID, sim.ServerUpdate{Flavor: "m1.large"})
	require.ErrorIs(t, err, sim.ErrQuotaExceeded)
	assert.EqualError(t, err, "Quota exceeded for cores: Requested 2, but already used 2 of 3 cores")
	_, err = c.UpdateServer(ctx, s.ID, sim.ServerUpdate{Flavor: "m1.medium"})
	require.ErrorIs(t, err, sim.ErrInvalid)
}

func TestSetQuota(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	require.ErrorIs(t, c.SetQuota(ctx, "", sim.Unlimited()), sim.ErrInvalid)
	bad := sim.DefaultQuota()
	bad.Volumes = -2
	require.ErrorIs(t, c.SetQuota(ctx, sim.AltProjectID, bad), sim.ErrInvalid)

	require.NoError(t, c.SetQuota(ctx, sim.AltProjectID, sim.Unlimited()))
	q, err := c.Quota(ctx, sim.AltProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.Unlimited(), q)
	q, err = c.Quota(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, sim.DefaultQuota(), q)
}

// TestQuotaUnderConcurrency: 50 goroutines create servers with room for
// 10: exactly 10 succeed and the rest get the quota error.
func TestQuotaUnderConcurrency(t *testing.T) {
	q := sim.Unlimited()
	q.Instances = 10
	c := quotaCloud(t, q)
	ctx := asDemo()
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = c.CreateServer(ctx, sim.ServerSpec{
				Name: fmt.Sprintf("s%d", i), Image: "fedora-40", Flavor: "m1.tiny",
				Networks: []sim.NIC{{Network: "private"}},
			})
		})
	}
	wg.Wait()
	ok, over := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, sim.ErrQuotaExceeded):
			over++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	assert.Equal(t, 10, ok)
	assert.Equal(t, 40, over)
	servers, err := c.Servers(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Len(t, servers, 10)
	ports, err := c.Ports(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Len(t, ports, 10+1, "one port per server plus router1's interface; refused servers leave none")
}
