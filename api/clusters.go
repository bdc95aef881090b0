package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gomagnum/gomagnum/magnum"
)

// clusters is what the cluster endpoints need of the service.
type clusters interface {
	CreateCluster(ctx context.Context, req magnum.ClusterCreate) (string, error)
	GetCluster(ctx context.Context, ident string) (*magnum.Cluster, error)
	ListClusters(ctx context.Context, o magnum.ListOptions) ([]magnum.Cluster, error)
	UpdateCluster(ctx context.Context, ident string, ops []magnum.PatchOp, o magnum.UpdateOptions) (string, error)
	DeleteCluster(ctx context.Context, ident string) error
}

// clusterNamePattern is what Magnum allows in cluster names.
const clusterNamePattern = `^[a-zA-Z][a-zA-Z0-9_.-]*$`

// clusterSchema is Magnum's Cluster API type.
var clusterSchema = apiBase("cluster",
	text("uuid"), str("name", 1, 242).matching(clusterNamePattern), text("cluster_template_id").required(),
	str("keypair", 1, 255), integer("node_count", 0), integer("master_count", 1), integer("docker_volume_size", 1),
	labels("labels"), str("master_flavor_id", 1, 255), str("flavor_id", 1, 255), integer("create_timeout", 0),
	readOnly("links", kStringList), readOnly("stack_id", kString), readOnly("cluster_id", kString), text("status"),
	text("status_reason"), text("health_status"), labels("health_status_reason").stringsOnly(),
	text("discovery_url"), readOnly("api_address", kString), readOnly("coe_version", kString),
	readOnly("container_version", kString), readOnly("project_id", kString), readOnly("user_id", kString),
	readOnly("node_addresses", kStringList), readOnly("master_addresses", kStringList),
	labels("faults").stringsOnly(), str("fixed_network", 1, 255), str("fixed_subnet", 1, 255),
	boolean("floating_ip_enabled"), boolean("merge_labels"), labels("labels_overridden"), labels("labels_added"),
	labels("labels_skipped"), boolean("master_lb_enabled"),
)

// errZeroNodes refuses node groups of zero nodes below microversion 1.10.
var errZeroNodes = badRequest("Resizing a nodegroup to zero is not supported in the provided microversion.")

func (h *Handler) clusterRoutes() {
	h.router.handle("GET /clusters", "get_all", clustersViews.list(h, false))
	h.router.handle("GET /clusters/detail", "detail", clustersViews.list(h, true))
	h.router.handle("GET /clusters/{cluster}", "get_one", clustersViews.get(h))
	h.router.handle("GET /clusters/{cluster}/detail", "detail", detailOfOne)
	h.router.handle("POST /clusters", "post", h.createCluster)
	h.router.handle("PATCH /clusters/{cluster}", "patch", h.updateCluster)
	h.router.handle("DELETE /clusters/{cluster}", "delete", h.deleteCluster)
}

// clusterBrief is a cluster as lists show it.
type clusterBrief struct {
	UUID              string            `json:"uuid"`
	Name              *string           `json:"name"`
	ClusterTemplateID string            `json:"cluster_template_id"`
	Keypair           *string           `json:"keypair"`
	DockerVolumeSize  *int              `json:"docker_volume_size"`
	Labels            map[string]string `json:"labels"`
	NodeCount         int               `json:"node_count"`
	MasterCount       int               `json:"master_count"`
	Status            *string           `json:"status"`
	MasterFlavorID    *string           `json:"master_flavor_id"`
	FlavorID          *string           `json:"flavor_id"`
	CreateTimeout     int               `json:"create_timeout"`
	stackRef
	HealthStatus *string `json:"health_status"`
	MergeLabels  bool    `json:"merge_labels"`
	Links        []link  `json:"links"`
}

// stackRef is the cluster's orchestration object: stack_id, or cluster_id
// from microversion 1.13.
type stackRef struct {
	StackID   *nullString `json:"stack_id,omitempty"`
	ClusterID *nullString `json:"cluster_id,omitempty"`
}

func newStackRef(v Version, id string) stackRef {
	ref := nullString(id)
	if v.AtLeast(vClusterID) {
		return stackRef{ClusterID: &ref}
	}
	return stackRef{StackID: &ref}
}

// clusterFull is a cluster as detail lists and GET show it.
type clusterFull struct {
	APIAddress        *string           `json:"api_address"`
	ClusterTemplateID string            `json:"cluster_template_id"`
	COEVersion        *string           `json:"coe_version"`
	ContainerVersion  *string           `json:"container_version"`
	CreateTimeout     int               `json:"create_timeout"`
	CreatedAt         *string           `json:"created_at"`
	DiscoveryURL      *string           `json:"discovery_url"`
	DockerVolumeSize  *int              `json:"docker_volume_size"`
	Faults            map[string]string `json:"faults,omitempty"`
	// Fault is gomagnum's coded explanation of the failure (not in
	// Magnum's API; clients ignore fields they do not know).
	Fault              *magnum.Fault     `json:"fault,omitempty"`
	FixedNetwork       *string           `json:"fixed_network"`
	FixedSubnet        *string           `json:"fixed_subnet"`
	FlavorID           *string           `json:"flavor_id"`
	FloatingIPEnabled  bool              `json:"floating_ip_enabled"`
	HealthStatus       *string           `json:"health_status"`
	HealthStatusReason map[string]string `json:"health_status_reason"`
	Keypair            *string           `json:"keypair"`
	Labels             map[string]string `json:"labels"`
	LabelsAdded        map[string]string `json:"labels_added"`
	LabelsOverridden   map[string]string `json:"labels_overridden"`
	LabelsSkipped      map[string]string `json:"labels_skipped"`
	Links              []link            `json:"links"`
	MasterAddresses    []string          `json:"master_addresses"`
	MasterCount        int               `json:"master_count"`
	MasterFlavorID     *string           `json:"master_flavor_id"`
	MasterLBEnabled    bool              `json:"master_lb_enabled"`
	MergeLabels        bool              `json:"merge_labels"`
	Name               *string           `json:"name"`
	NodeAddresses      []string          `json:"node_addresses"`
	NodeCount          int               `json:"node_count"`
	ProjectID          *string           `json:"project_id"`
	stackRef
	Status       *string `json:"status"`
	StatusReason *string `json:"status_reason"`
	UpdatedAt    *string `json:"updated_at"`
	UserID       *string `json:"user_id"`
	UUID         string  `json:"uuid"`
}

func clusterBriefView(r *http.Request, c *magnum.Cluster) clusterBrief {
	return clusterBrief{
		UUID: c.UUID, Name: optStr(c.Name), ClusterTemplateID: c.ClusterTemplateID, Keypair: optStr(c.Keypair),
		DockerVolumeSize: optInt(c.DockerVolumeSize), Labels: stringMap(c.Labels), NodeCount: c.NodeCount,
		MasterCount: c.MasterCount, Status: optStr(c.Status), MasterFlavorID: optStr(c.MasterFlavorID),
		FlavorID: optStr(c.FlavorID), CreateTimeout: c.CreateTimeout,
		stackRef: newStackRef(versionOf(r), c.StackID), HealthStatus: optStr(c.HealthStatus),
		Links: resourceLinks(hostURL(r), "clusters/"+c.UUID),
	}
}

// clusterFullView shows a cluster whole; faults only when asked for (GET
// of one cluster) and the cluster failed.
func clusterFullView(r *http.Request, c *magnum.Cluster, withFaults bool) clusterFull {
	v := clusterFull{
		APIAddress: optStr(c.APIAddress), ClusterTemplateID: c.ClusterTemplateID,
		COEVersion: optStr(c.COEVersion), ContainerVersion: optStr(c.ContainerVersion),
		CreateTimeout: c.CreateTimeout, CreatedAt: stamp(c.CreatedAt), DiscoveryURL: optStr(c.DiscoveryURL),
		DockerVolumeSize: optInt(c.DockerVolumeSize), FixedNetwork: optStr(c.FixedNetwork),
		FixedSubnet: optStr(c.FixedSubnet), FlavorID: optStr(c.FlavorID),
		FloatingIPEnabled: c.FloatingIPEnabled, HealthStatus: optStr(c.HealthStatus),
		HealthStatusReason: c.HealthStatusReason, Keypair: optStr(c.Keypair), Labels: stringMap(c.Labels),
		LabelsAdded: stringMap(c.LabelsAdded), LabelsOverridden: stringMap(c.LabelsOverridden),
		LabelsSkipped: stringMap(c.LabelsSkipped), Links: resourceLinks(hostURL(r), "clusters/"+c.UUID),
		MasterAddresses: stringList(c.MasterAddresses), MasterCount: c.MasterCount,
		MasterFlavorID: optStr(c.MasterFlavorID), MasterLBEnabled: c.MasterLBEnabled, Name: optStr(c.Name),
		NodeAddresses: stringList(c.NodeAddresses), NodeCount: c.NodeCount, ProjectID: optStr(c.ProjectID),
		stackRef: newStackRef(versionOf(r), c.StackID), Status: optStr(c.Status),
		StatusReason: optStr(c.StatusReason), UpdatedAt: stamp(c.UpdatedAt), UserID: optStr(c.UserID),
		UUID: c.UUID,
	}
	if withFaults && c.Status.IsFailed() {
		v.Faults, v.Fault = stringMap(c.Faults), c.Fault
	}
	return v
}

// clusterViews are the views of clusters one API shows them in (clusters,
// or bays): brief in lists, full in detailed lists, full with the
// faults of a failed cluster in a GET of one.
type clusterViews struct {
	collection       string
	brief, full, one viewID
	showBrief        func(*http.Request, *magnum.Cluster) any
	showFull         func(r *http.Request, c *magnum.Cluster, faults bool) any
}

var clustersViews = clusterViews{collection: "clusters", brief: viewClusterBrief, full: viewClusterFull, one: viewClusterOne,
	showBrief: func(r *http.Request, c *magnum.Cluster) any { return clusterBriefView(r, c) },
	showFull:  func(r *http.Request, c *magnum.Cluster, faults bool) any { return clusterFullView(r, c, faults) }}

// list serves a list of clusters, detailed or brief, from the view cache.
func (v clusterViews) list(h *Handler, detail bool) http.HandlerFunc {
	if detail {
		return cachedList(h, v.collection, v.collection+"/detail", h.svc.ListClusterRevisions, viewer[magnum.Cluster]{
			id: v.full, show: func(r *http.Request, c *magnum.Cluster) any { return v.showFull(r, c, false) }})
	}
	return cachedList(h, v.collection, v.collection, h.svc.ListClusterRevisions,
		viewer[magnum.Cluster]{id: v.brief, show: v.showBrief})
}

// get serves one cluster from the view cache.
func (v clusterViews) get(h *Handler) http.HandlerFunc {
	return cachedGet(h, "cluster", h.svc.GetClusterRevision, viewer[magnum.Cluster]{
		id: v.one, show: func(r *http.Request, c *magnum.Cluster) any { return v.showFull(r, c, true) }})
}

func clusterCreate(v values) magnum.ClusterCreate {
	return magnum.ClusterCreate{
		Name: v.str("name"), ClusterTemplateID: v.str("cluster_template_id"), Keypair: v.str("keypair"),
		DockerVolumeSize: v.integer("docker_volume_size"), Labels: v.strMap("labels"),
		MergeLabels: v.boolean("merge_labels"), MasterFlavorID: v.str("master_flavor_id"),
		FlavorID: v.str("flavor_id"), NodeCount: v.intPtr("node_count"), MasterCount: v.intPtr("master_count"),
		CreateTimeout: v.intPtr("create_timeout"), DiscoveryURL: v.str("discovery_url"),
		FixedNetwork: v.str("fixed_network"), FixedSubnet: v.str("fixed_subnet"),
		FloatingIPEnabled: v.boolPtr("floating_ip_enabled"), MasterLBEnabled: v.boolPtr("master_lb_enabled"),
	}
}

func (h *Handler) createCluster(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, clusterSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	req := clusterCreate(v)
	uuid, err := h.createClusterAt(r, req)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}

// createClusterAt applies the microversion rules of cluster creation:
// below 1.10 no zero-node clusters, and an unknown template is a bad
// request rather than a missing resource.
func (h *Handler) createClusterAt(r *http.Request, req magnum.ClusterCreate) (string, error) {
	old := versionOf(r).Less(vZeroNodes)
	if old && req.NodeCount != nil && *req.NodeCount == 0 {
		return "", errZeroNodes
	}
	uuid, err := h.svc.CreateCluster(r.Context(), req)
	if old && isTemplateNotFound(err) {
		return "", &apiError{Status: http.StatusBadRequest, Code: "client", Msg: err.Error()}
	}
	return uuid, err
}

// isTemplateNotFound reports whether err says a cluster template is
// missing.
func isTemplateNotFound(err error) bool { return errors.Is(err, magnum.ErrTemplateNotFound) }

func (h *Handler) updateCluster(w http.ResponseWriter, r *http.Request) {
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
	if versionOf(r).Less(vZeroNodes) && setsZero(ops, "/node_count") {
		h.writeErr(w, r, errZeroNodes)
		return
	}
	uuid, err := h.svc.UpdateCluster(r.Context(), r.PathValue("cluster"), ops, opts)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}

// updateOptions reads ?rollback=, which microversion 1.3 added.
func updateOptions(r *http.Request) (magnum.UpdateOptions, error) {
	raw := r.URL.Query().Get("rollback")
	if raw == "" || versionOf(r).Less(vRollback) {
		return magnum.UpdateOptions{}, nil
	}
	b, err := magnum.ParseBool(raw)
	if err != nil {
		return magnum.UpdateOptions{}, invalidField("rollback", raw, "Value not an unambiguous boolean: "+raw)
	}
	return magnum.UpdateOptions{Rollback: b}, nil
}

// setsZero reports whether a patch sets path to 0.
func setsZero(ops []magnum.PatchOp, path string) bool {
	for _, op := range ops {
		if op.Path != path || op.Op == magnum.PatchRemove {
			continue
		}
		switch v := op.Value.(type) {
		case int64:
			if v == 0 {
				return true
			}
		case string:
			if strings.TrimSpace(v) == "0" {
				return true
			}
		}
	}
	return false
}

func (h *Handler) deleteCluster(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteCluster(r.Context(), r.PathValue("cluster")); err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeNoContent(w)
}
