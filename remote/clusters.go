package remote

import (
	"context"
	"net/http"

	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/clusters"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/gomagnum/gomagnum/magnum"
)

// clusterBody is a cluster as the API shows it: from microversion 1.13
// its stack is cluster_id.
type clusterBody struct {
	magnum.Cluster
	ClusterID string `json:"cluster_id"`
}

func (b *clusterBody) cluster() *magnum.Cluster {
	if b.StackID == "" {
		b.StackID = b.ClusterID
	}
	return &b.Cluster
}

// uuidBody is the answer of the calls that start an operation.
type uuidBody struct {
	UUID string `json:"uuid"`
}

// CreateCluster starts creating a cluster and returns its UUID.
func (c *Client) CreateCluster(ctx context.Context, req magnum.ClusterCreate) (string, error) {
	var b uuidBody
	err := clusters.Create(ctx, c.sc, builder(body(req))).ExtractInto(&b)
	return b.UUID, apiErr(err)
}

// GetCluster returns a cluster by UUID or name.
func (c *Client) GetCluster(ctx context.Context, ident string) (*magnum.Cluster, error) {
	var b clusterBody
	if err := clusters.Get(ctx, c.sc, ident).ExtractInto(&b); err != nil {
		return nil, apiErr(err)
	}
	return b.cluster(), nil
}

// ListClusters returns one page of the clusters the caller sees, in
// detail.
func (c *Client) ListClusters(ctx context.Context, o magnum.ListOptions) ([]magnum.Cluster, error) {
	pager := clusters.ListDetail(c.sc, clusters.ListOpts{Limit: o.Limit, Marker: o.Marker, SortKey: o.SortKey, SortDir: o.SortDir})
	var page []clusterBody
	err := firstPage(ctx, pager, func(p pagination.Page) error {
		return p.(clusters.ClusterPage).ExtractIntoSlicePtr(&page, "clusters")
	})
	out := make([]magnum.Cluster, len(page))
	for i := range page {
		out[i] = *page[i].cluster()
	}
	return out, err
}

// UpdateCluster applies a JSON patch to a cluster and returns its UUID.
func (c *Client) UpdateCluster(ctx context.Context, ident string, ops []magnum.PatchOp, o magnum.UpdateOptions) (string, error) {
	var b uuidBody
	if o.Rollback {
		_, err := c.sc.Patch(ctx, c.url("clusters", ident)+"?rollback=True", patch(ops), &b, ok(http.StatusOK, http.StatusAccepted))
		return b.UUID, apiErr(err)
	}
	err := clusters.Update(ctx, c.sc, ident, patch(ops)).ExtractInto(&b)
	return b.UUID, apiErr(err)
}

// ResizeCluster changes the node count of a cluster's node group and
// returns the cluster's UUID.
func (c *Client) ResizeCluster(ctx context.Context, ident string, r magnum.Resize) (string, error) {
	req := body(r)
	req["node_count"] = r.NodeCount
	var b uuidBody
	err := clusters.Resize(ctx, c.sc, ident, builder(req)).ExtractInto(&b)
	return b.UUID, apiErr(err)
}

// UpgradeCluster moves a cluster (or one node group) to another template
// and returns the cluster's UUID.
func (c *Client) UpgradeCluster(ctx context.Context, ident string, u magnum.Upgrade) (string, error) {
	var b uuidBody
	err := clusters.Upgrade(ctx, c.sc, ident, builder(body(u))).ExtractInto(&b)
	return b.UUID, apiErr(err)
}

// DeleteCluster starts deleting a cluster.
func (c *Client) DeleteCluster(ctx context.Context, ident string) error {
	return apiErr(clusters.Delete(ctx, c.sc, ident).ExtractErr())
}
