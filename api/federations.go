package api

import (
	"context"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// federations is what the federation endpoints need of the service.
type federations interface {
	CreateFederation(ctx context.Context, req magnum.FederationCreate) (string, error)
	GetFederation(ctx context.Context, ident string) (*magnum.Federation, error)
	ListFederations(ctx context.Context, o magnum.ListOptions) ([]magnum.Federation, error)
	UpdateFederation(ctx context.Context, ident string, ops []magnum.PatchOp) (string, error)
	DeleteFederation(ctx context.Context, ident string) error
}

// federationSchema is Magnum's Federation API type.
var federationSchema = apiBase("federation",
	text("uuid"), str("name", 1, 242).matching(clusterNamePattern), text("hostcluster_id"),
	strList("member_ids"), text("status"), text("status_reason"),
	labels("properties").stringsOnly(), readOnly("links", kStringList))

func (h *Handler) federationRoutes() {
	h.router.handle("GET /federations", "get_all", h.listFederations(false))
	h.router.handle("GET /federations/detail", "detail", h.listFederations(true))
	h.router.handle("GET /federations/{federation}", "get_one", h.getFederation)
	h.router.handle("GET /federations/{federation}/detail", "detail", detailOfOne)
	h.router.handle("POST /federations", "post", h.createFederation)
	h.router.handle("PATCH /federations/{federation}", "patch", h.updateFederation)
	h.router.handle("DELETE /federations/{federation}", "delete", h.deleteFederation)
}

// federationBrief is a federation as lists show it.
type federationBrief struct {
	UUID          string            `json:"uuid"`
	Name          *string           `json:"name"`
	HostClusterID *string           `json:"hostcluster_id"`
	MemberIDs     []string          `json:"member_ids"`
	Status        *string           `json:"status"`
	Properties    map[string]string `json:"properties"`
	Links         []link            `json:"links"`
}

// federationFull is a federation as detail lists and GET show it.
type federationFull struct {
	federationBrief
	StatusReason *string `json:"status_reason"`
	CreatedAt    *string `json:"created_at"`
	UpdatedAt    *string `json:"updated_at"`
}

func federationBriefView(r *http.Request, f *magnum.Federation) federationBrief {
	return federationBrief{UUID: f.UUID, Name: optStr(f.Name), HostClusterID: optStr(f.HostClusterID),
		MemberIDs: stringList(f.MemberIDs), Status: optStr(f.Status), Properties: stringMap(f.Properties),
		Links: resourceLinks(hostURL(r), "federations/"+f.UUID)}
}

func federationFullView(r *http.Request, f *magnum.Federation) federationFull {
	return federationFull{federationBrief: federationBriefView(r, f), StatusReason: optStr(f.StatusReason),
		CreatedAt: stamp(f.CreatedAt), UpdatedAt: stamp(f.UpdatedAt)}
}

func (h *Handler) listFederations(detail bool) http.HandlerFunc {
	uuid := func(f *magnum.Federation) string { return f.UUID }
	if detail {
		return listHandler(h, "federations", "federations/detail", h.svc.ListFederations, uuid,
			func(r *http.Request, f *magnum.Federation) any { return federationFullView(r, f) })
	}
	return listHandler(h, "federations", "federations", h.svc.ListFederations, uuid,
		func(r *http.Request, f *magnum.Federation) any { return federationBriefView(r, f) })
}

func (h *Handler) getFederation(w http.ResponseWriter, r *http.Request) {
	f, err := h.svc.GetFederation(r.Context(), r.PathValue("federation"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, federationFullView(r, f))
}

func (h *Handler) createFederation(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, federationSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	uuid, err := h.svc.CreateFederation(r.Context(), magnum.FederationCreate{Name: v.str("name"),
		HostClusterID: v.str("hostcluster_id"), MemberIDs: v.strList("member_ids"), Properties: v.strMap("properties")})
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}

func (h *Handler) updateFederation(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(w, r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	uuid, err := h.svc.UpdateFederation(r.Context(), r.PathValue("federation"), ops)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}

func (h *Handler) deleteFederation(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteFederation(r.Context(), r.PathValue("federation")); err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeNoContent(w)
}
