package store

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteCounts counts the committed transactions that wrote templates:
// reads, rolled-back writes, deletes of nothing and writes of other kinds
// leave the count alone.
func TestWriteCounts(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		count := func() int64 {
			var n int64
			require.NoError(t, s.Read(ctx, func(tx *Tx) (err error) {
				n, err = tx.WriteCount(ctx, Templates)
				return err
			}))
			return n
		}
		r := rec("7e0b8c9e-1d3f-4c55-9a6b-111111111111", "p", "a", map[string]any{"public": false, "hidden": false})
		steps := []struct {
			name   string
			fn     func(tx *Tx) error
			fail   bool
			bumped int64
		}{
			{"insert", func(tx *Tx) error { return tx.Insert(ctx, Templates, r) }, false, 1},
			{"two puts in one transaction", func(tx *Tx) error {
				if err := tx.Put(ctx, Templates, r); err != nil {
					return err
				}
				return tx.Put(ctx, Templates, r)
			}, false, 1},
			{"read", func(tx *Tx) error { _, err := tx.Get(ctx, Templates, r.UUID); return err }, false, 0},
			{"rolled back", func(tx *Tx) error {
				if err := tx.Put(ctx, Templates, r); err != nil {
					return err
				}
				return errors.New("no")
			}, true, 0},
			{"delete of nothing", func(tx *Tx) error { _, err := tx.DeleteWhere(ctx, Templates, Eq("uuid", "none")); return err }, false, 0},
			{"another kind", func(tx *Tx) error {
				return tx.Insert(ctx, Clusters, rec("7e0b8c9e-1d3f-4c55-9a6b-222222222222", "p", "c",
					map[string]any{"template_uuid": r.UUID, "status": "s"}))
			}, false, 0},
			{"delete", func(tx *Tx) error { return tx.Delete(ctx, Templates, r.UUID) }, false, 1},
		}
		want := count()
		for _, st := range steps {
			err := s.Update(ctx, st.fn)
			if st.fail {
				require.Error(t, err, st.name)
				r.Version-- // the rolled-back Put had bumped it
			} else {
				require.NoError(t, err, st.name)
			}
			want += st.bumped
			assert.Equal(t, want, count(), st.name)
		}
		assert.Error(t, s.Read(ctx, func(tx *Tx) error { _, err := tx.WriteCount(ctx, Clusters); return err }),
			"the change feed follows clusters, not a write count")
		assert.Error(t, s.Read(ctx, func(tx *Tx) error { return tx.Insert(ctx, Templates, rec("x", "p", "x", nil)) }),
			"Read does not write")
	})
}
