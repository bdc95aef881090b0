package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEventOutbox: events come out in the order they went in, stay until
// deleted, and are visible only once their transaction commits.
func TestEventOutbox(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		insert := func(cluster, body string) error {
			return s.Update(ctx, func(tx *Tx) error { return tx.InsertEvent(ctx, &Event{ClusterUUID: cluster, Body: []byte(body)}) })
		}
		bodies := func() []string {
			var out []string
			require.NoError(t, s.View(ctx, func(tx *Tx) error {
				evs, err := tx.Events(ctx, 10)
				for _, e := range evs {
					out = append(out, string(e.Body))
				}
				return err
			}))
			return out
		}
		for _, e := range [][2]string{{"c1", "1"}, {"c2", "2"}, {"c1", "3"}} {
			require.NoError(t, insert(e[0], e[1]))
		}
		err := s.Update(ctx, func(tx *Tx) error {
			if err := tx.InsertEvent(ctx, &Event{ClusterUUID: "c1", Body: []byte("rolled back")}); err != nil {
				return err
			}
			return ErrConflict
		})
		require.ErrorIs(t, err, ErrConflict)
		assert.Equal(t, []string{"1", "2", "3"}, bodies())

		var first []Event
		require.NoError(t, s.View(ctx, func(tx *Tx) (err error) {
			first, err = tx.Events(ctx, 2)
			return err
		}))
		require.Len(t, first, 2)
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.DeleteEvents(ctx, first[0].ID, first[1].ID) }))
		assert.Equal(t, []string{"3"}, bodies())
	})
}

// TestLease: one holder at a time, until its lease runs out or it gives
// it up.
func TestLease(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := s.now()
		hold := func(owner string, at int) (held bool) {
			require.NoError(t, s.Update(ctx, func(tx *Tx) (err error) {
				held, err = tx.HoldLease(ctx, "l", owner, now.Add(secs(at)), now.Add(secs(at+10)))
				return err
			}))
			return held
		}
		assert.True(t, hold("a", 0), "free")
		assert.True(t, hold("a", 5), "renewed by its holder")
		assert.False(t, hold("b", 14), "held by a until 15")
		assert.True(t, hold("b", 16), "a's ran out")
		assert.False(t, hold("a", 17))
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.ReleaseLease(ctx, "l", "a") }))
		assert.False(t, hold("a", 18), "only its holder gives it up")
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.ReleaseLease(ctx, "l", "b") }))
		assert.True(t, hold("a", 19), "given up")
	})
}

// TestCommitHooks: BeforeCommit runs in the transaction after its
// function, and its error rolls it back; AfterCommit runs only once the
// transaction committed.
func TestCommitHooks(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var after []string
		run := func(name string, fail bool) error {
			return s.Update(ctx, func(tx *Tx) error {
				tx.BeforeCommit(func() error {
					if fail {
						return ErrConflict
					}
					return tx.InsertEvent(ctx, &Event{ClusterUUID: "c", Body: []byte(name)})
				})
				tx.AfterCommit(func() { after = append(after, name) })
				return nil
			})
		}
		require.NoError(t, run("kept", false))
		require.ErrorIs(t, run("rolled back", true), ErrConflict)
		assert.Equal(t, []string{"kept"}, after)
		require.NoError(t, s.View(ctx, func(tx *Tx) error {
			evs, err := tx.Events(ctx, 10)
			require.Len(t, evs, 1)
			assert.Equal(t, "kept", string(evs[0].Body))
			return err
		}))
	})
}
