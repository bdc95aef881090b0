package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Quota is a project's hard limit on a resource.
type Quota struct {
	ID        int64
	ProjectID string
	Resource  string
	HardLimit int
	CreatedAt time.Time
	UpdatedAt time.Time
}

const selectQuota = "SELECT id, project_id, resource, hard_limit, created_at, updated_at FROM quotas"

func scanQuota(sc scanner) (Quota, error) {
	var q Quota
	var created, updated int64
	err := sc.Scan(&q.ID, &q.ProjectID, &q.Resource, &q.HardLimit, &created, &updated)
	q.CreatedAt, q.UpdatedAt = fromMicros(created), fromMicros(updated)
	return q, err
}

// InsertQuota adds a quota; one for the same project and resource gives
// ErrDuplicate.
func (t *Tx) InsertQuota(ctx context.Context, q *Quota) error {
	q.CreatedAt = t.now().UTC()
	err := t.queryRow(ctx, "INSERT INTO quotas (project_id, resource, hard_limit, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		q.ProjectID, q.Resource, q.HardLimit, micros(q.CreatedAt)).Scan(&q.ID)
	if err != nil {
		return fmt.Errorf("insert quota: %w", t.d.mapError(err))
	}
	return nil
}

// GetQuota returns the quota of a project on a resource, or ErrNotFound.
func (t *Tx) GetQuota(ctx context.Context, projectID, resource string) (Quota, error) {
	q, err := scanQuota(t.queryRow(ctx, selectQuota+" WHERE project_id = ? AND resource = ?", projectID, resource))
	if errors.Is(err, sql.ErrNoRows) {
		return q, fmt.Errorf("quota %s/%s: %w", projectID, resource, ErrNotFound)
	}
	return q, err
}

// UpdateQuota sets the hard limit of an existing quota.
func (t *Tx) UpdateQuota(ctx context.Context, q *Quota) error {
	q.UpdatedAt = t.now().UTC()
	res, err := t.exec(ctx, "UPDATE quotas SET hard_limit = ?, updated_at = ? WHERE project_id = ? AND resource = ?",
		q.HardLimit, micros(q.UpdatedAt), q.ProjectID, q.Resource)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("quota %s/%s: %w", q.ProjectID, q.Resource, ErrNotFound)
	}
	got, err := t.GetQuota(ctx, q.ProjectID, q.Resource)
	*q = got
	return err
}

// DeleteQuota removes a quota, or fails with ErrNotFound.
func (t *Tx) DeleteQuota(ctx context.Context, projectID, resource string) error {
	res, err := t.exec(ctx, "DELETE FROM quotas WHERE project_id = ? AND resource = ?", projectID, resource)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("quota %s/%s: %w", projectID, resource, ErrNotFound)
	}
	return nil
}

// QuotaQuery selects a page of quotas, sorted by a column.
type QuotaQuery struct {
	// ProjectID, if set, keeps one project's quotas.
	ProjectID string
	// SortKey is one of id, project_id, resource, hard_limit, created_at,
	// updated_at; empty sorts by id.
	SortKey string
	Desc    bool
	Limit   int
	// Marker is the ID of the last quota of the previous page.
	Marker int64
}

var quotaColumns = map[string]bool{"id": true, "project_id": true, "resource": true, "hard_limit": true, "created_at": true, "updated_at": true}

// ListQuotas returns a page of quotas.
func (t *Tx) ListQuotas(ctx context.Context, q QuotaQuery) ([]Quota, error) {
	key := q.SortKey
	if key == "" {
		key = "id"
	}
	if !quotaColumns[key] {
		return nil, fmt.Errorf("store: invalid sort key %q", key)
	}
	var where Cond
	if q.ProjectID != "" {
		where = Eq("project_id", q.ProjectID)
	}
	if q.Marker != 0 {
		m, err := t.quotaMarker(ctx, key, q)
		if err != nil {
			return nil, err
		}
		where = And(where, m)
	}
	clause, args := where.where()
	return queryAll(ctx, t, scanQuota, selectQuota+clause+orderBy(key, q.Desc, q.Limit), args...)
}

func (t *Tx) quotaMarker(ctx context.Context, key string, q QuotaQuery) (Cond, error) {
	var v any
	err := t.queryRow(ctx, "SELECT "+key+" FROM quotas WHERE id = ?", q.Marker).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return Cond{}, fmt.Errorf("marker %d: %w", q.Marker, ErrNotFound)
	}
	return after(key, q.Desc, v, q.Marker), err
}
