package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event is a notification in the outbox: written in the transaction of
// the change it reports, kept until it is delivered.
type Event struct {
	ID          int64
	ClusterUUID string
	// Body is the event, as JSON.
	Body      []byte
	CreatedAt time.Time
}

// InsertEvent adds an event to the outbox. On PostgreSQL it first takes
// the cluster's event lock until commit, so that the IDs of one cluster's
// events follow the order their transactions commit in: read in ID
// order, they come in the order of the changes they report. It should be
// the transaction's last statement, so that it waits for no other lock
// while it holds this one.
func (t *Tx) InsertEvent(ctx context.Context, e *Event) error {
	if err := t.Lock(ctx, "events/"+e.ClusterUUID); err != nil {
		return err
	}
	e.CreatedAt = t.now().UTC()
	err := t.queryRow(ctx, "INSERT INTO events (cluster_uuid, body, created_at) VALUES (?, ?, ?) RETURNING id",
		e.ClusterUUID, string(e.Body), micros(e.CreatedAt)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("insert event: %w", t.d.mapError(err))
	}
	return nil
}

// Events returns the oldest events of the outbox, in ID order, at most
// limit.
func (t *Tx) Events(ctx context.Context, limit int) ([]Event, error) {
	return queryAll(ctx, t, func(sc scanner) (Event, error) {
		var e Event
		var body string
		var created int64
		err := sc.Scan(&e.ID, &e.ClusterUUID, &body, &created)
		e.Body, e.CreatedAt = []byte(body), fromMicros(created)
		return e, err
	}, "SELECT id, cluster_uuid, body, created_at FROM events ORDER BY id LIMIT "+strconv.Itoa(limit))
}

// DeleteEvents removes delivered events from the outbox.
func (t *Tx) DeleteEvents(ctx context.Context, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	_, err := t.exec(ctx, "DELETE FROM events WHERE id IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", args...)
	return err
}

// HoldLease makes owner the holder of the lease name until leaseUntil, if
// it holds it already, nobody does, or its holder's ran out at now. It
// reports whether owner holds it.
func (t *Tx) HoldLease(ctx context.Context, name, owner string, now, leaseUntil time.Time) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO leases (name, owner, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
		WHERE leases.owner = excluded.owner OR leases.lease_until < ?`,
		name, owner, micros(leaseUntil), micros(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease gives up the lease name, if owner holds it.
func (t *Tx) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := t.exec(ctx, "DELETE FROM leases WHERE name = ? AND owner = ?", name, owner)
	return err
}
