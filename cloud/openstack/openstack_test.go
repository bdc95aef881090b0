package openstack_test

import (
	"context"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/openstack"
)

func newCloud(t testing.TB, p *gophercloud.ProviderClient, opts ...openstack.Option) *openstack.Cloud {
	t.Helper()
	c, err := openstack.New(context.Background(), p, opts...)
	require.NoError(t, err)
	return c
}

func TestNewRejects(t *testing.T) {
	f := newFake(t)
	p := f.provider(t, "admin", "secret")
	cases := []struct {
		name     string
		provider *gophercloud.ProviderClient
		opts     []openstack.Option
		wantErr  error
		wantMsg  string
	}{
		{name: "nil provider", wantErr: openstack.ErrInvalid, wantMsg: "nil provider"},
		{name: "provider without catalog", provider: &gophercloud.ProviderClient{}, wantErr: openstack.ErrInvalid, wantMsg: "no service catalog"},
		{name: "domain by ID and by name", provider: p, wantErr: openstack.ErrInvalid,
			opts: []openstack.Option{openstack.WithTrusteeDomainID(magnumDomain), openstack.WithTrusteeDomainName("magnum")}},
		{name: "zero timeout", provider: p, wantErr: openstack.ErrInvalid, opts: []openstack.Option{openstack.WithLoadBalancerTimeout(0)}},
		{name: "negative poll interval", provider: p, wantErr: openstack.ErrInvalid,
			opts: []openstack.Option{openstack.WithLoadBalancerPollInterval(-time.Second)}},
		{name: "nil logger", provider: p, wantErr: openstack.ErrInvalid, opts: []openstack.Option{openstack.WithLogger(nil)}},
		{name: "unknown trustee domain", provider: p, wantErr: cloud.ErrNotFound, wantMsg: `trustee domain "nosuch": not found`,
			opts: []openstack.Option{openstack.WithTrusteeDomainName("nosuch")}},
		{name: "unknown endpoint interface", provider: p, wantMsg: "image (Glance) endpoint",
			opts: []openstack.Option{openstack.WithEndpointInterface("private")}},
		{name: "unknown region", provider: p, wantMsg: "image (Glance) endpoint: No suitable endpoint",
			opts: []openstack.Option{openstack.WithRegion("RegionThree")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := openstack.New(context.Background(), tc.provider, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			assert.Contains(t, err.Error(), tc.wantMsg)
		})
	}
}

func TestNewNeedsCoreServices(t *testing.T) {
	for _, typ := range []string{"image", "compute", "network", "identity"} {
		t.Run(typ, func(t *testing.T) {
			f := newFake(t, without(typ))
			_, err := openstack.New(context.Background(), f.provider(t, "admin", "secret"))
			require.Error(t, err)
			var notFound *gophercloud.ErrEndpointNotFound
			assert.ErrorAs(t, err, &notFound)
		})
	}
}

// TestEndpointSelection checks that the region and interface options pick
// the catalog's endpoints: the fake lists the public RegionOne ones on
// the fake services and every other one elsewhere.
func TestEndpointSelection(t *testing.T) {
	cases := []struct {
		name      string
		opts      []openstack.Option
		elsewhere bool
	}{
		{name: "defaults: public, first region"},
		{name: "RegionOne", opts: []openstack.Option{openstack.WithRegion("RegionOne")}},
		{name: "RegionTwo", opts: []openstack.Option{openstack.WithRegion("RegionTwo")}, elsewhere: true},
		{name: "internal", opts: []openstack.Option{openstack.WithEndpointInterface(gophercloud.AvailabilityInternal)}, elsewhere: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c := f.cloud(t, tc.opts...)
			_, err := c.Image(context.Background(), fcosImage)
			if tc.elsewhere {
				require.ErrorIs(t, err, cloud.ErrNotFound)
				assert.Equal(t, []string{"elsewhere GET /v2/images/" + fcosImage}, f.callsTo("elsewhere"))
				return
			}
			require.NoError(t, err)
			assert.Empty(t, f.callsTo("elsewhere"))
		})
	}
}

// TestPaging checks that name look-ups read every page before deciding.
func TestPaging(t *testing.T) {
	f := newFake(t, pageSize(1))
	c := f.cloud(t)
	ctx := context.Background()

	_, err := c.Image(ctx, "fedora-atomic")
	require.ErrorIs(t, err, cloud.ErrAmbiguous, "the second image of that name is on page 2")
	assert.Len(t, f.callsTo("glance GET /v2/images"), 2)

	fl, err := c.Flavor(ctx, "ds512M")
	require.NoError(t, err)
	assert.Equal(t, "ds512M", fl.ID)
	assert.Len(t, f.callsTo("nova GET /v2.1/flavors/detail"), 6)
}

// TestConcurrentUse shares one Cloud between goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	f := newFake(t)
	c := f.cloud(t)
	ctx := context.Background()
	errs := make(chan error, 40)
	for range 10 {
		go func() { _, err := c.Image(ctx, fcosImage); errs <- err }()
		go func() { _, err := c.Flavor(ctx, "m1.small"); errs <- err }()
		go func() { _, err := c.ExternalNetwork(ctx, "public"); errs <- err }()
		go func() { _, err := c.Keypair(ctx, aliceUser, "default"); errs <- err }()
	}
	for range 40 {
		require.NoError(t, <-errs)
	}
}
