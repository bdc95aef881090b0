package store

import (
	"context"
	"strconv"
	"strings"
)

// Cond is a condition on a record's columns. The zero Cond matches
// everything. Column names in conditions come from code, never from
// users.
type Cond struct {
	sql  string
	args []any
}

// Eq matches records whose column equals v.
func Eq(column string, v any) Cond {
	return Cond{sql: column + " = ?", args: []any{dbValue(v)}}
}

// In matches records whose column equals one of vs; with no values it
// matches nothing.
func In(column string, vs ...any) Cond {
	if len(vs) == 0 {
		return Cond{sql: "1 = 0"}
	}
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = dbValue(v)
	}
	return Cond{sql: column + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", ") + ")", args: args}
}

// And matches records matching every condition.
func And(cs ...Cond) Cond { return join(" AND ", cs) }

// Or matches records matching at least one condition.
func Or(cs ...Cond) Cond { return join(" OR ", cs) }

// Not matches records that do not match c.
func Not(c Cond) Cond {
	if c.sql == "" {
		return Cond{sql: "1 = 0"}
	}
	return Cond{sql: "NOT (" + c.sql + ")", args: c.args}
}

func join(sep string, cs []Cond) Cond {
	var parts []string
	var args []any
	for _, c := range cs {
		if c.sql == "" {
			if sep == " OR " {
				return Cond{}
			}
			continue
		}
		parts = append(parts, "("+c.sql+")")
		args = append(args, c.args...)
	}
	return Cond{sql: strings.Join(parts, sep), args: args}
}

func (c Cond) where() (string, []any) {
	if c.sql == "" {
		return "", nil
	}
	return " WHERE " + c.sql, c.args
}

// dbValue stores booleans as integers, the one representation both
// dialects share.
func dbValue(v any) any {
	if b, ok := v.(bool); ok {
		if b {
			return 1
		}
		return 0
	}
	return v
}

// Query selects a page of records.
type Query struct {
	Where Cond
	// SortKey is a column or a top-level field of the JSON document; empty
	// sorts by id. The id always breaks ties.
	SortKey string
	// Desc sorts in descending order.
	Desc bool
	// Limit bounds the page; zero means no bound.
	Limit int
	// Marker is the UUID of the last record of the previous page.
	Marker string
}

// scanner is a row to scan.
type scanner interface{ Scan(...any) error }

// queryAll runs a query and scans every row it returns.
func queryAll[T any](ctx context.Context, t *Tx, scan func(scanner) (T, error), stmt string, args ...any) ([]T, error) {
	rows, err := t.query(ctx, stmt, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// orderBy is the ORDER BY and LIMIT of a page sorted on expr, with the id
// breaking ties in the same direction.
func orderBy(expr string, desc bool, limit int) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	s := " ORDER BY " + expr + dir + ", id" + dir
	if limit > 0 {
		s += " LIMIT " + strconv.Itoa(limit)
	}
	return s
}

// after is the condition selecting the rows after the one whose sort key
// is key and id is id, in the order of orderBy.
func after(expr string, desc bool, key any, id int64) Cond {
	op := " > "
	if desc {
		op = " < "
	}
	if key == nil {
		return Cond{sql: "(" + expr + " IS NOT NULL OR id" + op + "?)", args: []any{id}}
	}
	return Cond{sql: "(" + expr + op + "? OR (" + expr + " = ? AND id" + op + "?))", args: []any{key, key, id}}
}
