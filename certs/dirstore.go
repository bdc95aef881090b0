package certs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DirStore is a Store in a local directory: <root>/<cluster>/<name>.crt
// and <name>.key, files 0600 in directories 0700. Keys are kept in clear,
// protected by the file modes only; use it on a host the service alone can
// read (or for tests), and the BlobStore or Barbican otherwise. Files are
// written to a temporary name and renamed, so a crash never leaves half a
// certificate.
type DirStore struct {
	root string
}

// File extensions of a DirStore entry.
const (
	certExt = ".crt"
	keyExt  = ".key"
)

// NewDirStore returns a store under root, creating it (mode 0700) when it
// does not exist and tightening its mode to 0700 when it does.
func NewDirStore(root string) (*DirStore, error) {
	if root == "" {
		return nil, fmt.Errorf("%w: empty certificate directory", ErrInvalid)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("certificate directory: %w", err)
	}
	if err := os.Chmod(root, 0o700); err != nil {
		return nil, fmt.Errorf("certificate directory: %w", err)
	}
	return &DirStore{root: root}, nil
}

// path returns the path of an entry without its extension.
func (s *DirStore) path(cluster, name string) string {
	return filepath.Join(s.root, cluster, name)
}

// Put writes the key, then the certificate.
func (s *DirStore) Put(_ context.Context, cluster, name string, e Entry) (string, error) {
	if err := checkEntryID(cluster, name); err != nil {
		return "", err
	}
	dir := filepath.Join(s.root, cluster)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("certificate directory: %w", err)
	}
	p := s.path(cluster, name)
	if err := writeFileAtomic(p+keyExt, e.Key); err != nil {
		return "", err
	}
	if err := writeFileAtomic(p+certExt, e.Cert); err != nil {
		return "", err
	}
	return p, nil
}

// writeFileAtomic writes data to a 0600 temporary file beside path, syncs
// it and renames it over path.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// Get reads both files of an entry.
func (s *DirStore) Get(_ context.Context, cluster, name string) (Entry, error) {
	if err := checkEntryID(cluster, name); err != nil {
		return Entry{}, err
	}
	p := s.path(cluster, name)
	cert, err := os.ReadFile(p + certExt)
	if err == nil {
		var key []byte
		if key, err = os.ReadFile(p + keyExt); err == nil {
			return Entry{Ref: p, Cert: cert, Key: key}, nil
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, fmt.Errorf("%s: %w", p, ErrNotFound)
	}
	return Entry{}, fmt.Errorf("read %s: %w", p, err)
}

// List returns the names that have a certificate or a key file.
func (s *DirStore) List(_ context.Context, cluster string) ([]string, error) {
	if err := checkID("cluster UUID", cluster); err != nil {
		return nil, err
	}
	files, err := os.ReadDir(filepath.Join(s.root, cluster))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", cluster, err)
	}
	seen := map[string]bool{}
	var names []string
	for _, f := range files {
		n := f.Name()
		base := strings.TrimSuffix(strings.TrimSuffix(n, certExt), keyExt)
		if base == n || strings.HasPrefix(n, ".") || seen[base] {
			continue
		}
		seen[base] = true
		names = append(names, base)
	}
	return names, nil
}

// Delete removes an entry's files, and the cluster's directory once empty.
func (s *DirStore) Delete(_ context.Context, cluster, name string) error {
	if err := checkEntryID(cluster, name); err != nil {
		return err
	}
	p := s.path(cluster, name)
	for _, f := range []string{p + keyExt, p + certExt} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %s: %w", f, err)
		}
	}
	// Fails harmlessly while other entries remain.
	_ = os.Remove(filepath.Join(s.root, cluster))
	return nil
}
