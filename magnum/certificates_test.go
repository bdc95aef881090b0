package magnum_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

func csrFor(t testing.TB, cn string, orgs ...string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn, Organization: orgs}}, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// otherMember is another user of the demo project.
var otherMember = magnum.Caller{UserID: "0000000000000000000000000000d2d2", UserName: "demo2", ProjectID: demo.ProjectID,
	Roles: []string{"member"}}

func TestCertificateRules(t *testing.T) {
	runRules(t, []rule{
		{"empty csr", func(f *fixture) error {
			_, err := f.s.SignCertificate(as(demo), "c1", "", "")
			return err
		}, magnum.ErrInvalid, "Invalid input for field/attribute csr. Value: ''. Value should have a minimum character requirement of 1", false},
		{"CA of another member's cluster", func(f *fixture) error {
			_, err := f.s.GetCACertificate(as(otherMember), "c1", "")
			return err
		}, magnum.ErrForbidden, "Policy doesn't allow certificate:get to be performed.", false},
		{"sign for another member's cluster", func(f *fixture) error {
			_, err := f.s.SignCertificate(as(otherMember), "c1", csrFor(t, "demo2"), "")
			return err
		}, magnum.ErrForbidden, "Policy doesn't allow certificate:create to be performed.", false},
		{"another project's cluster", func(f *fixture) error {
			_, err := f.s.GetCACertificate(as(alt), "c1", "")
			return err
		}, magnum.ErrNotFound, "Cluster c1 could not be found.", false},
		{"certificates not issued yet", func(f *fixture) error {
			_, err := f.s.GetCACertificate(as(demo), "c1", "")
			return err
		}, magnum.ErrConflict, "are not issued yet", true},
		{"rotate while creating", withStatus(magnum.CreateInProgress, func(f *fixture) error {
			_, err := f.s.RotateCA(as(demo), "c1")
			return err
		}), magnum.ErrInvalidState, `Rotating the CA of a cluster when status is "CREATE_IN_PROGRESS" is not supported.`, false},
		{"rotate on a non-TLS cluster", func(f *fixture) error {
			req := k8sTemplate("plain")
			req.TLSDisabled = true
			mustTemplate(t, f.s, demo, req)
			id := mustCluster(t, f.s, demo, magnum.ClusterCreate{ClusterTemplateID: "plain"})
			if err := magnum.SetClusterState(f.s, id, magnum.CreateComplete, "http://172.24.4.9:8080"); err != nil {
				return err
			}
			_, err := f.s.RotateCA(as(demo), id)
			return err
		}, magnum.ErrInvalid, "Rotating the CA certificate on a non-TLS cluster is not supported", false},
		{"rotate by another project", func(f *fixture) error {
			_, err := f.s.RotateCA(as(alt), "c1")
			return err
		}, magnum.ErrNotFound, "Cluster c1 could not be found.", false},
	})
}

func TestSigning(t *testing.T) {
	s := newLiveService(t)
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	waitDone(t, s, demo, id, magnum.CreateComplete)

	cert, err := s.SignCertificate(as(demo), id, csrFor(t, "demo"), "")
	require.NoError(t, err)
	block, _ := pem.Decode([]byte(cert.PEM))
	signed, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.Equal(t, "demo", signed.Subject.CommonName)
	assert.NotContains(t, cert.PEM, "PRIVATE KEY")

	_, err = s.SignCertificate(as(demo), id, csrFor(t, "admin", "system:masters"), "")
	require.ErrorIs(t, err, magnum.ErrForbidden, "a member never gets system:masters")
	_, err = s.SignCertificate(as(demo), id, csrFor(t, "someone-else"), "")
	require.ErrorIs(t, err, magnum.ErrForbidden, "nor another user's name")
	_, err = s.SignCertificate(as(demo), id, "-----BEGIN CERTIFICATE REQUEST-----\nbad\n-----END CERTIFICATE REQUEST-----\n", "")
	require.ErrorIs(t, err, magnum.ErrInvalid)

	admin, err := s.SignCertificate(as(admin), id, csrFor(t, "admin", "system:masters"), "")
	require.NoError(t, err, "admins may")
	assert.Contains(t, admin.PEM, "BEGIN CERTIFICATE")
	for _, kind := range []string{"etcd", "front_proxy", "front-proxy", ""} {
		ca, err := s.GetCACertificate(as(demo), id, kind)
		require.NoError(t, err)
		assert.Contains(t, ca.PEM, "BEGIN CERTIFICATE", kind)
	}
}
