package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "magnumd"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// jsonLogs collects magnumd's JSON log lines.
type jsonLogs struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan map[string]any
}

func (l *jsonLogs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var m map[string]any
	if json.Unmarshal(p, &m) == nil {
		select {
		case l.lines <- m:
		default:
		}
	}
	return l.buf.Write(p)
}

// waitFor returns the first log line with the message.
func (l *jsonLogs) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case m := <-l.lines:
			if m["msg"] == msg {
				return m
			}
		case <-timeout:
			t.Fatalf("no %q in the logs", msg)
		}
	}
}

func TestServeTLSAndMetricsListener(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	cfg := writeConfig(t, `
tls: {cert_file: `+certFile+`, key_file: `+keyFile+`}
metrics: {listen: "127.0.0.1:0"}
log: {format: json}
drivers: {in_process: true}
`)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &jsonLogs{lines: make(chan map[string]any, 100)}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-config", cfg, "-listen", "127.0.0.1:0", "-data-dir", t.TempDir()}, io.Discard, logs)
	}()

	metricsAddr := logs.waitFor(t, "serving metrics")["addr"].(string)
	serving := logs.waitFor(t, "serving")
	assert.Regexp(t, `^https://127\.0\.0\.1:\d+/v1$`, serving["url"])

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + serving["addr"].(string) + "/v1/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = client.Get("https://" + serving["addr"].(string) + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "with a metrics listener, /metrics is no route of the API")

	resp, err = client.Get("https://" + metricsAddr + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), `magnum_api_requests_total{code="200",method="GET",route="GET /v1"} 1`)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, logs.buf.String())
	case <-time.After(time.Minute):
		t.Fatal("magnumd did not stop")
	}
}
