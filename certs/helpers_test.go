package certs_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

const clusterID = "5d12f6fd-a196-4bf0-ae4c-1f639a523a52"

// quiet discards the Manager's logs in tests.
var quiet = slog.New(slog.DiscardHandler)

// testRing returns a keyring with one fixed key.
func testRing(t testing.TB, ids ...string) *certs.Keyring {
	t.Helper()
	if len(ids) == 0 {
		ids = []string{"k1"}
	}
	keys := make([]certs.EncryptionKey, len(ids))
	for i, id := range ids {
		keys[i] = certs.EncryptionKey{ID: id, Secret: []byte(fmt.Sprintf("%-32s", "secret-"+id))}
	}
	r, err := certs.NewKeyring(keys[0], keys[1:]...)
	require.NoError(t, err)
	return r
}

// newManager returns a Manager over a BlobStore in memory (ECDSA keys by
// default, to keep tests fast) and the blobs behind it.
func newManager(t testing.TB, opts ...certs.Option) (*certs.Manager, *certs.MemoryBlobs) {
	t.Helper()
	blobs := &certs.MemoryBlobs{}
	store, err := certs.NewBlobStore(blobs, testRing(t))
	require.NoError(t, err)
	defaults := []certs.Option{certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(quiet)}
	m, err := certs.New(store, append(defaults, opts...)...)
	require.NoError(t, err)
	return m, blobs
}

// issued returns a Manager with the test cluster's certificates issued.
func issued(t testing.TB, opts ...certs.Option) (*certs.Manager, *certs.MemoryBlobs, certs.Bundle) {
	t.Helper()
	m, blobs := newManager(t, opts...)
	b, err := m.IssueCluster(context.Background(), certs.ClusterInfo{UUID: clusterID, Name: "k8s-prod"})
	require.NoError(t, err)
	return m, blobs, b
}

var (
	rsaKeys   = map[int]*rsa.PrivateKey{}
	rsaKeysMu sync.Mutex
)

// rsaKey returns a cached RSA key of the given size.
func rsaKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	rsaKeysMu.Lock()
	defer rsaKeysMu.Unlock()
	if k := rsaKeys[bits]; k != nil {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	require.NoError(t, err)
	rsaKeys[bits] = k
	return k
}

// ecKey returns a new ECDSA key on curve.
func ecKey(t testing.TB, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	require.NoError(t, err)
	return k
}

// newCSR returns a PEM CSR for key with the given subject and extensions.
func newCSR(t testing.TB, key crypto.Signer, subject pkix.Name, exts ...pkix.Extension) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:         subject,
		ExtraExtensions: exts,
	}, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// user is a plain user requester.
var user = certs.Requester{UserID: "0f1e2d3c", UserName: "alice", Role: certs.RoleUser}

// parseCert decodes a single PEM certificate.
func parseCert(t testing.TB, b []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(b)
	require.NotNil(t, block, "PEM certificate")
	c, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return c
}

// opensslVerify runs `openssl verify -x509_strict` on leaf against the
// trusted PEM bundle ca, for purpose ("sslclient", "sslserver" or "" for
// none) and extra arguments, and returns openssl's complaint when it refuses.
func opensslVerify(t testing.TB, ca, leaf []byte, purpose string, extra ...string) error {
	t.Helper()
	bin := testenv.Command(t, "openssl")
	dir := t.TempDir()
	caFile, leafFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "leaf.pem")
	require.NoError(t, os.WriteFile(caFile, ca, 0o600))
	require.NoError(t, os.WriteFile(leafFile, leaf, 0o600))
	args := []string{"verify", "-x509_strict", "-CAfile", caFile}
	if purpose != "" {
		args = append(args, "-purpose", purpose)
	}
	args = append(append(args, extra...), leafFile)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("openssl verify: %v: %s", err, out)
	}
	return nil
}

// requireVerifies asserts that openssl accepts leaf under ca.
func requireVerifies(t testing.TB, ca, leaf []byte, purpose string, extra ...string) {
	t.Helper()
	require.NoError(t, opensslVerify(t, ca, leaf, purpose, extra...))
}

// subj builds a subject from a common name and organisations.
func subj(cn string, orgs ...string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: orgs}
}
