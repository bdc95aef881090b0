package store

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClaimWithDeleteQueued: a queued delete waits for an operation of its
// cluster being started by a live conductor, then supersedes the rest;
// nothing else of the cluster is claimed once it is queued.
func TestClaimWithDeleteQueued(t *testing.T) {
	type op struct {
		kind, state, step string
		leaseLeft         time.Duration // from now; negative: run out
	}
	tests := []struct {
		name string
		ops  []op
		want []string // kinds claimable, oldest first
	}{
		{"a starting create holds the delete back",
			[]op{{"create", "running", "", time.Minute}, {"delete", "pending", "", 0}}, nil},
		{"a create waiting for its stack lets it through",
			[]op{{"create", "running", "wait", time.Minute}, {"delete", "pending", "", 0}}, []string{"delete"}},
		{"a dead conductor's create is superseded, not resumed",
			[]op{{"create", "running", "", -time.Second}, {"delete", "pending", "", 0}}, []string{"delete"}},
		{"a create not started is superseded",
			[]op{{"create", "pending", "", 0}, {"delete", "pending", "", 0}}, []string{"delete"}},
		{"a resize queued behind the delete is superseded",
			[]op{{"delete", "pending", "", 0}, {"resize", "pending", "", 0}}, []string{"delete"}},
		{"a dead conductor's delete is resumed",
			[]op{{"create", "done", "", 0}, {"delete", "running", "wait", -time.Second}}, []string{"delete"}},
		{"without a delete, the oldest pending goes",
			[]op{{"create", "pending", "", 0}, {"resize", "pending", "", 0}}, []string{"create"}},
	}
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				now := s.now()
				cluster := "c" + string(rune('a'+i))
				ids := map[int64]string{}
				require.NoError(t, s.Update(ctx, func(tx *Tx) error {
					for j, o := range tt.ops {
						rec := &Operation{UUID: cluster + string(rune('0'+j)), ClusterUUID: cluster, Kind: o.kind}
						if err := tx.InsertOperation(ctx, rec); err != nil {
							return err
						}
						ids[rec.ID] = o.kind
						_, err := tx.exec(ctx, "UPDATE operations SET state = ?, step = ?, owner = ?, lease_until = ? WHERE id = ?",
							o.state, o.step, "x", micros(now.Add(o.leaseLeft)), rec.ID)
						if err != nil {
							return err
						}
					}
					return nil
				}))
				var listed, claimed []string
				require.NoError(t, s.Update(ctx, func(tx *Tx) error {
					ops, err := tx.ClaimableOperations(ctx, now, 100)
					if err != nil {
						return err
					}
					for _, o := range ops {
						if o.ClusterUUID == cluster {
							listed = append(listed, o.Kind)
						}
					}
					for _, id := range slices.Sorted(maps.Keys(ids)) {
						ok, err := tx.ClaimOperation(ctx, id, "y", now, now.Add(time.Minute))
						if err != nil {
							return err
						}
						if ok {
							claimed = append(claimed, ids[id])
						}
					}
					return nil
				}))
				assert.Equal(t, tt.want, listed, "listed as claimable")
				assert.Equal(t, tt.want, claimed, "claimed")
				var queued bool
				require.NoError(t, s.View(ctx, func(tx *Tx) (err error) {
					queued, err = tx.DeleteQueued(ctx, cluster)
					return err
				}))
				assert.True(t, queued == slices.ContainsFunc(tt.ops, func(o op) bool { return o.kind == "delete" && o.state != "done" }))
			})
		}
	})
}
