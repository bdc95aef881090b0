package certs_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
)

func TestIssueServerCert(t *testing.T) {
	for _, kt := range []certs.KeyType{certs.RSA2048, certs.ECDSAP256} {
		t.Run(kt.String(), func(t *testing.T) {
			m, _, b := issued(t, certs.WithKeyType(kt))
			sc, err := m.IssueServerCert(context.Background(), clusterID, certs.ServerCertRequest{
				SANs: []string{"https://172.24.4.10:6443", "10.0.0.5", "fd00::5", "10.254.0.1",
					"kubernetes", "kubernetes.default.svc.cluster.local", "Api.Example.COM"},
			})
			require.NoError(t, err)
			assert.Equal(t, b.CA.PEM, sc.CA)
			c := parseCert(t, sc.Cert)
			assert.Equal(t, "kube-apiserver", c.Subject.CommonName)
			assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, c.ExtKeyUsage)
			assert.Equal(t, []string{"kubernetes", "kubernetes.default.svc.cluster.local", "api.example.com"}, c.DNSNames)
			var ips []string
			for _, ip := range c.IPAddresses {
				ips = append(ips, ip.String())
			}
			assert.Equal(t, []string{"172.24.4.10", "10.0.0.5", "fd00::5", "10.254.0.1"}, ips)

			requireVerifies(t, sc.CA, sc.Cert, "sslserver", "-verify_ip", "172.24.4.10")
			requireVerifies(t, sc.CA, sc.Cert, "sslserver", "-verify_hostname", "kubernetes.default.svc.cluster.local")
			require.Error(t, opensslVerify(t, sc.CA, sc.Cert, "sslserver", "-verify_ip", "172.24.4.11"), "control: an address not in the SANs")
			require.Error(t, opensslVerify(t, sc.CA, sc.Cert, "sslclient"), "a server certificate is no client certificate")
		})
	}
}

func TestIssueServerCertForEtcdPeers(t *testing.T) {
	m, _, b := issued(t)
	sc, err := m.IssueServerCert(context.Background(), clusterID, certs.ServerCertRequest{
		CA: "etcd", CommonName: "etcd-0", SANs: []string{"10.0.0.5"}, ClientAuth: true,
	})
	require.NoError(t, err)
	assert.Equal(t, b.EtcdCA.PEM, sc.CA)
	requireVerifies(t, b.EtcdCA.PEM, sc.Cert, "sslserver")
	requireVerifies(t, b.EtcdCA.PEM, sc.Cert, "sslclient")
	require.Error(t, opensslVerify(t, b.CA.PEM, sc.Cert, "sslserver"), "signed by the etcd CA only")
}

func TestIssueServerCertRefusesBadSANs(t *testing.T) {
	m, _, _ := issued(t)
	for name, sans := range map[string][]string{
		"none":          nil,
		"empty":         {""},
		"spaces":        {"api server"},
		"bad label":     {"-api.example.com"},
		"url sans host": {"https://:6443"},
		"underscore":    {"my_host"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := m.IssueServerCert(context.Background(), clusterID, certs.ServerCertRequest{SANs: sans})
			require.ErrorIs(t, err, certs.ErrInvalid)
		})
	}
}

// TestCredentialsWork runs a TLS server with an issued server certificate
// that requires client certificates from the cluster CA, and reaches it
// with the admin credentials, as the service's health checks do.
func TestCredentialsWork(t *testing.T) {
	m, _, _ := issued(t)
	ctx := context.Background()
	sc, err := m.IssueServerCert(ctx, clusterID, certs.ServerCertRequest{SANs: []string{"127.0.0.1"}})
	require.NoError(t, err)
	creds, err := m.AdminCredentials(ctx, clusterID)
	require.NoError(t, err)

	serverPair, err := tls.X509KeyPair(sc.Cert, []byte(sc.Key))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(sc.CA))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverPair}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()

	clientPair, err := tls.X509KeyPair(creds.Cert, []byte(creds.Key))
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(creds.CA))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: roots, Certificates: []tls.Certificate{clientPair},
	}}}
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "admin", string(body))

	host, _, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
}
