package engine

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync"
)

// Blobs is a namespaced key-value store; Get of a missing key returns an
// error wrapping fs.ErrNotExist. internal/store satisfies it, so stacks
// persist in the service database.
type Blobs interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) (map[string][]byte, error)
}

// QueuedBlobs is a Blobs that can also queue writes without waiting for
// them, committing every write in the order it was made (internal/store
// does). Over a QueuedBlobs the engine queues its records, so that no
// stack waits on the disk while it holds its lock, and flushes them
// before an API call returns: what a call acknowledged or reported is
// written, and a crash loses only records that nothing outside the
// engine saw. The simulated cloud's writes go through the same queue,
// after the records that led to them.
type QueuedBlobs interface {
	Blobs
	QueuePut(ctx context.Context, key string, value []byte) error
	QueueDelete(ctx context.Context, key string) error
	// Flush waits until every write made before it is committed.
	Flush(ctx context.Context) error
}

// MemoryBlobs is an in-memory Blobs, for tests and for embedders that do
// not need stacks to outlive the process.
type MemoryBlobs struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// NewMemoryBlobs returns an empty MemoryBlobs.
func NewMemoryBlobs() *MemoryBlobs { return &MemoryBlobs{m: map[string][]byte{}} }

// Get returns the value of key.
func (b *MemoryBlobs) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	v, ok := b.m[key]
	if !ok {
		return nil, fmt.Errorf("blob %q: %w", key, fs.ErrNotExist)
	}
	return append([]byte(nil), v...), nil
}

// Put stores value under key.
func (b *MemoryBlobs) Put(_ context.Context, key string, value []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[key] = append([]byte(nil), value...)
	return nil
}

// Delete removes key; removing a missing key is not an error.
func (b *MemoryBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// List returns every key starting with prefix and its value.
func (b *MemoryBlobs) List(_ context.Context, prefix string) (map[string][]byte, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := map[string][]byte{}
	for k, v := range b.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = append([]byte(nil), v...)
		}
	}
	return out, nil
}

// Len returns the number of keys, for tests.
func (b *MemoryBlobs) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m)
}
