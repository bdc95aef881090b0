package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Blobs is a namespace of keyed byte values in the store: the embedded
// orchestrator's stacks, the simulated cloud's objects, encrypted
// certificates. Each call is its own transaction.
type Blobs struct {
	s         *Store
	namespace string
}

// Blobs returns the blob namespace ns.
func (s *Store) Blobs(ns string) *Blobs { return &Blobs{s: s, namespace: ns} }

// Get returns the value of key, or an error wrapping fs.ErrNotExist.
func (b *Blobs) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := b.s.View(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT value FROM blobs WHERE namespace = ? AND key = ?", b.namespace, key).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob %s/%s: %w", b.namespace, key, fs.ErrNotExist)
	}
	return v, err
}

// Put sets the value of key.
func (b *Blobs) Put(ctx context.Context, key string, value []byte) error {
	return b.s.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO blobs (namespace, key, value) VALUES (?, ?, ?)
			ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`, b.namespace, key, value)
		return err
	})
}

// Delete removes key; a missing key is not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	return b.s.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "DELETE FROM blobs WHERE namespace = ? AND key = ?", b.namespace, key)
		return err
	})
}

// List returns every key starting with prefix, with its value.
func (b *Blobs) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := b.s.View(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT key, value FROM blobs WHERE namespace = ? AND key >= ? ORDER BY key",
			b.namespace, prefix)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var v []byte
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			if !strings.HasPrefix(k, prefix) {
				break
			}
			out[k] = v
		}
		return rows.Err()
	})
	return out, err
}
