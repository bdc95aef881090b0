package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/magnum"
)

// nodeGroups is what the node group endpoints need of the service.
type nodeGroups interface {
	CreateNodeGroup(ctx context.Context, clusterIdent string, req magnum.NodeGroupCreate) (*magnum.NodeGroup, error)
	GetNodeGroup(ctx context.Context, clusterIdent, ident string) (*magnum.NodeGroup, error)
	ListNodeGroups(ctx context.Context, clusterIdent string, o magnum.NodeGroupListOptions) ([]magnum.NodeGroup, error)
	UpdateNodeGroup(ctx context.Context, clusterIdent, ident string, ops []magnum.PatchOp) (*magnum.NodeGroup, error)
	DeleteNodeGroup(ctx context.Context, clusterIdent, ident string) error
}

// nodeGroupSchema is Magnum's NodeGroup API type, with node_labels and
// node_taints of microversion 1.14.
var nodeGroupSchema = apiBase("nodegroup",
	integer("id", 1), text("uuid"), str("name", 1, 255), text("cluster_id"), readOnly("project_id", kString),
	integer("docker_volume_size", 1), labels("labels"), readOnly("links", kStringList), str("flavor_id", 1, 255),
	str("image_id", 1, 255), readOnly("node_addresses", kStringList), integer("node_count", 0),
	str("role", 1, 255), integer("min_node_count", 0), integer("max_node_count", 0), boolean("is_default"),
	readOnly("stack_id", kString), text("status"), text("status_reason"), text("version"), boolean("merge_labels"),
	labels("labels_overridden"), labels("labels_added"), labels("labels_skipped"),
	labels("node_labels"), attr{name: "node_taints", kind: kTaints},
)

// nodeGroupSchemaBefore114 is the node group type before microversion 1.14.
var nodeGroupSchemaBefore114 = nodeGroupSchema.without("node_labels", "node_taints")

// nodeGroupRoutes registers the node group endpoints. Below 1.9 Magnum's
// 406 names get_one whatever the method: its router asks the node group
// controller for get_one first.
func (h *Handler) nodeGroupRoutes() {
	const coll, one = "/clusters/{cluster}/nodegroups", "/clusters/{cluster}/nodegroups/{nodegroup}"
	h.router.handle("GET "+coll, "get_one", h.listNodeGroups, since(vNodeGroups))
	h.router.handle("GET "+one, "get_one", h.getNodeGroup, since(vNodeGroups))
	h.router.handle("POST "+coll, "get_one", h.createNodeGroup, since(vNodeGroups))
	h.router.handle("PATCH "+one, "get_one", h.updateNodeGroup, since(vNodeGroups))
	h.router.handle("DELETE "+one, "get_one", h.deleteNodeGroup, since(vNodeGroups))
}

// nodeGroupBrief is a node group as lists show it: a few fields and the
// defaults of min_node_count, max_node_count and merge_labels, no links.
type nodeGroupBrief struct {
	UUID         string      `json:"uuid"`
	Name         *string     `json:"name"`
	FlavorID     *string     `json:"flavor_id"`
	ImageID      *string     `json:"image_id"`
	NodeCount    int         `json:"node_count"`
	Role         *string     `json:"role"`
	IsDefault    bool        `json:"is_default"`
	Status       *string     `json:"status"`
	StackID      *nullString `json:"stack_id,omitempty"`
	MinNodeCount int         `json:"min_node_count"`
	MaxNodeCount *int        `json:"max_node_count"`
	MergeLabels  bool        `json:"merge_labels"`
}

// nodeGroupFull is a node group as GET, POST and PATCH show it.
type nodeGroupFull struct {
	ID               int64              `json:"id,omitempty"`
	UUID             string             `json:"uuid"`
	Name             *string            `json:"name"`
	ClusterID        string             `json:"cluster_id"`
	ProjectID        *string            `json:"project_id"`
	DockerVolumeSize *int               `json:"docker_volume_size"`
	Labels           map[string]string  `json:"labels"`
	Links            []link             `json:"links"`
	FlavorID         *string            `json:"flavor_id"`
	ImageID          *string            `json:"image_id"`
	NodeAddresses    []string           `json:"node_addresses"`
	NodeCount        int                `json:"node_count"`
	Role             *string            `json:"role"`
	MinNodeCount     int                `json:"min_node_count"`
	MaxNodeCount     *int               `json:"max_node_count"`
	IsDefault        bool               `json:"is_default"`
	StackID          *nullString        `json:"stack_id,omitempty"`
	Status           *string            `json:"status"`
	StatusReason     *string            `json:"status_reason"`
	Version          *string            `json:"version"`
	MergeLabels      bool               `json:"merge_labels"`
	LabelsOverridden map[string]string  `json:"labels_overridden"`
	LabelsAdded      map[string]string  `json:"labels_added"`
	LabelsSkipped    map[string]string  `json:"labels_skipped"`
	NodeLabels       *map[string]string `json:"node_labels,omitempty"`
	NodeTaints       *[]drivers.Taint   `json:"node_taints,omitempty"`
	CreatedAt        *string            `json:"created_at"`
	UpdatedAt        *string            `json:"updated_at"`
}

// nodeGroupStackID is a node group's stack_id, which responses carry below
// microversion 1.13.
func nodeGroupStackID(r *http.Request, ng *magnum.NodeGroup) *nullString {
	if versionOf(r).AtLeast(vClusterID) {
		return nil
	}
	id := nullString(ng.StackID)
	return &id
}

func nodeGroupBriefView(r *http.Request, ng *magnum.NodeGroup) nodeGroupBrief {
	return nodeGroupBrief{UUID: ng.UUID, Name: optStr(ng.Name), FlavorID: optStr(ng.FlavorID),
		ImageID: optStr(ng.ImageID), NodeCount: ng.NodeCount, Role: optStr(ng.Role), IsDefault: ng.IsDefault,
		Status: optStr(ng.Status), StackID: nodeGroupStackID(r, ng)}
}

func nodeGroupFullView(r *http.Request, ng *magnum.NodeGroup) nodeGroupFull {
	v := nodeGroupFull{
		ID: ng.ID, UUID: ng.UUID, Name: optStr(ng.Name), ClusterID: ng.ClusterID, ProjectID: optStr(ng.ProjectID),
		DockerVolumeSize: optInt(ng.DockerVolumeSize), Labels: stringMap(ng.Labels),
		Links:    resourceLinks(hostURL(r), "clusters/"+ng.ClusterID+"/nodegroups/"+ng.UUID),
		FlavorID: optStr(ng.FlavorID), ImageID: optStr(ng.ImageID), NodeAddresses: stringList(ng.NodeAddresses),
		NodeCount: ng.NodeCount, Role: optStr(ng.Role), MinNodeCount: ng.MinNodeCount,
		MaxNodeCount: ng.MaxNodeCount, IsDefault: ng.IsDefault, StackID: nodeGroupStackID(r, ng),
		Status: optStr(ng.Status), StatusReason: optStr(ng.StatusReason), Version: optStr(ng.Version),
		LabelsOverridden: stringMap(ng.LabelsOverridden), LabelsAdded: stringMap(ng.LabelsAdded),
		LabelsSkipped: stringMap(ng.LabelsSkipped), CreatedAt: stamp(ng.CreatedAt), UpdatedAt: stamp(ng.UpdatedAt),
	}
	if versionOf(r).AtLeast(vNodeLabelTaints) {
		taints := ng.NodeTaints
		if taints == nil {
			taints = []drivers.Taint{}
		}
		labels := stringMap(ng.NodeLabels)
		v.NodeLabels, v.NodeTaints = &labels, &taints
	}
	return v
}

func (h *Handler) listNodeGroups(w http.ResponseWriter, r *http.Request) {
	p, err := h.listParams(r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	role := r.URL.Query().Get("role")
	if role != "" {
		p.keep = url.Values{"role": {role}}
	}
	list, err := h.svc.ListNodeGroups(r.Context(), r.PathValue("cluster"),
		magnum.NodeGroupListOptions{ListOptions: p.options(), Role: role})
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	var collection string
	if len(list) > 0 {
		collection = "clusters/" + list[0].ClusterID + "/nodegroups"
	}
	writePage(w, r, p, "nodegroups", collection, list, func(ng *magnum.NodeGroup) string { return ng.UUID }, nodeGroupBriefView)
}

func (h *Handler) getNodeGroup(w http.ResponseWriter, r *http.Request) {
	ng, err := h.svc.GetNodeGroup(r.Context(), r.PathValue("cluster"), r.PathValue("nodegroup"))
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, nodeGroupFullView(r, ng))
}

func (h *Handler) createNodeGroup(w http.ResponseWriter, r *http.Request) {
	s := nodeGroupSchema
	if versionOf(r).Less(vNodeLabelTaints) {
		s = nodeGroupSchemaBefore114
	}
	v, err := decodeRequest(w, r, s)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	req := magnum.NodeGroupCreate{
		Name: v.str("name"), DockerVolumeSize: v.integer("docker_volume_size"), Labels: v.strMap("labels"),
		MergeLabels: v.boolean("merge_labels"), FlavorID: v.str("flavor_id"), ImageID: v.str("image_id"),
		NodeCount: v.intPtr("node_count"), Role: v.str("role"), MinNodeCount: v.integer("min_node_count"),
		MaxNodeCount: v.intPtr("max_node_count"), NodeLabels: v.strMap("node_labels"), NodeTaints: v.taints("node_taints"),
	}
	ng, err := h.svc.CreateNodeGroup(r.Context(), r.PathValue("cluster"), req)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, nodeGroupFullView(r, ng))
}

func (h *Handler) updateNodeGroup(w http.ResponseWriter, r *http.Request) {
	ops, err := decodePatch(w, r)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	if versionOf(r).Less(vNodeLabelTaints) {
		for _, op := range ops {
			if op.Path == "/node_labels" || op.Path == "/node_taints" {
				h.writeErr(w, r, badRequest("'%s' is an internal attribute and can not be updated", op.Path))
				return
			}
		}
	}
	ng, err := h.svc.UpdateNodeGroup(r.Context(), r.PathValue("cluster"), r.PathValue("nodegroup"), ops)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, nodeGroupFullView(r, ng))
}

func (h *Handler) deleteNodeGroup(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteNodeGroup(r.Context(), r.PathValue("cluster"), r.PathValue("nodegroup")); err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeNoContent(w)
}
