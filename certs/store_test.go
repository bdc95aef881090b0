package certs_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/certs/storetest"
)

func TestBlobStoreConformance(t *testing.T) {
	storetest.Run(t, storeOver(t, &certs.MemoryBlobs{}), clusterID)
}

func TestBlobStoreOverSQLiteConformance(t *testing.T) {
	blobs := openSQLiteBlobs(t, filepath.Join(t.TempDir(), "db.sqlite"))
	t.Cleanup(func() { _ = blobs.db.Close() })
	s, err := certs.NewBlobStore(blobs, testRing(t))
	require.NoError(t, err)
	storetest.Run(t, s, clusterID)
}

func TestDirStoreConformance(t *testing.T) {
	s, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	storetest.Run(t, s, clusterID)
}

func TestStoresRefuseBadNames(t *testing.T) {
	dir, err := certs.NewDirStore(t.TempDir())
	require.NoError(t, err)
	ctx := context.Background()
	for name, s := range map[string]certs.Store{"blobs": storeOver(t, &certs.MemoryBlobs{}), "dir": dir} {
		for _, bad := range [][2]string{{"../x", "g1.admin"}, {clusterID, "../../etc/passwd"}, {clusterID, ""}, {"", "g1.admin"}, {clusterID, "a/b"}} {
			_, err := s.Put(ctx, bad[0], bad[1], certs.Entry{})
			require.ErrorIs(t, err, certs.ErrInvalid, "%s Put(%q, %q)", name, bad[0], bad[1])
			_, err = s.Get(ctx, bad[0], bad[1])
			require.ErrorIs(t, err, certs.ErrInvalid, "%s Get(%q, %q)", name, bad[0], bad[1])
			require.ErrorIs(t, s.Delete(ctx, bad[0], bad[1]), certs.ErrInvalid, "%s Delete(%q, %q)", name, bad[0], bad[1])
		}
	}
}

func TestParseEncryptionKey(t *testing.T) {
	secret := bytes.Repeat([]byte{0xfb}, certs.KeySize)
	for _, s := range []string{
		"k1:" + base64.StdEncoding.EncodeToString(secret),
		"k1:" + base64.RawStdEncoding.EncodeToString(secret),
		"k1:" + base64.URLEncoding.EncodeToString(secret),
		" k1:" + base64.RawURLEncoding.EncodeToString(secret) + "\n",
	} {
		k, err := certs.ParseEncryptionKey(s)
		require.NoError(t, err, s)
		assert.Equal(t, "k1", k.ID)
		assert.Equal(t, secret, k.Secret)
	}
	for _, s := range []string{
		"",
		"k1",
		"k1:not base64!",
		"k1:" + base64.StdEncoding.EncodeToString(secret[:16]),
		":" + base64.StdEncoding.EncodeToString(secret),
		"a/b:" + base64.StdEncoding.EncodeToString(secret),
	} {
		_, err := certs.ParseEncryptionKey(s)
		require.ErrorIs(t, err, certs.ErrInvalid, "%q", s)
	}
}

func TestNewKeyringRefusesDuplicates(t *testing.T) {
	k := certs.EncryptionKey{ID: "k1", Secret: bytes.Repeat([]byte{1}, certs.KeySize)}
	_, err := certs.NewKeyring(k, k)
	require.ErrorIs(t, err, certs.ErrInvalid)
	_, err = certs.NewBlobStore(nil, nil)
	require.ErrorIs(t, err, certs.ErrInvalid)
}

func TestKeyRotation(t *testing.T) {
	ctx := context.Background()
	blobs := &certs.MemoryBlobs{}
	m, err := certs.New(storeOver(t, blobs), certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(quiet))
	require.NoError(t, err)
	_, err = m.IssueCluster(ctx, certs.ClusterInfo{UUID: clusterID})
	require.NoError(t, err)
	before, err := storeOver(t, blobs).Get(ctx, clusterID, "g1.admin")
	require.NoError(t, err)

	// k2 becomes primary, k1 still decrypts.
	rotated, err := certs.NewBlobStore(blobs, testRing(t, "k2", "k1"))
	require.NoError(t, err)
	got, err := rotated.Get(ctx, clusterID, "g1.admin")
	require.NoError(t, err)
	assert.Equal(t, before.Key, got.Key)

	n, err := rotated.Reencrypt(ctx)
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	n, err = rotated.Reencrypt(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left under the old key")

	// k1 can now be dropped; a keyring with k1 alone no longer decrypts.
	only2, err := certs.NewBlobStore(blobs, testRing(t, "k2"))
	require.NoError(t, err)
	got, err = only2.Get(ctx, clusterID, "g1.admin")
	require.NoError(t, err)
	assert.Equal(t, before.Key, got.Key)
	_, err = storeOver(t, blobs).Get(ctx, clusterID, "g1.admin")
	require.ErrorIs(t, err, certs.ErrDecrypt)

	m2, err := certs.New(only2, certs.WithLogger(quiet))
	require.NoError(t, err)
	creds, err := m2.AdminCredentials(ctx, clusterID)
	require.NoError(t, err)
	requireVerifies(t, creds.CA, creds.Cert, "sslclient")
}

func TestTamperedBlobsDoNotDecrypt(t *testing.T) {
	ctx := context.Background()
	blobs := &certs.MemoryBlobs{}
	s := storeOver(t, blobs)
	_, err := s.Put(ctx, clusterID, "g1.admin", certs.Entry{Cert: []byte("cert"), Key: []byte("secret key")})
	require.NoError(t, err)
	key := clusterID + "/g1.admin"
	value, err := blobs.Get(ctx, key)
	require.NoError(t, err)

	// Moved to another entry: the ciphertext is bound to its name.
	require.NoError(t, blobs.Put(ctx, clusterID+"/g1.ca-etcd", value))
	_, err = s.Get(ctx, clusterID, "g1.ca-etcd")
	require.ErrorIs(t, err, certs.ErrDecrypt)

	for name, mutate := range map[string]func(string) string{
		"altered ciphertext": func(v string) string {
			i := strings.Index(v, `"data":"`) + len(`"data":"`)
			c := byte('A')
			if v[i] == 'A' {
				c = 'B'
			}
			return v[:i] + string(c) + v[i+1:]
		},
		"unknown key ID": func(v string) string { return strings.Replace(v, `"kid":"k1"`, `"kid":"k9"`, 1) },
		"not JSON":       func(string) string { return "garbage" },
		"bad version":    func(v string) string { return strings.Replace(v, `"v":1`, `"v":7`, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, blobs.Put(ctx, key, []byte(mutate(string(value)))))
			_, err := s.Get(ctx, clusterID, "g1.admin")
			require.ErrorIs(t, err, certs.ErrDecrypt)
		})
	}
}
