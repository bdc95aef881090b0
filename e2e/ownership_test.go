package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stackresources"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// owner says where the cloud keeps a resource type and which field of
// its JSON names its project.
type owner struct {
	client func(c *miniCloud) *gophercloud.ServiceClient
	path   string // the resource's URL under the service, before its ID
	root   string // the JSON object the resource is in
	field  string // the project field of that object
}

// owners covers every resource type the drivers' stacks make that lives
// in a project.
var owners = map[string]owner{
	"OS::Nova::Server":               {func(c *miniCloud) *gophercloud.ServiceClient { return c.compute }, "servers", "server", "tenant_id"},
	"OS::Neutron::Net":               {network, "networks", "network", "project_id"},
	"OS::Neutron::Subnet":            {network, "subnets", "subnet", "project_id"},
	"OS::Neutron::Port":              {network, "ports", "port", "project_id"},
	"OS::Neutron::Router":            {network, "routers", "router", "project_id"},
	"OS::Neutron::FloatingIP":        {network, "floatingips", "floatingip", "project_id"},
	"OS::Neutron::SecurityGroup":     {network, "security-groups", "security_group", "project_id"},
	"OS::Cinder::Volume":             {func(c *miniCloud) *gophercloud.ServiceClient { return c.volume }, "volumes", "volume", "os-vol-tenant-attr:tenant_id"},
	"OS::Octavia::LoadBalancer":      {loadBalancer, "lbaas/loadbalancers", "loadbalancer", "project_id"},
	"OS::Octavia::Listener":          {loadBalancer, "lbaas/listeners", "listener", "project_id"},
	"OS::Octavia::Pool":              {loadBalancer, "lbaas/pools", "pool", "project_id"},
	"OS::Neutron::SecurityGroupRule": {network, "security-group-rules", "security_group_rule", "project_id"},
}

func network(c *miniCloud) *gophercloud.ServiceClient      { return c.network }
func loadBalancer(c *miniCloud) *gophercloud.ServiceClient { return c.lb }

// assertOwnedBy checks that a cluster's stacks and everything they made
// belong to the tenant's project: the stacks are in the project's listing
// (Heat lists a project's stacks to its members) and in no other project's,
// and the cloud's admin finds each resource they made in that project.
func (c *miniCloud) assertOwnedBy(t *testing.T, tn tenant, cluster string) {
	t.Helper()
	ctx := context.Background()
	prefix := stackPrefix(cluster)
	for _, s := range c.globalStacks(t) {
		if strings.HasPrefix(s.Name, prefix) {
			assert.Equal(t, tn.projectID, s.Project, "stack %s is not in project %s", s.Name, tn.projectName)
		}
	}
	orch, err := openstack.NewOrchestrationV1(c.userClient(t, tn), gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	pages, err := stacks.List(orch, nil).AllPages(ctx)
	require.NoError(t, err)
	list, err := stacks.ExtractStacks(pages)
	require.NoError(t, err)
	checked := 0
	for _, s := range list {
		if strings.HasPrefix(s.Name, prefix) {
			checked += c.assertResourcesOwnedBy(t, orch, tn, s.Name, s.ID)
		}
	}
	assert.NotZero(t, checked, "the stacks of cluster %s made nothing that lives in a project", cluster)
	t.Logf("cluster %s: %d resources, all in project %s", cluster, checked, tn.projectName)
}

// assertResourcesOwnedBy checks the project of every resource a stack and
// its nested stacks made, returning how many it checked.
func (c *miniCloud) assertResourcesOwnedBy(t *testing.T, orch *gophercloud.ServiceClient, tn tenant, name, id string) int {
	t.Helper()
	ctx := context.Background()
	pages, err := stackresources.List(orch, name, id, stackresources.ListOpts{Depth: 5}).AllPages(ctx)
	require.NoError(t, err, "resources of stack %s", name)
	resources, err := stackresources.ExtractResources(pages)
	require.NoError(t, err)
	checked := 0
	for _, r := range resources {
		o, ok := owners[r.Type]
		if !ok || r.PhysicalID == "" {
			continue
		}
		var body map[string]map[string]any
		cl := o.client(c)
		_, err := cl.Get(ctx, cl.ServiceURL(o.path, r.PhysicalID), &body, nil)
		require.NoError(t, err, "%s %s (%s)", r.Type, r.Name, r.PhysicalID)
		assert.Equal(t, tn.projectID, body[o.root][o.field], "%s %s (%s) is not in project %s", r.Type, r.Name, r.PhysicalID, tn.projectName)
		checked++
	}
	return checked
}

// globalStack is a stack of Heat's listing of every project's stacks.
type globalStack struct {
	Name    string `json:"stack_name"`
	Status  string `json:"stack_status"`
	Project string `json:"project"`
}

// globalStacks lists every project's stacks (Heat's global_index).
func (c *miniCloud) globalStacks(t *testing.T) []globalStack {
	t.Helper()
	pages, err := stacks.List(c.orchestration, stacks.ListOpts{AllTenants: true}).AllPages(context.Background())
	require.NoError(t, err)
	var l struct {
		Stacks []globalStack `json:"stacks"`
	}
	require.NoError(t, pages.(stacks.StackPage).ExtractInto(&l))
	return l.Stacks
}
