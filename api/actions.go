package api

import (
	"context"
	"net/http"

	"github.com/gomagnum/gomagnum/magnum"
)

// actions is what the cluster actions need of the service.
type actions interface {
	ResizeCluster(ctx context.Context, ident string, r magnum.Resize) (string, error)
	UpgradeCluster(ctx context.Context, ident string, u magnum.Upgrade) (string, error)
}

var (
	resizeSchema = apiBase("cluster_resize_req",
		integer("node_count", 0).required(), strList("nodes_to_remove"),
		str("nodegroup", 1, 255))
	upgradeSchema = apiBase("cluster_upgrade_req",
		integer("max_batch_size", 1), str("nodegroup", 1, 255), str("cluster_template", 1, 255))
)

func (h *Handler) actionRoutes() {
	h.router.handle("POST /clusters/{cluster}/actions/resize", "resize", h.resizeCluster, since(vResize))
	h.router.handle("POST /clusters/{cluster}/actions/upgrade", "upgrade", h.upgradeCluster, since(vResize))
}

func (h *Handler) resizeCluster(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, resizeSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	req := magnum.Resize{NodeCount: v.integer("node_count"), NodesToRemove: stringList(v.strList("nodes_to_remove")),
		NodeGroup: v.str("nodegroup")}
	if req.NodeCount == 0 && versionOf(r).Less(vZeroNodes) {
		h.writeErr(w, r, errZeroNodes)
		return
	}
	uuid, err := h.svc.ResizeCluster(r.Context(), r.PathValue("cluster"), req)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}

// upgradeCluster serves the upgrade action, which exists from 1.7 but
// works from 1.8.
func (h *Handler) upgradeCluster(w http.ResponseWriter, r *http.Request) {
	v, err := decodeRequest(w, r, upgradeSchema)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	if versionOf(r).Less(vUpgrade) {
		h.writeErr(w, r, badRequest("Cluster upgrade is not supported in the provided microversion."))
		return
	}
	req := magnum.Upgrade{ClusterTemplate: v.str("cluster_template"), MaxBatchSize: v.integer("max_batch_size"),
		NodeGroup: v.str("nodegroup")}
	uuid, err := h.svc.UpgradeCluster(r.Context(), r.PathValue("cluster"), req)
	if err != nil {
		h.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, uuidBody{UUID: uuid})
}
