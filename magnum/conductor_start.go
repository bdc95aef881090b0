package magnum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
)

// opState is an operation with what it acts on, read from the store.
type opState struct {
	op  store.Operation
	d   *clusterDoc
	ngs []*NodeGroup
	t   *ClusterTemplate
	drv drivers.Driver
}

// errClusterGone: the operation's cluster was deleted meanwhile.
var errClusterGone = errors.New("the cluster is gone")

// errNotHeld: the conductor lost the operation it was starting; whoever
// holds it now, or the delete that superseded it, goes on from there.
var errNotHeld = errors.New("the operation is no longer held")

// errDeleteQueued: a delete of the operation's cluster is queued, which
// supersedes the operation before it makes a stack.
var errDeleteQueued = errors.New("superseded by a delete")

// load reads an operation's cluster, node groups, template and driver.
func (c *conductor) load(ctx context.Context, op store.Operation) (*opState, error) {
	st := &opState{op: op}
	err := c.s.store.View(ctx, func(tx *store.Tx) error {
		rec, err := tx.Get(ctx, store.Clusters, op.ClusterUUID)
		if errors.Is(err, store.ErrNotFound) {
			return errClusterGone
		}
		if err != nil {
			return err
		}
		if st.d, err = clusterFromRecord(rec); err != nil {
			return err
		}
		if st.ngs, err = clusterNodeGroups(ctx, tx, op.ClusterUUID); err != nil {
			return err
		}
		st.t, err = findTemplate(ctx, tx, st.d.ClusterTemplateID, store.Cond{})
		return err
	})
	if err != nil {
		return nil, err
	}
	st.drv, err = c.s.driverFor(ctx, st.t)
	return st, err
}

// execute starts an operation: it makes the orchestrator change the
// cluster's stacks and leaves the operation waiting for them.
func (c *conductor) execute(ctx context.Context, op store.Operation) {
	st, err := c.load(ctx, op)
	if errors.Is(err, errClusterGone) {
		c.finish(ctx, op, "")
		return
	}
	if err == nil {
		ctx = c.s.withOperationOrchestrator(ctx, op)
		err = c.checkLimits(st)
	}
	if err == nil {
		err = c.startKind(ctx, st)
	}
	switch {
	case err == nil || ctx.Err() != nil:
	case errors.Is(err, errNotHeld):
		c.log.Info("operation lost while starting", "operation", op.Kind, "cluster", op.ClusterUUID)
	case errors.Is(err, errDeleteQueued):
		c.stepAside(ctx, st)
	default:
		c.log.Warn("operation failed to start", "operation", op.Kind, "cluster", op.ClusterUUID, "error", err)
		c.failStart(ctx, st, op, err)
	}
}

// checkLimits refuses to start an operation that builds nodes when the
// node counts it asks for are above the service's limits: one recorded by
// a version without limits, or before the limits were lowered, fails
// instead of building them.
func (c *conductor) checkLimits(st *opState) error {
	switch st.op.Kind {
	case opCreate, opResize, opNodeGroupAdd:
		return c.s.cfg.limits.checkStored(touched(st.op, st.ngs), st.ngs)
	}
	return nil
}

// checkNoDelete fails with errDeleteQueued if a delete of the operation's
// cluster is queued. Only a delete is claimed while an operation starts,
// and only once that operation waits for its stacks or ended (see
// store.ClaimableOperations): checked before a stack is made, it keeps
// stacks from being made for a cluster about to be deleted. It fails with
// errNotHeld if this conductor no longer holds the operation (its lease
// ran out and another took the operation, or a delete superseded it).
func (c *conductor) checkNoDelete(ctx context.Context, st *opState) error {
	var queued, held bool
	err := c.s.store.View(ctx, func(tx *store.Tx) (err error) {
		if held, err = tx.Holds(ctx, st.op.ID, c.owner); err != nil {
			return err
		}
		queued, err = tx.DeleteQueued(ctx, st.op.ClusterUUID)
		return err
	})
	switch {
	case err != nil:
		return err
	case !held:
		return errNotHeld
	case queued:
		return errDeleteQueued
	}
	return nil
}

func (c *conductor) startKind(ctx context.Context, st *opState) error {
	switch st.op.Kind {
	case opCreate:
		return c.startCreate(ctx, st)
	case opResize:
		return c.startResize(ctx, st)
	case opUpgrade:
		return c.startUpgrade(ctx, st)
	case opDelete:
		return c.startDelete(ctx, st)
	case opNodeGroupAdd:
		return c.startNodeGroupCreate(ctx, st)
	case opNodeGroupDel:
		return c.startNodeGroupDelete(ctx, st)
	case opRotateCA:
		return c.startRotateCA(ctx, st)
	case opRotateTrustee:
		return c.startRotateCredentials(ctx, st)
	}
	return fmt.Errorf("unknown operation %q", st.op.Kind)
}

// startCreate makes the cluster's trustee and certificates, then its
// stack, once: a retry finds the trustee and the stack it already made.
func (c *conductor) startCreate(ctx context.Context, st *opState) error {
	var p createParams
	if len(st.op.Params) > 0 {
		if err := json.Unmarshal(st.op.Params, &p); err != nil {
			return err
		}
	}
	if st.d.Internal.TrusteeUserID == "" && p.Trustee != nil {
		st.d.Internal = *p.Trustee
	}
	made := st.d.Internal.TrusteeUserID == ""
	if made {
		if err := c.createTrustee(ctx, st); err != nil {
			return err
		}
	}
	if err := c.announceCreate(ctx, st, p, made); err != nil {
		if made {
			c.dropTrustee(ctx, st)
		}
		return err
	}
	if _, err := c.s.certs.IssueCluster(ctx, certs.ClusterInfo{UUID: st.d.UUID, Name: st.d.Name}); err != nil {
		return fmt.Errorf("issuing the cluster's certificates: %w", err)
	}
	master := defaultGroup(st.ngs, RoleMaster)
	if master == nil {
		return errors.New("the cluster has no default master node group")
	}
	id, err := c.ensureStack(ctx, st, master, func(dc drivers.Cluster) (drivers.Stack, error) {
		return st.drv.ClusterStack(ctx, dc)
	})
	if err != nil {
		return err
	}
	return c.wait(ctx, st, func(d *clusterDoc, ngs []*NodeGroup) {
		d.StackID = id
		for _, ng := range ngs {
			if ng.IsDefault {
				ng.StackID = id
			}
		}
	})
}

// createTrustee creates the cluster's trustee user and trust and stores
// them, the password sealed.
func (c *conductor) createTrustee(ctx context.Context, st *opState) error {
	t, err := c.s.cloud.CreateTrustee(c.s.trustorContext(ctx, st.d.UUID, st.op.Params), cloud.TrusteeRequest{
		ClusterUUID: st.d.UUID, ProjectID: st.d.ProjectID, TrustorUserID: st.d.UserID})
	if err != nil {
		return fmt.Errorf("creating the cluster's trustee: %w", err)
	}
	sealed, err := c.s.keys.Seal([]byte(t.Password), []byte("trustee/"+st.d.UUID))
	if err != nil {
		return err
	}
	// Stored by the caller: a create keeps it in its parameters at once
	// (announceCreate); a credential rotation stores it with its next
	// step, and a retry makes the trustee again, which replaces this one.
	st.d.Internal = clusterInternal{TrusteeUserID: t.UserID, TrusteeUserName: t.UserName, TrusteePassword: sealed,
		TrusteeDomainID: t.DomainID, TrustID: t.TrustID}
	return nil
}

// dropTrustee deletes the trustee this attempt made and could not
// record: no retry reuses it and no delete knows of it. (A delete that
// superseded the create while the trustee was being made is one way
// there.)
func (c *conductor) dropTrustee(ctx context.Context, st *opState) {
	if err := c.s.cloud.DeleteTrustee(context.WithoutCancel(ctx), st.d.Internal.trustee()); err != nil {
		c.logErr(ctx, "deleting a trustee its create could not record", err)
		return
	}
	st.d.Internal = clusterInternal{}
}

// createParams are the parameters of a create: the trustor's token, and
// the trustee the create made, kept there as soon as it is made, so that
// a retry reuses it and a delete that supersedes the create deletes it.
type createParams struct {
	trustorParams
	Trustee *clusterInternal `json:"trustee,omitempty"`
}

// announceCreate records that a create starts, with the trustee it made,
// if it made one: before any stack, in one transaction.
func (c *conductor) announceCreate(ctx context.Context, st *opState, p createParams, madeTrustee bool) error {
	if !madeTrustee {
		c.s.announce(ctx, "create", OutcomePending, &st.d.Cluster, initiator(st.d))
		return nil
	}
	p.Trustee = &st.d.Internal
	params, err := json.Marshal(p)
	if err != nil {
		return err
	}
	st.op.Params = params
	return c.s.store.Update(ctx, func(tx *store.Tx) error {
		c.s.emit(ctx, tx, "create", OutcomePending, &st.d.Cluster, initiator(st.d))
		return tx.SetOperationStep(ctx, st.op.ID, c.owner, st.op.Step, st.op.Params)
	})
}

// ensureStack returns the stack of a node group, creating it from what
// build returns unless an earlier attempt already did, or a delete of
// the cluster is queued.
func (c *conductor) ensureStack(ctx context.Context, st *opState, ng *NodeGroup,
	build func(drivers.Cluster) (drivers.Stack, error)) (string, error) {
	if err := c.checkNoDelete(ctx, st); err != nil {
		return "", err
	}
	// Only an earlier attempt at the operation can have made the stack.
	if st.op.Attempts > 1 || ng.StackID != "" {
		if id, err := c.findStack(ctx, ng); err != nil || id != "" {
			return id, err
		}
	}
	dc, err := c.driverCluster(ctx, st)
	if err != nil {
		return "", err
	}
	stack, err := build(dc)
	if err != nil {
		return "", fmt.Errorf("driver %w", err)
	}
	spec := heat.StackSpec{Name: stackName(st.d, ng), Template: stack.Template, Files: stack.Files,
		Environment: stack.Environment, Parameters: stack.Parameters, Tags: stackTags(ng),
		Timeout: time.Duration(st.d.CreateTimeout) * time.Minute}
	id, err := c.s.orchestratorFor(ctx).CreateStack(ctx, spec)
	if errors.Is(err, heat.ErrConflict) {
		// Another attempt (a conductor that died mid-call) made it first.
		if found, ferr := c.findStack(ctx, ng); ferr == nil && found != "" {
			return found, nil
		}
	}
	if err != nil {
		return "", fmt.Errorf("creating stack %s: %w", spec.Name, err)
	}
	return id, nil
}

// findStack looks up, by its tag, the stack made for a node group.
func (c *conductor) findStack(ctx context.Context, ng *NodeGroup) (string, error) {
	if ng.StackID != "" {
		return ng.StackID, nil
	}
	stacks, _, err := c.s.orchestratorFor(ctx).ListStacks(ctx, heat.ListOptions{Tags: stackTags(ng), Limit: 2})
	if err != nil || len(stacks) == 0 {
		return "", err
	}
	return stacks[0].ID, nil
}

// allStacks returns every stack of a node group: the one recorded, and
// those its tag finds (made by an attempt that did not live to record
// its stack).
func (c *conductor) allStacks(ctx context.Context, ng *NodeGroup) ([]string, error) {
	var ids []string
	if ng.StackID != "" {
		ids = append(ids, ng.StackID)
	}
	marker := ""
	for {
		page, next, err := c.s.orchestratorFor(ctx).ListStacks(ctx, heat.ListOptions{Tags: stackTags(ng), Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, s := range page {
			if !slices.Contains(ids, s.ID) {
				ids = append(ids, s.ID)
			}
		}
		if next == "" || len(page) == 0 {
			return ids, nil
		}
		marker = next
	}
}

// stackTags mark the stacks the service makes, and which node group each
// is for.
func stackTags(ng *NodeGroup) []string {
	return []string{stackTag, ngTag(ng)}
}

// ngTag is the tag of the stacks made for a node group.
func ngTag(ng *NodeGroup) string { return "gomagnum.ng." + ng.UUID }

// stackTag marks every stack the service makes.
const stackTag = "gomagnum"

// stackName names a stack as Magnum does: the cluster's name (and, for an
// extra node group, the group's), reduced to [a-z0-9-], and a short ID.
func stackName(d *clusterDoc, ng *NodeGroup) string {
	name := truncate(d.Name, 30)
	if !ng.IsDefault {
		name = truncate(d.Name, 20) + "-" + truncate(ng.Name, 9)
	}
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r == '_' || r == '.':
			b.WriteByte('-')
		case r == '-' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String() + "-" + strings.ReplaceAll(ng.UUID, "-", "")[:12]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// wait records the changes of a started operation and hands it to the
// sync, with the stacks it waits for (those of the node groups it
// touches, and others it names) and the deadline it must finish by.
func (c *conductor) wait(ctx context.Context, st *opState, change func(*clusterDoc, []*NodeGroup), others ...string) error {
	return c.s.mutateCluster(ctx, st.d.UUID, func(tx *store.Tx, d *clusterDoc, ngs []*NodeGroup) error {
		d.Internal = st.d.Internal
		change(d, ngs)
		var stacks []string
		for _, ng := range ngs {
			if err := putNodeGroup(ctx, tx, ng); err != nil {
				return err
			}
		}
		for _, ng := range touched(st.op, ngs) {
			others = append(others, ng.StackID)
		}
		for _, id := range others {
			if id != "" && !slices.Contains(stacks, id) {
				stacks = append(stacks, id)
			}
		}
		if err := tx.SetOperationStep(ctx, st.op.ID, c.owner, st.op.Step, st.op.Params); err != nil {
			return err
		}
		deadline := c.s.now().Add(time.Duration(max(d.CreateTimeout, 1)) * time.Minute)
		return tx.WaitOperation(ctx, st.op.ID, c.owner, stepWait, stacks, deadline)
	})
}

// driverCluster is what the driver sees of the operation's cluster,
// with what its nodes need to join it.
func (c *conductor) driverCluster(ctx context.Context, st *opState) (drivers.Cluster, error) {
	dc := c.s.driverCluster(st.t, st.d, st.ngs)
	c.defaultVolumeTypes(ctx, &dc)
	b, err := c.boot(ctx, st.d)
	dc.Boot = b
	return dc, err
}

// volumeTypeLabels name the volume types of a cluster's volumes.
var volumeTypeLabels = []string{"docker_volume_type", "etcd_volume_type"}

// defaultVolumeTypes gives the volume-type labels that neither the cluster
// nor its template sets the cloud's default volume type, as Magnum does
// when it builds a stack: an empty type is no valid volume type to Heat.
// Without a default the labels stay unset.
func (c *conductor) defaultVolumeTypes(ctx context.Context, dc *drivers.Cluster) {
	var missing []string
	for _, l := range volumeTypeLabels {
		if dc.Labels[l] == "" && dc.Template.Labels[l] == "" {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return
	}
	vt, err := c.s.cloud.DefaultVolumeType(ctx)
	if err != nil {
		c.s.log.DebugContext(ctx, "no default volume type", "cluster", dc.UUID, "err", err)
		return
	}
	labels := maps.Clone(dc.Labels)
	if labels == nil {
		labels = make(map[string]string, len(missing))
	}
	for _, l := range missing {
		labels[l] = vt
	}
	dc.Labels = labels
}

// boot gathers what a cluster's nodes need: the service's URL, the
// trustee credentials, the CA certificates and the keypair's public key.
func (c *conductor) boot(ctx context.Context, d *clusterDoc) (drivers.Boot, error) {
	b := drivers.Boot{MagnumURL: c.s.cfg.publicURL, AuthURL: c.s.cfg.authURL, TrusteeUserID: d.Internal.TrusteeUserID,
		TrusteeUserName: d.Internal.TrusteeUserName, TrusteeDomainID: d.Internal.TrusteeDomainID, TrustID: d.Internal.TrustID}
	if d.Internal.TrusteePassword != "" {
		pw, err := c.s.keys.Open(d.Internal.TrusteePassword, []byte("trustee/"+d.UUID))
		if err != nil {
			return b, err
		}
		b.TrusteePassword = string(pw)
	}
	cas, err := c.s.certs.CABundles(ctx, d.UUID)
	if err != nil {
		return b, fmt.Errorf("reading the cluster's CAs: %w", err)
	}
	b.CACert, b.EtcdCACert, b.FrontProxyCACert = string(cas[certs.Kubernetes]), string(cas[certs.Etcd]), string(cas[certs.FrontProxy])
	if d.Keypair != "" {
		kp, err := c.s.cloud.Keypair(ctx, d.UserID, d.Keypair)
		if err != nil {
			return b, fmt.Errorf("reading keypair %s: %w", d.Keypair, err)
		}
		b.SSHPublicKey = strings.TrimSpace(kp.PublicKey)
	}
	return b, nil
}

func initiator(d *clusterDoc) Initiator { return Initiator{UserID: d.UserID, ProjectID: d.ProjectID} }

// startResize updates the stack of the resized node group.
func (c *conductor) startResize(ctx context.Context, st *opState) error {
	var p resizeParams
	if err := json.Unmarshal(st.op.Params, &p); err != nil {
		return err
	}
	ng, err := pickNodeGroup(st.ngs, p.NodeGroup, RoleWorker)
	if err != nil {
		return err
	}
	c.s.announce(ctx, "update", OutcomePending, &st.d.Cluster, initiator(st.d))
	dc, err := c.driverCluster(ctx, st)
	if err != nil {
		return err
	}
	upd, err := st.drv.ResizeStack(ctx, dc, drivers.Resize{NodeGroup: ng.UUID, NodeCount: p.NodeCount, NodesToRemove: p.NodesToRemove})
	if err != nil {
		return fmt.Errorf("driver %w", err)
	}
	upd.Rollback = p.Rollback
	return c.update(ctx, st, ng, upd, nil)
}

// update applies a stack update to a node group's stack and waits for it.
func (c *conductor) update(ctx context.Context, st *opState, ng *NodeGroup, upd heat.StackUpdate,
	change func(*clusterDoc, []*NodeGroup)) error {
	if ng.StackID == "" {
		return fmt.Errorf("node group %s has no stack", ng.Name)
	}
	err := c.s.orchestratorFor(ctx).UpdateStack(ctx, ng.StackID, upd)
	// Operations of a cluster run one at a time: on a later attempt, a
	// stack busy with an action is busy with this operation's update,
	// which an earlier holder of the operation started.
	if err != nil && !(st.op.Attempts > 1 && errors.Is(err, heat.ErrConflict)) {
		return fmt.Errorf("updating stack %s: %w", ng.StackID, err)
	}
	return c.wait(ctx, st, func(d *clusterDoc, ngs []*NodeGroup) {
		for _, x := range ngs {
			if x.StackID == ng.StackID {
				x.Status = UpdateInProgress
			}
		}
		if change != nil {
			change(d, ngs)
		}
	})
}

// startUpgrade moves a node group to a new template through its stack.
func (c *conductor) startUpgrade(ctx context.Context, st *opState) error {
	var p upgradeParams
	if err := json.Unmarshal(st.op.Params, &p); err != nil {
		return err
	}
	ng, err := pickNodeGroup(st.ngs, p.NodeGroup, RoleWorker)
	if err != nil {
		return err
	}
	var nt *ClusterTemplate
	err = c.s.store.View(ctx, func(tx *store.Tx) (err error) {
		nt, err = findTemplate(ctx, tx, p.Template, store.Cond{})
		return err
	})
	if err != nil {
		return err
	}
	c.s.announce(ctx, "update", OutcomePending, &st.d.Cluster, initiator(st.d))
	dc, err := c.driverCluster(ctx, st)
	if err != nil {
		return err
	}
	upd, err := st.drv.UpgradeStack(ctx, dc, drivers.Upgrade{Template: driverTemplate(nt), NodeGroup: ng.UUID, MaxBatchSize: p.MaxBatchSize})
	if err != nil {
		return fmt.Errorf("driver %w", err)
	}
	return c.update(ctx, st, ng, upd, func(d *clusterDoc, ngs []*NodeGroup) {
		for _, x := range ngs {
			if x.StackID == ng.StackID {
				x.Labels = upgradedLabels(x.Labels, nt.Labels)
			}
		}
		if ng.IsDefault {
			d.ClusterTemplateID = nt.UUID
			d.Labels = upgradedLabels(d.Labels, nt.Labels)
			d.LabelsOverridden, d.LabelsAdded, d.LabelsSkipped = labelsDiff(nt.Labels, d.Labels)
		}
	})
}

// upgradedLabels takes the versions (labels ending in _tag or _version)
// of a new template's labels over an object's.
func upgradedLabels(cur, next map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range cur {
		out[k] = v
	}
	for k, v := range next {
		if strings.HasSuffix(k, "_tag") || strings.HasSuffix(k, "_version") {
			out[k] = v
		}
	}
	return out
}

// startDelete cleans what the cluster's cloud provider left behind, then
// deletes every stack of the extra node groups and of the cluster, those
// recorded and those their tags find. A cluster without any is deleted at
// once.
func (c *conductor) startDelete(ctx context.Context, st *opState) error {
	c.s.announce(ctx, "delete", OutcomePending, &st.d.Cluster, initiator(st.d))
	if err := c.s.cloud.CleanupLoadBalancers(ctx, st.d.UUID); err != nil {
		return fmt.Errorf("cleaning up the cluster's load balancers: %w", err)
	}
	var deleting []string
	for _, ng := range orderForDelete(st.ngs) {
		ids, err := c.allStacks(ctx, ng)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := c.deleteStack(ctx, id); err != nil {
				return err
			}
		}
		if len(ids) > 0 && ng.StackID == "" {
			ng.StackID = ids[0]
		}
		deleting = append(deleting, ids...)
	}
	if len(deleting) == 0 {
		return c.deleted(ctx, st)
	}
	return c.wait(ctx, st, func(d *clusterDoc, ngs []*NodeGroup) {
		for _, ng := range ngs {
			ng.Status = DeleteInProgress
			for _, x := range st.ngs {
				if x.UUID == ng.UUID {
					ng.StackID = x.StackID
				}
			}
		}
	}, deleting...)
}

// deleteStack starts the delete of a stack; one already gone is deleted.
func (c *conductor) deleteStack(ctx context.Context, id string) error {
	if err := c.s.orchestratorFor(ctx).DeleteStack(ctx, id); err != nil && !errors.Is(err, heat.ErrNotFound) {
		return fmt.Errorf("deleting stack %s: %w", id, err)
	}
	return nil
}

// orderForDelete puts the extra node groups first, the default ones last:
// their stack is the cluster's.
func orderForDelete(ngs []*NodeGroup) []*NodeGroup {
	var out, defaults []*NodeGroup
	for _, ng := range ngs {
		if ng.IsDefault {
			defaults = append(defaults, ng)
		} else {
			out = append(out, ng)
		}
	}
	return append(out, defaults...)
}

// startNodeGroupCreate creates the stack of an extra node group.
func (c *conductor) startNodeGroupCreate(ctx context.Context, st *opState) error {
	ng, err := pickNodeGroup(st.ngs, st.op.NodeGroupUUID, RoleWorker)
	if err != nil {
		return err
	}
	id, err := c.ensureStack(ctx, st, ng, func(dc drivers.Cluster) (drivers.Stack, error) {
		return st.drv.NodeGroupStack(ctx, dc, driverNodeGroup(ng))
	})
	if err != nil {
		return err
	}
	return c.wait(ctx, st, func(_ *clusterDoc, ngs []*NodeGroup) {
		for _, x := range ngs {
			if x.UUID == ng.UUID {
				x.StackID = id
			}
		}
	})
}

// startNodeGroupDelete deletes an extra node group's stack, or its row if
// it never got one.
func (c *conductor) startNodeGroupDelete(ctx context.Context, st *opState) error {
	ng, err := pickNodeGroup(st.ngs, st.op.NodeGroupUUID, RoleWorker)
	if err != nil {
		return err
	}
	id, err := c.findStack(ctx, ng)
	if err != nil {
		return err
	}
	if id == "" {
		return c.nodeGroupDeleted(ctx, st)
	}
	if err := c.deleteStack(ctx, id); err != nil {
		return err
	}
	return c.wait(ctx, st, func(_ *clusterDoc, ngs []*NodeGroup) {
		for _, x := range ngs {
			if x.UUID == ng.UUID {
				x.StackID, x.Status = id, DeleteInProgress
			}
		}
	})
}

// startRotateCA issues new CAs and has the driver distribute them.
func (c *conductor) startRotateCA(ctx context.Context, st *opState) error {
	if st.op.Step != "rotated" {
		if _, err := c.s.certs.Rotate(ctx, st.d.UUID); err != nil && !errors.Is(err, certs.ErrRotationInProgress) {
			return fmt.Errorf("rotating the cluster's CAs: %w", err)
		}
		if err := c.s.store.Update(ctx, func(tx *store.Tx) error {
			return tx.SetOperationStep(ctx, st.op.ID, c.owner, "rotated", st.op.Params)
		}); err != nil {
			return err
		}
	}
	dc, err := c.driverCluster(ctx, st)
	if err != nil {
		return err
	}
	upd, err := st.drv.RotateCAStack(ctx, dc)
	if err != nil {
		return fmt.Errorf("driver %w", err)
	}
	return c.updateAll(ctx, st, upd)
}

// updateAll applies one update to the stack of every node group (the
// cluster's and the extra groups'), and waits for them all.
func (c *conductor) updateAll(ctx context.Context, st *opState, upd heat.StackUpdate) error {
	done := map[string]bool{}
	for _, ng := range st.ngs {
		if ng.StackID == "" || done[ng.StackID] {
			continue
		}
		done[ng.StackID] = true
		if err := c.s.orchestratorFor(ctx).UpdateStack(ctx, ng.StackID, upd); err != nil {
			return fmt.Errorf("updating stack %s: %w", ng.StackID, err)
		}
	}
	return c.wait(ctx, st, func(_ *clusterDoc, ngs []*NodeGroup) {
		for _, ng := range ngs {
			if ng.StackID != "" {
				ng.Status = UpdateInProgress
			}
		}
	})
}

// credentialsParams are the parameters of a credential rotation: the
// trustor's token, and the trustee it replaces.
type credentialsParams struct {
	trustorParams
	Old cloud.Trustee `json:"old"`
}

// startRotateCredentials replaces the cluster's trustee and passes the new
// credentials to its nodes through a stack update.
func (c *conductor) startRotateCredentials(ctx context.Context, st *opState) error {
	var p credentialsParams
	if len(st.op.Params) > 0 {
		if err := json.Unmarshal(st.op.Params, &p); err != nil {
			return err
		}
	}
	p.Old = cloud.Trustee{UserID: st.d.Internal.TrusteeUserID, UserName: st.d.Internal.TrusteeUserName,
		DomainID: st.d.Internal.TrusteeDomainID, TrustID: st.d.Internal.TrustID}
	params, err := json.Marshal(p)
	if err != nil {
		return err
	}
	st.op.Params = params
	if err := c.createTrustee(ctx, st); err != nil {
		return err
	}
	dc, err := c.driverCluster(ctx, st)
	if err != nil {
		return err
	}
	stack, err := st.drv.ClusterStack(ctx, dc)
	if err != nil {
		return fmt.Errorf("driver %w", err)
	}
	return c.updateAll(ctx, st, heat.StackUpdate{Parameters: bootParameters(stack.Parameters)})
}

// bootParameters keeps, of a stack's parameters, those carrying trustee
// credentials, which a credential rotation changes.
func bootParameters(params map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range params {
		if strings.Contains(k, "trust") || strings.Contains(k, "password") {
			out[k] = v
		}
	}
	return out
}
