package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds what differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	// rebind turns "?" placeholders into the dialect's own.
	rebind(q string) string
	// serial is the column type of an auto-incremented primary key.
	serial() string
	// jsonField extracts a top-level field of a JSON text column.
	jsonField(column, field string) string
	// mapError turns unique-constraint violations into ErrDuplicate.
	mapError(err error) error
	// retryable reports whether a transaction failed only because of a
	// concurrent one and may be run again.
	retryable(err error) bool
	readOnlyTx() bool
	// driverCachesStatements reports whether the driver keeps prepared
	// statements per connection itself (pgx does).
	driverCachesStatements() bool
	// lockKey serialises transactions on one key until commit; SQLite has
	// a single writer and needs nothing.
	lockKey(key string) (string, []any)
}

type sqliteDialect struct{}

func (sqliteDialect) name() string                 { return "sqlite" }
func (sqliteDialect) rebind(q string) string       { return q }
func (sqliteDialect) serial() string               { return "INTEGER PRIMARY KEY AUTOINCREMENT" }
func (sqliteDialect) readOnlyTx() bool             { return false }
func (sqliteDialect) driverCachesStatements() bool { return false }
func (sqliteDialect) jsonField(column, field string) string {
	return fmt.Sprintf("json_extract(%s, '$.%s')", column, field)
}
func (sqliteDialect) lockKey(string) (string, []any) { return "", nil }
func (sqliteDialect) retryable(error) bool           { return false }

func (sqliteDialect) mapError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrDuplicate, err)
		}
	}
	return err
}

type postgresDialect struct{}

func (postgresDialect) name() string                 { return "postgres" }
func (postgresDialect) serial() string               { return "BIGSERIAL PRIMARY KEY" }
func (postgresDialect) readOnlyTx() bool             { return true }
func (postgresDialect) driverCachesStatements() bool { return true }
func (postgresDialect) jsonField(column, field string) string {
	return fmt.Sprintf("(%s::jsonb ->> '%s')", column, field)
}

func (postgresDialect) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (postgresDialect) lockKey(key string) (string, []any) {
	return "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", []any{key}
}

func (postgresDialect) mapError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %v", ErrDuplicate, err)
	}
	return err
}

func (postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
