package atrest_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/internal/atrest"
	"github.com/gomagnum/gomagnum/internal/memblobs"
	"github.com/gomagnum/gomagnum/internal/testkeys"
)

const secret = `{"user_data":"s3cret"}`

func TestSealedRoundTrip(t *testing.T) {
	ctx := context.Background()
	mem := &memblobs.Store{}
	s := atrest.New(mem, "sim", testkeys.Keyring(t, "k1"))
	require.NoError(t, s.Put(ctx, "server/1", []byte(secret)))

	raw, err := mem.Get(ctx, "server/1")
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "s3cret", "the value is sealed at rest")

	got, err := s.Get(ctx, "server/1")
	require.NoError(t, err)
	assert.Equal(t, secret, string(got))
	all, err := s.List(ctx, "server/")
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"server/1": []byte(secret)}, all)

	_, err = s.Get(ctx, "server/2")
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NoError(t, s.Delete(ctx, "server/1"))
	assert.Zero(t, mem.Len())
}

func TestSealedValueIsBoundToItsPlace(t *testing.T) {
	ctx := context.Background()
	ring := testkeys.Keyring(t, "k1")
	mem := &memblobs.Store{}
	require.NoError(t, atrest.New(mem, "sim", ring).Put(ctx, "server/1", []byte(secret)))
	raw, err := mem.Get(ctx, "server/1")
	require.NoError(t, err)
	require.NoError(t, mem.Put(ctx, "server/2", raw))

	for name, tc := range map[string]struct {
		store *atrest.Store
		key   string
		want  error
	}{
		"moved to another key":    {atrest.New(mem, "sim", ring), "server/2", certs.ErrDecrypt},
		"read in another domain":  {atrest.New(mem, "engine", ring), "server/1", certs.ErrDecrypt},
		"read with another key":   {atrest.New(mem, "sim", testkeys.Keyring(t, "k2")), "server/1", certs.ErrDecrypt},
		"read without any sealer": {atrest.New(mem, "sim", nil), "server/1", atrest.ErrNoSealer},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tc.store.Get(ctx, tc.key)
			require.ErrorIs(t, err, tc.want)
			_, err = tc.store.List(ctx, tc.key)
			require.ErrorIs(t, err, tc.want)
			_, _, err = tc.store.Load(ctx, tc.key)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestWithoutSealerValuesStayInClear(t *testing.T) {
	ctx := context.Background()
	mem := &memblobs.Store{}
	s := atrest.New(mem, "sim", nil)
	require.NoError(t, s.Put(ctx, "server/1", []byte(secret)))
	raw, err := mem.Get(ctx, "server/1")
	require.NoError(t, err)
	assert.Equal(t, secret, string(raw))
	all, n, err := s.Load(ctx, "")
	require.NoError(t, err)
	assert.Zero(t, n, "nothing to seal without a sealer")
	assert.Equal(t, map[string][]byte{"server/1": []byte(secret)}, all)
}

// TestLoadSealsWhatIsNotSealedUnderThePrimaryKey: values stored in clear
// by a version that did not seal, and values sealed under a key being
// retired, read as they are and are sealed again under the primary key.
func TestLoadSealsWhatIsNotSealedUnderThePrimaryKey(t *testing.T) {
	ctx := context.Background()
	mem := &memblobs.Store{}
	require.NoError(t, atrest.New(mem, "sim", nil).Put(ctx, "server/clear", []byte(secret)))
	require.NoError(t, atrest.New(mem, "sim", testkeys.Keyring(t, "k1")).Put(ctx, "server/old", []byte(secret)))
	require.NoError(t, atrest.New(mem, "sim", testkeys.Keyring(t, "k2", "k1")).Put(ctx, "server/new", []byte(secret)))

	rotated := atrest.New(mem, "sim", testkeys.Keyring(t, "k2", "k1"))
	all, n, err := rotated.Load(ctx, "server/")
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the value in clear and the one under k1")
	for _, key := range []string{"server/clear", "server/old", "server/new"} {
		assert.Equal(t, secret, string(all[key]), key)
		raw, err := mem.Get(ctx, key)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "s3cret", key)
	}

	_, n, err = rotated.Load(ctx, "server/")
	require.NoError(t, err)
	assert.Zero(t, n, "everything is under the primary key now")
	all, err = atrest.New(mem, "sim", testkeys.Keyring(t, "k2")).List(ctx, "")
	require.NoError(t, err, "k1 can be dropped")
	assert.Len(t, all, 3)
}

// queueBlobs is a memblobs.Store that records its queued writes.
type queueBlobs struct {
	memblobs.Store
	queued  []string
	flushed int
}

func (q *queueBlobs) QueuePut(ctx context.Context, key string, value []byte) error {
	q.queued = append(q.queued, "put "+key)
	return q.Put(ctx, key, value)
}

func (q *queueBlobs) QueueDelete(ctx context.Context, key string) error {
	q.queued = append(q.queued, "delete "+key)
	return q.Delete(ctx, key)
}

func (q *queueBlobs) Flush(context.Context) error {
	q.flushed++
	return nil
}

func TestQueuedWritesAreSealed(t *testing.T) {
	ctx := context.Background()
	assert.False(t, atrest.New(&memblobs.Store{}, "engine", nil).CanQueue())

	q := &queueBlobs{}
	s := atrest.New(q, "engine", testkeys.Keyring(t, "k1"))
	require.True(t, s.CanQueue())
	require.NoError(t, s.QueuePut(ctx, "stacks/1", []byte(secret)))
	require.NoError(t, s.Flush(ctx))
	raw, err := q.Get(ctx, "stacks/1")
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "s3cret")
	got, err := s.Get(ctx, "stacks/1")
	require.NoError(t, err)
	assert.Equal(t, secret, string(got))
	require.NoError(t, s.QueueDelete(ctx, "stacks/1"))
	assert.Equal(t, []string{"put stacks/1", "delete stacks/1"}, q.queued)
	assert.Equal(t, 1, q.flushed)
	assert.Zero(t, q.Len())
}

// failingSealer fails to seal.
type failingSealer struct{ atrest.Sealer }

var errSeal = errors.New("no entropy")

func (failingSealer) SealBytes(_, _, _ []byte) ([]byte, error) { return nil, errSeal }

func TestSealFailureStoresNothing(t *testing.T) {
	ctx := context.Background()
	q := &queueBlobs{}
	s := atrest.New(q, "engine", failingSealer{})
	require.ErrorIs(t, s.Put(ctx, "stacks/1", []byte(secret)), errSeal)
	require.ErrorIs(t, s.QueuePut(ctx, "stacks/1", []byte(secret)), errSeal)
	assert.Zero(t, q.Len())
	assert.Empty(t, q.queued)
}
