package magnum

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gomagnum/gomagnum/cloud"
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
func (s *Service) recordOperation(ctx context.Context, tx *store.Tx, cluster, nodeGroup, kind string, params any) error {
	raw, err := s.operationParams(ctx, cluster, params)
	if err != nil {
		return err
	}
	return tx.InsertOperation(ctx, &store.Operation{UUID: newUUID(), ClusterUUID: cluster, NodeGroupUUID: nodeGroup,
		Kind: kind, Params: raw})
}

// operationParams encodes an operation's parameters, with the caller's
// Keystone token sealed beside them: as Magnum, the conductor acts on the
// cluster's stacks with the token of the user who asked (see
// operationOrchestrator), and a create makes the cluster's trust with it.
func (s *Service) operationParams(ctx context.Context, cluster string, params any) ([]byte, error) {
	tp, err := s.trustorParams(ctx, cluster)
	if err != nil || (tp == nil && params == nil) {
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &fields); err != nil {
			return nil, fmt.Errorf("operation parameters must be an object: %w", err)
		}
	}
	if tp != nil {
		fields["trustor_token"], _ = json.Marshal(tp.TrustorToken)
	}
	return json.Marshal(fields)
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

// trustorParams are the parameters of an operation that creates a trust
// from the caller: the caller's token, sealed.
type trustorParams struct {
	TrustorToken string `json:"trustor_token,omitempty"`
}

// trustorParams seals the caller's token, if any, for the operation on a
// cluster that will create a trust from the caller.
func (s *Service) trustorParams(ctx context.Context, cluster string) (*trustorParams, error) {
	c, err := callerOf(ctx)
	if err != nil || c.AuthToken == "" {
		return nil, err
	}
	sealed, err := s.keys.Seal([]byte(c.AuthToken), []byte("trustor/"+cluster))
	if err != nil {
		return nil, err
	}
	return &trustorParams{TrustorToken: sealed}, nil
}

// trustorContext returns ctx carrying the trustor's token an operation's
// parameters hold, for the cloud to create the trust with.
func (s *Service) trustorContext(ctx context.Context, cluster string, params []byte) context.Context {
	var p trustorParams
	if json.Unmarshal(params, &p) != nil || p.TrustorToken == "" {
		return ctx
	}
	token, err := s.keys.Open(p.TrustorToken, []byte("trustor/"+cluster))
	if err != nil {
		s.log.Warn("the trustor's token does not open", "cluster", cluster, "error", err)
		return ctx
	}
	return cloud.WithTrustorToken(ctx, string(token))
}
