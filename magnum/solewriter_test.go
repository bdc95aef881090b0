package magnum_test

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// TestSoleWriterReadsNothing: an instance alone on its SQLite database
// serves a read of an unchanged template from what it read before,
// without a statement, and its own writes are seen at once; as soon as
// another instance has opened the database, even one that stopped since,
// reads ask the database again. The proof that no statement ran is a
// write behind the service's back (which no instance makes: every one
// counts itself in), not seen until another instance counts itself in.
func TestSoleWriterReadsNothing(t *testing.T) {
	dir := t.TempDir()
	s := newService(t, magnum.WithDataDir(dir))
	ctx := as(demo)
	tmpl := mustTemplate(t, s, demo, k8sTemplate("a"))
	// The caller holds every revision, as the REST API holds the views
	// of those it served: the read needs no document.
	held := func(magnum.Revision) bool { return true }
	version := func() int64 {
		t.Helper()
		v, err := s.GetClusterTemplateRevision(ctx, tmpl.UUID, held)
		require.NoError(t, err)
		return v.Version
	}
	start := version()

	db, err := sql.Open("sqlite", filepath.Join(dir, "magnum.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	behindTheBack := func() {
		t.Helper()
		_, err := db.Exec("UPDATE cluster_templates SET version = version + 1 WHERE uuid = ?", tmpl.UUID)
		require.NoError(t, err)
		_, err = db.Exec("UPDATE write_counts SET n = n + 1 WHERE kind = 'cluster_templates'")
		require.NoError(t, err)
	}
	behindTheBack()
	require.Equal(t, start, version(), "alone, a read of an unchanged template runs no statement")

	_, err = s.UpdateClusterTemplate(ctx, tmpl.UUID, []magnum.PatchOp{{Op: magnum.PatchReplace, Path: "/name", Value: "b"}})
	require.NoError(t, err)
	got, err := s.GetClusterTemplateRevision(ctx, "b", held)
	require.NoError(t, err, "the instance's own write is read at once")
	require.Equal(t, start+2, got.Version)
	require.Equal(t, start+2, version())

	behindTheBack()
	require.Equal(t, start+2, version())
	closeOther, err := magnum.CountInstanceIn(filepath.Join(dir, "magnum.db"))
	require.NoError(t, err)
	require.NoError(t, closeOther())
	require.Equal(t, start+3, version(), "once another instance opened the database, reads ask it")
	behindTheBack()
	require.Equal(t, start+4, version())
}

// TestSoleWriterJoinsAtOnce opens instances on one database at once, many
// times: once all have opened, none may think itself alone.
func TestSoleWriterJoinsAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "magnum.db")
	for range 50 {
		var wg sync.WaitGroup
		soles := make([]func() bool, 4)
		closes := make([]func() error, 4)
		for i := range soles {
			wg.Go(func() {
				var err error
				soles[i], closes[i], err = magnum.SoleWriter(path)
				assert.NoError(t, err)
			})
		}
		wg.Wait()
		for i, sole := range soles {
			require.NotNil(t, sole)
			assert.False(t, sole(), "instance %d thinks itself alone among 4", i)
		}
		for _, c := range closes {
			require.NoError(t, c())
		}
	}
}
