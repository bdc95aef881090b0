package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Errors returned by the store.
var (
	// ErrNotFound: no row matches.
	ErrNotFound = errors.New("store: not found")
	// ErrDuplicate: a unique key (a UUID, a name within its parent) is taken.
	ErrDuplicate = errors.New("store: duplicate")
	// ErrConflict: the row changed since it was read (optimistic locking).
	ErrConflict = errors.New("store: concurrent update")
)

// Store is a handle on the database. It is safe for concurrent use.
type Store struct {
	write   *sql.DB // SQLite: one connection, so writers queue in process
	read    *sql.DB
	dialect dialect
	log     *slog.Logger
	now     func() time.Time
}

// Option configures Open.
type Option func(*options)

type options struct {
	log      *slog.Logger
	syncFull bool
	now      func() time.Time
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithSyncFull makes SQLite fsync at every commit, so acknowledged writes
// survive a power loss and not only a crash of the process.
func WithSyncFull() Option { return func(o *options) { o.syncFull = true } }

// WithClock sets the clock used for timestamps.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := applyOptions(opts)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	sync := "NORMAL"
	if o.syncFull {
		sync = "FULL"
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(" + sync + ")&_pragma=foreign_keys(1)&_txlock=immediate"
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	return finishOpen(ctx, write, read, sqliteDialect{}, o)
}

// OpenPostgres connects to the PostgreSQL database named by dsn (a URL or
// key=value string) and brings its schema up to date.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := applyOptions(opts)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	return finishOpen(ctx, db, db, postgresDialect{}, o)
}

// Open opens the database a DSN names: "postgres://..." or
// "postgresql://..." for PostgreSQL, otherwise a SQLite file path
// (optionally prefixed with "sqlite://").
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn, opts...)
	}
	return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"), opts...)
}

func applyOptions(opts []Option) options {
	o := options{log: slog.Default(), now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func finishOpen(ctx context.Context, write, read *sql.DB, d dialect, o options) (*Store, error) {
	s := &Store{write: write, read: read, dialect: d, log: o.log, now: o.now}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Update runs fn in a read-write transaction, committed if fn returns nil.
// On PostgreSQL a serialization failure reruns fn, so fn must not have
// side effects outside the transaction.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.run(ctx, s.write, false, fn)
		if attempt < 5 && s.dialect.retryable(err) {
			continue
		}
		return err
	}
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.read, true, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(*Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && s.dialect.readOnlyTx()})
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, d: s.dialect, now: s.now}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Tx is a transaction. It must not be used after the function it was
// given to returns.
type Tx struct {
	tx  *sql.Tx
	d   dialect
	now func() time.Time
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, t.d.rebind(q), args...)
	if err != nil {
		return nil, t.d.mapError(err)
	}
	return res, nil
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, t.d.rebind(q), args...)
	if err != nil {
		return nil, t.d.mapError(err)
	}
	return rows, nil
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.rebind(q), args...)
}

// micros converts a time to the stored form: microseconds since the epoch,
// zero for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
