package magnum

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/store"
)

// NodeGroupCreate describes a node group to add to a running cluster.
// Unset fields take the cluster's values: its labels (merged with
// MergeLabels), its worker flavor and its template's image.
type NodeGroupCreate struct {
	Name             string            `json:"name"`
	DockerVolumeSize int               `json:"docker_volume_size"`
	Labels           map[string]string `json:"labels"`
	MergeLabels      bool              `json:"merge_labels"`
	FlavorID         string            `json:"flavor_id"`
	ImageID          string            `json:"image_id"`
	// NodeCount defaults to 1.
	NodeCount    *int   `json:"node_count"`
	Role         string `json:"role"`
	MinNodeCount int    `json:"min_node_count"`
	MaxNodeCount *int   `json:"max_node_count"`
	// NodeLabels and NodeTaints are applied to the group's nodes.
	NodeLabels map[string]string `json:"node_labels"`
	NodeTaints []drivers.Taint   `json:"node_taints"`
}

var nodeGroupSortable = sortableFields(NodeGroup{})

var nodeGroupPatchRules = patchRules{internal: nodeGroupInternalPaths()}

// nodeGroupPatchable lists the node-group attributes a patch may change.
var nodeGroupPatchable = []string{"min_node_count", "max_node_count", "node_labels", "node_taints"}

// nodeGroupInternalPaths lists every other node-group attribute.
func nodeGroupInternalPaths() []string {
	var out []string
	for _, f := range jsonFields(NodeGroup{}) {
		if !slices.Contains(nodeGroupPatchable, f) {
			out = append(out, "/"+f)
		}
	}
	return append(out, "/links")
}

// NodeGroupListOptions pages, sorts and filters ListNodeGroups.
type NodeGroupListOptions struct {
	ListOptions
	// Role keeps the groups of one role.
	Role string
}

// CreateNodeGroup adds a node group to a running cluster; the conductor
// builds it in a stack of its own.
func (s *Service) CreateNodeGroup(ctx context.Context, clusterIdent string, req NodeGroupCreate) (*NodeGroup, error) {
	if _, err := s.authorize(ctx, "nodegroup:create", Target{}); err != nil {
		return nil, err
	}
	d, err := s.visibleCluster(ctx, clusterIdent, "cluster:get", "nodegroup:get_one_all_projects")
	if err != nil {
		return nil, err
	}
	if d.APIAddress == "" {
		return nil, conflictf("Cluster API address is not available yet")
	}
	if err := s.checkNodeGroupDriver(ctx, d); err != nil {
		return nil, err
	}
	ng, err := newNodeGroup(d, req, s.cfg.limits)
	if err != nil {
		return nil, err
	}
	t, err := s.templateOf(ctx, d)
	if err != nil {
		return nil, err
	}
	ng.ImageID = or(ng.ImageID, t.ImageID)
	if err := s.checkNodeGroupResources(ctx, d, ng); err != nil {
		return nil, err
	}
	ng.CreatedAt = s.stamp()
	err = s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, ngs []*NodeGroup) error {
		if slices.ContainsFunc(ngs, func(x *NodeGroup) bool { return x.Name == ng.Name }) {
			return conflictf("A node group with name %s already exists in the cluster %s.", ng.Name, cur.Name)
		}
		if err := s.cfg.limits.checkTotal("node_count", ng.NodeCount, nodeTotal(ngs)); err != nil {
			return err
		}
		if err := insertNodeGroup(ctx, tx, ng); err != nil {
			return storeErr(err, nil)
		}
		s.startOperation(cur, UpdateInProgress)
		return s.recordOperation(ctx, tx, cur.UUID, ng.UUID, opNodeGroupAdd, nil)
	})
	if err != nil {
		return nil, err
	}
	return ng, nil
}

func (s *Service) checkNodeGroupDriver(ctx context.Context, d *clusterDoc) error {
	t, err := s.templateOf(ctx, d)
	if err != nil {
		return err
	}
	drv, err := s.driverFor(ctx, t)
	if err != nil {
		return err
	}
	info, err := drv.Info(ctx)
	if err != nil {
		return driverErr(err)
	}
	if !info.Capabilities.NodeGroups {
		return invalidf("Creating node groups is not supported by the %s driver.", info.Name)
	}
	return nil
}

// templateOf returns the template of a cluster, whatever its visibility.
func (s *Service) templateOf(ctx context.Context, d *clusterDoc) (*ClusterTemplate, error) {
	var t *ClusterTemplate
	err := s.store.View(ctx, func(tx *store.Tx) (err error) {
		t, err = findTemplate(ctx, tx, d.ClusterTemplateID, store.Cond{})
		return err
	})
	return t, err
}

func newNodeGroup(d *clusterDoc, req NodeGroupCreate, l Limits) (*NodeGroup, error) {
	switch {
	case req.Name == "":
		return nil, invalidf("Invalid input for field/attribute name. Value: 'None'. Mandatory field missing.")
	case len(req.Name) > 255:
		return nil, invalidf("Invalid input for field/attribute name. Value: '%s'. Value should have a maximum character requirement of 255", req.Name)
	case req.Role == RoleMaster:
		return nil, invalidf("Creating master nodegroups is currently not supported.")
	case req.DockerVolumeSize < 0 || req.MinNodeCount < 0 || (req.NodeCount != nil && *req.NodeCount < 0) ||
		(req.MaxNodeCount != nil && *req.MaxNodeCount < 0):
		return nil, invalidf("Invalid input for node group %s: counts and sizes must not be negative.", req.Name)
	}
	ng := &NodeGroup{
		UUID: newUUID(), Name: req.Name, ClusterID: d.UUID, ProjectID: d.ProjectID, Role: or(req.Role, RoleWorker),
		DockerVolumeSize: req.DockerVolumeSize, Labels: mergeLabels(d.Labels, req.Labels, req.MergeLabels),
		FlavorID: or(req.FlavorID, d.FlavorID), ImageID: req.ImageID, NodeCount: deref(req.NodeCount, 1),
		MinNodeCount: req.MinNodeCount, MaxNodeCount: req.MaxNodeCount, Status: CreateInProgress,
		NodeAddresses: []string{}, NodeLabels: req.NodeLabels, NodeTaints: req.NodeTaints,
	}
	ng.LabelsOverridden, ng.LabelsAdded, ng.LabelsSkipped = labelsDiff(d.Labels, ng.Labels)
	if err := validateTaints(ng.NodeTaints); err != nil {
		return nil, err
	}
	if err := l.checkGroupLimits(ng, nil); err != nil {
		return nil, err
	}
	return ng, checkNodeGroupCounts(ng)
}

var taintEffects = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}

func validateTaints(taints []drivers.Taint) error {
	for _, t := range taints {
		if t.Key == "" || !slices.Contains(taintEffects, t.Effect) {
			return invalidf("Invalid node taint %s=%s:%s: a taint needs a key and an effect among %s.",
				t.Key, t.Value, t.Effect, strings.Join(taintEffects, ", "))
		}
	}
	return nil
}

// checkNodeGroupCounts applies Magnum's rules on min, max and node counts.
func checkNodeGroupCounts(ng *NodeGroup) error {
	invalid := func(attr, expl string) error {
		return conflictf("%s for %s is invalid (%s).", attr, ng.Name, expl)
	}
	if ng.MaxNodeCount != nil {
		max := *ng.MaxNodeCount
		if ng.MinNodeCount > max {
			return invalid("max_node_count", fmt.Sprintf("min_node_count (%d) should be less or equal to max_node_count (%d)", ng.MinNodeCount, max))
		}
		if ng.NodeCount > max {
			return invalid("max_node_count", fmt.Sprintf("node_count (%d) should be less or equal to max_node_count (%d)", ng.NodeCount, max))
		}
	}
	if ng.MinNodeCount > ng.NodeCount {
		return invalid("min_node_count", fmt.Sprintf("min_node_count (%d) should be less or equal to node_count (%d)", ng.MinNodeCount, ng.NodeCount))
	}
	return nil
}

// GetNodeGroup returns a node group of a cluster by UUID or name.
func (s *Service) GetNodeGroup(ctx context.Context, clusterIdent, ident string) (*NodeGroup, error) {
	ng, _, err := s.visibleNodeGroup(ctx, clusterIdent, ident, "nodegroup:get", "nodegroup:get_one_all_projects")
	return ng, err
}

func (s *Service) visibleNodeGroup(ctx context.Context, clusterIdent, ident, rule, allRule string) (*NodeGroup, *clusterDoc, error) {
	if _, err := s.authorize(ctx, rule, Target{}); err != nil {
		return nil, nil, err
	}
	d, err := s.visibleCluster(ctx, clusterIdent, "cluster:get", allRule)
	if err != nil {
		return nil, nil, err
	}
	var ng *NodeGroup
	err = s.store.View(ctx, func(tx *store.Tx) error {
		rec, err := findOne(ctx, tx, store.NodeGroups, ident, store.Eq("cluster_uuid", d.UUID), "Nodegroup", "nodegroups")
		if err != nil {
			return err
		}
		ng, err = nodeGroupFromRecord(rec)
		return err
	})
	return ng, d, err
}

// ListNodeGroups lists the node groups of a cluster.
func (s *Service) ListNodeGroups(ctx context.Context, clusterIdent string, o NodeGroupListOptions) ([]NodeGroup, error) {
	if _, err := s.authorize(ctx, "nodegroup:get_all", Target{}); err != nil {
		return nil, err
	}
	d, err := s.visibleCluster(ctx, clusterIdent, "cluster:get", "nodegroup:get_all_all_projects")
	if err != nil {
		return nil, err
	}
	where := store.Eq("cluster_uuid", d.UUID)
	if o.Role != "" {
		where = store.And(where, store.Eq("role", o.Role))
	}
	q, err := s.query(o.ListOptions, where, nodeGroupSortable)
	if err != nil {
		return nil, err
	}
	var out []NodeGroup
	err = s.store.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.Find(ctx, store.NodeGroups, q)
		if err != nil {
			return storeErr(err, func() error { return notFoundf("Nodegroup %s could not be found.", o.Marker) })
		}
		out = make([]NodeGroup, 0, len(recs))
		for _, r := range recs {
			ng, err := nodeGroupFromRecord(r)
			if err != nil {
				return err
			}
			out = append(out, *ng)
		}
		return nil
	})
	return out, err
}

// UpdateNodeGroup applies a JSON patch to a node group; only
// min_node_count, max_node_count, node_labels (a dict, or a string holding
// one) and node_taints (a string holding a JSON list of {key, value,
// effect}) may change. The new labels and taints apply to nodes the group
// gets from then on.
func (s *Service) UpdateNodeGroup(ctx context.Context, clusterIdent, ident string, ops []PatchOp) (*NodeGroup, error) {
	found, _, err := s.visibleNodeGroup(ctx, clusterIdent, ident, "nodegroup:update", "nodegroup:get_one_all_projects")
	if err != nil {
		return nil, err
	}
	// The patch applies to the node group as stored when it is written:
	// the conductor may have changed its status since it was looked up.
	var ng *NodeGroup
	err = retryConflicts(ctx, func() error {
		return s.store.Update(ctx, func(tx *store.Tx) error {
			rec, err := tx.Get(ctx, store.NodeGroups, found.UUID)
			if err != nil {
				return err
			}
			cur, err := nodeGroupFromRecord(rec)
			if err != nil {
				return err
			}
			if ng, err = patchNodeGroup(cur, ops, s.cfg.limits); err != nil {
				return err
			}
			return putNodeGroup(ctx, tx, ng)
		})
	})
	if err != nil {
		return nil, storeErr(err, func() error { return notFoundf("Nodegroup %s could not be found.", ident) })
	}
	return ng, nil
}

// patchNodeGroup returns old with ops applied and checked.
func patchNodeGroup(old *NodeGroup, ops []PatchOp, l Limits) (*NodeGroup, error) {
	doc, err := toDoc(old)
	if err != nil {
		return nil, err
	}
	if err := applyPatch(doc, ops, nodeGroupPatchRules); err != nil {
		return nil, err
	}
	ng := *old
	if err := fromDoc(doc, &ng); err != nil {
		return nil, err
	}
	if ng.MinNodeCount < 0 || (ng.MaxNodeCount != nil && *ng.MaxNodeCount < 0) {
		return nil, invalidf("Invalid input for node group %s: counts must not be negative.", ng.Name)
	}
	if err := validateTaints(ng.NodeTaints); err != nil {
		return nil, err
	}
	if err := l.checkGroupLimits(&ng, old); err != nil {
		return nil, err
	}
	if err := checkNodeGroupCounts(&ng); err != nil {
		return nil, err
	}
	return &ng, nil
}

// DeleteNodeGroup starts the deletion of a non-default node group.
func (s *Service) DeleteNodeGroup(ctx context.Context, clusterIdent, ident string) error {
	ng, d, err := s.visibleNodeGroup(ctx, clusterIdent, ident, "nodegroup:delete", "nodegroup:get_one_all_projects")
	if err != nil {
		return err
	}
	if ng.IsDefault {
		return invalidf("Deleting a default nodegroup is not supported.")
	}
	return s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, ngs []*NodeGroup) error {
		i := slices.IndexFunc(ngs, func(x *NodeGroup) bool { return x.UUID == ng.UUID })
		if i < 0 {
			return notFoundf("Nodegroup %s could not be found.", ident)
		}
		ngs[i].Status = DeleteInProgress
		if err := putNodeGroup(ctx, tx, ngs[i]); err != nil {
			return storeErr(err, nil)
		}
		s.startOperation(cur, UpdateInProgress)
		return s.recordOperation(ctx, tx, cur.UUID, ng.UUID, opNodeGroupDel, nil)
	})
}
