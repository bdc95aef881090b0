package certs_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

var (
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidServerAuth       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}
	oidClientAuth       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	oidCodeSigning      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}
)

// ext marshals v as an extension.
func ext(t testing.TB, id asn1.ObjectIdentifier, critical bool, v any) pkix.Extension {
	t.Helper()
	der, err := asn1.Marshal(v)
	require.NoError(t, err)
	return pkix.Extension{Id: id, Critical: critical, Value: der}
}

// basicConstraints returns a basicConstraints extension.
func basicConstraints(t testing.TB, isCA, critical bool) pkix.Extension {
	return ext(t, oidBasicConstraints, critical, struct {
		IsCA bool `asn1:"optional"`
	}{isCA})
}

// keyUsage returns a keyUsage extension with the given bits set.
func keyUsage(t testing.TB, bits ...int) pkix.Extension {
	n := 0
	for _, b := range bits {
		n = max(n, b+1)
	}
	bs := asn1.BitString{Bytes: make([]byte, (n+7)/8), BitLength: n}
	for _, b := range bits {
		bs.Bytes[b/8] |= 0x80 >> (b % 8)
	}
	return ext(t, oidKeyUsage, true, bs)
}

// extKeyUsage returns an extendedKeyUsage extension.
func extKeyUsage(t testing.TB, oids ...asn1.ObjectIdentifier) pkix.Extension {
	return ext(t, oidExtKeyUsage, false, oids)
}

// forged returns a CSR claiming victim's public key but signed by another
// key: its sender does not hold the key the certificate would be for.
func forged(t testing.TB, victim crypto.Signer, subject pkix.Name) []byte {
	t.Helper()
	block, _ := pem.Decode(newCSR(t, victim, subject))
	var csr struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}
	_, err := asn1.Unmarshal(block.Bytes, &csr)
	require.NoError(t, err)
	digest := sha256.Sum256(csr.TBS.FullBytes)
	sig, err := ecKey(t, elliptic.P256()).Sign(rand.Reader, digest[:], crypto.SHA256)
	require.NoError(t, err)
	csr.Signature = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	der, err := asn1.Marshal(csr)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// tamper flips the last byte of the CSR's DER (inside its signature).
func tamper(t testing.TB, csrPEM []byte) []byte {
	block, _ := pem.Decode(csrPEM)
	der := bytes.Clone(block.Bytes)
	der[len(der)-1] ^= 0x01
	return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
}

// withCurve replaces the P-256 curve OID of an ECDSA CSR by P-192's, which
// has the same length: a CSR on a curve nobody should sign.
func withCurve(t testing.TB, csrPEM []byte) []byte {
	block, _ := pem.Decode(csrPEM)
	p256 := []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}
	p192 := []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01}
	require.Equal(t, 1, bytes.Count(block.Bytes, p256))
	der := bytes.Replace(block.Bytes, p256, p192, 1)
	return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
}

func TestSignCSRRefusals(t *testing.T) {
	m, _, _ := issued(t, certs.WithUserGroups("developers"))
	p256 := ecKey(t, elliptic.P256())
	good := newCSR(t, p256, subj("alice"))
	node := certs.Requester{UserID: "trustee-1", UserName: "trustee_5d12", Role: certs.RoleClusterNode}
	admin := certs.Requester{UserID: "root-id", UserName: "root", Role: certs.RoleAdmin}

	for _, tc := range []struct {
		name string
		csr  []byte
		kind certs.CAKind
		who  certs.Requester
		want error
	}{
		{"not PEM", []byte("hello"), "", user, certs.ErrMalformedCSR},
		{"empty", nil, "", user, certs.ErrMalformedCSR},
		{"certificate instead", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "", user, certs.ErrMalformedCSR},
		{"garbage DER", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte{0x30, 0x03, 1, 2, 3}}), "", user, certs.ErrMalformedCSR},
		{"two requests", append(bytes.Clone(good), good...), "", user, certs.ErrMalformedCSR},
		{"oversized", append(bytes.Clone(good), bytes.Repeat([]byte(" "), certs.MaxCSRSize)...), "", user, certs.ErrMalformedCSR},
		{"flipped signature", tamper(t, good), "", admin, certs.ErrBadSignature},
		{"key not held", forged(t, p256, subj("alice")), "", admin, certs.ErrBadSignature},
		{"CA:true critical", newCSR(t, p256, subj("alice"), basicConstraints(t, true, true)), "", admin, certs.ErrCARequested},
		{"CA:true non-critical", newCSR(t, p256, subj("alice"), basicConstraints(t, true, false)), "", admin, certs.ErrCARequested},
		{"keyCertSign", newCSR(t, p256, subj("alice"), keyUsage(t, 0, 5)), "", admin, certs.ErrCARequested},
		{"cRLSign", newCSR(t, p256, subj("alice"), keyUsage(t, 6)), "", admin, certs.ErrCARequested},
		{"dataEncipherment", newCSR(t, p256, subj("alice"), keyUsage(t, 3)), "", admin, certs.ErrKeyUsage},
		{"serverAuth", newCSR(t, p256, subj("alice"), extKeyUsage(t, oidServerAuth)), "", admin, certs.ErrKeyUsage},
		{"clientAuth and codeSigning", newCSR(t, p256, subj("alice"), extKeyUsage(t, oidClientAuth, oidCodeSigning)), "", admin, certs.ErrKeyUsage},
		{"unknown critical extension", newCSR(t, p256, subj("alice"), pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Critical: true, Value: []byte{5, 0}}), "", admin, certs.ErrUnsupportedExtension},
		{"RSA 1024", newCSR(t, rsaKey(t, 1024), subj("alice")), "", admin, certs.ErrWeakKey},
		{"P-224", newCSR(t, ecKey(t, elliptic.P224()), subj("alice")), "", admin, certs.ErrUnsupportedKey},
		{"P-192", withCurve(t, good), "", admin, certs.ErrUnsupportedKey},

		{"user asks system:masters", newCSR(t, p256, subj("alice", "system:masters")), "", user, certs.ErrSubjectForbidden},
		{"user asks admin/system:masters (magnumclient)", newCSR(t, p256, subj("admin", "system:masters")), "", user, certs.ErrSubjectForbidden},
		{"user asks another user's CN", newCSR(t, p256, subj("bob")), "", user, certs.ErrSubjectForbidden},
		{"user asks a node identity", newCSR(t, p256, subj("system:node:n1", "system:nodes")), "", user, certs.ErrSubjectForbidden},
		{"user asks a group not allowed", newCSR(t, p256, subj("alice", "ops")), "", user, certs.ErrSubjectForbidden},
		{"user asks the etcd CA", newCSR(t, p256, subj("alice")), certs.Etcd, user, certs.ErrSubjectForbidden},
		{"user asks the front-proxy CA", newCSR(t, p256, subj("alice")), "front_proxy", user, certs.ErrSubjectForbidden},
		{"user without identity", newCSR(t, p256, subj("alice")), "", certs.Requester{}, certs.ErrSubjectForbidden},
		{"node asks system:masters", newCSR(t, p256, subj("system:node:n1", "system:masters")), "", node, certs.ErrSubjectForbidden},
		{"node asks etcd system:masters", newCSR(t, p256, subj("root", "system:masters")), certs.Etcd, node, certs.ErrSubjectForbidden},
		{"node asks admin", newCSR(t, p256, subj("admin")), "", node, certs.ErrSubjectForbidden},
		{"node without system:nodes", newCSR(t, p256, subj("system:node:n1")), "", node, certs.ErrSubjectForbidden},
		{"component with a group", newCSR(t, p256, subj("system:kube-proxy", "system:nodes")), "", node, certs.ErrSubjectForbidden},
		{"node asks front-proxy as someone", newCSR(t, p256, subj("alice")), certs.FrontProxy, node, certs.ErrSubjectForbidden},
		{"node asks front-proxy with a group", newCSR(t, p256, subj("front-proxy-client", "system:masters")), certs.FrontProxy, node, certs.ErrSubjectForbidden},
		{"empty CN", newCSR(t, p256, subj("")), "", admin, certs.ErrSubjectForbidden},
		{"control character", newCSR(t, p256, subj("alice\x07")), "", admin, certs.ErrSubjectForbidden},
		{"long CN", newCSR(t, p256, subj(strings.Repeat("a", 65))), "", admin, certs.ErrSubjectForbidden},
		{"unknown role", good, "", certs.Requester{UserName: "alice", Role: certs.Role(9)}, certs.ErrSubjectForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert, err := m.SignCSR(context.Background(), clusterID, tc.kind, tc.csr, tc.who)
			require.ErrorIs(t, err, certs.ErrCSRRejected)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, cert)
			t.Log(err)
		})
	}
}

func TestSignCSR(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	m, _, b := issued(t, certs.WithUserGroups("developers"), certs.WithMaxCertValidity(48*time.Hour),
		certs.WithClock(func() time.Time { return now }))
	node := certs.Requester{UserID: "trustee-1", Role: certs.RoleClusterNode}
	admin := certs.Requester{UserID: "root-id", Role: certs.RoleAdmin}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	cas := map[certs.CAKind][]byte{certs.Kubernetes: b.CA.PEM, certs.Etcd: b.EtcdCA.PEM, certs.FrontProxy: b.FrontProxyCA.PEM}

	for _, tc := range []struct {
		name    string
		csr     []byte
		kind    certs.CAKind
		who     certs.Requester
		want    pkix.Name
		wantKey crypto.PublicKey
	}{
		{name: "user by name, RSA", csr: newCSR(t, rsaKey(t, 2048), subj("alice")), who: user, want: subj("alice")},
		{name: "user by ID with an allowed group", csr: newCSR(t, ecKey(t, elliptic.P256()), subj("0f1e2d3c", "developers")), who: user, want: subj("0f1e2d3c", "developers")},
		{
			name: "user with client extensions and extra attributes",
			csr: newCSR(t, ecKey(t, elliptic.P384()),
				pkix.Name{CommonName: "alice", OrganizationalUnit: []string{"dropped"}, Country: []string{"FR"}},
				keyUsage(t, 0, 2), extKeyUsage(t, oidClientAuth), basicConstraints(t, false, true)),
			who: user, want: subj("alice"),
		},
		{name: "user, Ed25519", csr: newCSR(t, ed, subj("alice")), who: user, want: subj("alice")},
		{name: "admin gets system:masters", csr: newCSR(t, ecKey(t, elliptic.P256()), subj("admin", "system:masters")), who: admin, want: subj("admin", "system:masters")},
		{name: "kubelet", csr: newCSR(t, ecKey(t, elliptic.P521()), subj("system:node:k8s-prod-node-0", "system:nodes")), who: node, want: subj("system:node:k8s-prod-node-0", "system:nodes")},
		{name: "kube-proxy", csr: newCSR(t, ecKey(t, elliptic.P256()), subj("system:kube-proxy")), who: node, want: subj("system:kube-proxy")},
		{name: "etcd client", csr: newCSR(t, ecKey(t, elliptic.P256()), subj("etcd-client")), kind: certs.Etcd, who: node, want: subj("etcd-client")},
		{name: "front proxy (Magnum spelling)", csr: newCSR(t, ecKey(t, elliptic.P256()), subj("front-proxy-client")), kind: "front_proxy", who: node, want: subj("front-proxy-client")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certPEM, err := m.SignCSR(context.Background(), clusterID, tc.kind, tc.csr, tc.who)
			require.NoError(t, err)
			c := parseCert(t, certPEM)
			assert.Equal(t, tc.want.CommonName, c.Subject.CommonName)
			assert.Equal(t, tc.want.Organization, c.Subject.Organization)
			assert.Empty(t, c.Subject.OrganizationalUnit)
			assert.Empty(t, c.Subject.Country)
			assert.False(t, c.IsCA)
			assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, c.ExtKeyUsage)
			assert.Empty(t, c.DNSNames)
			assert.Equal(t, now.Add(48*time.Hour), c.NotAfter, "validity capped")
			assert.Equal(t, now.Add(-time.Hour), c.NotBefore, "backdated an hour")

			ca := cas[certs.ParseCAKind(string(tc.kind))]
			requireVerifies(t, ca, certPEM, "sslclient")
			for kind, other := range cas {
				if !bytes.Equal(other, ca) {
					require.Error(t, opensslVerify(t, other, certPEM, "sslclient"), "must not verify under the %s CA", kind)
				}
			}
			require.Error(t, opensslVerify(t, ca, certPEM, "sslserver"), "a client certificate is no server certificate")
		})
	}
}

func TestSignedCertNeverOutlivesItsCA(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	m, _, b := issued(t, certs.WithCAValidity(100*time.Hour), certs.WithMaxCertValidity(48*time.Hour),
		certs.WithClock(func() time.Time { return now }))
	now = t0.Add(90 * time.Hour)
	certPEM, err := m.SignCSR(context.Background(), clusterID, "", newCSR(t, ecKey(t, elliptic.P256()), subj("alice")), user)
	require.NoError(t, err)
	assert.Equal(t, parseCert(t, b.CA.PEM).NotAfter, parseCert(t, certPEM).NotAfter)
}

// TestOpenSSLRequests signs CSRs made by the openssl command line, as users
// and node scripts make them.
func TestOpenSSLRequests(t *testing.T) {
	bin := testenv.Command(t, "openssl")
	m, _, b := issued(t, certs.WithUserGroups("developers"))
	admin := certs.Requester{UserID: "root", Role: certs.RoleAdmin}
	for _, tc := range []struct {
		name string
		args []string
		who  certs.Requester
		want error
	}{
		{"rsa 2048", []string{"-newkey", "rsa:2048", "-subj", "/CN=alice/O=developers"}, user, nil},
		{"ed25519 with client usages", []string{"-newkey", "ed25519", "-subj", "/CN=alice",
			"-addext", "extendedKeyUsage=clientAuth", "-addext", "keyUsage=critical,digitalSignature"}, user, nil},
		{"P-384 node", []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-subj", "/CN=system:node:n1/O=system:nodes"},
			certs.Requester{UserID: "trustee", Role: certs.RoleClusterNode}, nil},
		{"rsa 1024", []string{"-newkey", "rsa:1024", "-subj", "/CN=alice"}, admin, certs.ErrWeakKey},
		{"secp256k1", []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-subj", "/CN=alice"}, admin, certs.ErrUnsupportedKey},
		{"CA:TRUE", []string{"-newkey", "rsa:2048", "-subj", "/CN=alice", "-addext", "basicConstraints=critical,CA:TRUE"}, admin, certs.ErrCARequested},
		{"serverAuth", []string{"-newkey", "rsa:2048", "-subj", "/CN=alice", "-addext", "extendedKeyUsage=serverAuth"}, admin, certs.ErrKeyUsage},
		{"magnumclient's admin request", []string{"-newkey", "rsa:2048", "-subj", "/CN=admin/O=system:masters"}, user, certs.ErrSubjectForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"req", "-new", "-nodes", "-keyout", filepath.Join(dir, "key.pem"), "-out", filepath.Join(dir, "csr.pem")}, tc.args...)
			out, err := exec.Command(bin, args...).CombinedOutput()
			require.NoError(t, err, "%s", out)
			csr, err := os.ReadFile(filepath.Join(dir, "csr.pem"))
			require.NoError(t, err)
			certPEM, err := m.SignCSR(context.Background(), clusterID, "", csr, tc.who)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			requireVerifies(t, b.CA.PEM, certPEM, "sslclient")
		})
	}
}
