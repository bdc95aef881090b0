package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// errReadOnly: a write was attempted through Read.
var errReadOnly = errors.New("store: write outside a transaction")

// Read runs fn's statements on the read pool without a transaction: each
// statement is its own, sees every transaction committed before it
// starts, and costs no BEGIN or COMMIT. Statements do not share a
// snapshot; fn must not write (writes fail). It is the cheapest way to
// serve a read of the API.
func (s *Store) Read(ctx context.Context, fn func(*Tx) error) error {
	release, err := s.reader(ctx)
	if err != nil {
		return err
	}
	defer release()
	return fn(&Tx{d: s.dialect, now: s.now, s: s, db: s.read})
}

// conn is what the transaction's statements run on: the transaction, or
// the read pool for Read.
func (t *Tx) conn() interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
} {
	if t.tx == nil {
		return t.db
	}
	return t.tx
}

// Ref names one stored state of a record: ID is its row, which no other
// record ever takes (IDs are not reused), and Version counts its writes,
// so two reads giving the same ID and Version saw the same document.
type Ref struct {
	ID      int64
	UUID    string
	Version int64
}

// FindRefs returns the references of the records Find would return for
// the same query, reading no document.
func (t *Tx) FindRefs(ctx context.Context, k Kind, q Query) ([]Ref, error) {
	sortExpr, where, err := t.selection(ctx, k, q)
	if err != nil {
		return nil, err
	}
	clause, args := where.where()
	return queryAll(ctx, t, func(sc scanner) (Ref, error) {
		var r Ref
		return r, sc.Scan(&r.ID, &r.UUID, &r.Version)
	}, "SELECT id, uuid, version FROM "+k.table+clause+orderBy(sortExpr, q.Desc, q.Limit), args...)
}

// maxGetByIDs bounds how many records GetByIDs reads in one statement.
const maxGetByIDs = 500

// GetByIDs returns the records with the given IDs that still exist, by
// ID. The caller selects the IDs (with FindRefs, under its own
// conditions): no other condition applies.
func (t *Tx) GetByIDs(ctx context.Context, k Kind, ids []int64) (map[int64]Record, error) {
	out := make(map[int64]Record, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), maxGetByIDs)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		q := selectRecord + k.table + " WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
		recs, err := queryAll(ctx, t, scanRecord, q, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			out[r.ID] = r
		}
		ids = ids[n:]
	}
	return out, nil
}

// Key is a text two queries share only when they select the same
// records, in the same order, from the same state of the store.
func (q Query) Key() string {
	return fmt.Sprintf("%q %#v %q %t %d %q", q.Where.sql, q.Where.args, q.SortKey, q.Desc, q.Limit, q.Marker)
}
