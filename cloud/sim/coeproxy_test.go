package sim_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// testCA is a CA that issues the simulated API's server certificate and
// the client's certificate.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cluster CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue signs a leaf certificate for a server address or a client.
func (ca *testCA) issue(t *testing.T, ip string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	if ip != "" {
		tmpl.IPAddresses = []net.IP{net.ParseIP(ip)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// simCluster builds a master with a floating IP and two workers on one
// network, as a driver's stack would, and returns the floating address.
func simCluster(t *testing.T, c *sim.Cloud) (addr string, workers []sim.Server) {
	t.Helper()
	ctx := asDemo()
	n, _, _ := tenantNetwork(t, c, ctx, "10.70.0.0/24")
	mk := func(name string) sim.Server {
		s, err := c.CreateServer(ctx, sim.ServerSpec{Name: name, Image: "fedora-coreos-40", Flavor: "m1.small",
			Networks: []sim.NIC{{Network: n.ID}}})
		require.NoError(t, err)
		require.NoError(t, c.WaitBooted(ctx, s.ID))
		return s
	}
	master := mk("k-master-0")
	workers = []sim.Server{mk("k-node-0"), mk("k-node-1")}
	f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{Network: "public"})
	require.NoError(t, err)
	_, err = c.AssociateFloatingIP(ctx, f.ID, master.PortIDs[0], "")
	require.NoError(t, err)
	return f.FloatingIPAddress, workers
}

func TestCOEProxy(t *testing.T) {
	c := newCloud(t)
	addr, workers := simCluster(t, c)
	ca := newTestCA(t)
	var (
		mu    sync.Mutex
		asked []string
	)
	p, err := c.ServeCOEs(func(_ context.Context, cluster, host string) (*tls.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, cluster+"@"+host)
		return &tls.Config{Certificates: []tls.Certificate{ca.issue(t, host, x509.ExtKeyUsageServerAuth)},
			ClientCAs: ca.pool, ClientAuth: tls.VerifyClientCertIfGiven}, nil
	}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })

	client := func(withCert bool) *http.Client {
		proxy, err := url.Parse(p.URL("cluster-1"))
		require.NoError(t, err)
		cfg := &tls.Config{RootCAs: ca.pool}
		if withCert {
			cfg.Certificates = []tls.Certificate{ca.issue(t, "", x509.ExtKeyUsageClientAuth)}
		}
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: cfg}}
	}
	get := func(c *http.Client, u string) (int, string) {
		resp, err := c.Get(u)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	api := "https://" + net.JoinHostPort(addr, "6443")

	code, body := get(client(true), api+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok", body)
	mu.Lock()
	assert.Equal(t, []string{"cluster-1@" + addr}, asked, "the certificate is asked for the cluster the proxy URL names")
	mu.Unlock()

	readiness := func() map[string]string {
		code, body := get(client(true), api+"/api/v1/nodes")
		require.Equal(t, http.StatusOK, code, body)
		var list struct {
			Items []struct {
				Metadata struct{ Name string }
				Status   struct {
					Conditions []struct{ Type, Status string }
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(body), &list))
		out := map[string]string{}
		for _, n := range list.Items {
			out[n.Metadata.Name] = n.Status.Conditions[0].Status
		}
		return out
	}
	assert.Equal(t, map[string]string{"k-master-0": "True", "k-node-0": "True", "k-node-1": "True"}, readiness())
	require.NoError(t, c.SetNodeReady(asDemo(), workers[1].ID, false))
	assert.Equal(t, map[string]string{"k-master-0": "True", "k-node-0": "True", "k-node-1": "Unknown"}, readiness())

	// Without a client certificate of the cluster's CA: 401.
	code, _ = get(client(false), api+"/api/v1/nodes")
	assert.Equal(t, http.StatusUnauthorized, code)

	// Plain HTTP (TLS disabled) on the Docker port.
	code, body = get(client(true), "http://"+net.JoinHostPort(addr, "2375")+"/v1.41/nodes")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"Role":"manager"`)

	// An address nothing holds, or a port no COE serves: the tunnel is refused.
	for _, u := range []string{"https://172.24.4.250:6443/healthz", "https://" + net.JoinHostPort(addr, "22") + "/"} {
		_, err := client(true).Get(u)
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "Bad Gateway")
	}
}
