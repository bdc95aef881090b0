package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSQLiteFilesArePrivate: the database file and the files SQLite
// keeps beside it are readable by their owner only, under a 0022 umask
// and in a directory anyone may write to; files an earlier version left
// readable by others are narrowed when the database opens.
func TestSQLiteFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(dir, 0o777))
	require.NoError(t, os.Chmod(dir, 0o777))

	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"created", func(*testing.T, string) {}},
		{"left readable by an earlier version", func(t *testing.T, path string) {
			// A database an earlier version has open: SQLite's default
			// mode, 0644 under this umask.
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			_, err = db.Exec(`CREATE TABLE earlier (a TEXT)`)
			require.NoError(t, err)
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				info, err := os.Stat(f)
				require.NoError(t, err)
				require.Equal(t, fs.FileMode(0o644), info.Mode().Perm(), filepath.Base(f))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, filepath.Base(t.Name())+".db")
			tc.setup(t, path)
			s, err := OpenSQLite(ctx, path)
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.Blobs("t").Put(ctx, "k", []byte("v")))
			for _, f := range []string{path, path + "-wal", path + "-shm"} {
				info, err := os.Stat(f)
				require.NoError(t, err)
				assert.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), filepath.Base(f))
			}
		})
	}
}
