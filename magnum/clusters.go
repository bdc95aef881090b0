package magnum

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/internal/store"
	"github.com/gomagnum/gomagnum/quota"
)

// ClusterCreate describes a cluster to create. Unset fields take the
// template's values, or Magnum's defaults: one master, one worker, a
// 60-minute create timeout, a generated name.
type ClusterCreate struct {
	Name string `json:"name"`
	// ClusterTemplateID is the UUID or name of the template.
	ClusterTemplateID string `json:"cluster_template_id"`
	Keypair           string `json:"keypair"`
	DockerVolumeSize  int    `json:"docker_volume_size"`
	// Labels are the cluster's labels; with MergeLabels they are merged
	// over the template's, otherwise they replace them (and none given
	// means the template's).
	Labels         map[string]string `json:"labels"`
	MergeLabels    bool              `json:"merge_labels"`
	MasterFlavorID string            `json:"master_flavor_id"`
	FlavorID       string            `json:"flavor_id"`
	// NodeCount is the number of workers (default 1; 0 is allowed).
	NodeCount *int `json:"node_count"`
	// MasterCount is the number of masters (default 1).
	MasterCount *int `json:"master_count"`
	// CreateTimeout is in minutes (default 60).
	CreateTimeout     *int   `json:"create_timeout"`
	DiscoveryURL      string `json:"discovery_url"`
	FixedNetwork      string `json:"fixed_network"`
	FixedSubnet       string `json:"fixed_subnet"`
	FloatingIPEnabled *bool  `json:"floating_ip_enabled"`
	MasterLBEnabled   *bool  `json:"master_lb_enabled"`
}

// DefaultCreateTimeout is the create timeout of a cluster that does not
// set one, in minutes.
const DefaultCreateTimeout = 60

// Statuses from which a cluster may be updated, upgraded or have its CA
// rotated; a resize also accepts updateRunning.
var (
	stableStatuses = []Status{CreateComplete, UpdateComplete, ResumeComplete, RestoreComplete, RollbackComplete,
		SnapshotComplete, CheckComplete, AdoptComplete}
	resizableStatuses = append(slices.Clone(stableStatuses), UpdateFailed, UpdateInProgress)
)

var clusterSortable = sortableFields(Cluster{})

// CreateCluster validates a cluster, reserves it against the project's
// quota and stores it with its default node groups, all in one
// transaction, then hands the build to the conductor. It returns the new
// cluster's UUID at once; the cluster is CREATE_IN_PROGRESS.
func (s *Service) CreateCluster(ctx context.Context, req ClusterCreate) (string, error) {
	if err := validateClusterCreate(req); err != nil {
		return "", err
	}
	if err := s.cfg.limits.checkClusterCreate(req); err != nil {
		return "", err
	}
	c, err := callerOf(ctx)
	if err != nil {
		return "", err
	}
	t, err := s.clusterTemplate(ctx, c, req.ClusterTemplateID)
	if err != nil {
		return "", err
	}
	d, err := s.driverFor(ctx, t)
	if err != nil {
		return "", err
	}
	if err := checkStorageDriver(t.DockerStorageDriver, max(req.DockerVolumeSize, t.DockerVolumeSize)); err != nil {
		return "", err
	}
	if _, err := s.authorize(ctx, "cluster:create", Target{}); err != nil {
		return "", err
	}
	doc, ngs := newCluster(c, t, req)
	doc.CreatedAt = s.stamp()
	if err := s.checkClusterResources(ctx, c, t, &doc.Cluster); err != nil {
		return "", err
	}
	if doc.MasterCount > 1 && !doc.MasterLBEnabled {
		return "", invalidf("master_count must be 1 when master_lb_enabled is False")
	}
	if err := driverErr(d.ValidateCluster(ctx, s.driverCluster(t, doc, ngs))); err != nil {
		return "", err
	}
	return doc.UUID, s.insertCluster(ctx, doc, ngs)
}

func validateClusterCreate(req ClusterCreate) error {
	field := func(name, value, reason string) error {
		return invalidf("Invalid input for field/attribute %s. Value: '%s'. %s", name, value, reason)
	}
	switch {
	case req.ClusterTemplateID == "":
		return field("cluster_template_id", "None", "Mandatory field missing.")
	case req.NodeCount != nil && *req.NodeCount < 0:
		return field("node_count", itoa(*req.NodeCount), "Value should be greater or equal to 0")
	case req.MasterCount != nil && *req.MasterCount < 1:
		return field("master_count", itoa(*req.MasterCount), "Value should be greater or equal to 1")
	case req.CreateTimeout != nil && *req.CreateTimeout < 0:
		return field("create_timeout", itoa(*req.CreateTimeout), "Value should be greater or equal to 0")
	case req.DockerVolumeSize < 0:
		return field("docker_volume_size", itoa(req.DockerVolumeSize), "Value should be greater or equal to 1")
	case req.Name != "":
		return validateClusterName(req.Name)
	}
	return nil
}

// checkClusterCreate checks the node counts of a new cluster's default
// groups against the limits.
func (l Limits) checkClusterCreate(req ClusterCreate) error {
	masters, workers := deref(req.MasterCount, 1), deref(req.NodeCount, 1)
	if err := l.checkCount("master_count", masters); err != nil {
		return err
	}
	if err := l.checkCount("node_count", workers); err != nil {
		return err
	}
	return l.checkTotal("node_count", workers, masters)
}

// clusterTemplate finds the template a cluster is created from: one of the
// caller's project or a public one.
func (s *Service) clusterTemplate(ctx context.Context, c Caller, ident string) (*ClusterTemplate, error) {
	var t *ClusterTemplate
	err := s.store.View(ctx, func(tx *store.Tx) (err error) {
		t, err = findTemplate(ctx, tx, ident, store.Or(store.Eq("project_id", c.ProjectID), store.Eq("public", true)))
		return err
	})
	return t, err
}

// newCluster builds a cluster and its default node groups from a request,
// inheriting from the template what the request leaves unset.
func newCluster(c Caller, t *ClusterTemplate, req ClusterCreate) (*clusterDoc, []*NodeGroup) {
	cl := Cluster{
		UUID: newUUID(), Name: req.Name, ProjectID: c.ProjectID, UserID: c.UserID, ClusterTemplateID: t.UUID,
		Keypair: or(req.Keypair, t.KeypairID), DockerVolumeSize: or(req.DockerVolumeSize, t.DockerVolumeSize),
		Labels: mergeLabels(t.Labels, req.Labels, req.MergeLabels), MasterFlavorID: or(req.MasterFlavorID, t.MasterFlavorID),
		FlavorID: or(req.FlavorID, t.FlavorID), CreateTimeout: deref(req.CreateTimeout, DefaultCreateTimeout),
		DiscoveryURL: req.DiscoveryURL, FixedNetwork: or(req.FixedNetwork, t.FixedNetwork),
		FixedSubnet: or(req.FixedSubnet, t.FixedSubnet), FloatingIPEnabled: deref(req.FloatingIPEnabled, t.FloatingIPEnabled),
		MasterLBEnabled: deref(req.MasterLBEnabled, t.MasterLBEnabled), Status: CreateInProgress,
		HealthStatusReason: map[string]string{},
	}
	if cl.CreateTimeout == 0 {
		cl.CreateTimeout = DefaultCreateTimeout
	}
	if cl.Name == "" {
		cl.Name = generateName("cluster")
	}
	cl.LabelsOverridden, cl.LabelsAdded, cl.LabelsSkipped = labelsDiff(t.Labels, cl.Labels)
	ngs := []*NodeGroup{
		defaultNodeGroup(&cl, t, RoleMaster, deref(req.MasterCount, 1)),
		defaultNodeGroup(&cl, t, RoleWorker, deref(req.NodeCount, 1)),
	}
	cl.aggregate(ngs)
	return &clusterDoc{Cluster: cl}, ngs
}

func defaultNodeGroup(c *Cluster, t *ClusterTemplate, role string, count int) *NodeGroup {
	ng := &NodeGroup{
		UUID: newUUID(), Name: "default-" + role, ClusterID: c.UUID, ProjectID: c.ProjectID, Role: role, IsDefault: true,
		Labels: c.Labels, ImageID: t.ImageID, DockerVolumeSize: c.DockerVolumeSize, NodeCount: count,
		FlavorID: c.FlavorID, Status: CreateInProgress, NodeAddresses: []string{},
		LabelsOverridden: map[string]string{}, LabelsAdded: map[string]string{}, LabelsSkipped: map[string]string{},
	}
	if role == RoleMaster {
		ng.FlavorID = c.MasterFlavorID
	}
	if n, err := toInt(c.Labels["min_node_count"]); err == nil && n >= 0 {
		ng.MinNodeCount = int(n)
	}
	return ng
}

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

func deref[T any](p *T, fallback T) T {
	if p == nil {
		return fallback
	}
	return *p
}

// checkClusterResources validates the OpenStack resources a cluster uses
// (its own values, else its template's) and its keypair. A template image
// whose name several images now have is a conflict, as in Magnum.
func (s *Service) checkClusterResources(ctx context.Context, c Caller, t *ClusterTemplate, cl *Cluster) error {
	ctx = cloud.WithProject(ctx, c.ProjectID)
	_, err := s.checkResources(ctx, resources{image: t.ImageID, flavor: cl.FlavorID, masterFlavor: cl.MasterFlavorID,
		externalNetwork: t.ExternalNetworkID, labels: cl.Labels, ambiguousImage: ErrConflict})
	if err != nil {
		return err
	}
	return s.checkKeypair(ctx, c.UserID, cl.Keypair)
}

// insertCluster checks the quota and stores a cluster, its node groups
// and its create operation in one transaction.
func (s *Service) insertCluster(ctx context.Context, d *clusterDoc, ngs []*NodeGroup) error {
	rec, err := clusterRecord(d)
	if err != nil {
		return err
	}
	params, err := s.trustorParams(ctx, d.UUID)
	if err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx *store.Tx) error {
		if err := tx.Lock(ctx, "quota/"+d.ProjectID); err != nil {
			return err
		}
		if err := s.limits.Check(ctx, quotaCounter{tx}, d.ProjectID, quota.Cluster, 1); err != nil {
			return quotaErr(err)
		}
		if err := tx.Insert(ctx, store.Clusters, rec); err != nil {
			return err
		}
		d.rev = rec.Version
		if err := clusterChanged(ctx, tx, ClusterChanged, d); err != nil {
			return err
		}
		for _, ng := range ngs {
			ng.CreatedAt = d.CreatedAt
			if err := insertNodeGroup(ctx, tx, ng); err != nil {
				return err
			}
		}
		return s.recordOperation(ctx, tx, d.UUID, "", opCreate, params)
	})
	if err == nil {
		s.poke()
	}
	return err
}

func quotaErr(err error) error {
	if errors.Is(err, quota.ErrExceeded) {
		return &Error{Kind: ErrQuotaExceeded, Message: err.Error(), Err: err}
	}
	return err
}

// GetCluster returns a cluster by UUID or name: one of the caller's
// project, or any for admins.
func (s *Service) GetCluster(ctx context.Context, ident string) (*Cluster, error) {
	v, err := s.GetClusterRevision(ctx, ident, nil)
	return v.Object, err
}

// visibleCluster authorizes rule and finds a cluster the caller may act
// on; admins reach every project's once allRule (if any) allows it.
func (s *Service) visibleCluster(ctx context.Context, ident, rule, allRule string) (*clusterDoc, error) {
	c, err := s.authorize(ctx, rule, Target{})
	if err != nil {
		return nil, err
	}
	where, err := s.projectScope(ctx, c, allRule)
	if err != nil {
		return nil, err
	}
	if isUUID(ident) {
		return s.clusterByUUID(ctx, ident, c, allRule != "" && c.IsAdmin())
	}
	var d *clusterDoc
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		d, err = findCluster(ctx, tx, ident, where)
		return err
	})
	return d, err
}

// clusterByUUID reads a cluster by UUID in one statement; a cluster of
// another project is not found, unless anyProject.
func (s *Service) clusterByUUID(ctx context.Context, uuid string, c Caller, anyProject bool) (*clusterDoc, error) {
	rec, err := s.store.Get(ctx, store.Clusters, uuid)
	if err == nil && !anyProject && rec.ProjectID != c.ProjectID {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, storeErr(err, func() error { return notFoundf("Cluster %s could not be found.", uuid) })
	}
	return clusterFromRecord(rec)
}

// projectScope is the condition limiting a caller to their project,
// lifted for admins when allRule allows it.
func (s *Service) projectScope(ctx context.Context, c Caller, allRule string) (store.Cond, error) {
	if allRule == "" || !c.IsAdmin() {
		return store.Eq("project_id", c.ProjectID), nil
	}
	_, err := s.authorize(ctx, allRule, Target{})
	return store.Cond{}, err
}

func findCluster(ctx context.Context, tx *store.Tx, ident string, where store.Cond) (*clusterDoc, error) {
	rec, err := findOne(ctx, tx, store.Clusters, ident, where, "Cluster", "clusters")
	if err != nil {
		return nil, err
	}
	return clusterFromRecord(rec)
}

// ListClusters lists the caller's project's clusters (every cluster for
// admins).
func (s *Service) ListClusters(ctx context.Context, o ListOptions) ([]Cluster, error) {
	return objects(s.ListClusterRevisions(ctx, o, ReadCache{}))
}

var clusterPatchRules = patchRules{
	internal: append(slices.Clone(baseInternal), "/api_address", "/node_addresses", "/master_addresses", "/stack_id",
		"/ca_cert_ref", "/magnum_cert_ref", "/trust_id", "/trustee_user_name", "/trustee_password", "/trustee_user_id",
		"/etcd_ca_cert_ref", "/front_proxy_ca_cert_ref"),
	nonRemovable: []string{"/cluster_template_id"},
	defaults:     map[string]any{"node_count": json.Number("1")},
}

var clusterPatchable = []string{"health_status", "health_status_reason", "node_count"}

// UpdateOptions modify UpdateCluster.
type UpdateOptions struct {
	// Rollback asks the orchestrator to roll the stack back if the update
	// fails (API microversion 1.3).
	Rollback bool
}

// UpdateCluster applies a JSON patch to a cluster. Only node_count (of the
// default worker group), health_status and health_status_reason may
// change; a node-count change starts an update, health fields are just
// stored. It returns the cluster's UUID.
func (s *Service) UpdateCluster(ctx context.Context, ident string, ops []PatchOp, o UpdateOptions) (string, error) {
	d, err := s.visibleCluster(ctx, ident, "cluster:update", "cluster:update_all_projects")
	if err != nil {
		return "", err
	}
	next, err := patchCluster(&d.Cluster, ops)
	if err != nil {
		return "", err
	}
	changed := changedFields(d.Cluster, *next)
	if bad := notIn(changed, clusterPatchable); len(bad) > 0 {
		return "", invalidf("cannot change cluster property(ies) %s.", strings.Join(bad, ", "))
	}
	if next.NodeCount < 0 {
		return "", invalidf("Invalid input for field/attribute node_count. Value: '%d'. Value should be greater or equal to 0", next.NodeCount)
	}
	if slices.Contains(changed, "node_count") {
		if err := s.cfg.limits.checkCount("node_count", next.NodeCount); err != nil {
			return "", err
		}
	}
	target := Target{ProjectID: d.ProjectID, UserID: d.UserID, TrusteeUserID: d.Internal.TrusteeUserID}
	if slices.Contains(changed, "health_status") || slices.Contains(changed, "health_status_reason") {
		if _, err := s.authorize(ctx, "cluster:update_health_status", target); err != nil {
			return "", err
		}
	}
	if len(changed) == 0 {
		return d.UUID, nil
	}
	return d.UUID, s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, ngs []*NodeGroup) error {
		cur.HealthStatus, cur.HealthStatusReason = next.HealthStatus, next.HealthStatusReason
		if !slices.Contains(changed, "node_count") {
			return nil
		}
		worker := defaultGroup(ngs, RoleWorker)
		if worker == nil {
			return notFoundf("Nodegroup default-worker could not be found.")
		}
		if err := s.cfg.limits.checkTotal("node_count", next.NodeCount, nodesBut(ngs, worker)); err != nil {
			return err
		}
		params := resizeParams{NodeGroup: worker.UUID, NodeCount: next.NodeCount, Rollback: o.Rollback}
		return s.startResize(ctx, tx, cur, worker, params, stableStatuses, "Updating")
	})
}

func patchCluster(old *Cluster, ops []PatchOp) (*Cluster, error) {
	doc, err := toDoc(old)
	if err != nil {
		return nil, err
	}
	if err := applyPatch(doc, ops, clusterPatchRules); err != nil {
		return nil, err
	}
	next := *old
	if err := fromDoc(doc, &next); err != nil {
		return nil, err
	}
	if next.HealthStatus != "" && !slices.Contains([]HealthStatus{Healthy, Unhealthy, Unknown}, next.HealthStatus) {
		return nil, invalidf("Invalid input for field/attribute health_status. Value: '%s'. Value should be one of: HEALTHY, UNHEALTHY, UNKNOWN", next.HealthStatus)
	}
	return &next, nil
}

func defaultGroup(ngs []*NodeGroup, role string) *NodeGroup {
	for _, ng := range ngs {
		if ng.IsDefault && ng.Role == role {
			return ng
		}
	}
	return nil
}

// clusterLock is the key (see store.Tx.Lock) a transaction writing a
// cluster takes before it reads it.
func clusterLock(uuid string) string { return "clusters/" + uuid }

// mutateCluster reads a cluster and its node groups, lets fn change them
// and stores the cluster, all in one transaction.
func (s *Service) mutateCluster(ctx context.Context, uuid string, fn func(*store.Tx, *clusterDoc, []*NodeGroup) error) error {
	err := s.store.Update(ctx, func(tx *store.Tx) error {
		// Writers of one cluster take turns, on a database shared by
		// instances too: the cluster is read as the last writer left it.
		if err := tx.Lock(ctx, clusterLock(uuid)); err != nil {
			return err
		}
		rec, err := tx.Get(ctx, store.Clusters, uuid)
		if err != nil {
			return storeErr(err, func() error { return notFoundf("Cluster %s could not be found.", uuid) })
		}
		d, err := clusterFromRecord(rec)
		if err != nil {
			return err
		}
		ngs, err := clusterNodeGroups(ctx, tx, uuid)
		if err != nil {
			return err
		}
		if err := fn(tx, d, ngs); err != nil {
			return err
		}
		// fn may have added or changed node groups: sum up what is stored.
		if ngs, err = clusterNodeGroups(ctx, tx, uuid); err != nil {
			return err
		}
		return storeErr(putCluster(ctx, tx, d, ngs), nil)
	})
	if err == nil {
		s.poke()
	}
	return err
}

// checkStatus applies an operation's status allow-list.
func checkStatus(d *clusterDoc, allowed []Status, verb string) error {
	if !slices.Contains(allowed, d.Status) {
		return newError(ErrInvalidState, "%s a cluster when status is \"%s\" is not supported.", verb, d.Status)
	}
	return nil
}

// resizeParams are the parameters of an update or resize operation.
type resizeParams struct {
	NodeGroup     string   `json:"nodegroup"`
	NodeCount     int      `json:"node_count"`
	NodesToRemove []string `json:"nodes_to_remove,omitempty"`
	Rollback      bool     `json:"rollback,omitempty"`
	// OldCount is the count to restore if the operation fails.
	OldCount int `json:"old_count"`
}

// startResize checks the status, records the new count of a node group
// and the operation that applies it.
func (s *Service) startResize(ctx context.Context, tx *store.Tx, d *clusterDoc, ng *NodeGroup, p resizeParams,
	allowed []Status, verb string) error {
	if err := checkStatus(d, allowed, verb); err != nil {
		return err
	}
	p.OldCount = ng.NodeCount
	ng.NodeCount = p.NodeCount
	ng.Status = UpdateInProgress
	if err := putNodeGroup(ctx, tx, ng); err != nil {
		return storeErr(err, nil)
	}
	s.startOperation(d, UpdateInProgress)
	return s.recordOperation(ctx, tx, d.UUID, ng.UUID, opResize, p)
}

// startOperation moves a cluster into an operation's in-progress status.
func (s *Service) startOperation(d *clusterDoc, st Status) {
	d.Status, d.StatusReason, d.Fault = st, "", nil
}

// Resize asks to change the node count of a node group.
type Resize struct {
	NodeCount int `json:"node_count"`
	// NodesToRemove names the nodes to remove when shrinking: server IDs
	// or member indexes.
	NodesToRemove []string `json:"nodes_to_remove"`
	// NodeGroup is the UUID or name of the group; empty means the default
	// worker group.
	NodeGroup string `json:"nodegroup"`
}

// ResizeCluster changes the node count of a worker node group, within its
// min and max, removing the named nodes first when shrinking. It returns
// the cluster's UUID.
func (s *Service) ResizeCluster(ctx context.Context, ident string, r Resize) (string, error) {
	if r.NodeCount < 0 {
		return "", invalidf("Invalid input for field/attribute node_count. Value: '%d'. Value should be greater or equal to 0", r.NodeCount)
	}
	if err := s.cfg.limits.checkCount("node_count", r.NodeCount); err != nil {
		return "", err
	}
	d, err := s.visibleCluster(ctx, ident, "cluster:get", "")
	if err != nil {
		return "", err
	}
	if _, err := s.authorize(ctx, "cluster:resize", Target{ProjectID: d.ProjectID, UserID: d.UserID}); err != nil {
		return "", err
	}
	return d.UUID, s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, ngs []*NodeGroup) error {
		ng, err := pickNodeGroup(ngs, r.NodeGroup, RoleWorker)
		if err != nil {
			return err
		}
		if ng.Role == RoleMaster {
			return invalidf("Resizing a master nodegroup is not supported.")
		}
		if r.NodeCount < ng.MinNodeCount || (ng.MaxNodeCount != nil && *ng.MaxNodeCount > 0 && r.NodeCount > *ng.MaxNodeCount) {
			max := "None"
			if ng.MaxNodeCount != nil {
				max = itoa(*ng.MaxNodeCount)
			}
			return invalidf("Resizing %s outside the allowed range: min_node_count = %d, max_node_count = %s",
				ng.Name, ng.MinNodeCount, max)
		}
		if err := s.cfg.limits.checkTotal("node_count", r.NodeCount, nodesBut(ngs, ng)); err != nil {
			return err
		}
		p := resizeParams{NodeGroup: ng.UUID, NodeCount: r.NodeCount, NodesToRemove: r.NodesToRemove}
		return s.startResize(ctx, tx, cur, ng, p, resizableStatuses, "Resizing")
	})
}

// pickNodeGroup finds a node group of a cluster by UUID or name, or its
// default group of a role when ident is empty.
func pickNodeGroup(ngs []*NodeGroup, ident, role string) (*NodeGroup, error) {
	if ident == "" {
		if ng := defaultGroup(ngs, role); ng != nil {
			return ng, nil
		}
		return nil, notFoundf("Nodegroup default-%s could not be found.", role)
	}
	var found []*NodeGroup
	for _, ng := range ngs {
		if ng.UUID == ident || (!isUUID(ident) && ng.Name == ident) {
			found = append(found, ng)
		}
	}
	switch len(found) {
	case 0:
		return nil, notFoundf("Nodegroup %s could not be found.", ident)
	case 1:
		return found[0], nil
	}
	return nil, conflictf("Multiple nodegroups exist with same name. Please use the nodegroup uuid instead.")
}

// Upgrade asks to move a cluster (or one node group) to another template.
type Upgrade struct {
	// ClusterTemplate is the UUID or name of the target template.
	ClusterTemplate string `json:"cluster_template"`
	// MaxBatchSize is how many nodes are upgraded at once (default 1).
	MaxBatchSize int `json:"max_batch_size"`
	// NodeGroup is the UUID or name of the group; empty means the default
	// worker group.
	NodeGroup string `json:"nodegroup"`
}

// upgradeParams are the parameters of an upgrade operation.
type upgradeParams struct {
	NodeGroup    string `json:"nodegroup"`
	Template     string `json:"template"`
	MaxBatchSize int    `json:"max_batch_size"`
}

// UpgradeCluster moves a node group to another template (a newer COE
// version). A non-default group may only be upgraded to the cluster's own
// template. The driver checks the upgrade before it is accepted: a
// template without the version label the upgrade needs (kube_tag for
// Kubernetes) is refused with ErrConflict, a downgrade with ErrInvalid,
// as Magnum refuses them. It returns the cluster's UUID.
func (s *Service) UpgradeCluster(ctx context.Context, ident string, u Upgrade) (string, error) {
	if u.MaxBatchSize < 0 {
		return "", invalidf("Invalid input for field/attribute max_batch_size. Value: '%d'. Value should be greater or equal to 1", u.MaxBatchSize)
	}
	c, err := callerOf(ctx)
	if err != nil {
		return "", err
	}
	d, err := s.visibleCluster(ctx, ident, "cluster:upgrade", "cluster:upgrade_all_projects")
	if err != nil {
		return "", err
	}
	t, err := s.clusterTemplate(ctx, Caller{ProjectID: d.ProjectID, Roles: c.Roles}, u.ClusterTemplate)
	if err != nil {
		return "", err
	}
	drv, err := s.driverFor(ctx, t)
	if err != nil {
		return "", err
	}
	if err := s.checkUpgrade(ctx, drv, d, t, u); err != nil {
		return "", err
	}
	return d.UUID, s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, ngs []*NodeGroup) error {
		ng, err := pickNodeGroup(ngs, u.NodeGroup, RoleWorker)
		if err != nil {
			return err
		}
		if err := checkStatus(cur, stableStatuses, "Upgrading"); err != nil {
			return err
		}
		ng.Status = UpdateInProgress
		if err := putNodeGroup(ctx, tx, ng); err != nil {
			return storeErr(err, nil)
		}
		s.startOperation(cur, UpdateInProgress)
		return s.recordOperation(ctx, tx, cur.UUID, ng.UUID, opUpgrade,
			upgradeParams{NodeGroup: ng.UUID, Template: t.UUID, MaxBatchSize: max(u.MaxBatchSize, 1)})
	})
}

// DeleteCluster starts the deletion of a cluster: it becomes
// DELETE_IN_PROGRESS, and its row disappears once its stacks are gone.
func (s *Service) DeleteCluster(ctx context.Context, ident string) error {
	d, err := s.visibleCluster(ctx, ident, "cluster:delete", "cluster:delete_all_projects")
	if err != nil {
		return err
	}
	return s.mutateCluster(ctx, d.UUID, func(tx *store.Tx, cur *clusterDoc, ngs []*NodeGroup) error {
		if cur.Status == DeleteInProgress {
			return nil
		}
		s.startOperation(cur, DeleteInProgress)
		return s.recordOperation(ctx, tx, cur.UUID, "", opDelete, nil)
	})
}
