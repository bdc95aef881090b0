package certs

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

// MemoryBlobs is an in-memory Blobs for tests and embedders that need no
// persistence. The zero value is ready to use.
type MemoryBlobs struct {
	mu sync.Mutex
	m  map[string][]byte
}

// Get returns a copy of the value, or an error wrapping fs.ErrNotExist.
func (b *MemoryBlobs) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[key]
	if !ok {
		return nil, fmt.Errorf("blob %q: %w", key, fs.ErrNotExist)
	}
	return slices.Clone(v), nil
}

// Put stores a copy of value.
func (b *MemoryBlobs) Put(_ context.Context, key string, value []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string][]byte{}
	}
	b.m[key] = slices.Clone(value)
	return nil
}

// Delete removes key; a missing key is not an error.
func (b *MemoryBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}

// List returns copies of the entries whose key starts with prefix.
func (b *MemoryBlobs) List(_ context.Context, prefix string) (map[string][]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string][]byte{}
	for k, v := range b.m {
		if strings.HasPrefix(k, prefix) {
			out[k] = slices.Clone(v)
		}
	}
	return out, nil
}
