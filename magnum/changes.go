package magnum

import (
	"context"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
)

// ChangeKind says what a Change reports.
type ChangeKind string

// The kinds of changes a watch delivers.
const (
	// ClusterSnapshot is a cluster's latest state: the first change a
	// watch of one cluster delivers, and what a watch that fell behind the
	// feed's retention delivers instead of the changes it missed.
	ClusterSnapshot ChangeKind = "cluster.snapshot"
	// ClusterChanged: the cluster was created or changed (status,
	// status_reason, health, addresses...).
	ClusterChanged ChangeKind = "cluster.changed"
	// ClusterDeleted: the cluster is gone; Cluster is its last state, with
	// status DELETE_COMPLETE.
	ClusterDeleted ChangeKind = "cluster.deleted"
	// NodeGroupChanged: one of the cluster's node groups was created or
	// changed.
	NodeGroupChanged ChangeKind = "nodegroup.changed"
	// NodeGroupDeleted: one of the cluster's node groups is gone.
	NodeGroupDeleted ChangeKind = "nodegroup.deleted"
)

// Change is one change of a cluster or of one of its node groups, as the
// service's change feed recorded it in the transaction that made it.
type Change struct {
	// Seq orders the changes of every cluster: it grows in the order the
	// changes committed, across the instances sharing a database. A
	// snapshot has the Seq of the last change it includes.
	Seq  int64
	Kind ChangeKind
	// ClusterUUID is the cluster the change is about.
	ClusterUUID string
	// Cluster is the cluster as the change left it (cluster changes and
	// snapshots).
	Cluster *Cluster
	// NodeGroup is the node group as the change left it (node group
	// changes).
	NodeGroup *NodeGroup
	// Time is when the change was recorded.
	Time time.Time
}

// WithChangeRetention sets how many of the newest changes the change feed
// keeps for watchers (default 10,000). A watcher that falls further
// behind gets the latest state of what it watches instead of the changes
// it missed.
func WithChangeRetention(n int) Option {
	return func(c *config) { c.changeRetention = int64(max(1, n)) }
}

// recordChange adds to the feed, in tx, the transaction making it, a
// change of a cluster or node group: obj as it is now, at version. The
// row is written when tx is about to commit, so that the feed's lock is
// held for as short a time as possible.
func recordChange(ctx context.Context, tx *store.Tx, kind ChangeKind, clusterUUID, projectID string, version int64, obj any) error {
	body, err := encodeDoc(obj)
	if err != nil {
		return err
	}
	tx.BeforeCommit(func() error {
		return tx.InsertChange(ctx, &store.Change{ClusterUUID: clusterUUID, ProjectID: projectID,
			Kind: string(kind), Version: version, Body: body})
	})
	return nil
}

// clusterChanged records a change of a cluster as d is now.
func clusterChanged(ctx context.Context, tx *store.Tx, kind ChangeKind, d *clusterDoc) error {
	c := d.Cluster
	return recordChange(ctx, tx, kind, c.UUID, c.ProjectID, d.rev, &c)
}

// nodeGroupChanged records a change of a node group as ng is now.
func nodeGroupChanged(ctx context.Context, tx *store.Tx, kind ChangeKind, ng *NodeGroup) error {
	return recordChange(ctx, tx, kind, ng.ClusterID, ng.ProjectID, ng.rev, ng)
}
