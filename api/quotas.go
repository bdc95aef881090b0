package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gomagnum/gomagnum/magnum"
)

// quotas is what the quota endpoints need of the service.
type quotas interface {
	CreateQuota(ctx context.Context, q magnum.Quota) (*magnum.Quota, error)
	GetQuota(ctx context.Context, projectID, resource string) (*magnum.Quota, error)
	ListQuotas(ctx context.Context, o magnum.QuotaListOptions) ([]magnum.Quota, error)
	UpdateQuota(ctx context.Context, projectID, resource string, hardLimit int) (*magnum.Quota, error)
	DeleteQuota(ctx context.Context, projectID, resource string) error
}

// quotaSchema is Magnum's Quota API type.
var quotaSchema = apiBase("quota",
	readOnly("id", kInt), text("project_id"), text("resource"), integer("hard_limit", 0))

// defaultHardLimit is the hard limit of a quota created or updated
// without one.
const defaultHardLimit = 1

func (h *Handler) quotaRoutes() {
	h.router.handle("GET /quotas", "get_all", h.listQuotas)
	h.router.handle("GET /quotas/{project}/{resource}", "get_one", h.getQuota)
	h.router.handle("POST /quotas", "post", h.createQuota)
	h.router.handle("PATCH /quotas/{project}/{resource}", "patch", h.updateQuota)
	h.router.handle("DELETE /quotas/{project}/{resource}", "delete", h.deleteQuota)
}

// quotaView is a quota row as the API shows it.
type quotaView struct {
	ID        int64   `json:"id"`
	ProjectID string  `json:"project_id"`
	Resource  string  `json:"resource"`
	HardLimit int     `json:"hard_limit"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
}

// defaultQuotaView is the quota of a project without a row: the default
// limit, without id or timestamps.
type defaultQuotaView struct {
	ProjectID string `json:"project_id"`
	HardLimit int    `json:"hard_limit"`
	Resource  string `json:"resource"`
}

func quotaBody(q *magnum.Quota) any {
	if q.ID == 0 {
		return defaultQuotaView{ProjectID: q.ProjectID, HardLimit: q.HardLimit, Resource: q.Resource}
	}
	return quotaView{ID: q.ID, ProjectID: q.ProjectID, Resource: q.Resource, HardLimit: q.HardLimit,
		CreatedAt: stamp(q.CreatedAt), UpdatedAt: stamp(q.UpdatedAt)}
}

func (h *Handler) listQuotas(w http.ResponseWriter, r *http.Request) {
	p, err := h.listParams(r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	o := magnum.QuotaListOptions{Limit: p.limit, SortKey: p.sortKey, SortDir: p.sortDir}
	if p.marker != "" {
		if o.Marker, err = strconv.ParseInt(p.marker, 10, 64); err != nil {
			h.writeErr(w, r, invalidField("marker", p.marker, "unable to convert to int"))
			return
		}
	}
	if raw := r.URL.Query().Get("all_tenants"); raw != "" {
		if o.AllTenants, err = magnum.ParseBool(raw); err != nil {
			h.writeErr(w, r, invalidField("all_tenants", raw, "Value not an unambiguous boolean: "+raw))
			return
		}
		p.keep = url.Values{"all_tenants": {raw}}
	}
	list, err := h.svc.ListQuotas(r.Context(), o)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writePage(w, r, p, "quotas", "quotas", list, func(q *magnum.Quota) string { return strconv.FormatInt(q.ID, 10) },
		func(_ *http.Request, q *magnum.Quota) any { return quotaBody(q) })
}

func (h *Handler) getQuota(w http.ResponseWriter, r *http.Request) {
	q, err := h.svc.GetQuota(r.Context(), r.PathValue("project"), r.PathValue("resource"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, quotaBody(q))
}

func (h *Handler) createQuota(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, quotaSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	q := magnum.Quota{ProjectID: v.str("project_id"), Resource: v.str("resource"), HardLimit: hardLimit(v)}
	created, err := h.svc.CreateQuota(r.Context(), q)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, quotaBody(created))
}

// hardLimit is the body's hard_limit, 1 when absent as in Magnum.
func hardLimit(v values) int {
	if n := v.intPtr("hard_limit"); n != nil {
		return *n
	}
	return defaultHardLimit
}

// updateQuota changes a quota's limit; the body is a plain quota object,
// not a JSON patch.
func (h *Handler) updateQuota(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, quotaSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	q, err := h.svc.UpdateQuota(r.Context(), r.PathValue("project"), r.PathValue("resource"), hardLimit(v))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, quotaBody(q))
}

func (h *Handler) deleteQuota(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteQuota(r.Context(), r.PathValue("project"), r.PathValue("resource")); err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeNoContent(w)
}
