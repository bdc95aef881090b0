package e2e

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// containerInfraVersion is the microversion the scenario's waits ask for
// (node groups need 1.9 or later).
const containerInfraVersion = "1.10"

// The simulated cloud's demo user and project (cloud/sim/default.yaml).
var (
	simDemo = magnum.Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235", UserName: "demo",
		ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", ProjectName: "demo", Roles: []string{"member"}}
	simAdmin = magnum.Caller{UserID: "3f3acf501fa647049a2558a2359d4cba", UserName: "admin",
		ProjectID: "5f2b3f4f17b64195a2f76919340867bb", ProjectName: "admin", Roles: []string{"admin", "member"}}
)

// embedded runs the service on its embedded defaults (the HOT engine over
// the simulated cloud) in the test, serving the REST API on loopback in
// noauth mode, with the simulated cloud's demo user as the scenario's.
func embedded(t *testing.T) *deployment {
	t.Helper()
	ctx := context.Background()
	cloud, err := sim.New(ctx, sim.WithDelays(sim.Delays{Boot: 200 * time.Millisecond}))
	require.NoError(t, err)
	svc, err := magnum.New(ctx, magnum.WithDataDir(t.TempDir()), magnum.WithCloud(cloud),
		magnum.WithSyncInterval(500*time.Millisecond), magnum.WithHealthInterval(time.Hour))
	require.NoError(t, err)
	srv := httptest.NewServer(api.NewHandler(svc, api.WithAuthenticator(api.NoAuth{
		Tokens: map[string]magnum.Caller{"demo": simDemo, "admin": simAdmin}})))
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, svc.Close())
	})
	client := &gophercloud.ProviderClient{}
	client.SetToken("demo")
	sc := &gophercloud.ServiceClient{ProviderClient: client, Endpoint: srv.URL + "/v1/", Type: "container-infra",
		Microversion: containerInfraVersion}
	return &deployment{
		name: "embedded", user: noauthCLI(t, srv.URL, "demo"), admin: noauthCLI(t, srv.URL, "admin"), api: sc,
		images: map[string]string{"fedora-coreos": "fedora-coreos-40", "ubuntu": "ubuntu-22.04"},
		flavor: "m1.small", network: "public", keypair: "default", timeout: 3 * time.Minute, reconfigures: true,
		servers: func(t *testing.T) []server { return simServers(t, cloud, simDemo.ProjectID) },
		limitServers: func(t *testing.T, n int) {
			q, err := cloud.Quota(ctx, simDemo.ProjectID)
			require.NoError(t, err)
			q.Instances = n
			require.NoError(t, cloud.SetQuota(ctx, simDemo.ProjectID, q))
		},
		unschedulable: func(t *testing.T) string {
			remove, err := cloud.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoValidHost})
			require.NoError(t, err)
			t.Cleanup(remove)
			return ""
		},
	}
}

// simServers lists a project's servers in the simulated cloud with their
// fixed and floating addresses.
func simServers(t *testing.T, cloud *sim.Cloud, projectID string) []server {
	t.Helper()
	ctx := context.Background()
	list, err := cloud.Servers(ctx, projectID)
	require.NoError(t, err)
	fips, err := cloud.FloatingIPs(ctx, projectID)
	require.NoError(t, err)
	out := make([]server, 0, len(list))
	for _, s := range list {
		srv := server{ID: s.ID, Name: s.Name}
		for _, id := range s.PortIDs {
			p, err := cloud.Port(ctx, id)
			require.NoError(t, err)
			for _, ip := range p.FixedIPs {
				srv.Addresses = append(srv.Addresses, ip.IPAddress)
			}
			for _, f := range fips {
				if f.PortID == id {
					srv.Addresses = append(srv.Addresses, f.FloatingIPAddress)
				}
			}
		}
		out = append(out, srv)
	}
	return out
}

// real runs magnumd against the mini OpenStack as a Magnum operator would
// (cloud openstack, orchestrator heat, Keystone auth), with a tenant of
// its own whose non-admin user runs the scenario with its own keypair.
func real(t *testing.T, mc *miniCloud, tn tenant) *deployment {
	t.Helper()
	mc.trusteeDomain(t)
	auth := "{auth_url: " + mc.authURL() + ", region: RegionOne, username: " + mc.env["GOMAGNUM_MINICLOUD_USER"] +
		", password: " + mc.env["GOMAGNUM_MINICLOUD_PASSWORD"] + ", user_domain_id: default, project_name: " +
		mc.env["GOMAGNUM_MINICLOUD_PROJECT"] + ", project_domain_id: default}"
	d := startDaemon(t, strings.Join([]string{
		"cloud: {type: openstack, trustee_domain_name: magnum, auth: " + auth + "}",
		"orchestrator: {type: heat, heat: {auth: " + auth + "}}",
		"auth: {mode: keystone, keystone: {auth: " + auth + "}}",
		// Health checks would dial the clusters' floating IPs, which exist
		// only in Neutron's database: none runs during the test.
		"intervals: {sync: 2s, progress: 5s, health: 24h}",
		"quotas: {max_clusters_per_project: 10}",
	}, "\n")+"\n")
	mc.registerMagnum(t, d.url)
	sc, err := openstack.NewContainerInfraV1(mc.userClient(t, tn), gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	sc.Microversion = containerInfraVersion
	keypair := "e2e-key"
	mc.newKeypair(t, tn, keypair)
	return &deployment{
		name: "real", user: keystoneCLI(t, mc.authURL(), tn), api: sc, admin: keystoneCLI(t, mc.authURL(), mc.adminTenant(t)),
		images: map[string]string{"fedora-coreos": mc.env["GOMAGNUM_MINICLOUD_IMAGE_FCOS"],
			"ubuntu": mc.env["GOMAGNUM_MINICLOUD_IMAGE_UBUNTU"]},
		flavor: mc.env["GOMAGNUM_MINICLOUD_FLAVOR"], network: mc.env["GOMAGNUM_MINICLOUD_EXTERNAL_NETWORK"],
		keypair: keypair, timeout: 10 * time.Minute, reconfigures: true,
		servers:      func(t *testing.T) []server { return mc.projectServers(t, tn.projectID) },
		limitServers: func(t *testing.T, n int) { mc.setInstanceQuota(t, tn.projectID, n) },
		owned:        func(t *testing.T, stackID string) { mc.assertOwnedBy(t, tn, stackID) },
		unschedulable: func(t *testing.T) string {
			// Within the project's quota, beyond every host.
			mc.unlimitCores(t, tn.projectID)
			return mc.hugeFlavor(t)
		},
	}
}

// projectServers lists a project's servers with their addresses.
func (c *miniCloud) projectServers(t *testing.T, projectID string) []server {
	t.Helper()
	pages, err := servers.List(c.compute, servers.ListOpts{AllTenants: true, TenantID: projectID}).AllPages(context.Background())
	require.NoError(t, err)
	list, err := servers.ExtractServers(pages)
	require.NoError(t, err)
	out := make([]server, 0, len(list))
	for _, s := range list {
		srv := server{ID: s.ID, Name: s.Name}
		for _, entries := range s.Addresses {
			for _, e := range entries.([]any) {
				if addr, _ := e.(map[string]any)["addr"].(string); addr != "" && !strings.Contains(addr, ":") {
					srv.Addresses = append(srv.Addresses, addr)
				}
			}
		}
		out = append(out, srv)
	}
	return out
}
