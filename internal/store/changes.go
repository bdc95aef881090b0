package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Change is a row of the change feed: what a cluster, or one of its node
// groups, became in one transaction.
type Change struct {
	ID          int64
	ClusterUUID string
	ProjectID   string
	// Kind says what changed (the service's own names).
	Kind string
	// Version is the version of the changed record the change wrote.
	Version int64
	// Body is the changed object, as JSON.
	Body      []byte
	CreatedAt time.Time
}

// changesLock serialises the end of the transactions writing changes, so
// that change IDs follow the order the changes commit in: a reader that
// saw ID n has seen every change before it.
const changesLock = "changes"

// defaultChangeRetention is how many changes the feed keeps by default.
const defaultChangeRetention = 10000

// feed is the process's side of the change feed: how many changes to keep
// and the signal of the changes this process commits.
type feed struct {
	keep    atomic.Int64
	changed signal
}

// SetChangeRetention sets how many of the newest changes the feed keeps
// (10,000 by default).
func (s *Store) SetChangeRetention(n int64) { s.feed.keep.Store(max(1, n)) }

func (s *Store) changeRetention() int64 {
	if n := s.feed.keep.Load(); n > 0 {
		return n
	}
	return defaultChangeRetention
}

// ChangeSignal returns a channel closed once a transaction of this
// process adds a change to the feed (other processes' changes are only
// seen by reading the feed).
func (s *Store) ChangeSignal() <-chan struct{} { return s.feed.changed.wait() }

// InsertChange adds a change to the feed and, every few changes, drops
// those older than the retention. On PostgreSQL it first takes the feed's
// lock until commit: it should be among the transaction's last
// statements.
func (t *Tx) InsertChange(ctx context.Context, c *Change) error {
	keep := t.s.changeRetention()
	if err := t.Lock(ctx, changesLock); err != nil {
		return err
	}
	c.CreatedAt = t.now().UTC()
	err := t.queryRow(ctx, "INSERT INTO changes (cluster_uuid, project_id, kind, version, body, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		c.ClusterUUID, c.ProjectID, c.Kind, c.Version, string(c.Body), micros(c.CreatedAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert change: %w", t.d.mapError(err))
	}
	t.AfterCommit(t.s.feed.changed.broadcast)
	if c.ID%pruneEvery(keep) == 0 {
		if _, err := t.exec(ctx, "DELETE FROM changes WHERE id <= ?", c.ID-keep); err != nil {
			return fmt.Errorf("prune changes: %w", err)
		}
	}
	return nil
}

// pruneEvery is how many changes go between two prunings of a feed
// keeping keep changes: often enough that it never holds more than
// keep and a quarter.
func pruneEvery(keep int64) int64 { return max(1, min(64, keep/4)) }

// Changes returns the changes after ID after matching c, in ID order, at
// most limit.
func (t *Tx) Changes(ctx context.Context, after int64, c Cond, limit int) ([]Change, error) {
	where := And(Cond{sql: "id > ?", args: []any{after}}, c)
	clause, args := where.where()
	return queryAll(ctx, t, func(sc scanner) (Change, error) {
		var ch Change
		var body string
		var created int64
		err := sc.Scan(&ch.ID, &ch.ClusterUUID, &ch.ProjectID, &ch.Kind, &ch.Version, &body, &created)
		ch.Body, ch.CreatedAt = []byte(body), fromMicros(created)
		return ch, err
	}, "SELECT id, cluster_uuid, project_id, kind, version, body, created_at FROM changes"+clause+
		" ORDER BY id LIMIT "+strconv.Itoa(limit), args...)
}

// ChangeBounds returns the IDs of the oldest and the newest change of the
// feed, zeros if it is empty.
func (t *Tx) ChangeBounds(ctx context.Context) (first, last int64, err error) {
	var lo, hi sql.NullInt64
	// Two subqueries: SQLite reads MIN and MAX from the index only when
	// each is alone in its SELECT, and would scan the feed otherwise.
	err = t.queryRow(ctx, "SELECT (SELECT MIN(id) FROM changes), (SELECT MAX(id) FROM changes)").Scan(&lo, &hi)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return lo.Int64, hi.Int64, err
}

// signal wakes every goroutine waiting on it, each time it is broadcast.
// The zero signal is ready to use.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed at the next broadcast.
func (g *signal) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

// broadcast wakes the current waiters.
func (g *signal) broadcast() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}
