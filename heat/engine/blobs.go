package engine

import (
	"context"

	"github.com/gomagnum/gomagnum/internal/memblobs"
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
type MemoryBlobs = memblobs.Store

// NewMemoryBlobs returns an empty MemoryBlobs.
func NewMemoryBlobs() *MemoryBlobs { return &MemoryBlobs{} }
