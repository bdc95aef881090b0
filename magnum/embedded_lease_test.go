package magnum_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/store/storetest"
	"github.com/gomagnum/gomagnum/magnum"
)

// TestSharedDatabaseRefused: with the embedded orchestrator, a second
// live instance on the same database is refused with ErrSharedDatabase,
// on SQLite and on PostgreSQL; once the first closes, or dies and its
// lease runs out, another starts.
func TestSharedDatabaseRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(t *testing.T) []magnum.Option
	}{
		{"sqlite", func(t *testing.T) []magnum.Option { return []magnum.Option{magnum.WithDataDir(t.TempDir())} }},
		{"postgres", func(t *testing.T) []magnum.Option {
			return []magnum.Option{magnum.WithDataDir(t.TempDir()), magnum.WithDatabase(storetest.PostgresDSN(t))}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			opts := append(tc.opts(t), magnum.WithLease(time.Second), magnum.WithoutConductor())
			first, err := magnum.New(ctx, opts...)
			require.NoError(t, err)

			_, err = magnum.New(ctx, opts...)
			require.ErrorIs(t, err, magnum.ErrSharedDatabase)
			require.ErrorIs(t, err, magnum.ErrConflict)
			require.ErrorContains(t, err, "only one instance")

			require.NoError(t, first.Close())
			again, err := magnum.New(ctx, opts...)
			require.NoError(t, err, "the lease is given up on close")
			require.NoError(t, again.Close())
		})
	}
}
