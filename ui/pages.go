package ui

import (
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// templateListData is the templates page.
type templateListData struct {
	Templates []magnum.ClusterTemplate
	CanCreate bool
}

func (h *Handler) templateList(w http.ResponseWriter, r *http.Request, s *session) {
	ts, err := h.svc.ListClusterTemplates(r.Context(), magnum.ListOptions{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "templates", &view{Title: "Cluster templates", Nav: "templates", Caller: &s.caller,
		CSRF: s.csrf, Data: &templateListData{Templates: ts,
			CanCreate: h.allowed(r.Context(), "cluster:create", s.caller, magnum.Target{})}})
}

// quotaData is the quotas and stats page: every project's quotas for
// admins, the caller's project's otherwise.
type quotaData struct {
	Quotas  []magnum.Quota
	Stats   *magnum.Stats
	Default bool
	Admin   bool
}

func (h *Handler) quotaPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	d := &quotaData{Admin: s.caller.IsAdmin()}
	var err error
	if d.Admin {
		d.Quotas, err = h.svc.ListQuotas(ctx, magnum.QuotaListOptions{AllTenants: true})
	} else {
		var q *magnum.Quota
		if q, err = h.svc.GetQuota(ctx, s.caller.ProjectID, magnum.QuotaResourceCluster); err == nil {
			d.Quotas, d.Default = []magnum.Quota{*q}, q.ID == 0
		}
	}
	if err == nil {
		d.Stats, err = h.svc.Stats(ctx, "", "")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "quotas", &view{Title: "Quotas and stats", Nav: "quotas", Caller: &s.caller,
		CSRF: s.csrf, Data: d})
}

func (h *Handler) servicePage(w http.ResponseWriter, r *http.Request, s *session) {
	svcs, err := h.svc.ListMServices(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "services", &view{Title: "Services", Nav: "services", Caller: &s.caller,
		CSRF: s.csrf, Data: svcs})
}
