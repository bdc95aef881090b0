package certs

import (
	"context"
	"fmt"
)

// Store keeps certificates and their private keys, addressed by cluster
// UUID and an entry name the Manager chooses. Three implementations ship:
// BlobStore (the service database, keys encrypted at rest), DirStore (a
// local directory) and the Barbican store in package certs/barbican.
//
// Implementations must be safe for concurrent use. Entry names and cluster
// UUIDs passed by the Manager match [A-Za-z0-9.-]+.
type Store interface {
	// Put creates or replaces the entry and returns its reference (an
	// opaque string: a database key, a file path, a Barbican container URL).
	Put(ctx context.Context, cluster, name string, e Entry) (ref string, err error)
	// Get returns the entry, with Ref set. A missing entry is an error
	// wrapping ErrNotFound (and so fs.ErrNotExist).
	Get(ctx context.Context, cluster, name string) (Entry, error)
	// List returns the names of the cluster's entries, in no order.
	List(ctx context.Context, cluster string) ([]string, error)
	// Delete removes the entry and its key material; a missing entry is not
	// an error.
	Delete(ctx context.Context, cluster, name string) error
}

// Entry is one stored certificate with its private key.
type Entry struct {
	// Ref is the store's reference; set by Get, ignored by Put.
	Ref string
	// Cert is the PEM certificate.
	Cert []byte
	// Key is the PEM PKCS#8 private key.
	Key []byte
}

// checkID validates a cluster UUID or entry name before it reaches a store:
// it becomes part of file names, database keys and Barbican names.
func checkID(what, s string) error {
	if s == "" || len(s) > 128 || s[0] == '.' {
		return fmt.Errorf("%w: %s %q", ErrInvalid, what, s)
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.'
		if !ok {
			return fmt.Errorf("%w: %s %q may hold only letters, digits, '-' and '.'", ErrInvalid, what, s)
		}
	}
	return nil
}
