package api

import (
	"context"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// serviceInfo is what the stats and mservices endpoints need of the
// service.
type serviceInfo interface {
	Stats(ctx context.Context, projectID, typ string) (*magnum.Stats, error)
	ListMServices(ctx context.Context) ([]magnum.MService, error)
}

func (h *Handler) statsRoutes() {
	h.router.handle("GET /stats", "get_all", h.getStats)
}

// getStats counts a project's clusters and nodes (?project_id=, ?type=).
func (h *Handler) getStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st, err := h.svc.Stats(r.Context(), q.Get("project_id"), q.Get("type"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
