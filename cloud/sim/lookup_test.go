package sim_test

import (
	"context"
	"testing"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lookupCatalog has duplicate names, private objects and several
// projects, to exercise every look-up rule.
const lookupCatalog = `
default_project: p1
default_user: u1
projects: [{name: p1, id: p1}, {name: p2, id: p2}]
users: [{name: u1, id: u1, project: p1}, {name: u2, id: u2, project: p2}]
images:
  - {id: img-a1, name: twin, os_distro: fedora-coreos}
  - {id: img-a2, name: twin, os_distro: ubuntu}
  - {id: img-solo, name: solo, os_distro: fedora}
  - {id: img-bare, name: bare}
  - {id: img-p2, name: secret, visibility: private, owner: p2}
  - {id: img-p1, name: mine, visibility: private, owner: p1, os_distro: fedora}
flavors:
  - {id: f-small, name: small, vcpus: 1, ram: 1024, disk: 10}
  - {id: f-p2, name: p2-only, vcpus: 8, ram: 8192, private: true, projects: [p2]}
keypairs:
  - {name: default, user: u1, public_key: ssh-ed25519 AAAA u1}
  - {name: default, user: u2, public_key: ssh-ed25519 AAAA u2}
networks:
  - {id: n-ext, name: public, external: true, subnets: [{id: s-ext, name: public-sub, cidr: 203.0.113.0/24}]}
  - {id: n-ext2, name: public2, external: true}
  - {id: n-p1, name: net, project: p1, subnets: [{id: s-p1, name: sub, cidr: 10.1.0.0/24}]}
  - {id: n-p1b, name: net, project: p1}
  - {id: n-p2, name: net2, project: p2, subnets: [{id: s-p2, name: sub2, cidr: 10.2.0.0/24}]}
  - {id: n-shared, name: shared, project: p2, shared: true}
`

func lookupCloud(t *testing.T) *sim.Cloud {
	cat, err := sim.ParseCatalog([]byte(lookupCatalog))
	require.NoError(t, err)
	return newCloud(t, sim.WithCatalog(cat))
}

func TestImageLookup(t *testing.T) {
	c := lookupCloud(t)
	p1 := cloud.WithProject(context.Background(), "p1")
	tests := []struct {
		name   string
		ctx    context.Context
		ref    string
		wantID string
		err    error
		msg    string
	}{
		{"by name", p1, "solo", "img-solo", nil, ""},
		{"by id", p1, "img-a2", "img-a2", nil, ""},
		{"duplicate name", p1, "twin", "", cloud.ErrAmbiguous, "Multiple image matches found for name 'twin'"},
		{"duplicate name, by id", p1, "img-a1", "img-a1", nil, ""},
		{"missing", p1, "nope", "", cloud.ErrNotFound, "Image nope could not be found."},
		{"own private by name", p1, "mine", "img-p1", nil, ""},
		{"other's private by id", p1, "img-p2", "", cloud.ErrForbidden, "Image img-p2 is not available to project p1."},
		{"other's private by name", p1, "secret", "", cloud.ErrForbidden, "not available"},
		{"unscoped sees private", context.Background(), "secret", "img-p2", nil, ""},
		{"empty ref", p1, "", "", sim.ErrInvalid, "image name or ID is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := c.Image(tt.ctx, tt.ref)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, im.ID)
		})
	}

	im, err := c.Image(p1, "img-a1")
	require.NoError(t, err)
	assert.Equal(t, cloud.Image{ID: "img-a1", Name: "twin", OSDistro: "fedora-coreos", Public: true, Owner: "p1"}, im)
	im, err = c.Image(p1, "bare")
	require.NoError(t, err)
	assert.Empty(t, im.OSDistro, "an image without os_distro")
}

func TestFlavorLookup(t *testing.T) {
	c := lookupCloud(t)
	p1 := cloud.WithProject(context.Background(), "p1")
	p2 := cloud.WithProject(context.Background(), "p2")
	tests := []struct {
		name   string
		ctx    context.Context
		ref    string
		wantID string
		err    error
	}{
		{"by name", p1, "small", "f-small", nil},
		{"by id", p1, "f-small", "f-small", nil},
		{"missing", p1, "huge", "", cloud.ErrNotFound},
		{"private, listed project", p2, "p2-only", "f-p2", nil},
		{"private, other project", p1, "p2-only", "", cloud.ErrForbidden},
		{"private, other project by id", p1, "f-p2", "", cloud.ErrForbidden},
		{"unscoped", context.Background(), "f-p2", "f-p2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := c.Flavor(tt.ctx, tt.ref)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, f.ID)
		})
	}
	f, err := c.Flavor(p1, "small")
	require.NoError(t, err)
	assert.Equal(t, cloud.Flavor{ID: "f-small", Name: "small", VCPUs: 1, RAMMiB: 1024, DiskGB: 10}, f)
}

func TestKeypairLookup(t *testing.T) {
	c := lookupCloud(t)
	ctx := context.Background()
	tests := []struct {
		name, user, key string
		wantKey         string
		err             error
	}{
		{"own keypair", "u1", "default", "ssh-ed25519 AAAA u1", nil},
		{"same name, other user", "u2", "default", "ssh-ed25519 AAAA u2", nil},
		{"default user", "", "default", "ssh-ed25519 AAAA u1", nil},
		{"missing name", "u1", "other", "", cloud.ErrNotFound},
		{"unknown user", "u3", "default", "", cloud.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := c.Keypair(ctx, tt.user, tt.key)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Contains(t, err.Error(), "Keypair "+tt.key+" not found for user")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantKey, k.PublicKey)
			assert.Equal(t, tt.key, k.Name)
		})
	}
}

func TestNetworkLookups(t *testing.T) {
	c := lookupCloud(t)
	p1 := cloud.WithProject(context.Background(), "p1")
	p2 := cloud.WithProject(context.Background(), "p2")
	tests := []struct {
		name     string
		ctx      context.Context
		external bool
		ref      string
		wantID   string
		err      error
	}{
		{"external by name", p1, true, "public", "n-ext", nil},
		{"external by id", p1, true, "n-ext2", "n-ext2", nil},
		{"internal is not external", p1, true, "n-p1", "", cloud.ErrNotFound},
		{"external missing", p1, true, "nope", "", cloud.ErrNotFound},
		{"own network by id", p1, false, "n-p1", "n-p1", nil},
		{"own duplicate name", p1, false, "net", "", cloud.ErrAmbiguous},
		{"external is visible", p2, false, "public", "n-ext", nil},
		{"shared is visible", p1, false, "shared", "n-shared", nil},
		{"other's private by id", p1, false, "n-p2", "", cloud.ErrForbidden},
		{"other's private by name", p1, false, "net2", "", cloud.ErrForbidden},
		{"missing", p1, false, "nope", "", cloud.ErrNotFound},
		{"unscoped", context.Background(), false, "net2", "n-p2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n cloud.Network
			var err error
			if tt.external {
				n, err = c.ExternalNetwork(tt.ctx, tt.ref)
			} else {
				n, err = c.Network(tt.ctx, tt.ref)
			}
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, n.ID)
		})
	}
	n, err := c.Network(p1, "public")
	require.NoError(t, err)
	assert.Equal(t, cloud.Network{ID: "n-ext", Name: "public", External: true, SubnetIDs: []string{"s-ext"}}, n)
	_, err = c.ExternalNetwork(p1, "net")
	assert.EqualError(t, err, "External network net could not be found.")
}

func TestSubnetLookup(t *testing.T) {
	c := lookupCloud(t)
	p1 := cloud.WithProject(context.Background(), "p1")
	s, err := c.Subnet(p1, "sub")
	require.NoError(t, err)
	assert.Equal(t, cloud.Subnet{ID: "s-p1", Name: "sub", NetworkID: "n-p1", CIDR: "10.1.0.0/24", GatewayIP: "10.1.0.1"}, s)
	s, err = c.Subnet(p1, "s-ext")
	require.NoError(t, err)
	assert.Equal(t, "public-sub", s.Name, "subnets of external networks are visible")
	_, err = c.Subnet(p1, "sub2")
	require.ErrorIs(t, err, cloud.ErrForbidden)
	_, err = c.Subnet(p1, "nope")
	require.ErrorIs(t, err, cloud.ErrNotFound)
	assert.EqualError(t, err, "Subnet nope could not be found.")
}

func TestProjectLookup(t *testing.T) {
	c := newCloud(t)
	ctx := context.Background()
	p, err := c.Project(ctx, sim.DemoProjectID)
	require.NoError(t, err)
	assert.Equal(t, cloud.Project{ID: sim.DemoProjectID, Name: "demo", DomainID: "default"}, p)
	_, err = c.Project(ctx, "demo")
	require.ErrorIs(t, err, cloud.ErrNotFound, "projects are looked up by ID")
	assert.EqualError(t, err, "Could not find project: demo.")
}

func TestLookupsHonourCancellation(t *testing.T) {
	c := newCloud(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Image(ctx, "fedora-40")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = c.Network(ctx, "public")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = c.CreateServer(ctx, sim.ServerSpec{Name: "x", Image: "fedora-40", Flavor: "m1.tiny"})
	assert.ErrorIs(t, err, context.Canceled)
}
