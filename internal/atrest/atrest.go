// Package atrest seals the records of the embedded engine and of the
// simulated cloud at rest: a Blobs over Blobs that encrypts every value
// it stores and decrypts every value it reads, so that what their
// records carry (hidden stack parameters, the outputs, properties and
// user data made from them, template texts with values substituted) is
// never in the database in clear.
//
// A sealed value starts with a marker no record in clear starts with
// (JSON and template texts never begin with a NUL byte); a value without
// it was stored by a version that did not seal, and reads as it is. Load
// seals such values again, and those sealed under a retired key.
package atrest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// Sealer encrypts records; *certs.Keyring is one.
type Sealer interface {
	// SealBytes appends plaintext encrypted and bound to aad to dst,
	// and returns the extended slice.
	SealBytes(dst, plaintext, aad []byte) ([]byte, error)
	// OpenBytes decrypts what SealBytes returned for the same aad; stale
	// reports that it should be sealed again (its key is being retired).
	OpenBytes(sealed, aad []byte) (plaintext []byte, stale bool, err error)
}

// Blobs is the key-value store records live in (internal/store.Blobs,
// memblobs.Store).
type Blobs interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) (map[string][]byte, error)
}

// queued is the part of Blobs that can queue writes (internal/store does).
type queued interface {
	QueuePut(ctx context.Context, key string, value []byte) error
	QueueDelete(ctx context.Context, key string) error
	Flush(ctx context.Context) error
}

// marker starts every sealed value.
var marker = []byte("\x00sealed\x00")

// ErrNoSealer: a sealed record was read without a Sealer to open it.
var ErrNoSealer = errors.New("the record is sealed and no key to open it was given")

// Store is a Blobs sealing the values of another. It is safe for
// concurrent use if the Blobs below are.
type Store struct {
	blobs  Blobs
	queue  queued // blobs when they can queue writes, else nil
	sealer Sealer // nil stores values as they are
	domain string
}

// New returns a Store over blobs. Values are sealed by sealer, bound to
// domain and their key, so that a value copied under another key or into
// another domain does not open. A nil sealer stores values in clear and
// refuses to read sealed ones (ErrNoSealer).
func New(blobs Blobs, domain string, sealer Sealer) *Store {
	q, _ := blobs.(queued)
	return &Store{blobs: blobs, queue: q, sealer: sealer, domain: domain}
}

// CanQueue reports whether the Blobs below can queue writes, and so
// QueuePut, QueueDelete and Flush can be used.
func (s *Store) CanQueue() bool { return s.queue != nil }

// aad binds a value to the domain and key it is stored under.
func aad(domain, key string) []byte { return []byte(domain + "\x00" + key) }

// seal returns the stored form of value.
func (s *Store) seal(key string, value []byte) ([]byte, error) {
	if s.sealer == nil {
		return value, nil
	}
	b, err := s.sealer.SealBytes(marker[:len(marker):len(marker)], value, aad(s.domain, key))
	if err != nil {
		return nil, fmt.Errorf("sealing %s: %w", key, err)
	}
	return b, nil
}

// Open returns the value a Store over sealer (nil for none) and domain
// stored under key, and whether it should be sealed again: it is in
// clear while there is a sealer, or sealed under a retired key.
func Open(sealer Sealer, domain, key string, stored []byte) (value []byte, reseal bool, err error) {
	b, sealed := bytes.CutPrefix(stored, marker)
	switch {
	case !sealed:
		return stored, sealer != nil, nil
	case sealer == nil:
		return nil, false, fmt.Errorf("opening %s: %w", key, ErrNoSealer)
	}
	value, stale, err := sealer.OpenBytes(b, aad(domain, key))
	if err != nil {
		return nil, false, fmt.Errorf("opening %s: %w", key, err)
	}
	return value, stale, nil
}

// Get returns the value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.blobs.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	v, _, err := Open(s.sealer, s.domain, key, b)
	return v, err
}

// Put seals value and stores it under key.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	b, err := s.seal(key, value)
	if err != nil {
		return err
	}
	return s.blobs.Put(ctx, key, b)
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error { return s.blobs.Delete(ctx, key) }

// List returns the values whose key starts with prefix, by key.
func (s *Store) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	out, _, err := s.list(ctx, prefix)
	return out, err
}

// list returns the values whose key starts with prefix and the keys of
// those to seal again.
func (s *Store) list(ctx context.Context, prefix string) (map[string][]byte, []string, error) {
	all, err := s.blobs.List(ctx, prefix)
	if err != nil {
		return nil, nil, err
	}
	var reseal []string
	for key, b := range all {
		v, again, err := Open(s.sealer, s.domain, key, b)
		if err != nil {
			return nil, nil, err
		}
		all[key] = v
		if again {
			reseal = append(reseal, key)
		}
	}
	return all, reseal, nil
}

// Load is List for a load at start: the values stored in clear (by a
// version that did not seal) or under a retired key are sealed again
// under the primary key, and it returns how many. Call it only while
// nothing else writes these keys: a value written between its read and
// its new seal would be overwritten.
func (s *Store) Load(ctx context.Context, prefix string) (map[string][]byte, int, error) {
	all, reseal, err := s.list(ctx, prefix)
	if err != nil {
		return nil, 0, err
	}
	for _, key := range reseal {
		if err := s.Put(ctx, key, all[key]); err != nil {
			return nil, 0, err
		}
	}
	return all, len(reseal), nil
}

// QueuePut seals value and queues its write under key; the Blobs below
// must queue writes (CanQueue).
func (s *Store) QueuePut(ctx context.Context, key string, value []byte) error {
	b, err := s.seal(key, value)
	if err != nil {
		return err
	}
	return s.queue.QueuePut(ctx, key, b)
}

// QueueDelete queues the removal of key (see QueuePut).
func (s *Store) QueueDelete(ctx context.Context, key string) error {
	return s.queue.QueueDelete(ctx, key)
}

// Flush waits until every write queued before it is committed (see
// QueuePut).
func (s *Store) Flush(ctx context.Context) error { return s.queue.Flush(ctx) }
