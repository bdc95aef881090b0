package api

import (
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// baySchema is Magnum's Bay API type: a cluster with baymodel_id,
// bay_create_timeout and bay_faults, at least one node, and the keypair of
// its baymodel.
var baySchema = apiBase("bay",
	text("uuid"), str("name", 1, 242).matching(clusterNamePattern), text("baymodel_id").required(),
	integer("node_count", 1), integer("master_count", 1), integer("docker_volume_size", 1), labels("labels"),
	str("master_flavor_id", 1, 255), str("flavor_id", 1, 255), integer("bay_create_timeout", 0),
	readOnly("links", kStringList), readOnly("stack_id", kString), text("status"), text("status_reason"),
	text("discovery_url"), readOnly("api_address", kString), readOnly("coe_version", kString),
	readOnly("container_version", kString), readOnly("node_addresses", kStringList),
	readOnly("master_addresses", kStringList), labels("bay_faults").stringsOnly(), str("fixed_network", 1, 255),
	str("fixed_subnet", 1, 255), boolean("floating_ip_enabled"), boolean("master_lb_enabled"),
)

// bayRoutes serves clusters as the bays of old, below microversion 1.11.
func (h *Handler) bayRoutes() {
	old := until(Version{1, vNoBays.Minor - 1})
	h.router.handle("GET /bays", "get_all", bayViews.list(h, false), old)
	h.router.handle("GET /bays/detail", "detail", bayViews.list(h, true), old)
	h.router.handle("GET /bays/{cluster}", "get_one", bayViews.get(h), old)
	h.router.handle("GET /bays/{cluster}/detail", "detail", detailOfOne, old)
	h.router.handle("POST /bays", "post", h.createBay, old)
	h.router.handle("PATCH /bays/{cluster}", "patch", h.updateBay, old)
	h.router.handle("DELETE /bays/{cluster}", "delete", h.deleteCluster, old)
}

// bayBrief is a bay as lists show it.
type bayBrief struct {
	UUID              string            `json:"uuid"`
	Name              *string           `json:"name"`
	BaymodelID        string            `json:"baymodel_id"`
	DockerVolumeSize  *int              `json:"docker_volume_size"`
	Labels            map[string]string `json:"labels"`
	MasterFlavorID    *string           `json:"master_flavor_id"`
	FlavorID          *string           `json:"flavor_id"`
	NodeCount         int               `json:"node_count"`
	Status            *string           `json:"status"`
	BayCreateTimeout  int               `json:"bay_create_timeout"`
	MasterCount       int               `json:"master_count"`
	StackID           *string           `json:"stack_id"`
	FloatingIPEnabled bool              `json:"floating_ip_enabled"`
	Links             []link            `json:"links"`
}

// bayFull is a bay as detail lists and GET show it.
type bayFull struct {
	bayBrief
	StatusReason     *string           `json:"status_reason"`
	DiscoveryURL     *string           `json:"discovery_url"`
	APIAddress       *string           `json:"api_address"`
	COEVersion       *string           `json:"coe_version"`
	ContainerVersion *string           `json:"container_version"`
	NodeAddresses    []string          `json:"node_addresses"`
	MasterAddresses  []string          `json:"master_addresses"`
	BayFaults        map[string]string `json:"bay_faults,omitempty"`
	FixedNetwork     *string           `json:"fixed_network"`
	FixedSubnet      *string           `json:"fixed_subnet"`
	MasterLBEnabled  bool              `json:"master_lb_enabled"`
	CreatedAt        *string           `json:"created_at"`
	UpdatedAt        *string           `json:"updated_at"`
}

func bayBriefView(r *http.Request, c *magnum.Cluster) bayBrief {
	return bayBrief{UUID: c.UUID, Name: optStr(c.Name), BaymodelID: c.ClusterTemplateID,
		DockerVolumeSize: optInt(c.DockerVolumeSize), Labels: stringMap(c.Labels),
		MasterFlavorID: optStr(c.MasterFlavorID), FlavorID: optStr(c.FlavorID), NodeCount: c.NodeCount,
		Status: optStr(c.Status), BayCreateTimeout: c.CreateTimeout, MasterCount: c.MasterCount,
		StackID: optStr(c.StackID), FloatingIPEnabled: c.FloatingIPEnabled,
		Links: resourceLinks(hostURL(r), "bays/"+c.UUID)}
}

func bayFullView(r *http.Request, c *magnum.Cluster, withFaults bool) bayFull {
	v := bayFull{bayBrief: bayBriefView(r, c), StatusReason: optStr(c.StatusReason),
		DiscoveryURL: optStr(c.DiscoveryURL), APIAddress: optStr(c.APIAddress),
		COEVersion: optStr(c.COEVersion), ContainerVersion: optStr(c.ContainerVersion),
		NodeAddresses: stringList(c.NodeAddresses), MasterAddresses: stringList(c.MasterAddresses),
		FixedNetwork: optStr(c.FixedNetwork), FixedSubnet: optStr(c.FixedSubnet),
		MasterLBEnabled: c.MasterLBEnabled, CreatedAt: stamp(c.CreatedAt), UpdatedAt: stamp(c.UpdatedAt)}
	if withFaults && c.Status.IsFailed() {
		v.BayFaults = stringMap(c.Faults)
	}
	return v
}

// bayViews are the views of clusters as bays.
var bayViews = clusterViews{collection: "bays", brief: viewBayBrief, full: viewBayFull, one: viewBayOne,
	showBrief: func(r *http.Request, c *magnum.Cluster) any { return bayBriefView(r, c) },
	showFull:  func(r *http.Request, c *magnum.Cluster, faults bool) any { return bayFullView(r, c, faults) }}

// createBay creates a cluster from a bay body: at 1.1 it answers 201 with
// the bay, from 1.2 202 with its UUID. An unknown baymodel is always a bad
// request.
func (h *Handler) createBay(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, baySchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	req := magnum.ClusterCreate{Name: v.str("name"), ClusterTemplateID: v.str("baymodel_id"),
		DockerVolumeSize: v.integer("docker_volume_size"), Labels: v.strMap("labels"),
		MasterFlavorID: v.str("master_flavor_id"), FlavorID: v.str("flavor_id"), NodeCount: v.intPtr("node_count"),
		MasterCount: v.intPtr("master_count"), CreateTimeout: v.intPtr("bay_create_timeout"),
		DiscoveryURL: v.str("discovery_url"), FixedNetwork: v.str("fixed_network"), FixedSubnet: v.str("fixed_subnet"),
		FloatingIPEnabled: v.boolPtr("floating_ip_enabled"), MasterLBEnabled: v.boolPtr("master_lb_enabled")}
	uuid, err := h.svc.CreateCluster(r.Context(), req)
	if isTemplateNotFound(err) {
		err = &apiError{Status: http.StatusBadRequest, Code: "client", Msg: err.Error()}
	}
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	if versionOf(r).AtLeast(vAsyncBays) {
		writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
		return
	}
	h.writeBay(w, r, uuid, http.StatusCreated)
}

// updateBay patches a bay: at 1.1 it answers 200 with the bay, from 1.2 202
// with its UUID (and takes ?rollback= from 1.3).
func (h *Handler) updateBay(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(w, r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	opts, err := updateOptions(r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	uuid, err := h.svc.UpdateCluster(r.Context(), r.PathValue("cluster"), ops, opts)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	if versionOf(r).AtLeast(vAsyncBays) {
		writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
		return
	}
	h.writeBay(w, r, uuid, http.StatusOK)
}

// writeBay answers with a bay as it is now, as synchronous bay calls did.
func (h *Handler) writeBay(w http.ResponseWriter, r *http.Request, uuid string, status int) {
	c, err := h.svc.GetCluster(r.Context(), uuid)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", hostURL(r)+"/v1/bays/"+uuid)
	}
	writeJSON(w, status, bayFullView(r, c, false))
}
