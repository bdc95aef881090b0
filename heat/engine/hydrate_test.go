package engine

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/heat"
)

// readCounter is a Blobs counting the stack records it hands out.
type readCounter struct {
	*MemoryBlobs
	mu    sync.Mutex
	reads map[string]int // by the stack ID in the key, "" for the rest
}

func (r *readCounter) count(keys ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		id := ""
		if rest, ok := strings.CutPrefix(k, stackPrefix); ok {
			id, _, _ = strings.Cut(rest, "/")
		}
		r.reads[id]++
	}
}

func (r *readCounter) Get(ctx context.Context, key string) ([]byte, error) {
	r.count(key)
	return r.MemoryBlobs.Get(ctx, key)
}

func (r *readCounter) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	all, err := r.MemoryBlobs.List(ctx, prefix)
	for k := range all {
		r.count(k)
	}
	return all, err
}

func (r *readCounter) stackReads() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for id, c := range r.reads {
		if id != "" {
			n += c
		}
	}
	return n
}

// loadedTrees counts the stacks in memory with their trees.
func loadedTrees(e *Engine) (tops, loaded, nested int) {
	e.mu.RLock()
	stacks := slices.Collect(maps.Values(e.stacks))
	e.mu.RUnlock()
	for _, s := range stacks {
		switch {
		case !s.topLevel():
			nested++
		case isLoaded(e, s.rec.ID):
			tops++
			loaded++
		default:
			tops++
		}
	}
	return tops, loaded, nested
}

// TestStacksAtRestStayInTheStore: finished stacks leave memory but for
// their state; a new engine reads no record of them at start, reads a
// tree back when asked for it (get, resources, update, delete) and puts
// it to rest again; a stack in progress at the restart is read back and
// finished.
func TestStacksAtRestStayInTheStore(t *testing.T) {
	ctx := context.Background()
	blobs := &readCounter{MemoryBlobs: NewMemoryBlobs(), reads: map[string]int{}}
	// Finished trees go to rest at once.
	e1, err := New(ctx, WithBlobs(blobs), WithDelays(map[string]time.Duration{"OS::Heat::TestResource": 0}), withLinger(0, 0))
	require.NoError(t, err)
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		id, err := e1.CreateStack(ctx, heat.StackSpec{Name: name, Template: []byte(splitParent),
			Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": bigText}})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	for _, id := range ids {
		require.Equal(t, heat.CreateComplete, waitStack(t, e1, id).Status)
	}
	require.Eventually(t, func() bool { _, loaded, nested := loadedTrees(e1); return loaded+nested == 0 },
		10*time.Second, 5*time.Millisecond, "finished trees leave memory")
	slow, err := e1.CreateStack(ctx, heat.StackSpec{Name: "slow", Template: []byte(splitParent),
		Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": "small"}})
	require.NoError(t, err)
	require.NoError(t, e1.Close())

	blobs.mu.Lock()
	blobs.reads = map[string]int{}
	blobs.mu.Unlock()
	e2, err := New(ctx, WithBlobs(blobs), withLinger(0, 0))
	require.NoError(t, err)
	defer e2.Close()
	blobs.mu.Lock()
	for _, id := range ids {
		assert.Zero(t, blobs.reads[id], "no record of a stack at rest is read at start")
	}
	assert.Positive(t, blobs.reads[slow], "the stack in progress is read back")
	blobs.mu.Unlock()
	tops, _, _ := loadedTrees(e2)
	assert.Equal(t, 4, tops)
	list, _, err := e2.ListStacks(ctx, heat.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, list, 4, "the list shows stacks at rest")
	require.Equal(t, heat.CreateComplete, waitStack(t, e2, slow).Status)

	before := blobs.stackReads()
	st, err := e2.GetStack(ctx, ids[0])
	require.NoError(t, err)
	assert.Equal(t, bigText, st.Outputs["child"], "outputs come from the tree read back")
	assert.Greater(t, blobs.stackReads(), before)
	res, err := e2.Resources(ctx, ids[1], 2)
	require.NoError(t, err)
	assert.NotEmpty(t, res)
	require.NoError(t, e2.UpdateStack(ctx, ids[1], heat.StackUpdate{Parameters: map[string]any{"big": "changed"}}))
	require.Equal(t, heat.UpdateComplete, waitStack(t, e2, ids[1]).Status)
	st, err = e2.GetStack(ctx, ids[1])
	require.NoError(t, err)
	assert.Equal(t, "changed", st.Outputs["child"])
	require.NoError(t, e2.DeleteStack(ctx, ids[2]))
	require.Equal(t, heat.DeleteComplete, waitStack(t, e2, ids[2]).Status)
	require.Eventually(t, func() bool { _, loaded, nested := loadedTrees(e2); return loaded+nested == 0 },
		10*time.Second, 5*time.Millisecond, "trees read back go back to rest")
	left, err := blobs.List(ctx, stackKey(ids[2]))
	require.NoError(t, err)
	assert.Empty(t, left, "the deleted stack's records are gone")
}

// TestFinishedTreesLinger: a tree whose action ended stays in memory
// until the finished stack is read, so that reading its outputs reads no
// record back, and goes to rest once read, or once more trees linger than
// the engine keeps.
func TestFinishedTreesLinger(t *testing.T) {
	ctx := context.Background()
	blobs := &readCounter{MemoryBlobs: NewMemoryBlobs(), reads: map[string]int{}}
	e, err := New(ctx, WithBlobs(blobs), WithDelays(map[string]time.Duration{"OS::Heat::TestResource": 0}),
		withLinger(time.Hour, 2))
	require.NoError(t, err)
	defer e.Close()
	create := func(name string) string {
		id, err := e.CreateStack(ctx, heat.StackSpec{Name: name, Template: []byte(splitParent),
			Files: map[string]string{"child.yaml": splitChild}, Parameters: map[string]any{"big": name}})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			list, _, err := e.ListStacks(ctx, heat.ListOptions{})
			require.NoError(t, err)
			return slices.ContainsFunc(list, func(s heat.Stack) bool { return s.ID == id && s.Status == heat.CreateComplete })
		}, 10*time.Second, 5*time.Millisecond)
		return id
	}
	getStack := func(id, want string, reads bool) {
		t.Helper()
		before := blobs.stackReads()
		st, err := e.GetStack(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, st.Outputs["child"])
		if reads {
			assert.Greater(t, blobs.stackReads(), before, "a tree at rest is read back")
		} else {
			assert.Equal(t, before, blobs.stackReads(), "the outputs of a stack just finished come from memory")
		}
	}
	a := create("a")
	getStack(a, "a", false)
	assert.False(t, isLoaded(e, a), "a finished tree read goes to rest")
	getStack(a, "a", true)

	b := create("b")
	c := create("c")
	create("d")
	require.Eventually(t, func() bool { return !isLoaded(e, b) }, 10*time.Second, 5*time.Millisecond,
		"the oldest lingering tree goes to rest once more linger than the engine keeps")
	getStack(c, "c", false)
	getStack(b, "b", true)
}

// isLoaded reports whether top-level stack id has its tree in memory.
func isLoaded(e *Engine, id string) bool {
	s, err := e.lookup(id)
	if err != nil {
		return false
	}
	s.hmu.Lock()
	defer s.hmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded
}

// withLinger sets how long and how many finished trees linger in memory.
func withLinger(wait time.Duration, most int) Option {
	return func(e *Engine) error {
		e.lingering.wait, e.lingering.max = wait, most
		return nil
	}
}
