package certs

import "github.com/gomagnum/gomagnum/internal/memblobs"

// MemoryBlobs is an in-memory Blobs for tests and embedders that need no
// persistence. The zero value is ready to use.
type MemoryBlobs = memblobs.Store
