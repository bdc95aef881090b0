package remote

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gophercloud/gophercloud/v2/openstack/containerinfra/v1/quotas"

	"github.com/gomagnum/gomagnum/magnum"
)

// CreateQuota sets a project's limit on a resource (admins).
func (c *Client) CreateQuota(ctx context.Context, q magnum.Quota) (*magnum.Quota, error) {
	var out magnum.Quota
	err := quotas.Create(ctx, c.sc, quotas.CreateOpts{ProjectID: q.ProjectID, Resource: q.Resource, HardLimit: q.HardLimit}).ExtractInto(&out)
	return ptrOrNil(&out, apiErr(err))
}

// GetQuota returns a project's limit on a resource, its default if none
// was set.
func (c *Client) GetQuota(ctx context.Context, projectID, resource string) (*magnum.Quota, error) {
	var out magnum.Quota
	_, err := c.sc.Get(ctx, c.url("quotas", projectID, resource), &out, ok(http.StatusOK))
	return ptrOrNil(&out, apiErr(err))
}

// UpdateQuota changes a project's limit on a resource (admins).
func (c *Client) UpdateQuota(ctx context.Context, projectID, resource string, hardLimit int) (*magnum.Quota, error) {
	var out magnum.Quota
	req := map[string]any{"project_id": projectID, "resource": resource, "hard_limit": hardLimit}
	_, err := c.sc.Patch(ctx, c.url("quotas", projectID, resource), req, &out, ok(http.StatusOK, http.StatusAccepted))
	return ptrOrNil(&out, apiErr(err))
}

// DeleteQuota removes a project's limit on a resource (admins).
func (c *Client) DeleteQuota(ctx context.Context, projectID, resource string) error {
	_, err := c.sc.Delete(ctx, c.url("quotas", projectID, resource), ok(http.StatusNoContent, http.StatusOK))
	return apiErr(err)
}

// ListQuotas returns one page of quotas.
func (c *Client) ListQuotas(ctx context.Context, o magnum.QuotaListOptions) ([]magnum.Quota, error) {
	q := url.Values{}
	if o.AllTenants {
		q.Set("all_tenants", "True")
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Marker > 0 {
		q.Set("marker", strconv.FormatInt(o.Marker, 10))
	}
	for k, v := range map[string]string{"sort_key": o.SortKey, "sort_dir": o.SortDir} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out struct {
		Quotas []magnum.Quota `json:"quotas"`
	}
	_, err := c.sc.Get(ctx, withQuery(c.url("quotas"), q), &out, ok(http.StatusOK))
	return out.Quotas, apiErr(err)
}

// Stats counts the clusters and nodes of a project (the caller's if
// empty; any for admins); typ is empty or "cluster".
func (c *Client) Stats(ctx context.Context, projectID, typ string) (*magnum.Stats, error) {
	q := url.Values{}
	if projectID != "" {
		q.Set("project_id", projectID)
	}
	if typ != "" {
		q.Set("type", typ)
	}
	var out magnum.Stats
	_, err := c.sc.Get(ctx, withQuery(c.url("stats"), q), &out, ok(http.StatusOK))
	return ptrOrNil(&out, apiErr(err))
}

// ListMServices lists the service's instances and whether each is up
// (admins).
func (c *Client) ListMServices(ctx context.Context) ([]magnum.MService, error) {
	var out struct {
		MServices []magnum.MService `json:"mservices"`
	}
	_, err := c.sc.Get(ctx, c.url("mservices"), &out, ok(http.StatusOK))
	return out.MServices, apiErr(err)
}

func withQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}
