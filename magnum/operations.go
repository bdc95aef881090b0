package magnum

import (
	"context"
	"encoding/json"

	"github.com/gomagnum/gomagnum/internal/store"
	"github.com/gomagnum/gomagnum/quota"
)

// Kinds of operations the API hands to the conductor.
const (
	opCreate        = "create"
	opResize        = "resize"
	opUpgrade       = "upgrade"
	opDelete        = "delete"
	opRotateCA      = "rotate_ca"
	opNodeGroupAdd  = "nodegroup_create"
	opNodeGroupDel  = "nodegroup_delete"
	opRotateTrustee = "rotate_credentials"
)

// recordOperation durably records work for the conductor, in the
// transaction that changed the cluster.
func recordOperation(ctx context.Context, tx *store.Tx, cluster, nodeGroup, kind string, params any) error {
	var raw []byte
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return err
		}
		raw = b
	}
	return tx.InsertOperation(ctx, &store.Operation{UUID: newUUID(), ClusterUUID: cluster, NodeGroupUUID: nodeGroup,
		Kind: kind, Params: raw})
}

// quotaCounter counts within a store transaction.
type quotaCounter struct{ tx *store.Tx }

func (q quotaCounter) HardLimit(ctx context.Context, project string, r quota.Resource) (int, bool, error) {
	row, err := q.tx.GetQuota(ctx, project, string(r))
	if err != nil {
		if isStoreNotFound(err) {
			return 0, false, nil
		}
		return 0, false, err
	}
	return row.HardLimit, true, nil
}

func (q quotaCounter) Used(ctx context.Context, project string, _ quota.Resource) (int, error) {
	return q.tx.ProjectCount(ctx, store.Clusters, project)
}
