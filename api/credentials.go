package api

import (
	"context"
	"net/http"
)

// credentials is what the credentials endpoint (microversion 1.12) needs of
// the service.
type credentials interface {
	RotateCredentials(ctx context.Context, clusterIdent string) (string, error)
}

func (h *Handler) credentialRoutes() {
	h.router.handle("PATCH /credentials/{cluster}", "patch", h.rotateCredentials, since(vCredentials))
}

// rotateCredentials replaces a cluster's trustee credentials.
func (h *Handler) rotateCredentials(w http.ResponseWriter, r *http.Request) {
	uuid, err := h.svc.RotateCredentials(r.Context(), r.PathValue("cluster"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}
