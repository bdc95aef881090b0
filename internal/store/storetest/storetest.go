// Package storetest gives tests a fresh PostgreSQL schema to open the
// store in, when a PostgreSQL server is available (internal/testenv).
package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/gomagnum/gomagnum/internal/testenv"
)

var seq atomic.Int64

// PostgresDSN creates a schema, dropped when the test ends, and returns a
// DSN whose connections use it. Without PostgreSQL the test is skipped,
// or fails in CI.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := testenv.Lookup(t, testenv.PostgresDSN, "PostgreSQL")
	schema := fmt.Sprintf("t%d_%d", os.Getpid(), seq.Add(1))
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
