package certs_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
)

func TestNewRejectsBadOptions(t *testing.T) {
	store, err := certs.NewBlobStore(&certs.MemoryBlobs{}, testRing(t))
	require.NoError(t, err)
	for name, opt := range map[string]certs.Option{
		"key type":      certs.WithKeyType(certs.KeyType(7)),
		"CA validity":   certs.WithCAValidity(time.Second),
		"cert validity": certs.WithMaxCertValidity(time.Second),
		"nil clock":     certs.WithClock(nil),
		"nil logger":    certs.WithLogger(nil),
		"masters group": certs.WithUserGroups("system:masters"),
		"system: group": certs.WithUserGroups("system:nodes"),
		"empty group":   certs.WithUserGroups(""),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := certs.New(store, opt)
			require.ErrorIs(t, err, certs.ErrInvalid)
		})
	}
	_, err = certs.New(nil)
	require.ErrorIs(t, err, certs.ErrInvalid)
}

func TestParseCAKind(t *testing.T) {
	for in, want := range map[string]certs.CAKind{
		"":            certs.Kubernetes,
		"kubernetes":  certs.Kubernetes,
		"etcd":        certs.Etcd,
		"front_proxy": certs.FrontProxy,
		"front-proxy": certs.FrontProxy,
		"FRONT-PROXY": certs.Kubernetes,
		"bogus":       certs.Kubernetes,
	} {
		assert.Equal(t, want, certs.ParseCAKind(in), "ParseCAKind(%q)", in)
	}
}

func TestIssueCluster(t *testing.T) {
	for _, tc := range []struct {
		kt      certs.KeyType
		checkCA func(t *testing.T, c *x509.Certificate)
	}{
		{certs.RSA2048, func(t *testing.T, c *x509.Certificate) {
			k, ok := c.PublicKey.(*rsa.PublicKey)
			require.True(t, ok, "RSA key")
			assert.Equal(t, 2048, k.N.BitLen())
			assert.Equal(t, x509.SHA256WithRSA, c.SignatureAlgorithm)
		}},
		{certs.ECDSAP256, func(t *testing.T, c *x509.Certificate) {
			k, ok := c.PublicKey.(*ecdsa.PublicKey)
			require.True(t, ok, "ECDSA key")
			assert.Equal(t, elliptic.P256(), k.Curve)
		}},
	} {
		t.Run(tc.kt.String(), func(t *testing.T) {
			now := time.Now().UTC().Truncate(time.Second)
			m, _, b := issued(t, certs.WithKeyType(tc.kt), certs.WithClock(func() time.Time { return now }))
			assert.Equal(t, clusterID, b.ClusterUUID)
			assert.Equal(t, 1, b.Generation)

			cas := map[certs.CAKind]certs.Cert{certs.Kubernetes: b.CA, certs.Etcd: b.EtcdCA, certs.FrontProxy: b.FrontProxyCA}
			keyIDs := map[string]bool{}
			for kind, c := range cas {
				require.NotEmpty(t, c.Ref, kind)
				ca := parseCert(t, c.PEM)
				tc.checkCA(t, ca)
				assert.True(t, ca.IsCA, kind)
				assert.True(t, ca.MaxPathLenZero, kind)
				assert.Equal(t, 0, ca.MaxPathLen, kind)
				assert.Equal(t, x509.KeyUsageCertSign|x509.KeyUsageCRLSign|x509.KeyUsageDigitalSignature, ca.KeyUsage)
				assert.Equal(t, "k8s-prod", ca.Subject.CommonName)
				assert.Equal(t, []string{string(kind)}, ca.Subject.OrganizationalUnit)
				assert.Equal(t, now.Add(certs.DefaultCAValidity), ca.NotAfter)
				assert.NotEmpty(t, ca.SubjectKeyId)
				keyIDs[string(ca.SubjectKeyId)] = true
				requireVerifies(t, c.PEM, c.PEM, "")

				got, err := m.CACert(context.Background(), clusterID, kind)
				require.NoError(t, err)
				assert.Equal(t, c.PEM, got)
			}
			assert.Len(t, keyIDs, 3, "three distinct CA keys")

			admin := parseCert(t, b.Admin.PEM)
			assert.Equal(t, "admin", admin.Subject.CommonName)
			assert.Equal(t, []string{"system:masters"}, admin.Subject.Organization)
			assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, admin.ExtKeyUsage)
			assert.False(t, admin.IsCA)
			requireVerifies(t, b.CA.PEM, b.Admin.PEM, "sslclient")
			require.Error(t, opensslVerify(t, b.EtcdCA.PEM, b.Admin.PEM, "sslclient"),
				"control: the admin certificate must not verify under the etcd CA")
		})
	}
}

func TestIssueClusterIsIdempotent(t *testing.T) {
	m, blobs, first := issued(t)
	again, err := m.IssueCluster(context.Background(), certs.ClusterInfo{UUID: clusterID, Name: "renamed"})
	require.NoError(t, err)
	assert.Equal(t, first, again)
	all, err := blobs.List(context.Background(), "")
	require.NoError(t, err)
	assert.Len(t, all, 4, "three CAs and the admin certificate")
}

func TestIssueClusterWithoutNameUsesUUID(t *testing.T) {
	m, _ := newManager(t)
	b, err := m.IssueCluster(context.Background(), certs.ClusterInfo{UUID: clusterID})
	require.NoError(t, err)
	assert.Equal(t, clusterID, parseCert(t, b.CA.PEM).Subject.CommonName)
}

func TestBadClusterUUID(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	for _, id := range []string{"", "../etc", "a/b", ".hidden", "x y"} {
		_, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: id})
		require.ErrorIs(t, err, certs.ErrInvalid, "IssueCluster(%q)", id)
		_, err = m.CACert(ctx, id, certs.Kubernetes)
		require.ErrorIs(t, err, certs.ErrInvalid, "CACert(%q)", id)
		require.ErrorIs(t, m.Delete(ctx, id), certs.ErrInvalid, "Delete(%q)", id)
	}
}

func TestUnknownCluster(t *testing.T) {
	m, _ := newManager(t)
	ctx := context.Background()
	_, err := m.CACert(ctx, clusterID, certs.Kubernetes)
	require.ErrorIs(t, err, certs.ErrNotFound)
	_, err = m.SignCSR(ctx, clusterID, certs.Kubernetes, newCSR(t, ecKey(t, elliptic.P256()), subj("alice")), user)
	require.ErrorIs(t, err, certs.ErrNotFound)
	_, err = m.AdminCredentials(ctx, clusterID)
	require.ErrorIs(t, err, certs.ErrNotFound)
	_, err = m.Rotate(ctx, clusterID)
	require.ErrorIs(t, err, certs.ErrNotFound)
	require.NoError(t, m.Delete(ctx, clusterID), "deleting a cluster without certificates")
}

func TestConcurrentIssueMakesOneGeneration(t *testing.T) {
	m, blobs := newManager(t)
	ctx := context.Background()
	bundles := make([]certs.Bundle, 4)
	errs := make([]error, 4)
	done := make(chan struct{})
	for i := range bundles {
		go func() {
			defer func() { done <- struct{}{} }()
			bundles[i], errs[i] = m.IssueCluster(ctx, certs.ClusterInfo{UUID: clusterID})
		}()
	}
	for range bundles {
		<-done
	}
	for i := range bundles {
		require.NoError(t, errs[i])
		assert.Equal(t, bundles[0], bundles[i])
	}
	all, err := blobs.List(ctx, "")
	require.NoError(t, err)
	assert.Len(t, all, 4)
}
