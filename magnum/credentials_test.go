package magnum_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

// TestClusterCredentials gets client credentials for running Kubernetes
// and Swarm clusters: a new key of the asked type, a certificate the
// cluster's CA signed for the caller, and the driver's files around them.
func TestClusterCredentials(t *testing.T) {
	s := newLiveService(t)
	k8s := mustTemplate(t, s, demo, simTemplate("kubernetes", "fedora-coreos-40"))
	swarm := mustTemplate(t, s, demo, simTemplate("swarm-mode", "fedora-coreos-40"))
	k8sID := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "k", ClusterTemplateID: k8s.UUID})
	swarmID := mustCluster(t, s, demo, magnum.ClusterCreate{Name: "s", ClusterTemplateID: swarm.UUID})
	for _, id := range []string{k8sID, swarmID} {
		c, err := s.WaitCluster(as(demo), id)
		require.NoError(t, err)
		require.Equal(t, magnum.CreateComplete, c.Status)
	}
	for _, tc := range []struct {
		name      string
		cluster   string
		key       magnum.KeyType
		files     []string
		keyAlgo   x509.PublicKeyAlgorithm
		keyInside string
	}{
		{"kubernetes, default key", k8sID, "", []string{"config"}, x509.ECDSA, "config"},
		{"kubernetes, RSA", k8sID, magnum.KeyRSA, []string{"config"}, x509.RSA, "config"},
		{"swarm", swarmID, magnum.KeyECDSA, []string{"ca.pem", "cert.pem", "key.pem"}, x509.ECDSA, "key.pem"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr, err := s.ClusterCredentials(as(demo), tc.cluster, magnum.CredentialsOptions{KeyType: tc.key})
			require.NoError(t, err)
			assert.Equal(t, "demo", cr.Subject.CommonName)
			assert.Empty(t, cr.Subject.Organization)
			block, _ := pem.Decode(cr.CertificatePEM)
			require.NotNil(t, block)
			cert, err := x509.ParseCertificate(block.Bytes)
			require.NoError(t, err)
			assert.Equal(t, tc.keyAlgo, cert.PublicKeyAlgorithm)
			ca, err := s.GetCACertificate(as(demo), tc.cluster, "")
			require.NoError(t, err)
			pool := x509.NewCertPool()
			require.True(t, pool.AppendCertsFromPEM([]byte(ca.PEM)))
			_, err = cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
			require.NoError(t, err, "signed by the cluster's CA")
			keyBlock, _ := pem.Decode(cr.KeyPEM)
			require.NotNil(t, keyBlock)
			key, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
			require.NoError(t, err)
			assert.Equal(t, cert.PublicKey, key.(crypto.Signer).Public(), "the certificate is the key's")

			dir := filepath.Join(t.TempDir(), "creds")
			paths, err := cr.Write(dir)
			require.NoError(t, err)
			var names []string
			for _, p := range paths {
				names = append(names, filepath.Base(p))
				info, err := os.Stat(p)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), p)
			}
			assert.Equal(t, tc.files, names)
			inside, err := os.ReadFile(filepath.Join(dir, tc.keyInside))
			require.NoError(t, err)
			assert.True(t, containsKey(inside, cr.KeyPEM), "the files hold the new key")
		})
	}
}

// containsKey reports whether a file holds the key, as PEM or base64.
func containsKey(file, keyPEM []byte) bool {
	return bytes.Contains(file, keyPEM) || strings.Contains(string(file), base64.StdEncoding.EncodeToString(keyPEM))
}

// TestClusterCredentialsRefused checks who may not get credentials, and
// when.
func TestClusterCredentialsRefused(t *testing.T) {
	f := newFixture(t)
	building := mustCluster(t, f.s, demo, magnum.ClusterCreate{Name: "c2", ClusterTemplateID: "k8s"})
	for _, tc := range []struct {
		name    string
		caller  magnum.Caller
		cluster string
		key     magnum.KeyType
		want    error
	}{
		{"another project", alt, f.cluster, "", magnum.ErrNotFound},
		{"unknown key type", demo, f.cluster, "dsa", magnum.ErrInvalid},
		{"no certificates yet", demo, building, "", magnum.ErrConflict},
		{"unknown cluster", demo, "nope", "", magnum.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.s.ClusterCredentials(as(tc.caller), tc.cluster, magnum.CredentialsOptions{KeyType: tc.key})
			require.ErrorIs(t, err, tc.want)
		})
	}
	_, err := f.s.ClusterCredentials(nobody, f.cluster, magnum.CredentialsOptions{})
	require.ErrorIs(t, err, magnum.ErrUnauthenticated)
}

func TestCredentialsWriteRefusesPaths(t *testing.T) {
	cr := &magnum.Credentials{Files: map[string][]byte{"../escape": []byte("x")}}
	_, err := cr.Write(t.TempDir())
	require.ErrorIs(t, err, magnum.ErrInvalid)
}
