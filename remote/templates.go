package remote

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/clustertemplates"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/gomagnum/gomagnum/magnum"
)

// CreateClusterTemplate creates a cluster template.
func (c *Client) CreateClusterTemplate(ctx context.Context, req magnum.ClusterTemplateCreate) (*magnum.ClusterTemplate, error) {
	var t magnum.ClusterTemplate
	err := clustertemplates.Create(ctx, c.sc, builder(body(req))).ExtractInto(&t)
	return ptrOrNil(&t, apiErr(err))
}

// GetClusterTemplate returns a cluster template by UUID or name.
func (c *Client) GetClusterTemplate(ctx context.Context, ident string) (*magnum.ClusterTemplate, error) {
	var t magnum.ClusterTemplate
	err := clustertemplates.Get(ctx, c.sc, ident).ExtractInto(&t)
	return ptrOrNil(&t, apiErr(err))
}

// ListClusterTemplates returns one page of the cluster templates the
// caller sees.
func (c *Client) ListClusterTemplates(ctx context.Context, o magnum.ListOptions) ([]magnum.ClusterTemplate, error) {
	pager := clustertemplates.List(c.sc, clustertemplates.ListOpts{Limit: o.Limit, Marker: o.Marker, SortKey: o.SortKey, SortDir: o.SortDir})
	var out []magnum.ClusterTemplate
	err := firstPage(ctx, pager, func(p pagination.Page) error {
		return p.(clustertemplates.ClusterTemplatePage).ExtractIntoSlicePtr(&out, "clustertemplates")
	})
	return out, err
}

// UpdateClusterTemplate applies a JSON patch to a cluster template.
func (c *Client) UpdateClusterTemplate(ctx context.Context, ident string, ops []magnum.PatchOp) (*magnum.ClusterTemplate, error) {
	var t magnum.ClusterTemplate
	err := clustertemplates.Update(ctx, c.sc, ident, patch(ops)).ExtractInto(&t)
	return ptrOrNil(&t, apiErr(err))
}

// DeleteClusterTemplate deletes a cluster template.
func (c *Client) DeleteClusterTemplate(ctx context.Context, ident string) error {
	return apiErr(clustertemplates.Delete(ctx, c.sc, ident).ExtractErr())
}

// patch is a JSON patch as gophercloud's update functions take it.
func patch(ops []magnum.PatchOp) []patchOp {
	out := make([]patchOp, len(ops))
	for i, op := range ops {
		out[i] = patchOp{"op": op.Op, "path": op.Path}
		if op.Value != nil {
			out[i]["value"] = op.Value
		}
	}
	return out
}

// firstPage reads the first page of a list, the one page the embedded
// service's lists return too.
func firstPage(ctx context.Context, pager pagination.Pager, extract func(pagination.Page) error) error {
	err := pager.EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		return false, extract(p)
	})
	return apiErr(err)
}

// ptrOrNil returns v, or nil with err.
func ptrOrNil[T any](v *T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}
