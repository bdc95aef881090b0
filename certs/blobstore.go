package certs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Blobs is a namespaced key-value store, such as the service database's
// (internal/store satisfies it). Get of a missing key returns an error
// wrapping fs.ErrNotExist; List returns the entries whose key starts with
// prefix, keyed by their full key.
type Blobs interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, prefix string) (map[string][]byte, error)
}

// BlobStore is a Store over Blobs (the service database). Certificates are
// kept as they are; private keys are sealed with AES-256-GCM under the
// keyring's primary key, bound to their cluster and entry name, so the
// database never holds a key in clear. Values are JSON:
//
//	{"v":1,"cert":"-----BEGIN CERTIFICATE-----...","key":{"kid":"k1","nonce":"...","data":"..."}}
//
// keyed "<cluster>/<name>"; the ref of an entry is its key.
type BlobStore struct {
	blobs Blobs
	ring  *Keyring
}

// NewBlobStore returns a store keeping entries in blobs, keys sealed by ring.
func NewBlobStore(blobs Blobs, ring *Keyring) (*BlobStore, error) {
	if blobs == nil || ring == nil {
		return nil, fmt.Errorf("%w: BlobStore needs blobs and a keyring", ErrInvalid)
	}
	return &BlobStore{blobs: blobs, ring: ring}, nil
}

// blobRecord is the stored JSON value.
type blobRecord struct {
	Version int    `json:"v"`
	Cert    string `json:"cert"`
	Key     sealed `json:"key"`
}

const blobVersion = 1

// blobKey is the Blobs key of an entry.
func blobKey(cluster, name string) string { return cluster + "/" + name }

// Put seals the key and stores the entry.
func (s *BlobStore) Put(ctx context.Context, cluster, name string, e Entry) (string, error) {
	if err := checkEntryID(cluster, name); err != nil {
		return "", err
	}
	key := blobKey(cluster, name)
	box, err := s.ring.seal(e.Key, []byte(key))
	if err != nil {
		return "", err
	}
	return key, s.write(ctx, key, blobRecord{Version: blobVersion, Cert: string(e.Cert), Key: box})
}

// write marshals and stores a record.
func (s *BlobStore) write(ctx context.Context, key string, rec blobRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := s.blobs.Put(ctx, key, b); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// Get reads and unseals an entry.
func (s *BlobStore) Get(ctx context.Context, cluster, name string) (Entry, error) {
	if err := checkEntryID(cluster, name); err != nil {
		return Entry{}, err
	}
	key := blobKey(cluster, name)
	b, err := s.blobs.Get(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read %s: %w", key, err)
	}
	rec, err := decodeRecord(key, b)
	if err != nil {
		return Entry{}, err
	}
	plain, err := s.ring.open(rec.Key, []byte(key))
	if err != nil {
		return Entry{}, fmt.Errorf("%s: %w", key, err)
	}
	return Entry{Ref: key, Cert: []byte(rec.Cert), Key: plain}, nil
}

// decodeRecord parses a stored value.
func decodeRecord(key string, b []byte) (blobRecord, error) {
	var rec blobRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return blobRecord{}, fmt.Errorf("%w: %s: %v", ErrDecrypt, key, err)
	}
	if rec.Version != blobVersion {
		return blobRecord{}, fmt.Errorf("%w: %s: record version %d", ErrDecrypt, key, rec.Version)
	}
	return rec, nil
}

// List returns the names of the cluster's entries.
func (s *BlobStore) List(ctx context.Context, cluster string) ([]string, error) {
	if err := checkID("cluster UUID", cluster); err != nil {
		return nil, err
	}
	all, err := s.blobs.List(ctx, cluster+"/")
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", cluster, err)
	}
	names := make([]string, 0, len(all))
	for k := range all {
		if name, ok := strings.CutPrefix(k, cluster+"/"); ok && !strings.Contains(name, "/") {
			names = append(names, name)
		}
	}
	return names, nil
}

// Delete removes an entry; a missing one is not an error.
func (s *BlobStore) Delete(ctx context.Context, cluster, name string) error {
	if err := checkEntryID(cluster, name); err != nil {
		return err
	}
	key := blobKey(cluster, name)
	if err := s.blobs.Delete(ctx, key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Reencrypt rewrites every entry sealed under a key other than the
// keyring's primary one and returns how many it rewrote. Run it after
// putting a new primary key in front of the keyring; once it returns
// without error the old keys can be dropped from the configuration.
func (s *BlobStore) Reencrypt(ctx context.Context) (int, error) {
	all, err := s.blobs.List(ctx, "")
	if err != nil {
		return 0, fmt.Errorf("list entries: %w", err)
	}
	n := 0
	for key, b := range all {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		rec, err := decodeRecord(key, b)
		if err != nil {
			return n, err
		}
		if rec.Key.KeyID == s.ring.Primary() {
			continue
		}
		plain, err := s.ring.open(rec.Key, []byte(key))
		if err != nil {
			return n, fmt.Errorf("%s: %w", key, err)
		}
		if rec.Key, err = s.ring.seal(plain, []byte(key)); err != nil {
			return n, err
		}
		if err := s.write(ctx, key, rec); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// checkEntryID validates a cluster UUID and an entry name.
func checkEntryID(cluster, name string) error {
	if err := checkID("cluster UUID", cluster); err != nil {
		return err
	}
	return checkID("entry name", name)
}
