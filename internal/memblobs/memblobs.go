// Package memblobs is the in-memory key-value store behind the exported
// in-memory Blobs of cloud/sim, heat/engine and certs: the namespaced
// persistence those packages share with the service database, without the
// database.
package memblobs

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Store is an in-memory key-value store, safe for concurrent use. It
// keeps and returns copies, so callers may reuse their slices. Its zero
// value is ready to use.
type Store struct {
	mu sync.RWMutex
	m  map[string][]byte
}

// Get returns a copy of the value stored under key, or an error wrapping
// fs.ErrNotExist.
func (b *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	v, ok := b.m[key]
	if !ok {
		return nil, fmt.Errorf("blob %q: %w", key, fs.ErrNotExist)
	}
	return slices.Clone(v), nil
}

// Put stores a copy of value under key.
func (b *Store) Put(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[key] = slices.Clone(value)
	return nil
}

// Delete removes key; deleting a missing key is not an error.
func (b *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// List returns copies of every value whose key starts with prefix.
func (b *Store) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := map[string][]byte{}
	for k, v := range b.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = slices.Clone(v)
		}
	}
	return out, nil
}

// Len reports how many keys the store holds.
func (b *Store) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.m)
}

// Keys returns the stored keys, sorted.
func (b *Store) Keys() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return slices.Sorted(maps.Keys(b.m))
}
