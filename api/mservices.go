package api

import (
	"net/http"
)

func (h *Handler) mserviceRoutes() {
	h.router.handle("GET /mservices", "get_all", h.listMServices)
}

// mserviceView is a service instance as the API shows it.
type mserviceView struct {
	ID             int64   `json:"id"`
	Host           string  `json:"host"`
	Binary         string  `json:"binary"`
	State          string  `json:"state"`
	ReportCount    int64   `json:"report_count"`
	Disabled       bool    `json:"disabled"`
	DisabledReason *string `json:"disabled_reason"`
	CreatedAt      *string `json:"created_at"`
	UpdatedAt      *string `json:"updated_at"`
}

// listMServices lists the service instances and whether each is up; the
// list is not paged.
func (h *Handler) listMServices(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.ListMServices(r.Context())
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	items := make([]mserviceView, len(list))
	for i, s := range list {
		items[i] = mserviceView{ID: s.ID, Host: s.Host, Binary: s.Binary, State: s.State, ReportCount: s.ReportCount,
			Disabled: s.Disabled, DisabledReason: optStr(s.DisabledReason), CreatedAt: stamp(s.CreatedAt),
			UpdatedAt: stamp(s.UpdatedAt)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"mservices": items})
}
