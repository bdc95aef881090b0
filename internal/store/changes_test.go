package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChangeFeed: changes come out in commit order, filtered, only once
// committed; the feed keeps about its retention, and a committed change
// signals this process's waiters.
func TestChangeFeed(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		s.SetChangeRetention(8)
		insert := func(cluster string) error {
			return s.Update(ctx, func(tx *Tx) error {
				return tx.InsertChange(ctx, &Change{ClusterUUID: cluster, ProjectID: "p", Kind: "k", Version: 1, Body: []byte(`{}`)})
			})
		}
		read := func(after int64, c Cond) (ids []int64, clusters []string) {
			require.NoError(t, s.View(ctx, func(tx *Tx) error {
				chs, err := tx.Changes(ctx, after, c, 100)
				for _, ch := range chs {
					ids, clusters = append(ids, ch.ID), append(clusters, ch.ClusterUUID)
				}
				return err
			}))
			return ids, clusters
		}
		wake := s.ChangeSignal()
		require.NoError(t, insert("c1"))
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Fatal("a committed change does not signal")
		}
		require.NoError(t, insert("c2"))
		err := s.Update(ctx, func(tx *Tx) error {
			if err := tx.InsertChange(ctx, &Change{ClusterUUID: "c1", Kind: "k", Body: []byte(`{}`)}); err != nil {
				return err
			}
			return errors.New("rolled back")
		})
		require.Error(t, err)
		ids, clusters := read(0, Cond{})
		assert.Equal(t, []string{"c1", "c2"}, clusters)
		assert.Less(t, ids[0], ids[1])
		_, clusters = read(0, Eq("cluster_uuid", "c2"))
		assert.Equal(t, []string{"c2"}, clusters)
		_, clusters = read(ids[0], Cond{})
		assert.Equal(t, []string{"c2"}, clusters)

		for range 40 {
			require.NoError(t, insert("c3"))
		}
		var first, last int64
		require.NoError(t, s.View(ctx, func(tx *Tx) (err error) {
			first, last, err = tx.ChangeBounds(ctx)
			return err
		}))
		assert.LessOrEqual(t, last-first+1, int64(8+pruneEvery(8)), "pruned to the retention")
		assert.Greater(t, first, ids[1], "the oldest changes are gone")
	})
}
