package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Kind is a table of records.
type Kind struct {
	table string
	// columns are the kind's own indexed columns.
	columns []string
	// counted kinds keep a count per project (see ProjectCount).
	counted bool
	// writeCounted kinds keep a count of the transactions that wrote
	// them (see WriteCount).
	writeCounted bool
}

// The kinds of records.
var (
	Templates   = Kind{table: "cluster_templates", columns: []string{"public", "hidden"}, writeCounted: true}
	Clusters    = Kind{table: "clusters", columns: []string{"template_uuid", "status"}, counted: true}
	NodeGroups  = Kind{table: "nodegroups", columns: []string{"cluster_uuid", "role", "is_default", "node_count"}}
	Federations = Kind{table: "federations", columns: []string{"host_cluster_uuid"}}
)

var commonColumns = []string{"id", "uuid", "project_id", "name", "version", "created_at", "updated_at"}

// Record is a stored template, cluster or node group.
type Record struct {
	ID        int64
	UUID      string
	ProjectID string
	Name      string
	// Columns holds the values of the kind's own indexed columns
	// (for clusters: template_uuid and status). They are derived from Data
	// by the caller: written, never read back.
	Columns map[string]any
	// Data is the record as a JSON document.
	Data      []byte
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const selectRecord = "SELECT id, uuid, project_id, name, data, version, created_at, updated_at FROM "

func scanRecord(sc scanner) (Record, error) {
	var r Record
	var data string
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.UUID, &r.ProjectID, &r.Name, &data, &r.Version, &created, &updated); err != nil {
		return r, err
	}
	r.Data = []byte(data)
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, nil
}

// Insert adds a record, setting its ID, version 1 and, if unset, its
// creation time. A taken UUID gives ErrDuplicate.
func (t *Tx) Insert(ctx context.Context, k Kind, r *Record) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = t.now().UTC()
	}
	r.Version = 1
	cols := append([]string{"uuid", "project_id", "name", "data", "version", "created_at", "updated_at"}, k.columns...)
	args := []any{r.UUID, r.ProjectID, r.Name, string(r.Data), r.Version, micros(r.CreatedAt), micros(r.UpdatedAt)}
	for _, c := range k.columns {
		args = append(args, dbValue(r.Columns[c]))
	}
	q := "INSERT INTO " + k.table + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ") RETURNING id"
	if err := t.queryRow(ctx, q, args...).Scan(&r.ID); err != nil {
		return fmt.Errorf("insert %s %s: %w", k.table, r.UUID, t.d.mapError(err))
	}
	t.wrote(k)
	if k.counted {
		_, err := t.exec(ctx, `INSERT INTO project_counts (kind, project_id, n) VALUES (?, ?, 1)
			ON CONFLICT (kind, project_id) DO UPDATE SET n = project_counts.n + 1`, k.table, r.ProjectID)
		return err
	}
	return nil
}

// ProjectCount returns how many records of a counted kind (clusters) a
// project has, reading one row.
func (t *Tx) ProjectCount(ctx context.Context, k Kind, projectID string) (int, error) {
	if !k.counted {
		return t.Count(ctx, k, Eq("project_id", projectID))
	}
	var n int
	err := t.queryRow(ctx, "SELECT n FROM project_counts WHERE kind = ? AND project_id = ?", k.table, projectID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// Get returns the record with the given UUID, or ErrNotFound.
func (t *Tx) Get(ctx context.Context, k Kind, uuid string) (Record, error) {
	r, err := scanRecord(t.queryRow(ctx, selectRecord+k.table+" WHERE uuid = ?", uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%s %s: %w", k.table, uuid, ErrNotFound)
	}
	return r, err
}

// Find returns the records a query selects. A marker naming no record
// gives ErrNotFound.
func (t *Tx) Find(ctx context.Context, k Kind, q Query) ([]Record, error) {
	sortExpr, where, err := t.selection(ctx, k, q)
	if err != nil {
		return nil, err
	}
	clause, args := where.where()
	return queryAll(ctx, t, scanRecord, selectRecord+k.table+clause+orderBy(sortExpr, q.Desc, q.Limit), args...)
}

// selection returns the sort expression of a query and the condition on
// the records it selects, its marker's included.
func (t *Tx) selection(ctx context.Context, k Kind, q Query) (sortExpr string, where Cond, err error) {
	if sortExpr, err = k.sortExpr(t.d, q.SortKey); err != nil {
		return "", Cond{}, err
	}
	where = q.Where
	if q.Marker != "" {
		page, err := t.afterMarker(ctx, k, sortExpr, q)
		if err != nil {
			return "", Cond{}, err
		}
		where = And(where, page)
	}
	return sortExpr, where, nil
}

// afterMarker is the condition selecting the records after the marker in
// the query's order.
func (t *Tx) afterMarker(ctx context.Context, k Kind, sortExpr string, q Query) (Cond, error) {
	var key any
	var id int64
	err := t.queryRow(ctx, "SELECT "+sortExpr+", id FROM "+k.table+" WHERE uuid = ?", q.Marker).Scan(&key, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return Cond{}, fmt.Errorf("marker %s: %w", q.Marker, ErrNotFound)
	}
	if err != nil {
		return Cond{}, err
	}
	return after(sortExpr, q.Desc, key, id), nil
}

var fieldName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// sortExpr is the SQL expression sorting on key: a column, or a field of
// the JSON document.
func (k Kind) sortExpr(d dialect, key string) (string, error) {
	switch {
	case key == "":
		return "id", nil
	case slices.Contains(commonColumns, key) || slices.Contains(k.columns, key):
		return key, nil
	case fieldName.MatchString(key):
		return d.jsonField("data", key), nil
	}
	return "", fmt.Errorf("store: invalid sort key %q", key)
}

// Count returns how many records match c.
func (t *Tx) Count(ctx context.Context, k Kind, c Cond) (int, error) {
	clause, args := c.where()
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM "+k.table+clause, args...).Scan(&n)
	return n, err
}

// Sum returns the sum of an integer column over the records matching c.
func (t *Tx) Sum(ctx context.Context, k Kind, column string, c Cond) (int64, error) {
	clause, args := c.where()
	var n int64
	err := t.queryRow(ctx, "SELECT COALESCE(SUM("+column+"), 0) FROM "+k.table+clause, args...).Scan(&n)
	return n, err
}

// Put replaces a record read at r.Version and bumps the version. If the
// record changed since, it fails with ErrConflict, and with ErrNotFound
// if it is gone.
func (t *Tx) Put(ctx context.Context, k Kind, r *Record) error {
	r.UpdatedAt = t.now().UTC()
	sets := []string{"project_id = ?", "name = ?", "data = ?", "version = ?", "updated_at = ?"}
	args := []any{r.ProjectID, r.Name, string(r.Data), r.Version + 1, micros(r.UpdatedAt)}
	for _, c := range k.columns {
		sets = append(sets, c+" = ?")
		args = append(args, dbValue(r.Columns[c]))
	}
	args = append(args, r.UUID, r.Version)
	res, err := t.exec(ctx, "UPDATE "+k.table+" SET "+strings.Join(sets, ", ")+" WHERE uuid = ? AND version = ?", args...)
	if err != nil {
		return fmt.Errorf("update %s %s: %w", k.table, r.UUID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		r.Version++
		t.wrote(k)
		return err
	}
	if _, err := t.Get(ctx, k, r.UUID); err != nil {
		return err
	}
	return fmt.Errorf("%s %s changed since version %d: %w", k.table, r.UUID, r.Version, ErrConflict)
}

// Delete removes the record with the given UUID, or fails with ErrNotFound.
func (t *Tx) Delete(ctx context.Context, k Kind, uuid string) error {
	n, err := t.DeleteWhere(ctx, k, Eq("uuid", uuid))
	if err == nil && n == 0 {
		err = fmt.Errorf("%s %s: %w", k.table, uuid, ErrNotFound)
	}
	return err
}

// DeleteWhere removes the records matching c and returns how many.
func (t *Tx) DeleteWhere(ctx context.Context, k Kind, c Cond) (int64, error) {
	clause, args := c.where()
	if k.counted {
		inner := " WHERE " + k.table + ".project_id = project_counts.project_id"
		if c.sql != "" {
			inner += " AND (" + c.sql + ")"
		}
		_, err := t.exec(ctx, "UPDATE project_counts SET n = n - (SELECT COUNT(*) FROM "+k.table+inner+") WHERE kind = ?",
			append(append([]any{}, c.args...), k.table)...)
		if err != nil {
			return 0, err
		}
	}
	res, err := t.exec(ctx, "DELETE FROM "+k.table+clause, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if n > 0 {
		t.wrote(k)
	}
	return n, err
}

// Lock serialises, until the transaction ends, every transaction locking
// the same key (a project whose quota is checked). On SQLite, where
// writers are already serialised, it does nothing.
func (t *Tx) Lock(ctx context.Context, key string) error {
	q, args := t.d.lockKey(key)
	if q == "" {
		return nil
	}
	_, err := t.exec(ctx, q, args...)
	return err
}

// Get reads the record with the given UUID in a statement of its own, the
// cheapest read of one record. It fails with ErrNotFound.
func (s *Store) Get(ctx context.Context, k Kind, uuid string) (Record, error) {
	release, err := s.reader(ctx)
	if err != nil {
		return Record{}, err
	}
	defer release()
	q := selectRecord + k.table + " WHERE uuid = ?"
	var r Record
	if s.dialect.driverCachesStatements() {
		r, err = scanRecord(s.read.QueryRowContext(ctx, s.dialect.rebind(q), uuid))
	} else {
		st, perr := s.prepared(ctx, s.read, q)
		if perr != nil {
			return r, perr
		}
		r, err = scanRecord(st.QueryRowContext(ctx, uuid))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%s %s: %w", k.table, uuid, ErrNotFound)
	}
	return r, err
}

// CountBy counts the records of a kind by the value of one of its
// columns (clusters by status).
func (t *Tx) CountBy(ctx context.Context, k Kind, column string) (map[string]int, error) {
	if !slices.Contains(k.columns, column) && !slices.Contains(commonColumns, column) {
		return nil, fmt.Errorf("store: %s has no column %q", k.table, column)
	}
	type count struct {
		value string
		n     int
	}
	rows, err := queryAll(ctx, t, func(sc scanner) (count, error) {
		var c count
		return c, sc.Scan(&c.value, &c.n)
	}, "SELECT "+column+", COUNT(*) FROM "+k.table+" GROUP BY "+column)
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.value] = r.n
	}
	return out, err
}
