package e2e

import (
	"context"
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

// assertOwnedBy checks that a cluster's stack and everything its stacks
// made belong to the tenant's project: the tenant's user reads the whole
// stack tree (Heat shows a project's stacks only to it), and the cloud's
// admin finds each made resource in that project.
func (c *miniCloud) assertOwnedBy(t *testing.T, tn tenant, stackID string) {
	t.Helper()
	ctx := context.Background()
	orch, err := openstack.NewOrchestrationV1(c.userClient(t, tn), gophercloud.EndpointOpts{Region: "RegionOne"})
	require.NoError(t, err)
	stack, err := stacks.Find(ctx, orch, stackID).Extract()
	require.NoError(t, err, "the tenant's user cannot see its cluster's stack %s", stackID)
	pages, err := stackresources.List(orch, stack.Name, stackID, stackresources.ListOpts{Depth: 5}).AllPages(ctx)
	require.NoError(t, err, "the tenant's user cannot list its cluster's stack %s", stackID)
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
	assert.NotZero(t, checked, "the stack %s made nothing that lives in a project", stackID)
	t.Logf("%d resources of stack %s, all in project %s", checked, stackID, tn.projectName)
}
