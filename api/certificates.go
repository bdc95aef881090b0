package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// certificates is what the certificate endpoints need of the service.
type certificates interface {
	GetCACertificate(ctx context.Context, clusterIdent, caType string) (*magnum.Certificate, error)
	SignCertificate(ctx context.Context, clusterIdent, csrPEM, caType string) (*magnum.Certificate, error)
	RotateCA(ctx context.Context, clusterIdent string) (string, error)
}

// certificateSchema is Magnum's Certificate API type; bay_uuid is the old
// name of cluster_uuid.
var certificateSchema = apiBase("certificate",
	text("bay_uuid"), text("cluster_uuid"), readOnly("links", kStringList), str("csr", 1, 0), text("pem"),
	text("ca_cert_type"))

func (h *Handler) certificateRoutes() {
	h.router.handle("GET /certificates/{cluster}", "get_one", h.getCACertificate)
	h.router.handle("POST /certificates", "post", h.signCertificate)
	h.router.handle("PATCH /certificates/{cluster}", "patch", h.rotateCA)
}

// certificateView is a certificate as the API shows it.
type certificateView struct {
	ClusterUUID string `json:"cluster_uuid"`
	BayUUID     string `json:"bay_uuid"`
	CSR         string `json:"csr,omitempty"`
	PEM         string `json:"pem"`
	CAType      string `json:"ca_cert_type,omitempty"`
	Links       []link `json:"links"`
}

func certificateLinks(r *http.Request, clusterUUID string) []link {
	return resourceLinks(hostURL(r), "certificates/"+clusterUUID)
}

func (h *Handler) getCACertificate(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.GetCACertificate(r.Context(), r.PathValue("cluster"), r.URL.Query().Get("ca_cert_type"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, certificateView{ClusterUUID: c.ClusterUUID, BayUUID: c.ClusterUUID, PEM: c.PEM,
		Links: certificateLinks(r, c.ClusterUUID)})
}

// signCertificate signs a CSR. An unknown cluster is a bad request here,
// not a missing resource.
func (h *Handler) signCertificate(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, certificateSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	cluster := v.str("cluster_uuid")
	if cluster == "" {
		cluster = v.str("bay_uuid")
	}
	c, err := h.svc.SignCertificate(r.Context(), cluster, v.str("csr"), v.str("ca_cert_type"))
	if errors.Is(err, magnum.ErrNotFound) {
		err = &apiError{Status: http.StatusBadRequest, Code: "client", Msg: err.Error()}
	}
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, certificateView{ClusterUUID: c.ClusterUUID, BayUUID: c.ClusterUUID, CSR: c.CSR,
		PEM: c.PEM, CAType: v.str("ca_cert_type"), Links: certificateLinks(r, c.ClusterUUID)})
}

func (h *Handler) rotateCA(w http.ResponseWriter, r *http.Request) {
	uuid, err := h.svc.RotateCA(r.Context(), r.PathValue("cluster"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}
