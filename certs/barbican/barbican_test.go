package barbican_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/keymanager/v1/containers"
	"github.com/gophercloud/gophercloud/v2/openstack/keymanager/v1/secrets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/certs/barbican"
	"github.com/gomagnum/gomagnum/certs/storetest"
	"github.com/gomagnum/gomagnum/internal/testenv"
)

// client returns a client for the real Barbican in a project of its own,
// so that the test can count everything stored there.
func client(t *testing.T) *gophercloud.ServiceClient {
	url := testenv.Lookup(t, testenv.BarbicanURL, "Barbican")
	return barbican.NoAuthClient(url, "gomagnum-test-"+uuid.NewString())
}

// projectContents lists the names of every container and secret of the
// client's project.
func projectContents(t *testing.T, c *gophercloud.ServiceClient) []string {
	ctx := context.Background()
	var names []string
	pages, err := containers.List(c, containers.ListOpts{Limit: 100}).AllPages(ctx)
	require.NoError(t, err)
	cs, err := containers.ExtractContainers(pages)
	require.NoError(t, err)
	for _, x := range cs {
		names = append(names, "container "+x.Name)
	}
	pages, err = secrets.List(c, secrets.ListOpts{Limit: 100}).AllPages(ctx)
	require.NoError(t, err)
	ss, err := secrets.ExtractSecrets(pages)
	require.NoError(t, err)
	for _, x := range ss {
		names = append(names, "secret "+x.Name)
	}
	return names
}

func TestConformance(t *testing.T) {
	c := client(t)
	s, err := barbican.New(c)
	require.NoError(t, err)
	storetest.Run(t, s, uuid.NewString())
	assert.Empty(t, projectContents(t, c), "nothing left in Barbican")
}

func TestManagerOverBarbican(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s, err := barbican.New(c, barbican.WithNamePrefix("gomagnum-test"))
	require.NoError(t, err)
	m, err := certs.New(s, certs.WithKeyType(certs.ECDSAP256), certs.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	cluster := uuid.NewString()

	b, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: cluster, Name: "k8s"})
	require.NoError(t, err)
	assert.Contains(t, b.CA.Ref, "/v1/containers/", "refs are Barbican container URLs")
	again, err := m.IssueCluster(ctx, certs.ClusterInfo{UUID: cluster, Name: "k8s"})
	require.NoError(t, err)
	assert.Equal(t, b, again)

	rotated, err := m.Rotate(ctx, cluster)
	require.NoError(t, err)
	creds, err := m.AdminCredentials(ctx, cluster)
	require.NoError(t, err)
	assert.Equal(t, rotated.Admin.PEM, creds.Cert)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(creds.CA))
	block, _ := pem.Decode(creds.Cert)
	admin, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	_, err = admin.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
	assert.Len(t, projectContents(t, c), 3*8, "two generations: 8 containers and 16 secrets")

	require.NoError(t, m.FinishRotation(ctx, cluster))
	assert.Len(t, projectContents(t, c), 3*4)
	require.NoError(t, m.Delete(ctx, cluster))
	assert.Empty(t, projectContents(t, c), "Delete frees every container and secret")
}

func TestFailedPutLeavesNothing(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s, err := barbican.New(c)
	require.NoError(t, err)
	// Barbican refuses payloads over 20000 bytes: the certificate secret is
	// created, the key secret is refused, and the first must go again.
	_, err = s.Put(ctx, "c1", "g1.admin", certs.Entry{Cert: []byte("cert"), Key: bytes.Repeat([]byte("k"), 30000)})
	require.Error(t, err)
	assert.Empty(t, projectContents(t, c))
}

func TestOptionsAndNames(t *testing.T) {
	_, err := barbican.New(nil)
	require.ErrorIs(t, err, certs.ErrInvalid)
	c := barbican.NoAuthClient("http://127.0.0.1:1", "p")
	for _, p := range []string{"", "a/b", "a_b", "50%"} {
		_, err := barbican.New(c, barbican.WithNamePrefix(p))
		require.ErrorIs(t, err, certs.ErrInvalid, "prefix %q", p)
	}
	s, err := barbican.New(c)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = s.Put(ctx, "a_b", "g1.admin", certs.Entry{})
	require.ErrorIs(t, err, certs.ErrInvalid)
	_, err = s.Get(ctx, "c1", "x%")
	require.ErrorIs(t, err, certs.ErrInvalid)
	_, err = s.List(ctx, "")
	require.ErrorIs(t, err, certs.ErrInvalid)
}
