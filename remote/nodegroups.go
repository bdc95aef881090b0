package remote

import (
	"context"
	"net/url"
	"strconv"

	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/nodegroups"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/gomagnum/gomagnum/magnum"
)

// CreateNodeGroup adds a node group to a cluster.
func (c *Client) CreateNodeGroup(ctx context.Context, clusterIdent string, req magnum.NodeGroupCreate) (*magnum.NodeGroup, error) {
	var ng magnum.NodeGroup
	err := nodegroups.Create(ctx, c.sc, clusterIdent, builder(body(req))).ExtractInto(&ng)
	return ptrOrNil(&ng, apiErr(err))
}

// GetNodeGroup returns a node group of a cluster by UUID or name.
func (c *Client) GetNodeGroup(ctx context.Context, clusterIdent, ident string) (*magnum.NodeGroup, error) {
	var ng magnum.NodeGroup
	err := nodegroups.Get(ctx, c.sc, clusterIdent, ident).ExtractInto(&ng)
	return ptrOrNil(&ng, apiErr(err))
}

// ListNodeGroups returns one page of a cluster's node groups.
func (c *Client) ListNodeGroups(ctx context.Context, clusterIdent string, o magnum.NodeGroupListOptions) ([]magnum.NodeGroup, error) {
	pager := nodegroups.List(c.sc, clusterIdent, nodeGroupQuery(o))
	var out []magnum.NodeGroup
	err := firstPage(ctx, pager, func(p pagination.Page) error {
		return p.(nodegroups.NodeGroupPage).ExtractIntoSlicePtr(&out, "nodegroups")
	})
	return out, err
}

// nodeGroupQuery is the query of a node group list, with the role filter
// gophercloud's options lack.
type nodeGroupQuery magnum.NodeGroupListOptions

func (o nodeGroupQuery) ToNodeGroupsListQuery() (string, error) {
	q := url.Values{}
	for k, v := range map[string]string{"marker": o.Marker, "sort_key": o.SortKey, "sort_dir": o.SortDir, "role": o.Role} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if len(q) == 0 {
		return "", nil
	}
	return "?" + q.Encode(), nil
}

// UpdateNodeGroup applies a JSON patch to a node group.
func (c *Client) UpdateNodeGroup(ctx context.Context, clusterIdent, ident string, ops []magnum.PatchOp) (*magnum.NodeGroup, error) {
	var ng magnum.NodeGroup
	err := nodegroups.Update(ctx, c.sc, clusterIdent, ident, patch(ops)).ExtractInto(&ng)
	return ptrOrNil(&ng, apiErr(err))
}

// DeleteNodeGroup starts deleting a node group.
func (c *Client) DeleteNodeGroup(ctx context.Context, clusterIdent, ident string) error {
	return apiErr(nodegroups.Delete(ctx, c.sc, clusterIdent, ident).ExtractErr())
}
