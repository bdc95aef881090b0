package sim_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultCatalog(t *testing.T) {
	cat := sim.DefaultCatalog()
	require.NoError(t, cat.Validate())

	ids := map[string]string{}
	for _, p := range cat.Projects {
		ids[p.Name] = p.ID
	}
	assert.Equal(t, map[string]string{"admin": sim.AdminProjectID, "demo": sim.DemoProjectID, "alt": sim.AltProjectID}, ids)
	users := map[string]string{}
	for _, u := range cat.Users {
		users[u.Name] = u.ID
	}
	assert.Equal(t, map[string]string{"admin": sim.AdminUserID, "demo": sim.DemoUserID, "alt": sim.AltUserID}, users)

	distros := map[string]string{}
	for _, im := range cat.Images {
		distros[im.Name] = im.OSDistro
	}
	assert.Equal(t, "fedora-coreos", distros["fedora-coreos-40"])
	assert.Equal(t, "fedora", distros["fedora-40"])
	assert.Equal(t, "ubuntu", distros["ubuntu-22.04"])
	assert.Contains(t, distros, "cirros-0.6.2")
	assert.Empty(t, distros["cirros-0.6.2"])

	// Each call returns a copy.
	cat.Images = nil
	assert.NotEmpty(t, sim.DefaultCatalog().Images)
}

func TestParseCatalogErrors(t *testing.T) {
	const base = "projects: [{name: p}]\n"
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"empty", "", "empty document"},
		{"not yaml", "projects: [", "did not find expected"},
		{"unknown key", base + "imagez: []", "field imagez not found"},
		{"two documents", base + "---\n" + base, "more than one YAML document"},
		{"wrong type", "projects: {name: p}", "cannot unmarshal"},
		{"no project", "images: []", "projects: at least one project is required"},
		{"project without name", "projects: [{id: x}]", "projects[0]: name is required"},
		{"duplicate project name", "projects: [{name: p}, {name: p}]", `project name "p" is used twice`},
		{"duplicate project id", "projects: [{name: p, id: x}, {name: q, id: x}]", "id x is also the id of projects[0] (p)"},
		{"unknown default project", base + "default_project: nope", `default_project: project "nope" is not in the catalog`},
		{"user of unknown project", base + "users: [{name: u, project: nope}]", `users[0] (u): project "nope"`},
		{"unknown default user", base + "default_user: nope", `default_user: user "nope" is not in the catalog`},
		{"image without name", base + "images: [{os_distro: x}]", "images[0]: name is required"},
		{"images sharing a derived id", base + "images: [{name: a}, {name: a}]", "give one of them an explicit id"},
		{"bad visibility", base + "images: [{name: a, visibility: shared}]", `visibility "shared" is neither public nor private`},
		{"image of unknown owner", base + "images: [{name: a, owner: nope}]", `project "nope" is not in the catalog`},
		{"flavor without vcpus", base + "flavors: [{name: f, ram: 1}]", "vcpus and ram must be positive"},
		{"duplicate flavor name", base + "flavors: [{name: f, vcpus: 1, ram: 1}, {name: f, vcpus: 1, ram: 1}]", `flavor name "f" is used twice`},
		{"projects on public flavor", base + "flavors: [{name: f, vcpus: 1, ram: 1, projects: [p]}]", "only meaningful on a private flavor"},
		{"keypair without key", base + "users: [{name: u}]\nkeypairs: [{name: k, user: u}]", "name and public_key are required"},
		{"keypair without users", base + "keypairs: [{name: k, public_key: x}]", "user is required when the catalog has no users"},
		{"duplicate keypair", base + "users: [{name: u}]\nkeypairs: [{name: k, user: u, public_key: x}, {name: k, user: u, public_key: y}]", `two keypairs named "k"`},
		{"bad cidr", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/33}]}]", `invalid cidr "10.0.0.0/33"`},
		{"cidr with host bits", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.1/24}]}]", "has host bits set"},
		{"cidr too small", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/31}]}]", "too small"},
		{"gateway outside", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24, gateway_ip: 10.0.1.1}]}]", "gateway_ip: 10.0.1.1 is not a host address of 10.0.0.0/24"},
		{"pool outside", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24, allocation_pools: [{start: 10.0.0.10, end: 10.0.1.5}]}]}]", "allocation_pools[0]: 10.0.1.5 is not a host address"},
		{"pool backwards", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24, allocation_pools: [{start: 10.0.0.10, end: 10.0.0.5}]}]}]", "start 10.0.0.10 is after end 10.0.0.5"},
		{"pool with gateway", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24, allocation_pools: [{start: 10.0.0.1, end: 10.0.0.5}]}]}]", "gateway ip 10.0.0.1 conflicts with allocation pool"},
		{"pools overlapping", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24, allocation_pools: [{start: 10.0.0.2, end: 10.0.0.9}, {start: 10.0.0.5, end: 10.0.0.20}]}]}]", "overlaps"},
		{"subnets overlapping", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24}, {name: t, cidr: 10.0.0.128/25}]}]", "cidr 10.0.0.128/25 overlaps 10.0.0.0/24 of subnet s"},
		{"negative mtu", base + "networks: [{name: n, mtu: -1}]", "mtu -1 is negative"},
		{"router on internal network", base + "networks: [{name: n}]\nrouters: [{name: r, external_network: n}]", `external_network "n" is not an external network`},
		{"router on unknown subnet", base + "routers: [{name: r, interfaces: [nope]}]", `interface subnet "nope" is not in the catalog`},
		{"router subnet twice", base + "networks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/24}]}]\nrouters: [{name: r, interfaces: [s, s]}]", "subnet s is listed twice"},
		{"duplicate volume type", base + "volume_types: [a, a]", `volume_types[1]: "a" is listed twice`},
		{"quota below -1", base + "quotas: {default: {instances: -2}}", "quotas.default: instances is -2"},
		{"quota of unknown project", base + "quotas: {projects: {nope: {instances: 1}}}", `quotas.projects.nope: project "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sim.ParseCatalog([]byte(tt.yaml))
			require.Error(t, err)
			assert.ErrorIs(t, err, sim.ErrInvalid)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestParseCatalogDefaults(t *testing.T) {
	cat, err := sim.ParseCatalog([]byte(`
projects: [{name: one}, {name: two, id: p2}]
users: [{name: u}]
images: [{name: img}]
networks:
  - name: ext
    external: true
    subnets: [{name: ext-sub, cidr: 192.0.2.0/28}]
quotas:
  default: {instances: 3}
  projects: {two: {cores: 7}}
`))
	require.NoError(t, err)
	c := newCloud(t, sim.WithCatalog(cat))
	ctx := context.Background()

	n, err := c.NetworkDetail(ctx, "ext")
	require.NoError(t, err)
	assert.Equal(t, 1450, n.MTU)
	sub, err := c.SubnetDetail(ctx, "ext-sub")
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.1", sub.GatewayIP)
	assert.Equal(t, []sim.IPRange{{Start: "192.0.2.2", End: "192.0.2.14"}}, sub.AllocationPools)
	assert.True(t, sub.EnableDHCP)

	// The first project is the default one and owns the image.
	im, err := c.Image(ctx, "img")
	require.NoError(t, err)
	assert.True(t, im.Public)
	p, err := c.Project(ctx, im.Owner)
	require.NoError(t, err)
	assert.Equal(t, "one", p.Name)
	assert.Len(t, p.ID, 32, "Keystone-style ID")
	assert.Equal(t, "default", p.DomainID)

	// Quotas: the catalog default over the built-in one, then per project.
	want := sim.DefaultQuota()
	want.Instances = 3
	q, err := c.Quota(ctx, im.Owner)
	require.NoError(t, err)
	assert.Equal(t, want, q)
	q, err = c.Quota(ctx, "a-project-the-catalog-does-not-list")
	require.NoError(t, err)
	assert.Equal(t, want, q)
	want.Cores = 7
	q, err = c.Quota(ctx, "p2")
	require.NoError(t, err)
	assert.Equal(t, want, q)
}

func TestStableIDs(t *testing.T) {
	a, b := newCloud(t), newCloud(t)
	ctx := context.Background()
	for _, ref := range []string{"public", "private"} {
		na, err := a.Network(ctx, ref)
		require.NoError(t, err)
		nb, err := b.Network(ctx, ref)
		require.NoError(t, err)
		assert.Equal(t, na, nb)
	}
	ia, err := a.Image(ctx, "fedora-40")
	require.NoError(t, err)
	ib, err := b.Image(ctx, "fedora-40")
	require.NoError(t, err)
	assert.Equal(t, ia.ID, ib.ID)
}

func TestLoadCatalog(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	require.NoError(t, os.WriteFile(good, []byte("projects: [{name: p, id: p1}]\n"), 0o600))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("projects: [{name: p}]\nbogus: 1\n"), 0o600))

	c := newCloud(t, sim.WithCatalogFile(good))
	p, err := c.Project(context.Background(), "p1")
	require.NoError(t, err)
	assert.Equal(t, "p", p.Name)

	_, err = sim.New(context.Background(), sim.WithCatalogFile(bad))
	require.ErrorIs(t, err, sim.ErrInvalid)
	assert.True(t, strings.HasPrefix(err.Error(), bad+": "), err.Error())

	_, err = sim.New(context.Background(), sim.WithCatalogFile(filepath.Join(dir, "missing.yaml")))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestNewOptionErrors(t *testing.T) {
	for name, opt := range map[string]sim.Option{
		"nil catalog": sim.WithCatalog(nil),
		"nil blobs":   sim.WithBlobs(nil),
		"nil clock":   sim.WithClock(nil),
		"nil logger":  sim.WithLogger(nil),
		"bad delay":   sim.WithDelays(sim.Delays{Boot: -1}),
		"bad fault":   sim.WithFaults(sim.Fault{Kind: "gizmo", Effect: sim.EffectError}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sim.New(context.Background(), opt)
			assert.True(t, errors.Is(err, sim.ErrInvalid), "%v", err)
		})
	}
}

// FuzzParseCatalog checks that no input makes the loader panic, and that
// every catalog it accepts builds a cloud or fails with a typed error.
func FuzzParseCatalog(f *testing.F) {
	seeds := []string{
		"projects: [{name: p}]",
		"projects: [{name: p}]\nnetworks: [{name: n, external: true, subnets: [{name: s, cidr: 10.0.0.0/30}]}]\nrouters: [{name: r, external_network: n}]",
		"projects: [{name: p}]\nnetworks: [{name: n, subnets: [{name: s, cidr: 'fd00::/64'}]}]",
		"projects: [{name: p}]\nnetworks: [{name: n, subnets: [{name: s, cidr: 10.0.0.0/29, gateway_ip: 10.0.0.6, allocation_pools: [{start: 10.0.0.1, end: 10.0.0.5}]}]}]\nrouters: [{name: r, interfaces: [s]}]",
		"projects: [{name: p}]\nquotas: {default: {instances: -1}, projects: {p: {ram: 0}}}",
		"projects: [{name: p}]\nflavors: [{name: f, vcpus: 1, ram: 1, private: true, projects: [p]}]",
		"&a [*a]",
		"projects: !!binary AAAA",
	}
	seeds = append(seeds, string(defaultCatalogYAML(f)))
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := sim.ParseCatalog(data)
		if err != nil {
			if !errors.Is(err, sim.ErrInvalid) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		require.NoError(t, cat.Validate())
		_, err = sim.New(context.Background(), sim.WithCatalog(cat))
		if err != nil && !errors.Is(err, sim.ErrInvalid) && !errors.Is(err, sim.ErrConflict) &&
			!errors.Is(err, sim.ErrAddressExhausted) {
			t.Fatalf("catalog accepted but New failed with an untyped error: %v", err)
		}
	})
}

func defaultCatalogYAML(tb testing.TB) []byte {
	b, err := os.ReadFile("default.yaml")
	require.NoError(tb, err)
	return b
}
