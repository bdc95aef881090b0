package sim

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Blobs is a namespaced key-value store; Get of a missing key returns an
// error wrapping fs.ErrNotExist. The simulated cloud keeps every object
// it creates under the key "<kind>/<id>" (KindServer + "/" + server ID) so
// that a new Cloud over the same Blobs finds them again. The service's
// store satisfies it; MemBlobs is an in-memory one.
type Blobs interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) (map[string][]byte, error)
}

// MemBlobs is an in-memory Blobs, safe for concurrent use. Its zero value
// is ready to use.
type MemBlobs struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// Get returns a copy of the value stored under key.
func (b *MemBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	v, ok := b.m[key]
	if !ok {
		return nil, fmt.Errorf("blob %q: %w", key, fs.ErrNotExist)
	}
	return append([]byte(nil), v...), nil
}

// Put stores a copy of value under key.
func (b *MemBlobs) Put(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = make(map[string][]byte)
	}
	b.m[key] = append([]byte(nil), value...)
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (b *MemBlobs) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// List returns copies of every value whose key starts with prefix.
func (b *MemBlobs) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make(map[string][]byte)
	for k, v := range b.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = append([]byte(nil), v...)
		}
	}
	return out, nil
}

// Len reports how many keys the store holds.
func (b *MemBlobs) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m)
}

// Keys returns a snapshot of the stored keys, for tests.
func (b *MemBlobs) Keys() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return slices.Sorted(maps.Keys(b.m))
}
