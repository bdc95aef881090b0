package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/trusts"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertNoLeaks checks that nothing the clusters of a tenant made is
// left: in the tenant's project (assertOwnedBy checked that their stacks
// made nothing elsewhere), servers, ports, floating IPs, routers, networks,
// security groups (but the project's default), volumes, load balancers
// (and, in any project, their amphorae), stacks, the clusters' trustee
// users and the trusts from the tenant's user.
func (c *miniCloud) assertNoLeaks(t *testing.T, tn tenant, clusterUUIDs []string) {
	t.Helper()
	ctx := context.Background()
	p := tn.projectID
	names := func(what string, pager pagination.Pager, extract func(pagination.Page) ([]string, error)) {
		t.Helper()
		page, err := pager.AllPages(ctx)
		require.NoError(t, err, what)
		left, err := extract(page)
		require.NoError(t, err, what)
		assert.Empty(t, left, "%s left in project %s", what, tn.projectName)
	}
	names("servers", servers.List(c.compute, servers.ListOpts{AllTenants: true, TenantID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := servers.ExtractServers(pg)
		return collect(l, func(s servers.Server) string { return s.Name }), err
	})
	names("ports", ports.List(c.network, ports.ListOpts{ProjectID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := ports.ExtractPorts(pg)
		return collect(l, func(x ports.Port) string { return x.ID + " " + x.DeviceOwner }), err
	})
	names("floating IPs", floatingips.List(c.network, floatingips.ListOpts{ProjectID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := floatingips.ExtractFloatingIPs(pg)
		return collect(l, func(x floatingips.FloatingIP) string { return x.FloatingIP }), err
	})
	names("routers", routers.List(c.network, routers.ListOpts{ProjectID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := routers.ExtractRouters(pg)
		return collect(l, func(x routers.Router) string { return x.Name }), err
	})
	names("networks", networks.List(c.network, networks.ListOpts{ProjectID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := networks.ExtractNetworks(pg)
		return collect(l, func(x networks.Network) string { return x.Name }), err
	})
	names("security groups", groups.List(c.network, groups.ListOpts{ProjectID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := groups.ExtractGroups(pg)
		var out []string
		for _, g := range l {
			if g.Name != "default" {
				out = append(out, g.Name)
			}
		}
		return out, err
	})
	names("volumes", volumes.List(c.volume, volumes.ListOpts{AllTenants: true, TenantID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := volumes.ExtractVolumes(pg)
		return collect(l, func(x volumes.Volume) string { return x.Name }), err
	})
	names("load balancers", loadbalancers.List(c.lb, loadbalancers.ListOpts{ProjectID: p}), func(pg pagination.Page) ([]string, error) {
		l, err := loadbalancers.ExtractLoadBalancers(pg)
		return collect(l, func(x loadbalancers.LoadBalancer) string { return x.Name }), err
	})
	names("amphorae", servers.List(c.compute, servers.ListOpts{AllTenants: true, Name: "^amphora-"}), func(pg pagination.Page) ([]string, error) {
		l, err := servers.ExtractServers(pg)
		return collect(l, func(s servers.Server) string { return s.Name }), err
	})
	names("stacks", stacks.List(c.orchestration, stacks.ListOpts{AllTenants: true}), func(pg pagination.Page) ([]string, error) {
		// Heat filters a global listing by no project: each stack says its own.
		var l struct {
			Stacks []struct {
				Name    string `json:"stack_name"`
				Status  string `json:"stack_status"`
				Project string `json:"project"`
			} `json:"stacks"`
		}
		err := pg.(stacks.StackPage).ExtractInto(&l)
		var out []string
		for _, s := range l.Stacks {
			if s.Project == p {
				out = append(out, s.Name+" "+s.Status)
			}
		}
		return out, err
	})
	names("trusts", trusts.List(c.identity, trusts.ListOpts{TrustorUserID: tn.userID}), func(pg pagination.Page) ([]string, error) {
		l, err := trusts.ExtractTrusts(pg)
		return collect(l, func(x trusts.Trust) string { return x.ID }), err
	})
	names("trustee users", users.List(c.identity, users.ListOpts{DomainID: c.trusteeDomain(t)}), func(pg pagination.Page) ([]string, error) {
		l, err := users.ExtractUsers(pg)
		var out []string
		for _, u := range l {
			for _, id := range clusterUUIDs {
				if strings.Contains(u.Name, id) {
					out = append(out, u.Name)
				}
			}
		}
		return out, err
	})
}

// collect maps a list to strings.
func collect[T any](l []T, f func(T) string) []string {
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, f(x))
	}
	return out
}
