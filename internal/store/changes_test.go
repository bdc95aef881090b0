package store

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChanges counts the committed transactions that wrote each kind:
// reads, rolled-back writes and deletes of nothing leave the count alone.
func TestChanges(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		count := func(k Kind) int64 {
			var n int64
			require.NoError(t, s.Read(ctx, func(tx *Tx) (err error) {
				n, err = tx.Changes(ctx, k)
				return err
			}))
			return n
		}
		c0, t0 := count(Clusters), count(Templates)
		r := rec("7e0b8c9e-1d3f-4c55-9a6b-111111111111", "p", "a", map[string]any{"template_uuid": "t", "status": "s"})
		steps := []struct {
			name   string
			fn     func(tx *Tx) error
			fail   bool
			bumped int64
		}{
			{"insert", func(tx *Tx) error { return tx.Insert(ctx, Clusters, r) }, false, 1},
			{"two puts in one transaction", func(tx *Tx) error {
				if err := tx.Put(ctx, Clusters, r); err != nil {
					return err
				}
				return tx.Put(ctx, Clusters, r)
			}, false, 1},
			{"read", func(tx *Tx) error { _, err := tx.Get(ctx, Clusters, r.UUID); return err }, false, 0},
			{"rolled back", func(tx *Tx) error {
				if err := tx.Put(ctx, Clusters, r); err != nil {
					return err
				}
				return errors.New("no")
			}, true, 0},
			{"delete of nothing", func(tx *Tx) error { _, err := tx.DeleteWhere(ctx, Clusters, Eq("uuid", "none")); return err }, false, 0},
			{"delete", func(tx *Tx) error { return tx.Delete(ctx, Clusters, r.UUID) }, false, 1},
		}
		want := c0
		for _, st := range steps {
			err := s.Update(ctx, st.fn)
			if st.fail {
				require.Error(t, err, st.name)
				r.Version-- // the rolled-back Put had bumped it
			} else {
				require.NoError(t, err, st.name)
			}
			want += st.bumped
			assert.Equal(t, want, count(Clusters), st.name)
		}
		assert.Equal(t, t0, count(Templates), "other kinds are not bumped")
		assert.Error(t, s.Read(ctx, func(tx *Tx) error { return tx.Insert(ctx, Templates, rec("x", "p", "x", nil)) }),
			"Read does not write")
	})
}
