package magnum

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
)

// finish ends an operation this conductor holds; errText is empty on
// success.
func (c *conductor) finish(ctx context.Context, op store.Operation, errText string) {
	err := c.s.store.Update(ctx, func(tx *store.Tx) error { return tx.FinishOperation(ctx, op.ID, c.owner, errText) })
	if err != nil && !errors.Is(err, store.ErrConflict) {
		c.logErr(ctx, "finishing an operation", err)
	}
}

// failedStatus is the status an operation of a kind leaves a cluster in
// when it fails.
func failedStatus(kind string) Status {
	switch kind {
	case opCreate:
		return CreateFailed
	case opDelete:
		return DeleteFailed
	}
	return UpdateFailed
}

// failStart records that an operation could not start: the cluster and
// the node groups it touched fail with a fault saying why, a resize's old
// count is restored, and the operation ends.
func (c *conductor) failStart(ctx context.Context, st *opState, op store.Operation, cause error) {
	f := faultFromError(cause)
	err := c.s.mutateCluster(ctx, op.ClusterUUID, func(tx *store.Tx, d *clusterDoc, ngs []*NodeGroup) error {
		if st != nil && st.d.Internal.TrusteeUserID != "" {
			d.Internal = st.d.Internal // a trustee made before the failure, to delete with the cluster
		}
		status := failedStatus(op.Kind)
		for _, ng := range touched(op, ngs) {
			ng.Status, ng.StatusReason = status, f.Reason
			if op.Kind == opResize {
				var p resizeParams
				if json.Unmarshal(op.Params, &p) == nil && p.NodeGroup == ng.UUID {
					ng.NodeCount = p.OldCount
				}
			}
			if err := putNodeGroup(ctx, tx, ng); err != nil {
				return err
			}
		}
		d.Status, d.StatusReason, d.Fault = status, f.Reason, f
		if err := keepInProgress(ctx, tx, op, d); err != nil {
			return err
		}
		c.s.emit(ctx, tx, eventOperation(op.Kind), OutcomeFailure, &d.Cluster, initiator(d))
		return tx.FinishOperation(ctx, op.ID, c.owner, f.Reason)
	})
	if errors.Is(err, ErrNotFound) && op.Kind == opCreate {
		// A delete superseded the create and ended before it failed:
		// certificates it issued since would be left without a cluster.
		err = c.s.certs.Delete(ctx, op.ClusterUUID)
	}
	if err != nil {
		c.logErr(ctx, "recording a failed operation", err)
	}
}

// stepAside ends an operation a queued delete supersedes before it made
// a stack. The cluster keeps the status the delete gave it, and the
// trustee the operation made, for the delete to remove.
func (c *conductor) stepAside(ctx context.Context, st *opState) {
	err := c.s.mutateCluster(ctx, st.op.ClusterUUID, func(tx *store.Tx, d *clusterDoc, _ []*NodeGroup) error {
		if st.d.Internal.TrusteeUserID != "" {
			d.Internal = st.d.Internal
		}
		return tx.FinishOperation(ctx, st.op.ID, c.owner, errDeleteQueued.Error())
	})
	if err != nil {
		c.logErr(ctx, "ending an operation superseded by a delete", err)
	}
}

// touched returns the node groups an operation acts on.
func touched(op store.Operation, ngs []*NodeGroup) []*NodeGroup {
	switch op.Kind {
	case opCreate:
		return defaultGroups(ngs)
	case opDelete, opRotateCA, opRotateTrustee:
		return ngs
	}
	target := op.NodeGroupUUID
	if target == "" {
		target = paramNodeGroup(op)
	}
	for _, ng := range ngs {
		if ng.UUID == target {
			// The default groups share the cluster's stack.
			if ng.IsDefault {
				return defaultGroups(ngs)
			}
			return []*NodeGroup{ng}
		}
	}
	return nil
}

func defaultGroups(ngs []*NodeGroup) []*NodeGroup {
	var out []*NodeGroup
	for _, ng := range ngs {
		if ng.IsDefault {
			out = append(out, ng)
		}
	}
	return out
}

// paramNodeGroup reads the node group a resize or upgrade names.
func paramNodeGroup(op store.Operation) string {
	var p struct {
		NodeGroup string `json:"nodegroup"`
	}
	json.Unmarshal(op.Params, &p)
	return p.NodeGroup
}

// eventOperation is the notification operation of an operation kind.
func eventOperation(kind string) string {
	switch kind {
	case opCreate:
		return "create"
	case opDelete:
		return "delete"
	}
	return "update"
}

// faultFromError classifies an error that kept an operation from starting.
func faultFromError(err error) *Fault {
	f := classify(err.Error())
	switch {
	case errors.Is(err, heat.ErrUnauthorized):
		f.Code, f.Retryable = FaultAuth, false
	case errors.Is(err, ErrLimitExceeded), f.Code == FaultLimitExceeded:
		f.Code, f.Retryable = FaultLimitExceeded, false
	case errors.Is(err, heat.ErrInvalid), errors.Is(err, ErrInvalid):
		f.Code, f.Retryable = FaultInvalid, false
	case errors.Is(err, heat.ErrUnavailable):
		f.Retryable = true
	case errors.Is(err, drivers.ErrUnavailable):
		f.Code, f.Retryable = FaultDriverUnavailable, true
		var ue *drivers.UnavailableError
		if errors.As(err, &ue) {
			f.Resource, f.ResourceType = ue.Driver, "driver"
		}
	}
	return f
}

// classify reads the machine-readable code of a failure from its reason.
func classify(reason string) *Fault {
	lower := strings.ToLower(reason)
	f := &Fault{Code: FaultUnknown, Reason: reason}
	for _, rule := range faultRules {
		for _, marker := range rule.markers {
			if strings.Contains(lower, marker) {
				f.Code, f.Retryable = rule.code, rule.retryable
				return f
			}
		}
	}
	return f
}

var faultRules = []struct {
	code      FaultCode
	retryable bool
	markers   []string
}{
	{FaultQuotaExceeded, false, []string{"quota exceeded", "quotaexceeded", "overquota", "over quota"}},
	{FaultLimitExceeded, false, []string{"request limit exceeded", "requestlimitexceeded"}},
	{FaultNoValidHost, true, []string{"no valid host"}},
	{FaultWaitConditionTimeout, true, []string{"waitconditiontimeout", "wait condition timeout"}},
	{FaultImageNotFound, false, []string{"image not found", "imagenotfound"}},
	{FaultTimeout, true, []string{"timed out", "timeout"}},
	{FaultAuth, false, []string{"unauthorized", "forbidden", "not authorized", "authentication"}},
}
