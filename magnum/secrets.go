package magnum

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomagnum/gomagnum/certs"
)

// secretKeyFile holds, in the data directory, the key the service seals
// private keys and passwords with when none is configured.
const secretKeyFile = "secret.key"

// keyring returns the keyring secrets at rest are sealed with: the
// configured keys, else a key kept in the data directory (created on first
// use, mode 0600).
func (s *Service) keyring(dataDir string) (*certs.Keyring, error) {
	keys := s.cfg.secretKeys
	if len(keys) == 0 {
		if dataDir == "" {
			return nil, errors.New("magnum: a secret key is required (WithSecretKeys) when the database is not in a data directory")
		}
		k, err := loadOrCreateKey(filepath.Join(dataDir, secretKeyFile))
		if err != nil {
			return nil, err
		}
		keys = []certs.EncryptionKey{k}
	}
	return certs.NewKeyring(keys[0], keys[1:]...)
}

func loadOrCreateKey(path string) (certs.EncryptionKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		secret := make([]byte, certs.KeySize)
		if _, err := rand.Read(secret); err != nil {
			return certs.EncryptionKey{}, err
		}
		line := "k1:" + base64.StdEncoding.EncodeToString(secret)
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return certs.EncryptionKey{}, fmt.Errorf("magnum: secret key: %w", err)
		}
		_, err = f.WriteString(line + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return certs.EncryptionKey{}, fmt.Errorf("magnum: secret key: %w", err)
		}
		b = []byte(line)
	} else if err != nil {
		return certs.EncryptionKey{}, fmt.Errorf("magnum: secret key: %w", err)
	}
	return certs.ParseEncryptionKey(strings.TrimSpace(string(b)))
}
