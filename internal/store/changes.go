package store

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
)

// changed makes the transaction bump the change count of a kind once,
// when it commits (see bumpChanges).
func (t *Tx) changed(k Kind) {
	if t.changedKinds == nil {
		t.changedKinds = map[string]bool{}
	}
	t.changedKinds[k.table] = true
}

// bumpChanges bumps the change counts of the kinds the transaction wrote,
// after everything else it does and in one order: the counts' rows are
// the last locks a writing transaction takes, so writers never wait for
// each other in a cycle.
func (t *Tx) bumpChanges(ctx context.Context) error {
	for _, kind := range slices.Sorted(maps.Keys(t.changedKinds)) {
		if _, err := t.exec(ctx, "UPDATE changes SET n = n + 1 WHERE kind = ?", kind); err != nil {
			return err
		}
	}
	return nil
}

// Changes returns how many committed transactions wrote records of a
// kind. It only grows: two reads giving the same count saw the same
// records of that kind, on any instance sharing the database, and a read
// of the records after the count shows the state at the count or later.
func (t *Tx) Changes(ctx context.Context, k Kind) (int64, error) {
	var n int64
	err := t.queryRow(ctx, "SELECT n FROM changes WHERE kind = ?", k.table).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		err = errors.New("store: no change count of " + k.table)
	}
	return n, err
}
