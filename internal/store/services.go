package store

import (
	"context"
	"time"
)

// Service is a running gomagnum process, as Magnum's magnum_service row.
type Service struct {
	ID             int64
	Host           string
	Binary         string
	Disabled       bool
	DisabledReason string
	ForcedDown     bool
	ReportCount    int64
	LastSeenUp     time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Heartbeat records that the service (host, binary) is up: it creates the
// row if needed, increments report_count and sets last_seen_up to now.
func (t *Tx) Heartbeat(ctx context.Context, host, binary string) error {
	now := micros(t.now().UTC())
	_, err := t.exec(ctx, `INSERT INTO services (host, binary_name, report_count, last_seen_up, created_at)
		VALUES (?, ?, 1, ?, ?)
		ON CONFLICT (host, binary_name) DO UPDATE SET report_count = services.report_count + 1,
			last_seen_up = excluded.last_seen_up, updated_at = excluded.last_seen_up`,
		host, binary, now, now)
	return err
}

// ListServices returns every service, by id.
func (t *Tx) ListServices(ctx context.Context) ([]Service, error) {
	rows, err := t.query(ctx, `SELECT id, host, binary_name, disabled, disabled_reason, forced_down, report_count,
		last_seen_up, created_at, updated_at FROM services ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Service
	for rows.Next() {
		var s Service
		var disabled, forced int
		var seen, created, updated int64
		if err := rows.Scan(&s.ID, &s.Host, &s.Binary, &disabled, &s.DisabledReason, &forced, &s.ReportCount,
			&seen, &created, &updated); err != nil {
			return nil, err
		}
		s.Disabled, s.ForcedDown = disabled != 0, forced != 0
		s.LastSeenUp, s.CreatedAt, s.UpdatedAt = fromMicros(seen), fromMicros(created), fromMicros(updated)
		out = append(out, s)
	}
	return out, rows.Err()
}
