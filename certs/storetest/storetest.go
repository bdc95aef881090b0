// Package storetest checks that a certs.Store implementation behaves as
// the Manager expects. Store implementers call Run from a test.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
)

// Run exercises s: put, get, replace, list, delete, missing entries and
// concurrent use. cluster must be a cluster UUID no other test uses; Run
// leaves nothing stored under it.
func Run(t *testing.T, s certs.Store, cluster string) {
	t.Helper()
	ctx := context.Background()
	entry := func(i int) certs.Entry {
		return certs.Entry{
			Cert: fmt.Appendf(nil, "-----BEGIN CERTIFICATE-----\ncert %d\n-----END CERTIFICATE-----\n", i),
			Key:  fmt.Appendf(nil, "-----BEGIN PRIVATE KEY-----\nkey %d\n-----END PRIVATE KEY-----\n", i),
		}
	}
	t.Cleanup(func() {
		names, _ := s.List(ctx, cluster)
		for _, n := range names {
			_ = s.Delete(ctx, cluster, n)
		}
	})

	t.Run("missing", func(t *testing.T) {
		_, err := s.Get(ctx, cluster, "g1.absent")
		require.ErrorIs(t, err, certs.ErrNotFound)
		require.ErrorIs(t, err, fs.ErrNotExist)
		require.NoError(t, s.Delete(ctx, cluster, "g1.absent"), "deleting a missing entry")
		names, err := s.List(ctx, cluster)
		require.NoError(t, err)
		require.Empty(t, names)
	})

	t.Run("put get replace", func(t *testing.T) {
		ref, err := s.Put(ctx, cluster, "g1.ca-kubernetes", entry(1))
		require.NoError(t, err)
		require.NotEmpty(t, ref)
		got, err := s.Get(ctx, cluster, "g1.ca-kubernetes")
		require.NoError(t, err)
		assert.Equal(t, ref, got.Ref)
		assert.Equal(t, entry(1).Cert, got.Cert)
		assert.Equal(t, entry(1).Key, got.Key)

		_, err = s.Put(ctx, cluster, "g1.ca-kubernetes", entry(2))
		require.NoError(t, err)
		got, err = s.Get(ctx, cluster, "g1.ca-kubernetes")
		require.NoError(t, err)
		assert.Equal(t, entry(2).Key, got.Key, "Put replaces")
		names, err := s.List(ctx, cluster)
		require.NoError(t, err)
		assert.Equal(t, []string{"g1.ca-kubernetes"}, names, "a replaced entry is listed once")
	})

	t.Run("list and delete", func(t *testing.T) {
		other := cluster + "-other"
		_, err := s.Put(ctx, other, "g1.admin", entry(9))
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Delete(ctx, other, "g1.admin")) }()

		_, err = s.Put(ctx, cluster, "g1.admin", entry(3))
		require.NoError(t, err)
		names, err := s.List(ctx, cluster)
		require.NoError(t, err)
		slices.Sort(names)
		assert.Equal(t, []string{"g1.admin", "g1.ca-kubernetes"}, names, "another cluster's entries are not listed")

		require.NoError(t, s.Delete(ctx, cluster, "g1.admin"))
		_, err = s.Get(ctx, cluster, "g1.admin")
		require.ErrorIs(t, err, certs.ErrNotFound)
		require.NoError(t, s.Delete(ctx, cluster, "g1.ca-kubernetes"))
		names, err = s.List(ctx, cluster)
		require.NoError(t, err)
		assert.Empty(t, names)

		got, err := s.Get(ctx, other, "g1.admin")
		require.NoError(t, err, "the other cluster's entry survives")
		assert.Equal(t, entry(9).Key, got.Key)
	})

	t.Run("concurrent", func(t *testing.T) {
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				name := fmt.Sprintf("g%d.admin", i+1)
				if _, err := s.Put(ctx, cluster, name, entry(i)); err != nil {
					errs[i] = err
					return
				}
				got, err := s.Get(ctx, cluster, name)
				if err == nil && !slices.Equal(got.Key, entry(i).Key) {
					err = fmt.Errorf("%s: got key %q", name, got.Key)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
		names, err := s.List(ctx, cluster)
		require.NoError(t, err)
		assert.Len(t, names, n)
		for _, name := range names {
			require.NoError(t, s.Delete(ctx, cluster, name))
		}
	})
}
