package certs

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the length of an encryption key: AES-256.
const KeySize = 32

// EncryptionKey is one key of a Keyring: an ID recorded next to every
// ciphertext, and 32 secret bytes.
type EncryptionKey struct {
	ID     string
	Secret []byte
}

// ParseEncryptionKey reads a key from configuration, written
// "<id>:<base64 of 32 bytes>" (standard or URL base64, padding optional).
// Generate one with:  echo "k1:$(head -c 32 /dev/urandom | base64)"
func ParseEncryptionKey(s string) (EncryptionKey, error) {
	id, b64, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return EncryptionKey{}, fmt.Errorf("%w: encryption key must be <id>:<base64>", ErrInvalid)
	}
	var secret []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if secret, err = enc.DecodeString(b64); err == nil {
			break
		}
	}
	if err != nil {
		return EncryptionKey{}, fmt.Errorf("%w: encryption key %q: not base64", ErrInvalid, id)
	}
	k := EncryptionKey{ID: id, Secret: secret}
	return k, k.check()
}

// check validates the ID and the length.
func (k EncryptionKey) check() error {
	if err := checkID("encryption key ID", k.ID); err != nil {
		return err
	}
	if len(k.Secret) != KeySize {
		return fmt.Errorf("%w: encryption key %q has %d bytes, want %d", ErrInvalid, k.ID, len(k.Secret), KeySize)
	}
	return nil
}

// Keyring encrypts with its primary key and decrypts with any of its keys,
// so keys can be rotated: put the new key first, keep the old ones until
// BlobStore.Reencrypt has rewritten every entry, then drop them.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring encrypting with primary.
func NewKeyring(primary EncryptionKey, older ...EncryptionKey) (*Keyring, error) {
	r := &Keyring{primary: primary.ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range append([]EncryptionKey{primary}, older...) {
		if err := k.check(); err != nil {
			return nil, err
		}
		if _, dup := r.aeads[k.ID]; dup {
			return nil, fmt.Errorf("%w: encryption key ID %q appears twice", ErrInvalid, k.ID)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("encryption key %q: %w", k.ID, err)
		}
		r.aeads[k.ID] = aead
	}
	return r, nil
}

// Primary returns the ID of the key that encrypts.
func (r *Keyring) Primary() string { return r.primary }

// sealed is an encrypted value with the ID of its key.
type sealed struct {
	KeyID string `json:"kid"`
	Nonce []byte `json:"nonce"`
	Data  []byte `json:"data"`
}

// seal encrypts plaintext with the primary key; aad binds the ciphertext to
// its place (a ciphertext moved to another entry does not decrypt).
func (r *Keyring) seal(plaintext, aad []byte) (sealed, error) {
	aead := r.aeads[r.primary]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return sealed{}, fmt.Errorf("nonce: %w", err)
	}
	return sealed{KeyID: r.primary, Nonce: nonce, Data: aead.Seal(nil, nonce, plaintext, bindAAD(r.primary, aad))}, nil
}

// open decrypts s.
func (r *Keyring) open(s sealed, aad []byte) ([]byte, error) {
	aead, ok := r.aeads[s.KeyID]
	if !ok {
		return nil, fmt.Errorf("%w: key %q is not in the keyring", ErrDecrypt, s.KeyID)
	}
	if len(s.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("%w: bad nonce", ErrDecrypt)
	}
	plain, err := aead.Open(nil, s.Nonce, s.Data, bindAAD(s.KeyID, aad))
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: authentication failed", ErrDecrypt, s.KeyID)
	}
	return plain, nil
}

// bindAAD prefixes the caller's additional data with a format tag and the
// key ID.
func bindAAD(keyID string, aad []byte) []byte {
	return append([]byte("gomagnum-certs-v1\x00"+keyID+"\x00"), aad...)
}

// Seal encrypts a secret other than a key (a trustee password) with the
// primary key, bound to aad (the place it is stored at), and returns it
// as printable text to store.
func (r *Keyring) Seal(plaintext, aad []byte) (string, error) {
	s, err := r.seal(plaintext, aad)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	return base64.RawURLEncoding.EncodeToString(b), err
}

// Open decrypts text Seal returned for the same aad.
func (r *Keyring) Open(text string, aad []byte) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(text)
	var s sealed
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: malformed sealed value", ErrDecrypt)
	}
	return r.open(s, aad)
}

// recordFormat is the first byte of SealBytes's output.
const recordFormat = 1

// recordAAD tags the additional data of sealed records, so that a
// record's ciphertext never opens as a sealed key or password and back.
const recordAAD = "record\x00"

// SealBytes encrypts a stored record with the primary key, bound to aad
// (the place it is stored at), appends it to dst in binary form and
// returns the extended slice: a format byte, the length of the key ID
// and the key ID, the nonce, then the ciphertext. The embedded engine
// and the simulated cloud seal their records with it; appending spares
// a copy of records that can be large.
func (r *Keyring) SealBytes(dst, plaintext, aad []byte) ([]byte, error) {
	aead := r.aeads[r.primary]
	n := aead.NonceSize()
	out := slices.Grow(dst, 2+len(r.primary)+n+len(plaintext)+aead.Overhead())
	out = append(append(out, recordFormat, byte(len(r.primary))), r.primary...)
	nonce := out[len(out) : len(out)+n]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	out = out[:len(out)+n]
	return aead.Seal(out, nonce, plaintext, bindAAD(r.primary, append([]byte(recordAAD), aad...))), nil
}

// OpenBytes decrypts what SealBytes returned for the same aad. stale
// reports that the record was sealed with a key other than the primary
// one: sealing it again moves it to the primary key, so that the older
// one can be dropped.
func (r *Keyring) OpenBytes(b, aad []byte) (plaintext []byte, stale bool, err error) {
	const nonceSize = 12 // cipher.NewGCM's
	if len(b) < 2 || b[0] != recordFormat || len(b) < 2+int(b[1])+nonceSize {
		return nil, false, fmt.Errorf("%w: malformed sealed record", ErrDecrypt)
	}
	id, rest := string(b[2:2+int(b[1])]), b[2+int(b[1]):]
	plaintext, err = r.open(sealed{KeyID: id, Nonce: rest[:nonceSize], Data: rest[nonceSize:]}, append([]byte(recordAAD), aad...))
	return plaintext, err == nil && id != r.primary, err
}
