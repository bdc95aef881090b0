package sim

import (
	"context"

	"github.com/gomagnum/gomagnum/internal/memblobs"
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
type MemBlobs = memblobs.Store
