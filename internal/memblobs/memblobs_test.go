package memblobs_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/memblobs"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	var b memblobs.Store
	_, err := b.Get(ctx, "a")
	require.ErrorIs(t, err, fs.ErrNotExist)

	v := []byte("one")
	require.NoError(t, b.Put(ctx, "a/1", v))
	v[0] = 'X'
	got, err := b.Get(ctx, "a/1")
	require.NoError(t, err)
	assert.Equal(t, "one", string(got), "the store keeps a copy")
	got[0] = 'Y'
	again, _ := b.Get(ctx, "a/1")
	assert.Equal(t, "one", string(again), "and hands out copies")

	require.NoError(t, b.Put(ctx, "a/2", []byte("two")))
	require.NoError(t, b.Put(ctx, "b/1", []byte("other")))
	all, err := b.List(ctx, "a/")
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"a/1": []byte("one"), "a/2": []byte("two")}, all)
	assert.Equal(t, []string{"a/1", "a/2", "b/1"}, b.Keys())

	require.NoError(t, b.Delete(ctx, "a/1"))
	require.NoError(t, b.Delete(ctx, "a/1"), "deleting a missing key is fine")
	assert.Equal(t, 2, b.Len())

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, b.Put(cancelled, "c", nil), context.Canceled)
}
