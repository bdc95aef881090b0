package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	write *sql.DB
	read  *sql.DB
	// writeMu makes SQLite writers queue in process rather than poll the
	// database lock.
	writeMu *sync.Mutex
	dialect dialect
	log     *slog.Logger
	now     func() time.Time
	// stmts caches prepared statements by database and query text, so
	// that the hot queries are parsed once (SQLite; pgx caches its own).
	stmts sync.Map // stmtKey -> *sql.Stmt
	// readers bounds the concurrent SQLite read transactions to one less
	// than the read pool's connections: the spare one prepares statements
	// while transactions hold the others, so preparing never deadlocks.
	readers chan struct{}

	// feed is the change feed's state in this process (changes.go).
	feed feed
	// local counts the committed writes of this process by kind
	// (LocalWrites): table -> *atomic.Int64.
	local sync.Map

	blobOnce sync.Once
	blobs    *blobWriterLoop
	blobDone sync.WaitGroup
}

type stmtKey struct {
	db    *sql.DB
	query string
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

// walCheckpointPages is how large the write-ahead log grows (in 4 KiB
// pages) before a commit copies it into the database. SQLite's default of
// 1,000 copies rows the service rewrites often (operations, resource
// states) again and again: at 8,000, creating 1,000 clusters takes 11 s
// instead of 13.
const walCheckpointPages = 8000

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := applyOptions(opts)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := privateFiles(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	syncMode := "NORMAL"
	if o.syncFull {
		syncMode = "FULL"
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(" + syncMode + ")&_pragma=foreign_keys(1)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(walCheckpointPages) + ")"
	// Writers begin IMMEDIATE, so that a transaction that reads then
	// writes never fails to upgrade its lock; readers begin DEFERRED and
	// never block anyone.
	write, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// Two connections: one for the writer holding writeMu, one to prepare
	// statements on meanwhile.
	write.SetMaxOpenConns(2)
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	const readers = 8
	read.SetMaxOpenConns(readers + 1)
	s, err := finishOpen(ctx, write, read, sqliteDialect{}, o, &sync.Mutex{})
	if err == nil {
		s.readers = make(chan struct{}, readers)
	}
	return s, err
}

// privateFiles makes the database file at path, and the files SQLite
// keeps beside it, readable and writable by their owner only, whatever
// the directory's mode and the umask: the database holds the service's
// state. A missing database file is created 0600 before SQLite opens it,
// since SQLite gives its write-ahead log and shared-memory files the
// database file's mode; files a previous version left with a wider mode
// are narrowed.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		info, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if info.Mode().Perm() != 0o600 {
			if err := os.Chmod(p, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
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
	return finishOpen(ctx, db, db, postgresDialect{}, o, nil)
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

func finishOpen(ctx context.Context, write, read *sql.DB, d dialect, o options, writeMu *sync.Mutex) (*Store, error) {
	s := &Store{write: write, read: read, dialect: d, log: o.log, now: o.now, writeMu: writeMu}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database, once the queued blob writes are committed.
func (s *Store) Close() error {
	s.stopBlobWriter()
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
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
	if s.writeMu != nil {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
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
	release, err := s.reader(ctx)
	if err != nil {
		return err
	}
	defer release()
	return s.run(ctx, s.read, true, fn)
}

// reader takes one of the SQLite read slots (see Store.readers).
func (s *Store) reader(ctx context.Context) (release func(), err error) {
	if s.readers == nil {
		return func() {}, nil
	}
	select {
	case s.readers <- struct{}{}:
		return func() { <-s.readers }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *Store) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(*Tx) error) error {
	sqlTx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && s.dialect.readOnlyTx()})
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, d: s.dialect, now: s.now, s: s, db: db}
	err = fn(tx)
	for i := 0; err == nil && i < len(tx.beforeCommit); i++ {
		err = tx.beforeCommit[i]()
	}
	if err == nil {
		err = tx.bumpWriteCounts(ctx)
	}
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, sql.ErrTxDone) {
			// database/sql rolled the transaction back when ctx ended.
			err = cerr
		}
		return fmt.Errorf("store: commit: %w", err)
	}
	tx.countLocalWrites()
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// Tx is a transaction. It must not be used after the function it was
// given to returns.
type Tx struct {
	tx  *sql.Tx
	d   dialect
	now func() time.Time
	s   *Store
	db  *sql.DB

	beforeCommit []func() error
	afterCommit  []func()
	// wroteKinds are the kinds whose write count the transaction bumps
	// (see wrote).
	wroteKinds map[string]bool
}

// BeforeCommit runs fn in the transaction once the function it was given
// to has returned nil, before it commits; an error rolls it back.
func (t *Tx) BeforeCommit(fn func() error) { t.beforeCommit = append(t.beforeCommit, fn) }

// AfterCommit runs fn once the transaction has committed.
func (t *Tx) AfterCommit(fn func()) { t.afterCommit = append(t.afterCommit, fn) }

// stmt returns the transaction's handle on the cached prepared statement
// of a query.
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	st, err := t.s.prepared(ctx, t.db, q)
	if err != nil {
		return nil, err
	}
	if t.tx == nil {
		return st, nil
	}
	return t.tx.StmtContext(ctx, st), nil
}

// prepared returns the cached prepared statement of a query on a
// database, preparing it the first time.
func (s *Store) prepared(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	key := stmtKey{db, q}
	if st, ok := s.stmts.Load(key); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, s.dialect.rebind(q))
	if err != nil {
		return nil, s.dialect.mapError(err)
	}
	if prev, loaded := s.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return st, nil
}

// execDirect runs a statement without caching it: DDL, which a statement
// prepared on another connection could not see.
func (t *Tx) execDirect(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.tx == nil {
		return nil, errReadOnly
	}
	res, err := t.tx.ExecContext(ctx, t.d.rebind(q), args...)
	return res, t.d.mapError(err)
}

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.tx == nil {
		return nil, errReadOnly
	}
	if t.d.driverCachesStatements() {
		return t.execDirect(ctx, q, args...)
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return nil, t.d.mapError(err)
	}
	return res, nil
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.d.driverCachesStatements() {
		rows, err := t.conn().QueryContext(ctx, t.d.rebind(q), args...)
		return rows, t.d.mapError(err)
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, t.d.mapError(err)
	}
	return rows, nil
}

// row is the result of queryRow: a row to scan, or the error preparing it.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) row {
	if t.d.driverCachesStatements() {
		return row{r: t.conn().QueryRowContext(ctx, t.d.rebind(q), args...)}
	}
	st, err := t.stmt(ctx, q)
	if err != nil {
		return row{err: err}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
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
