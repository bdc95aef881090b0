package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/quotasets"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/testenv"
)

// miniCloud is the mini OpenStack of scripts/minicloud.sh, as its env
// file describes it, with an admin's clients.
type miniCloud struct {
	env   map[string]string
	admin *gophercloud.ProviderClient
	// identity, compute, network, volume, lb and orchestration are the
	// admin's service clients.
	identity, compute, network, volume, lb, orchestration *gophercloud.ServiceClient
}

// openMiniCloud reads the mini OpenStack's env file and authenticates as
// its admin; it skips (or fails, when real components are required) when
// the cloud is not running.
func openMiniCloud(t *testing.T) *miniCloud {
	t.Helper()
	state := os.Getenv("GOMAGNUM_STATE")
	if state == "" {
		state = filepath.Join("..", ".state")
	}
	env, err := readEnvFile(filepath.Join(state, "minicloud", "env"))
	if err != nil {
		if testenv.Required() {
			t.Fatalf("the mini OpenStack is required (scripts/minicloud.sh start): %v", err)
		}
		t.Skipf("no mini OpenStack (scripts/minicloud.sh start): %v", err)
	}
	ctx := context.Background()
	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: env["GOMAGNUM_MINICLOUD_AUTH_URL"], Username: env["GOMAGNUM_MINICLOUD_USER"],
		Password: env["GOMAGNUM_MINICLOUD_PASSWORD"], DomainID: "default", AllowReauth: true,
		Scope: &gophercloud.AuthScope{ProjectName: env["GOMAGNUM_MINICLOUD_PROJECT"], DomainID: "default"}})
	if err != nil {
		if testenv.Required() {
			t.Fatalf("the mini OpenStack is required, and its Keystone refused the admin: %v", err)
		}
		t.Skipf("the mini OpenStack does not answer: %v", err)
	}
	c := &miniCloud{env: env, admin: provider}
	eo := gophercloud.EndpointOpts{Region: "RegionOne"}
	c.identity, err = openstack.NewIdentityV3(provider, eo)
	require.NoError(t, err)
	c.compute, err = openstack.NewComputeV2(provider, eo)
	require.NoError(t, err)
	c.network, err = openstack.NewNetworkV2(provider, eo)
	require.NoError(t, err)
	c.volume, err = openstack.NewBlockStorageV3(provider, eo)
	require.NoError(t, err)
	c.lb, err = openstack.NewLoadBalancerV2(provider, eo)
	require.NoError(t, err)
	c.orchestration, err = openstack.NewOrchestrationV1(provider, eo)
	require.NoError(t, err)
	return c
}

// readEnvFile reads NAME=VALUE lines, ignoring export lines and comments.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "export ") {
			env[k] = v
		}
	}
	return env, sc.Err()
}

// adminTenant is the cloud admin, as a tenant the CLI can act as.
func (c *miniCloud) adminTenant(t *testing.T) tenant {
	t.Helper()
	pages, err := projects.List(c.identity, projects.ListOpts{Name: c.env["GOMAGNUM_MINICLOUD_PROJECT"]}).AllPages(context.Background())
	require.NoError(t, err)
	ps, err := projects.ExtractProjects(pages)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	return tenant{projectID: ps[0].ID, userName: c.env["GOMAGNUM_MINICLOUD_USER"], password: c.env["GOMAGNUM_MINICLOUD_PASSWORD"]}
}

// authURL is the mini OpenStack's Keystone v3 URL.
func (c *miniCloud) authURL() string { return c.env["GOMAGNUM_MINICLOUD_AUTH_URL"] }

// tenant is a project of the test's own and a member of it.
type tenant struct {
	projectID, projectName string
	userID, userName       string
	password               string
}

// randomSuffix is a short random name part, so that runs do not collide.
func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newTenant creates a project and a user with the member role (and
// load-balancer_member, which Octavia asks of who creates load
// balancers), deleted at the end of the test.
func (c *miniCloud) newTenant(t *testing.T, name string) tenant {
	t.Helper()
	ctx := context.Background()
	name += "-" + randomSuffix()
	p, err := projects.Create(ctx, c.identity, projects.CreateOpts{Name: name, DomainID: "default"}).Extract()
	require.NoError(t, err)
	tn := tenant{projectID: p.ID, projectName: p.Name, userName: name + "-user", password: "pw-" + randomSuffix()}
	u, err := users.Create(ctx, c.identity, users.CreateOpts{Name: tn.userName, DomainID: "default",
		Password: tn.password, DefaultProjectID: p.ID}).Extract()
	require.NoError(t, err)
	tn.userID = u.ID
	for _, r := range []string{"member", "reader", "load-balancer_member"} {
		require.NoError(t, roles.Assign(ctx, c.identity, c.roleID(t, r), roles.AssignOpts{UserID: u.ID, ProjectID: p.ID}).ExtractErr())
	}
	t.Cleanup(func() {
		_ = users.Delete(ctx, c.identity, u.ID).ExtractErr()
		_ = projects.Delete(ctx, c.identity, p.ID).ExtractErr()
	})
	return tn
}

// roleID returns the ID of a role, created if missing.
func (c *miniCloud) roleID(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	pages, err := roles.List(c.identity, roles.ListOpts{Name: name}).AllPages(ctx)
	require.NoError(t, err)
	rs, err := roles.ExtractRoles(pages)
	require.NoError(t, err)
	if len(rs) > 0 {
		return rs[0].ID
	}
	r, err := roles.Create(ctx, c.identity, roles.CreateOpts{Name: name}).Extract()
	require.NoError(t, err)
	return r.ID
}

// trusteeDomain returns the ID of the domain of the clusters' trustee
// users, created if missing.
func (c *miniCloud) trusteeDomain(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	pages, err := domains.List(c.identity, domains.ListOpts{Name: "magnum"}).AllPages(ctx)
	require.NoError(t, err)
	ds, err := domains.ExtractDomains(pages)
	require.NoError(t, err)
	if len(ds) > 0 {
		return ds[0].ID
	}
	d, err := domains.Create(ctx, c.identity, domains.CreateOpts{Name: "magnum", Description: "gomagnum trustees"}).Extract()
	require.NoError(t, err)
	return d.ID
}

// userClient authenticates as a tenant's user, scoped to its project.
func (c *miniCloud) userClient(t *testing.T, tn tenant) *gophercloud.ProviderClient {
	t.Helper()
	p, err := openstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{
		IdentityEndpoint: c.authURL(), UserID: tn.userID, Password: tn.password,
		Scope: &gophercloud.AuthScope{ProjectID: tn.projectID}})
	require.NoError(t, err)
	return p
}

// newKeypair creates a keypair of the tenant's user (Nova keypairs
// belong to users, not projects).
func (c *miniCloud) newKeypair(t *testing.T, tn tenant, name string) {
	t.Helper()
	sc, err := openstack.NewComputeV2(c.userClient(t, tn), gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	_, err = keypairs.Create(context.Background(), sc, keypairs.CreateOpts{Name: name,
		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHOhZInfHoHq2adWoCcUdcHIvTaHvR7myDuA7whpYqE7 e2e@gomagnum"}).Extract()
	require.NoError(t, err)
}

// setInstanceQuota limits the servers a project may have.
func (c *miniCloud) setInstanceQuota(t *testing.T, projectID string, n int) {
	t.Helper()
	_, err := quotasets.Update(context.Background(), c.compute, projectID, quotasets.UpdateOpts{Instances: &n}).Extract()
	require.NoError(t, err)
}

// unlimitCores lifts a project's limits on cores and memory.
func (c *miniCloud) unlimitCores(t *testing.T, projectID string) {
	t.Helper()
	unlimited := -1
	_, err := quotasets.Update(context.Background(), c.compute, projectID,
		quotasets.UpdateOpts{Cores: &unlimited, RAM: &unlimited}).Extract()
	require.NoError(t, err)
}

// registerMagnum points the catalog's container-infra service at a
// magnumd, replacing what an earlier run left, as the CLI finds Magnum
// there.
func (c *miniCloud) registerMagnum(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	pages, err := services.List(c.identity, services.ListOpts{ServiceType: "container-infra"}).AllPages(ctx)
	require.NoError(t, err)
	svcs, err := services.ExtractServices(pages)
	require.NoError(t, err)
	var id string
	if len(svcs) > 0 {
		id = svcs[0].ID
	} else {
		s, err := services.Create(ctx, c.identity, services.CreateOpts{Type: "container-infra",
			Extra: map[string]any{"name": "magnum"}}).Extract()
		require.NoError(t, err)
		id = s.ID
	}
	pages, err = endpoints.List(c.identity, endpoints.ListOpts{ServiceID: id}).AllPages(ctx)
	require.NoError(t, err)
	eps, err := endpoints.ExtractEndpoints(pages)
	require.NoError(t, err)
	for _, ep := range eps {
		require.NoError(t, endpoints.Delete(ctx, c.identity, ep.ID).ExtractErr())
	}
	for _, av := range []gophercloud.Availability{gophercloud.AvailabilityPublic, gophercloud.AvailabilityInternal} {
		_, err := endpoints.Create(ctx, c.identity, endpoints.CreateOpts{Availability: av, Name: "magnum",
			Region: "RegionOne", URL: url + "/v1", ServiceID: id}).Extract()
		require.NoError(t, err, fmt.Sprintf("registering %s", av))
	}
}
