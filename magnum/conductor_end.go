package magnum

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/internal/store"
)

// deleted finishes a cluster delete: its trustees and certificates go,
// then its rows and operations.
func (c *conductor) deleted(ctx context.Context, st *opState) error {
	d := st.d
	trustees, err := c.trustees(ctx, d)
	if err != nil {
		return err
	}
	for _, t := range trustees {
		if err := c.s.cloud.DeleteTrustee(ctx, t); err != nil {
			return err
		}
	}
	if err := c.s.certs.Delete(ctx, d.UUID); err != nil {
		return err
	}
	d.Status, d.StatusReason = DeleteComplete, "DELETE completed successfully"
	return c.s.store.Update(ctx, func(tx *store.Tx) error {
		// The deletion follows the cluster's latest version, which a
		// write since d was read may have moved on: a watcher drops a
		// change no newer than one it delivered. The lock keeps another
		// writer from moving it on again before the deletion commits.
		if err := tx.Lock(ctx, clusterLock(d.UUID)); err != nil {
			return err
		}
		rec, err := tx.Get(ctx, store.Clusters, d.UUID)
		switch {
		case err == nil:
			d.rev = rec.Version
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if _, err := tx.DeleteWhere(ctx, store.NodeGroups, store.Eq("cluster_uuid", d.UUID)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.Clusters, d.UUID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		c.s.emit(ctx, tx, "delete", OutcomeSuccess, &d.Cluster, initiator(d))
		d.rev++
		if err := clusterChanged(ctx, tx, ClusterDeleted, d); err != nil {
			return err
		}
		return tx.DeleteOperations(ctx, d.UUID)
	})
}

// trustees returns the trustees of a cluster: the one it has, and those
// its creates made without living to store them on the cluster.
func (c *conductor) trustees(ctx context.Context, d *clusterDoc) ([]cloud.Trustee, error) {
	var out []cloud.Trustee
	add := func(in clusterInternal) {
		if in.TrusteeUserID != "" && !slices.ContainsFunc(out, func(t cloud.Trustee) bool { return t.UserID == in.TrusteeUserID }) {
			out = append(out, in.trustee())
		}
	}
	add(d.Internal)
	var ops []store.Operation
	err := c.s.store.View(ctx, func(tx *store.Tx) (err error) {
		ops, err = tx.ClusterOperations(ctx, d.UUID)
		return err
	})
	for _, op := range ops {
		var p createParams
		if op.Kind == opCreate && json.Unmarshal(op.Params, &p) == nil && p.Trustee != nil {
			add(*p.Trustee)
		}
	}
	return out, err
}

// nodeGroupDeleted removes a deleted node group's row and ends its
// operation.
func (c *conductor) nodeGroupDeleted(ctx context.Context, st *opState) error {
	return c.s.mutateCluster(ctx, st.d.UUID, func(tx *store.Tx, d *clusterDoc, ngs []*NodeGroup) error {
		if err := tx.Delete(ctx, store.NodeGroups, st.op.NodeGroupUUID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		var rest []*NodeGroup
		for _, ng := range ngs {
			if ng.UUID != st.op.NodeGroupUUID {
				rest = append(rest, ng)
				continue
			}
			ng.rev++
			if err := nodeGroupChanged(ctx, tx, NodeGroupDeleted, ng); err != nil {
				return err
			}
		}
		settleCluster(d, d.Status, rest)
		if err := keepInProgress(ctx, tx, st.op, d); err != nil {
			return err
		}
		return tx.FinishOperation(ctx, st.op.ID, c.owner, "")
	})
}

// dropOldTrustee deletes the trustee a credential rotation replaced.
func (c *conductor) dropOldTrustee(ctx context.Context, st *opState) error {
	var p credentialsParams
	if err := json.Unmarshal(st.op.Params, &p); err != nil || p.Old.UserID == "" {
		return err
	}
	if p.Old.UserID == st.d.Internal.TrusteeUserID {
		// The cloud reused the user for the new credentials: only the
		// old trust is to go.
		p.Old.UserID = ""
	}
	return c.s.cloud.DeleteTrustee(ctx, p.Old)
}

// progressDue reports whether the build progress of an operation is due
// for a refresh, and notes it refreshed.
func (c *conductor) progressDue(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.s.now()
	if last, ok := c.progressed[id]; ok && now.Sub(last) < c.s.cfg.progressInterval {
		return false
	}
	c.progressed[id] = now
	return true
}
