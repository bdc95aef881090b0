package magnum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
)

// syncPage is how many stacks one list call of the status sync asks for.
const syncPage = 1000

// sync follows the stacks of the operations this conductor holds: one
// list call per page of stacks for all of them, then, for each operation
// whose stacks finished, the outputs of those stacks.
func (c *conductor) sync(ctx context.Context) {
	start := c.s.now()
	var ops []store.Operation
	err := c.s.store.View(ctx, func(tx *store.Tx) (err error) {
		ops, err = tx.HeldOperations(ctx, c.owner)
		return err
	})
	if err != nil {
		c.logErr(ctx, "listing held operations", err)
		return
	}
	waiting := ops[:0]
	for _, op := range ops {
		if op.Step == stepWait {
			waiting = append(waiting, op)
		}
	}
	if len(waiting) == 0 {
		return
	}
	stacks, calls, err := c.listStacks(ctx)
	if err != nil {
		c.logErr(ctx, "listing stacks", err)
		return
	}
	var due []store.Operation
	budget := progressBudget
	for _, op := range waiting {
		if c.needsAttention(op, stacks, &budget) {
			due = append(due, op)
		}
	}
	c.followAll(ctx, due, stacks)
	c.s.observeSync(len(waiting), calls, c.s.now().Sub(start))
}

// progressBudget bounds how many builds have their progress refreshed per
// sync pass: each refresh costs an orchestrator call.
const progressBudget = 32

// needsAttention reports whether an operation has anything to do this
// pass: it waits for no stack, a stack of it is missing from the listing
// or finished, its deadline passed, or its progress is due (within the
// pass's budget).
func (c *conductor) needsAttention(op store.Operation, stacks map[string]heat.Stack, budget *int) bool {
	if len(op.Stacks) == 0 {
		return true
	}
	for _, id := range op.Stacks {
		if s, ok := stacks[id]; !ok || !s.Status.IsInProgress() {
			return true
		}
	}
	if !op.Deadline.IsZero() && c.s.now().After(op.Deadline) {
		return true
	}
	if op.Kind != opCreate || *budget <= 0 || !c.progressDue(op.ID) {
		return false
	}
	*budget--
	return true
}

// listStacks lists every stack the service made, page by page.
func (c *conductor) listStacks(ctx context.Context) (map[string]heat.Stack, int, error) {
	out := map[string]heat.Stack{}
	marker, calls := "", 0
	for {
		page, next, err := c.s.orchestratorFor(ctx).ListStacks(ctx, heat.ListOptions{Tags: []string{stackTag}, Limit: syncPage, Marker: marker})
		calls++
		if err != nil {
			return nil, calls, err
		}
		for _, st := range page {
			out[st.ID] = st
		}
		if next == "" || len(page) == 0 {
			return out, calls, nil
		}
		marker = next
	}
}

// followAll follows operations a few at a time.
func (c *conductor) followAll(ctx context.Context, ops []store.Operation, stacks map[string]heat.Stack) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, op := range ops {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := c.follow(ctx, op, stacks); err != nil {
				c.logErr(ctx, "following operation "+op.Kind+" of cluster "+op.ClusterUUID, err)
			}
		})
	}
	wg.Wait()
}

// watched is a stack an operation waits for and the node groups on it.
type watched struct {
	id    string
	ngs   []*NodeGroup
	stack *heat.Stack // nil once it is gone
}

// follow looks at the stacks of one waiting operation and, when they
// finished or the deadline passed, ends the operation.
func (c *conductor) follow(ctx context.Context, op store.Operation, stacks map[string]heat.Stack) error {
	st, err := c.load(ctx, op)
	if errors.Is(err, errClusterGone) {
		c.finish(ctx, op, "")
		return nil
	}
	if err != nil {
		return err
	}
	ctx = c.s.withOperationOrchestrator(ctx, op)
	ws, err := c.watch(ctx, st, stacks)
	if err != nil {
		return err
	}
	if op.Kind == opDelete {
		if ws, err = c.watchStrays(ctx, st, ws, stacks); err != nil {
			return err
		}
	}
	action := expectedAction(op.Kind)
	switch outcome(ws, action) {
	case outcomeRunning:
		return c.stillRunning(ctx, st, ws)
	case outcomeFailed:
		return c.completeFailed(ctx, st, ws)
	}
	return c.completeSuccess(ctx, st, ws)
}

// watch resolves the stacks an operation waits for, confirming with a get
// those missing from the listing.
func (c *conductor) watch(ctx context.Context, st *opState, stacks map[string]heat.Stack) ([]*watched, error) {
	byID := map[string]*watched{}
	var out []*watched
	for _, ng := range touched(st.op, st.ngs) {
		if ng.StackID == "" {
			continue
		}
		w := byID[ng.StackID]
		if w == nil {
			w = &watched{id: ng.StackID}
			byID[ng.StackID] = w
			out = append(out, w)
			if s, ok := stacks[ng.StackID]; ok {
				w.stack = &s
			} else if err := c.confirm(ctx, w); err != nil {
				return nil, err
			}
		}
		w.ngs = append(w.ngs, ng)
	}
	return out, nil
}

// watchStrays adds to the stacks a delete waits for those of the
// cluster's node groups the listing shows besides (left by an older
// version, which did not look for them), and starts their delete.
func (c *conductor) watchStrays(ctx context.Context, st *opState, ws []*watched, stacks map[string]heat.Stack) ([]*watched, error) {
	known := map[string]bool{}
	for _, w := range ws {
		known[w.id] = true
	}
	for _, ng := range st.ngs {
		for id, s := range stacks {
			if known[id] || !slices.Contains(s.Tags, ngTag(ng)) {
				continue
			}
			known[id] = true
			if s.Status.Action() != "DELETE" {
				if err := c.deleteStack(ctx, id); err != nil {
					return nil, err
				}
				s.Status = heat.DeleteInProgress
			}
			ws = append(ws, &watched{id: id, ngs: []*NodeGroup{ng}, stack: &s})
		}
	}
	return ws, nil
}

// confirm gets a stack the listing did not show: it may be newer than the
// listing, or gone.
func (c *conductor) confirm(ctx context.Context, w *watched) error {
	s, err := c.s.orchestratorFor(ctx).GetStack(ctx, w.id)
	switch {
	case errors.Is(err, heat.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	if s.Status != heat.DeleteComplete {
		w.stack = s
	}
	return nil
}

// expectedAction is the stack action an operation kind makes.
func expectedAction(kind string) string {
	switch kind {
	case opCreate, opNodeGroupAdd:
		return "CREATE"
	case opDelete, opNodeGroupDel:
		return "DELETE"
	}
	return "UPDATE"
}

type opOutcome int

const (
	outcomeRunning opOutcome = iota
	outcomeFailed
	outcomeDone
)

// outcome decides where an operation stands from its stacks. A stack
// still showing another action has not started the operation's yet; a
// vanished stack completes a delete and fails anything else; a rollback
// ends an update.
func outcome(ws []*watched, action string) opOutcome {
	result := outcomeDone
	for _, w := range ws {
		switch {
		case w.stack == nil && action == "DELETE":
		case w.stack == nil:
			return outcomeFailed
		case w.stack.Status.IsFailed():
			return outcomeFailed
		case w.stack.Status.IsInProgress():
			result = outcomeRunning
		case w.stack.Status.Action() != action && !(action == "UPDATE" && w.stack.Status.Action() == "ROLLBACK"):
			result = outcomeRunning
		}
	}
	return result
}

// stillRunning refreshes the build progress of an operation in progress,
// or fails it with TIMEOUT once its deadline passed.
func (c *conductor) stillRunning(ctx context.Context, st *opState, ws []*watched) error {
	if dl := st.op.Deadline; !dl.IsZero() && c.s.now().After(dl) {
		reason := fmt.Sprintf("Timed out: the operation did not finish within %d minutes.", max(st.d.CreateTimeout, 1))
		return c.end(ctx, st, ws, &Fault{Code: FaultTimeout, Reason: reason, Retryable: true})
	}
	if st.op.Kind != opCreate {
		return nil
	}
	done, total, err := c.progress(ctx, ws)
	if err != nil || total == 0 {
		return err
	}
	reason := fmt.Sprintf("Creating: %d of %d resources done", done, total)
	return c.s.mutateCluster(ctx, st.d.UUID, func(_ *store.Tx, d *clusterDoc, _ []*NodeGroup) error {
		if d.Status == CreateInProgress {
			d.StatusReason = reason
		}
		return nil
	})
}

// progress counts the resources of the operation's stacks, nested ones
// included, and those done.
func (c *conductor) progress(ctx context.Context, ws []*watched) (done, total int, err error) {
	for _, w := range ws {
		res, err := c.s.orchestratorFor(ctx).Resources(ctx, w.id, 8)
		if err != nil {
			return 0, 0, err
		}
		for _, r := range res {
			total++
			if r.Status.IsComplete() {
				done++
			}
		}
	}
	return done, total, nil
}

// completeFailed ends an operation whose stack failed or vanished, with
// a fault naming the deepest failed resource.
func (c *conductor) completeFailed(ctx context.Context, st *opState, ws []*watched) error {
	for _, w := range ws {
		switch {
		case w.stack == nil:
			return c.end(ctx, st, ws, &Fault{Code: FaultUnknown, Reason: "Stack with id " + w.id + " not found in Heat."})
		case w.stack.Status.IsFailed():
			f, err := c.stackFault(ctx, w)
			if err != nil {
				return err
			}
			return c.end(ctx, st, ws, f)
		}
	}
	return nil
}

// stackFault explains a failed stack by its deepest failed resource.
func (c *conductor) stackFault(ctx context.Context, w *watched) (*Fault, error) {
	res, err := c.s.orchestratorFor(ctx).FailedResources(ctx, w.id)
	if err != nil && !errors.Is(err, heat.ErrNotFound) {
		return nil, err
	}
	if len(res) == 0 {
		return classify(w.stack.StatusReason), nil
	}
	leaf := res[0]
	where := ""
	if leaf.StackName != "" {
		where = " in stack " + leaf.StackName
	}
	f := classify(leaf.StatusReason)
	if f.Code == FaultUnknown && isNestedType(leaf.Type) {
		f.Code = FaultDependency
	}
	f.Resource, f.ResourceType = leaf.Name, leaf.Type
	f.Reason = fmt.Sprintf("Resource %s (%s)%s failed: %s", leaf.Name, leaf.Type, where, leaf.StatusReason)
	return f, nil
}

func isNestedType(t string) bool {
	return t == "OS::Heat::ResourceGroup" || strings.HasSuffix(t, ".yaml") || strings.HasPrefix(t, "Magnum::")
}

// completeSuccess ends an operation whose stacks all finished: outputs are
// mapped to fields, node groups take their stack's status, and a deleted
// cluster or node group leaves the store.
func (c *conductor) completeSuccess(ctx context.Context, st *opState, ws []*watched) error {
	switch st.op.Kind {
	case opDelete:
		return c.deleted(ctx, st)
	case opNodeGroupDel:
		return c.nodeGroupDeleted(ctx, st)
	case opRotateCA:
		if err := c.s.certs.FinishRotation(ctx, st.d.UUID); err != nil {
			return err
		}
	case opRotateTrustee:
		if err := c.dropOldTrustee(ctx, st); err != nil {
			return err
		}
	}
	outs, err := c.outputs(ctx, st, ws)
	if err != nil {
		return err
	}
	return c.end(ctx, st, ws, nil, outs...)
}

// outputs asks the driver what the finished stacks' outputs set.
func (c *conductor) outputs(ctx context.Context, st *opState, ws []*watched) ([]drivers.Outputs, error) {
	dc, err := c.driverCluster(ctx, st)
	if err != nil {
		return nil, err
	}
	var outs []drivers.Outputs
	for _, w := range ws {
		full, err := c.s.orchestratorFor(ctx).GetStack(ctx, w.id)
		if err != nil {
			return nil, err
		}
		w.stack = full
		state := drivers.StackState{Status: full.Status, StatusReason: full.StatusReason, Outputs: full.Outputs, Parameters: full.Parameters}
		o, err := st.drv.MapOutputs(ctx, dc, driverNodeGroup(w.ngs[0]), state)
		if err != nil {
			return nil, fmt.Errorf("driver %w", err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// end records the end of an operation: the node groups on its stacks take
// their stack's status (or fail with the fault), outputs are applied, the
// cluster's status is aggregated, and the operation ends.
func (c *conductor) end(ctx context.Context, st *opState, ws []*watched, f *Fault, outs ...drivers.Outputs) error {
	return c.s.mutateCluster(ctx, st.d.UUID, func(tx *store.Tx, d *clusterDoc, ngs []*NodeGroup) error {
		prev := d.Status
		if err := c.settle(ctx, tx, st.op, ws, f, ngs, outs); err != nil {
			return err
		}
		for _, o := range outs {
			applyClusterOutputs(d, o)
		}
		if f != nil {
			d.Status = failedStatus(st.op.Kind)
			d.StatusReason, d.Fault = f.Reason, f
		} else {
			settleCluster(d, prev, ngs)
		}
		if err := keepInProgress(ctx, tx, st.op, d); err != nil {
			return err
		}
		result := OutcomeSuccess
		if f != nil {
			result = OutcomeFailure
		}
		c.s.emit(ctx, tx, eventOperation(st.op.Kind), result, &d.Cluster, initiator(st.d))
		return tx.FinishOperation(ctx, st.op.ID, c.owner, faultReason(f))
	})
}

// settleCluster sets the status of a cluster whose operation succeeded
// to what its node groups sum up to, with a reason to match: a cluster
// still failed because of groups the operation did not touch keeps their
// failure as its reason and fault; a complete one says so; one still in
// progress (another group is busy) has no reason yet.
func settleCluster(d *clusterDoc, prev Status, ngs []*NodeGroup) {
	d.Status = aggregateStatus(prev, ngs)
	d.StatusReason, d.Fault = "", nil
	switch {
	case d.Status.IsFailed():
		d.Fault = groupsFault(ngs)
		d.StatusReason = d.Fault.Reason
	case strings.HasSuffix(string(d.Status), "_COMPLETE"):
		d.StatusReason = strings.TrimSuffix(string(d.Status), "_COMPLETE") + " completed successfully"
	}
}

// groupsFault sums up the failed node groups of a cluster: each reason
// with the groups that failed with it, in the groups' order, classified as
// the first reason is.
func groupsFault(ngs []*NodeGroup) *Fault {
	var reasons []string
	names := map[string][]string{}
	for _, ng := range ngs {
		if !ng.Status.IsFailed() {
			continue
		}
		if _, seen := names[ng.StatusReason]; !seen {
			reasons = append(reasons, ng.StatusReason)
		}
		names[ng.StatusReason] = append(names[ng.StatusReason], ng.Name)
	}
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = strings.Join(names[r], ", ") + " failed"
		if r != "" {
			parts[i] += ": " + r
		}
	}
	f := &Fault{Code: FaultUnknown}
	if len(reasons) > 0 {
		f = classify(reasons[0])
	}
	f.Reason = strings.Join(parts, "; ")
	return f
}

func faultReason(f *Fault) string {
	if f == nil {
		return ""
	}
	return f.Reason
}

// settle sets the statuses and outputs of the node groups on an
// operation's stacks.
func (c *conductor) settle(ctx context.Context, tx *store.Tx, op store.Operation, ws []*watched, f *Fault,
	ngs []*NodeGroup, outs []drivers.Outputs) error {
	onStack := map[string]*watched{}
	for _, w := range ws {
		for _, ng := range w.ngs {
			onStack[ng.UUID] = w
		}
	}
	for _, ng := range ngs {
		w, ok := onStack[ng.UUID]
		if !ok {
			continue
		}
		switch {
		case f != nil:
			ng.Status, ng.StatusReason = failedStatus(op.Kind), f.Reason
			restoreCount(op, ng)
		case w.stack != nil:
			ng.Status, ng.StatusReason = Status(w.stack.Status), w.stack.StatusReason
		}
		for _, o := range outs {
			applyNodeGroupOutputs(ng, o)
		}
		if err := putNodeGroup(ctx, tx, ng); err != nil {
			return err
		}
	}
	return nil
}

// restoreCount puts back the count a failed resize changed.
func restoreCount(op store.Operation, ng *NodeGroup) {
	if op.Kind != opResize || paramNodeGroup(op) != ng.UUID {
		return
	}
	var p resizeParams
	if json.Unmarshal(op.Params, &p) == nil {
		ng.NodeCount = p.OldCount
	}
}

func applyClusterOutputs(d *clusterDoc, o drivers.Outputs) {
	d.APIAddress = or(o.APIAddress, d.APIAddress)
	d.COEVersion = or(o.COEVersion, d.COEVersion)
	d.ContainerVersion = or(o.ContainerVersion, d.ContainerVersion)
}

func applyNodeGroupOutputs(ng *NodeGroup, o drivers.Outputs) {
	out, ok := o.NodeGroups[ng.UUID]
	if !ok {
		return
	}
	if out.NodeAddresses != nil {
		ng.NodeAddresses = out.NodeAddresses
	}
	if out.NodeCount != nil {
		ng.NodeCount = *out.NodeCount
	}
}

// aggregateStatus is Magnum's rule for a cluster's status from its node
// groups': the first of in progress, failed, complete that any group is
// in; the default master's status verbatim when the cluster has only
// default groups, else UPDATE_ or DELETE_ (when the master is being
// deleted) followed by it. A cluster that completes a create after
// something else completes an update.
func aggregateStatus(prev Status, ngs []*NodeGroup) Status {
	master := defaultGroup(ngs, RoleMaster)
	if master == nil {
		return prev
	}
	action := "UPDATE"
	if strings.HasPrefix(string(master.Status), "DELETE") {
		action = "DELETE"
	}
	extra := false
	for _, ng := range ngs {
		extra = extra || !ng.IsDefault
	}
	st := prev
	for _, state := range []string{"_IN_PROGRESS", "_FAILED", "_COMPLETE"} {
		if anyStatus(ngs, state) {
			st = master.Status
			if extra {
				st = Status(action + state)
			}
			break
		}
	}
	if st == CreateComplete && prev != CreateComplete && prev != CreateInProgress {
		st = UpdateComplete
	}
	return st
}

func anyStatus(ngs []*NodeGroup, suffix string) bool {
	for _, ng := range ngs {
		if strings.HasSuffix(string(ng.Status), suffix) {
			return true
		}
	}
	return false
}

// keepInProgress leaves a cluster in progress when operations are queued
// after the one ending: the status the API set for them must not be
// overwritten by the end of an earlier one.
func keepInProgress(ctx context.Context, tx *store.Tx, op store.Operation, d *clusterDoc) error {
	ops, err := tx.ClusterOperations(ctx, op.ClusterUUID)
	if err != nil {
		return err
	}
	for _, o := range ops {
		if o.ID == op.ID || o.State == store.OpDone {
			continue
		}
		if o.Kind == opDelete {
			d.Status = DeleteInProgress
			return nil
		}
		d.Status = UpdateInProgress
	}
	return nil
}
