package magnum

import (
	"strings"
)

// soleWriter tells whether this instance has been, since it opened its
// SQLite database, the only process writing it, so that the counts of its
// own writes (store.LocalWrites) say whether the records of a kind
// changed, and a read the service served before can be served again
// without asking the database (see readGeneration).
//
// Every instance opening a SQLite database takes a shared lock on a file
// beside it (the database's name with ".lock") and holds it until it
// closes, and adds one to a counter the file holds before it opens the
// database; instances do that one at a time, each holding a second file
// (".gate") exclusively meanwhile. An instance is alone when no other held the lock as it
// opened, and while the counter is the one it set: another instance
// opening later, even one that has since stopped, changed it. Once not
// alone, an instance stays so, and asks the database (a second instance
// on a SQLite database is supported, as on PostgreSQL, but reads cost a
// statement more there).
//
// A nil soleWriter (PostgreSQL, or a platform without the file locks) is
// never alone.
type soleWriter struct {
	lock  soleLock
	mine  uint64
	alone bool
}

// alone reports whether no other process has written the database since
// this instance opened it.
func (w *soleWriter) sole() bool {
	return w != nil && w.alone && w.lock.count() == w.mine
}

// close gives the lock up.
func (w *soleWriter) close() error {
	if w == nil {
		return nil
	}
	return w.lock.close()
}

// sqlitePath returns the path of the SQLite database a DSN names, or
// false for PostgreSQL (as store.Open reads DSNs).
func sqlitePath(dsn string) (string, bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	return strings.TrimPrefix(dsn, "sqlite://"), true
}
