package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/store/storetest"
)

// openEach runs fn on a fresh SQLite store and, where PostgreSQL is
// available, on a fresh PostgreSQL schema.
func openEach(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "db.sqlite"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := OpenPostgres(context.Background(), storetest.PostgresDSN(t))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
}

func rec(uuid, project, name string, cols map[string]any) *Record {
	return &Record{UUID: uuid, ProjectID: project, Name: name, Columns: cols,
		Data: []byte(fmt.Sprintf(`{"uuid":%q,"name":%q,"node_count":%d}`, uuid, name, len(name)))}
}

func TestRecords(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		err := s.Update(ctx, func(tx *Tx) error {
			for i := range 5 {
				r := rec(fmt.Sprintf("u%d", i), "p", strings.Repeat("x", 5-i), map[string]any{"template_uuid": "t", "status": "S"})
				if err := tx.Insert(ctx, Clusters, r); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(t, err)

		err = s.Update(ctx, func(tx *Tx) error {
			return tx.Insert(ctx, Clusters, rec("u1", "p", "dup", map[string]any{"template_uuid": "t", "status": "S"}))
		})
		require.ErrorIs(t, err, ErrDuplicate)

		var page []Record
		require.NoError(t, s.View(ctx, func(tx *Tx) (err error) {
			page, err = tx.Find(ctx, Clusters, Query{Where: Eq("project_id", "p"), SortKey: "node_count", Limit: 2, Marker: "u3"})
			return err
		}))
		// node_count (name length) ascending: u4(1) u3(2) u2(3) u1(4) u0(5)
		require.Len(t, page, 2)
		assert.Equal(t, []string{"u2", "u1"}, []string{page[0].UUID, page[1].UUID})

		err = s.View(ctx, func(tx *Tx) error {
			_, err := tx.Find(ctx, Clusters, Query{Marker: "nope"})
			return err
		})
		require.ErrorIs(t, err, ErrNotFound)

		// Optimistic locking: two writers read version 1, the second loses.
		var a, b Record
		require.NoError(t, s.View(ctx, func(tx *Tx) (err error) {
			if a, err = tx.Get(ctx, Clusters, "u0"); err != nil {
				return err
			}
			b, err = tx.Get(ctx, Clusters, "u0")
			return err
		}))
		a.Columns = map[string]any{"template_uuid": "t", "status": "A"}
		b.Columns = map[string]any{"template_uuid": "t", "status": "B"}
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.Put(ctx, Clusters, &a) }))
		err = s.Update(ctx, func(tx *Tx) error { return tx.Put(ctx, Clusters, &b) })
		require.ErrorIs(t, err, ErrConflict)

		var n int
		require.NoError(t, s.View(ctx, func(tx *Tx) (err error) {
			n, err = tx.Count(ctx, Clusters, Eq("status", "A"))
			return err
		}))
		assert.Equal(t, 1, n)

		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.Delete(ctx, Clusters, "u0") }))
		err = s.Update(ctx, func(tx *Tx) error { return tx.Delete(ctx, Clusters, "u0") })
		require.ErrorIs(t, err, ErrNotFound)
	})
}

func TestQuotasServicesBlobs(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		require.NoError(t, s.Update(ctx, func(tx *Tx) error {
			for _, p := range []string{"a", "b", "c"} {
				if err := tx.InsertQuota(ctx, &Quota{ProjectID: p, Resource: "Cluster", HardLimit: 3}); err != nil {
					return err
				}
			}
			return tx.Heartbeat(ctx, "h", "magnum-conductor")
		}))
		err := s.Update(ctx, func(tx *Tx) error {
			return tx.InsertQuota(ctx, &Quota{ProjectID: "a", Resource: "Cluster", HardLimit: 1})
		})
		require.ErrorIs(t, err, ErrDuplicate)
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.Heartbeat(ctx, "h", "magnum-conductor") }))

		require.NoError(t, s.View(ctx, func(tx *Tx) error {
			qs, err := tx.ListQuotas(ctx, QuotaQuery{SortKey: "project_id", Desc: true, Limit: 1, Marker: 3})
			require.NoError(t, err)
			require.Len(t, qs, 1)
			assert.Equal(t, "b", qs[0].ProjectID)
			svcs, err := tx.ListServices(ctx)
			require.NoError(t, err)
			require.Len(t, svcs, 1)
			assert.EqualValues(t, 2, svcs[0].ReportCount)
			assert.False(t, svcs[0].LastSeenUp.IsZero())
			return nil
		}))

		b := s.Blobs("ns")
		_, err = b.Get(ctx, "k")
		require.ErrorIs(t, err, fs.ErrNotExist)
		require.NoError(t, b.Put(ctx, "k1", []byte("v1")))
		require.NoError(t, b.Put(ctx, "k1", []byte("v2")))
		require.NoError(t, b.Put(ctx, "k2", []byte("x")))
		require.NoError(t, s.Blobs("other").Put(ctx, "k3", []byte("y")))
		all, err := b.List(ctx, "k")
		require.NoError(t, err)
		assert.Equal(t, map[string][]byte{"k1": []byte("v2"), "k2": []byte("x")}, all)
		require.NoError(t, b.Delete(ctx, "k1"))
		require.NoError(t, b.Delete(ctx, "k1"))
	})
}

// TestQueuedBlobWrites queues writes without waiting: they keep their
// order with the writes made around them, and Flush waits for them.
func TestQueuedBlobWrites(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		b := s.Blobs("queued")
		require.NoError(t, b.Flush(ctx), "nothing to flush")
		for i := range 100 {
			require.NoError(t, b.QueuePut(ctx, fmt.Sprintf("k%03d", i), []byte{byte(i)}))
		}
		require.NoError(t, b.QueuePut(ctx, "gone", []byte("x")))
		require.NoError(t, b.Delete(ctx, "gone"), "a waited write comes after the queued ones")
		require.NoError(t, b.QueuePut(ctx, "k000", []byte("last")))
		require.NoError(t, b.QueueDelete(ctx, "k001"))
		require.NoError(t, b.Flush(ctx))
		all, err := b.List(ctx, "")
		require.NoError(t, err)
		assert.Len(t, all, 99)
		assert.Equal(t, []byte("last"), all["k000"])
		assert.NotContains(t, all, "gone")
		assert.NotContains(t, all, "k001")
	})
}

func TestOperationLeases(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		op := &Operation{UUID: "op1", ClusterUUID: "c1", Kind: "create"}
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.InsertOperation(ctx, op) }))
		now := s.now()
		claim := func(owner string, at int) (ok bool) {
			require.NoError(t, s.Update(ctx, func(tx *Tx) (err error) {
				ok, err = tx.ClaimOperation(ctx, op.ID, owner, now.Add(secs(at)), now.Add(secs(at+10)))
				return err
			}))
			return ok
		}
		release := func(owner string) (n int64) {
			require.NoError(t, s.Update(ctx, func(tx *Tx) (err error) {
				n, err = tx.ReleaseLeases(ctx, owner)
				return err
			}))
			return n
		}
		assert.True(t, claim("a", 0))
		assert.False(t, claim("b", 5), "lease still held")
		assert.Zero(t, release("b"), "only the holder gives a lease up")
		assert.False(t, claim("b", 6), "lease still held")
		assert.EqualValues(t, 1, release("a"))
		assert.True(t, claim("b", 7), "lease given up")
		assert.False(t, claim("a", 8), "lease held again")
		assert.True(t, claim("a", 18), "lease expired")
		assert.True(t, claim("b", 29), "lease expired")
		err := s.Update(ctx, func(tx *Tx) error { return tx.FinishOperation(ctx, op.ID, "a", "") })
		require.ErrorIs(t, err, ErrConflict)
		require.NoError(t, s.Update(ctx, func(tx *Tx) error { return tx.FinishOperation(ctx, op.ID, "b", "") }))
		require.NoError(t, s.View(ctx, func(tx *Tx) error {
			ops, err := tx.Operations(ctx, 0, OpPending, OpRunning)
			assert.Empty(t, ops)
			return err
		}))
		require.NoError(t, s.Update(ctx, func(tx *Tx) error {
			n, err := tx.PruneOperations(ctx, now.Add(-time.Hour))
			assert.Zero(t, n, "a recent operation stays")
			if err != nil {
				return err
			}
			n, err = tx.PruneOperations(ctx, now.Add(time.Hour))
			assert.EqualValues(t, 1, n)
			return err
		}))
	})
}

func TestConcurrentWriters(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Go(func() {
				errs <- s.Update(ctx, func(tx *Tx) error {
					if err := tx.Lock(ctx, "p"); err != nil {
						return err
					}
					return tx.Insert(ctx, Templates, rec(fmt.Sprint("t", i), "p", "n", map[string]any{"public": true, "hidden": false}))
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.NoError(t, s.View(ctx, func(tx *Tx) error {
			n, err := tx.Count(ctx, Templates, Eq("public", true))
			assert.Equal(t, 40, n)
			return err
		}))
	})
}

func TestMigrationsAreIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite")
	for range 2 {
		s, err := OpenSQLite(context.Background(), path)
		require.NoError(t, err)
		require.NoError(t, s.Close())
	}
	_, err := OpenSQLite(context.Background(), "/proc/forbidden/db.sqlite")
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrNotFound))
}

func TestProjectCounts(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		cols := map[string]any{"template_uuid": "t", "status": "S"}
		require.NoError(t, s.Update(ctx, func(tx *Tx) error {
			for i, p := range []string{"a", "a", "a", "b"} {
				if err := tx.Insert(ctx, Clusters, rec(fmt.Sprint("c", i), p, "n", cols)); err != nil {
					return err
				}
			}
			if err := tx.Delete(ctx, Clusters, "c0"); err != nil {
				return err
			}
			_, err := tx.DeleteWhere(ctx, Clusters, Eq("project_id", "b"))
			return err
		}))
		require.NoError(t, s.View(ctx, func(tx *Tx) error {
			for p, want := range map[string]int{"a": 2, "b": 0, "c": 0} {
				n, err := tx.ProjectCount(ctx, Clusters, p)
				require.NoError(t, err)
				assert.Equal(t, want, n, p)
				counted, err := tx.Count(ctx, Clusters, Eq("project_id", p))
				require.NoError(t, err)
				assert.Equal(t, counted, n, "the count agrees with the rows")
			}
			return nil
		}))
	})
}

// TestCommitAfterCancel ends the context inside a transaction whose
// function succeeds: the commit reports the context's error, whether or
// not database/sql has already rolled the transaction back.
func TestCommitAfterCancel(t *testing.T) {
	openEach(t, func(t *testing.T, s *Store) {
		for _, rollbackFirst := range []bool{false, true} {
			ctx, cancel := context.WithCancel(context.Background())
			err := s.View(ctx, func(tx *Tx) error {
				_, err := tx.Count(ctx, Clusters, Eq("status", "A"))
				cancel()
				if rollbackFirst {
					tx.tx.Rollback()
				}
				return err
			})
			require.ErrorIs(t, err, context.Canceled, "rolled back first: %v", rollbackFirst)
		}
	})
}
