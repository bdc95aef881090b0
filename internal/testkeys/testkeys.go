// Package testkeys makes the encryption keyrings tests seal data with.
package testkeys

import (
	"crypto/sha256"
	"testing"

	"github.com/gomagnum/gomagnum/certs"
)

// Keyring returns a keyring of keys with the given IDs, the first one
// primary, each with a secret derived from its ID, so that two keyrings
// with a key of the same ID open each other's data.
func Keyring(t testing.TB, ids ...string) *certs.Keyring {
	t.Helper()
	keys := make([]certs.EncryptionKey, len(ids))
	for i, id := range ids {
		sum := sha256.Sum256([]byte(id))
		keys[i] = certs.EncryptionKey{ID: id, Secret: sum[:]}
	}
	r, err := certs.NewKeyring(keys[0], keys[1:]...)
	if err != nil {
		t.Fatalf("keyring: %v", err)
	}
	return r
}
