package certs_test

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"encoding/pem"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
)

// pemCount counts the PEM blocks in b.
func pemCount(b []byte) int {
	n := 0
	for block, rest := pem.Decode(b); block != nil; block, rest = pem.Decode(rest) {
		n++
	}
	return n
}

// storeOver returns a BlobStore over blobs with the test keyring, to reach
// behind a Manager's back.
func storeOver(t testing.TB, blobs *certs.MemoryBlobs) *certs.BlobStore {
	s, err := certs.NewBlobStore(blobs, testRing(t))
	require.NoError(t, err)
	return s
}

func TestRotation(t *testing.T) {
	m, blobs, old := issued(t)
	ctx := context.Background()
	sign := func() []byte {
		c, err := m.SignCSR(ctx, clusterID, certs.Kubernetes, newCSR(t, ecKey(t, elliptic.P256()), subj("alice")), user)
		require.NoError(t, err)
		return c
	}
	oldLeaf := sign()

	b, err := m.Rotate(ctx, clusterID)
	require.NoError(t, err)
	assert.Equal(t, 2, b.Generation)
	assert.NotEqual(t, old.CA.PEM, b.CA.PEM)
	assert.NotEqual(t, old.Admin.PEM, b.Admin.PEM)
	assert.NotEqual(t, old.CA.Ref, b.CA.Ref)
	assert.Equal(t, "k8s-prod", parseCert(t, b.CA.PEM).Subject.CommonName, "the new CAs keep the name")

	current, err := m.CACert(ctx, clusterID, certs.Kubernetes)
	require.NoError(t, err)
	assert.Equal(t, b.CA.PEM, current)

	bundles, err := m.CABundles(ctx, clusterID)
	require.NoError(t, err)
	require.Len(t, bundles, len(certs.Kinds))
	for kind, want := range map[certs.CAKind][2][]byte{
		certs.Kubernetes: {b.CA.PEM, old.CA.PEM},
		certs.Etcd:       {b.EtcdCA.PEM, old.EtcdCA.PEM},
		certs.FrontProxy: {b.FrontProxyCA.PEM, old.FrontProxyCA.PEM},
	} {
		bundle, err := m.CABundle(ctx, clusterID, kind)
		require.NoError(t, err)
		assert.Equal(t, slices.Concat(want[0], want[1]), bundle, "%s: new CA first, then the old one", kind)
		assert.Equal(t, bundle, bundles[kind], "%s: CABundles gives what CABundle gives", kind)
	}
	bundle, err := m.CABundle(ctx, clusterID, certs.Kubernetes)
	require.NoError(t, err)

	newLeaf := sign()
	requireVerifies(t, bundle, oldLeaf, "sslclient")
	requireVerifies(t, bundle, newLeaf, "sslclient")
	requireVerifies(t, b.CA.PEM, newLeaf, "sslclient")
	require.Error(t, opensslVerify(t, old.CA.PEM, newLeaf, "sslclient"), "new certificates come from the new CA")

	creds, err := m.AdminCredentials(ctx, clusterID)
	require.NoError(t, err)
	assert.Equal(t, b.Admin.PEM, creds.Cert, "client configuration moves to the new admin certificate")
	assert.Equal(t, bundle, creds.CA)
	requireVerifies(t, b.CA.PEM, creds.Cert, "sslclient")

	_, err = m.Rotate(ctx, clusterID)
	require.ErrorIs(t, err, certs.ErrRotationInProgress)

	require.NoError(t, m.FinishRotation(ctx, clusterID))
	bundle, err = m.CABundle(ctx, clusterID, certs.Kubernetes)
	require.NoError(t, err)
	assert.Equal(t, b.CA.PEM, bundle)
	require.Error(t, opensslVerify(t, bundle, oldLeaf, "sslclient"), "the old CA is gone")
	all, err := blobs.List(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 4, "the superseded generation is freed")

	require.NoError(t, m.FinishRotation(ctx, clusterID), "nothing to finish is fine")
	b3, err := m.Rotate(ctx, clusterID)
	require.NoError(t, err)
	assert.Equal(t, 3, b3.Generation)
}

func TestInterruptedRotationLeavesDebrisThatIsCleaned(t *testing.T) {
	m, blobs, old := issued(t)
	ctx := context.Background()
	store := storeOver(t, blobs)
	// A rotation that died after writing one CA of generation 2.
	_, err := store.Put(ctx, clusterID, "g2.ca-kubernetes", certs.Entry{Cert: []byte("x"), Key: []byte("y")})
	require.NoError(t, err)

	ca, err := m.CACert(ctx, clusterID, certs.Kubernetes)
	require.NoError(t, err)
	assert.Equal(t, old.CA.PEM, ca, "debris is not a generation")
	bundle, err := m.CABundle(ctx, clusterID, certs.Kubernetes)
	require.NoError(t, err)
	assert.Equal(t, 1, pemCount(bundle))

	b, err := m.Rotate(ctx, clusterID)
	require.NoError(t, err)
	assert.Equal(t, 3, b.Generation, "the debris' generation number is not reused")
	require.NoError(t, m.FinishRotation(ctx, clusterID))
	names, err := store.List(ctx, clusterID)
	require.NoError(t, err)
	slices.Sort(names)
	assert.Equal(t, []string{"g3.admin", "g3.ca-etcd", "g3.ca-front-proxy", "g3.ca-kubernetes"}, names)
}

func TestIssueAfterInterruptedIssue(t *testing.T) {
	m, blobs := newManager(t)
	ctx := context.Background()
	store := storeOver(t, blobs)
	_, err := store.Put(ctx, clusterID, "g1.ca-kubernetes", certs.Entry{Cert: []byte("x"), Key: []byte("y")})
	require.NoError(t, err)
	_, err = m.CACert(ctx, clusterID, certs.Kubernetes)
	require.ErrorIs(t, err, certs.ErrNotFound)

	b, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: clusterID})
	require.NoError(t, err)
	names, err := store.List(ctx, clusterID)
	require.NoError(t, err)
	assert.Len(t, names, 4, "the debris is dropped")
	requireVerifies(t, b.CA.PEM, b.Admin.PEM, "sslclient")
}

func TestDeleteFreesEverything(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	dirStore, err := certs.NewDirStore(dir)
	require.NoError(t, err)
	blobs := &certs.MemoryBlobs{}
	for name, tc := range map[string]struct {
		store certs.Store
		empty func(t *testing.T)
	}{
		"blobs": {storeOver(t, blobs), func(t *testing.T) {
			all, err := blobs.List(context.Background(), "")
			require.NoError(t, err)
			assert.Empty(t, all)
		}},
		"dir": {dirStore, func(t *testing.T) {
			var files []string
			require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if p != dir {
					files = append(files, p)
				}
				return err
			}))
			assert.Empty(t, files)
		}},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			m, err := certs.New(tc.store, certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(quiet))
			require.NoError(t, err)
			_, err = m.IssueCluster(ctx, certs.ClusterInfo{UUID: clusterID})
			require.NoError(t, err)
			_, err = m.Rotate(ctx, clusterID) // a superseded generation too
			require.NoError(t, err)
			_, err = tc.store.Put(ctx, clusterID, "g9.admin", certs.Entry{Cert: []byte("x"), Key: []byte("y")})
			require.NoError(t, err)
			_, err = tc.store.Put(ctx, clusterID, "foreign", certs.Entry{Cert: []byte("x"), Key: []byte("y")})
			require.NoError(t, err)
			names, err := tc.store.List(ctx, clusterID)
			require.NoError(t, err)
			require.Len(t, names, 10)

			require.NoError(t, m.Delete(ctx, clusterID))
			names, err = tc.store.List(ctx, clusterID)
			require.NoError(t, err)
			assert.Empty(t, names)
			tc.empty(t)
			_, err = m.CACert(ctx, clusterID, certs.Kubernetes)
			require.ErrorIs(t, err, certs.ErrNotFound)
		})
	}
}

func TestDirStoreModes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "certs")
	require.NoError(t, os.MkdirAll(root, 0o755))
	s, err := certs.NewDirStore(root)
	require.NoError(t, err)
	m, err := certs.New(s, certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(quiet))
	require.NoError(t, err)
	b, err := m.IssueCluster(context.Background(), certs.ClusterInfo{UUID: clusterID})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, clusterID, "g1.ca-kubernetes"), b.CA.Ref)

	n := 0
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		info, err := d.Info()
		require.NoError(t, err)
		if d.IsDir() {
			assert.Equal(t, fs.ModeDir|0o700, info.Mode(), p)
		} else {
			n++
			assert.Equal(t, fs.FileMode(0o600), info.Mode(), p)
		}
		return nil
	}))
	assert.Equal(t, 8, n, "a certificate and a key per entry, no temporary files")
	key, err := os.ReadFile(filepath.Join(root, clusterID, "g1.admin.key"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(key, []byte("-----BEGIN PRIVATE KEY-----")))
}
