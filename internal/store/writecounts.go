package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
)

// wrote makes the transaction bump, once, when it commits, the write
// count of a kind that keeps one (see bumpWriteCounts), and this
// process's count of the kind's writes (see LocalWrites).
func (t *Tx) wrote(k Kind) {
	if t.wroteKinds == nil {
		t.wroteKinds = map[string]bool{}
	}
	t.wroteKinds[k.table] = k.writeCounted
}

// bumpWriteCounts bumps the write counts of the kinds the transaction
// wrote, after everything else it does and in one order: the counts' rows
// are the last locks a writing transaction takes, so writers never wait
// for each other in a cycle.
func (t *Tx) bumpWriteCounts(ctx context.Context) error {
	for _, kind := range slices.Sorted(maps.Keys(t.wroteKinds)) {
		if !t.wroteKinds[kind] {
			continue
		}
		if _, err := t.exec(ctx, "UPDATE write_counts SET n = n + 1 WHERE kind = ?", kind); err != nil {
			return fmt.Errorf("write count of %s: %w", kind, err)
		}
	}
	return nil
}

// WriteCount returns how many committed transactions wrote records of a
// kind that keeps a write count (templates; the change feed follows
// clusters and node groups). It only grows: two reads giving the same
// count saw the same records of that kind, on any instance sharing the
// database, and a read of the records after the count shows the state at
// the count or later.
func (t *Tx) WriteCount(ctx context.Context, k Kind) (int64, error) {
	if !k.writeCounted {
		return 0, fmt.Errorf("store: writes of %s are not counted", k.table)
	}
	var n int64
	err := t.queryRow(ctx, "SELECT n FROM write_counts WHERE kind = ?", k.table).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		err = errors.New("store: no write count of " + k.table)
	}
	return n, err
}

// LocalWrites returns how many transactions of this process (of this
// Store) that wrote records of a kind have committed. It is bumped after
// the commit and before Update returns, so a read that starts after a
// write of this process returned sees a greater count. Writes of other
// processes, or of other Stores on the same database, are not counted.
func (s *Store) LocalWrites(k Kind) int64 { return s.localCount(k.table).Load() }

func (s *Store) localCount(table string) *atomic.Int64 {
	if c, ok := s.local.Load(table); ok {
		return c.(*atomic.Int64)
	}
	c, _ := s.local.LoadOrStore(table, new(atomic.Int64))
	return c.(*atomic.Int64)
}

// countLocalWrites bumps the local write counts of the kinds a committed
// transaction wrote.
func (t *Tx) countLocalWrites() {
	for kind := range t.wroteKinds {
		t.s.localCount(kind).Add(1)
	}
}
