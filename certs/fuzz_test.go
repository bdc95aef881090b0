package certs_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
)

// FuzzSignCSR feeds arbitrary bytes to SignCSR for each kind of requester
// and CA. Whatever the input: no panic; a refusal wraps ErrCSRRejected; an
// issued certificate is a client certificate of the CSR's own key whose
// subject obeys the requester's rules. Seeds: testdata/fuzz/FuzzSignCSR
// (made with openssl) and the requests added below.
func FuzzSignCSR(f *testing.F) {
	m, _, _ := issued(f, certs.WithUserGroups("developers"))
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(f, err)
	p256 := ecKey(f, elliptic.P256())
	for _, seed := range [][]byte{
		newCSR(f, p256, subj("alice")),
		newCSR(f, p256, subj("alice", "developers"), keyUsage(f, 0, 2), extKeyUsage(f, oidClientAuth)),
		newCSR(f, ed, subj("system:node:n1", "system:nodes")),
		newCSR(f, rsaKey(f, 2048), subj("admin", "system:masters")),
		newCSR(f, p256, subj("alice"), basicConstraints(f, true, true)),
		tamper(f, newCSR(f, p256, subj("alice"))),
		withCurve(f, newCSR(f, p256, subj("alice"))),
		[]byte("-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"),
	} {
		f.Add(seed)
	}
	requesters := []certs.Requester{
		user,
		{UserID: "trustee", Role: certs.RoleClusterNode},
		{UserID: "root", Role: certs.RoleAdmin},
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, who := range requesters {
			for _, kind := range certs.Kinds {
				certPEM, err := m.SignCSR(ctx, clusterID, kind, data, who)
				if err != nil {
					require.ErrorIs(t, err, certs.ErrCSRRejected)
					require.Nil(t, certPEM)
					continue
				}
				checkIssued(t, data, certPEM, kind, who)
			}
		}
	})
}

// checkIssued asserts the invariants of a certificate SignCSR issued.
func checkIssued(t *testing.T, csrPEM, certPEM []byte, kind certs.CAKind, who certs.Requester) {
	block, _ := pem.Decode(csrPEM)
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	require.NoError(t, err)
	require.NoError(t, csr.CheckSignature())
	c := parseCert(t, certPEM)
	require.False(t, c.IsCA)
	require.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, c.ExtKeyUsage)
	require.Empty(t, c.DNSNames)
	require.Empty(t, c.IPAddresses)
	pub, ok := csr.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	require.True(t, ok)
	require.True(t, pub.Equal(c.PublicKey), "certified key is the CSR's")

	cn, orgs := c.Subject.CommonName, c.Subject.Organization
	switch who.Role {
	case certs.RoleUser:
		require.Equal(t, certs.Kubernetes, kind)
		require.Contains(t, []string{who.UserName, who.UserID}, cn)
		for _, o := range orgs {
			require.Equal(t, "developers", o)
		}
	case certs.RoleClusterNode:
		require.NotContains(t, orgs, "system:masters")
		if kind == certs.FrontProxy {
			require.Equal(t, "front-proxy-client", cn)
			require.Empty(t, orgs)
		}
		if kind == certs.Kubernetes {
			require.True(t, strings.HasPrefix(cn, "system:node:") && slices.Equal(orgs, []string{"system:nodes"}) ||
				strings.HasPrefix(cn, "system:kube-") && len(orgs) == 0, "node subject %v", c.Subject)
		}
	}
	require.False(t, bytes.Contains(certPEM, []byte("PRIVATE")))
}
