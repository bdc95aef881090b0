package main

import (
	"bufio"
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
	"errors"
	"fmt"
	"io"
	"log/slog"
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

func (l *jsonLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
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

// inProcess is magnumd run by run in the test's process.
type inProcess struct {
	logs   *jsonLogs
	cancel context.CancelFunc
	done   chan int
	code   int
	once   sync.Once
}

// runInProcess runs magnumd on listen with the configuration, the
// built-in drivers in process, JSON logs and a data directory of the test.
func runInProcess(t *testing.T, listen, yaml string) *inProcess {
	t.Helper()
	cfg := writeConfig(t, "drivers: {in_process: true}\nlog: {format: json}\n"+yaml)
	ctx, cancel := context.WithCancel(context.Background())
	p := &inProcess{logs: &jsonLogs{lines: make(chan map[string]any, 100)}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		p.done <- run(ctx, []string{"-config", cfg, "-listen", listen, "-data-dir", t.TempDir()}, io.Discard, p.logs)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop stops magnumd, as a signal would, and returns its exit code.
func (p *inProcess) stop(t *testing.T) int {
	t.Helper()
	p.cancel()
	return p.wait(t)
}

// wait returns magnumd's exit code once run has returned.
func (p *inProcess) wait(t *testing.T) int {
	t.Helper()
	p.once.Do(func() {
		select {
		case p.code = <-p.done:
		case <-time.After(time.Minute):
			t.Fatal("magnumd did not stop")
		}
	})
	return p.code
}

// addr waits until magnumd serves and returns the API's address.
func (p *inProcess) addr(t *testing.T) string {
	t.Helper()
	return p.logs.waitFor(t, "serving")["addr"].(string)
}

func TestServeTLSAndMetricsListener(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	d := runInProcess(t, "127.0.0.1:0", `
tls: {cert_file: `+certFile+`, key_file: `+keyFile+`}
metrics: {listen: "127.0.0.1:0"}
`)
	metricsAddr := d.logs.waitFor(t, "serving metrics")["addr"].(string)
	serving := d.logs.waitFor(t, "serving")
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

	assert.Equal(t, 0, d.stop(t), d.logs.String())
}

func TestGuardNoAuth(t *testing.T) {
	tests := []struct {
		name           string
		ip             string
		keystone       bool
		allowRemote    bool
		refused, warns bool
	}{
		{name: "IPv4 loopback", ip: "127.0.0.1"},
		{name: "elsewhere in 127/8", ip: "127.3.4.5"},
		{name: "IPv6 loopback", ip: "::1"},
		{name: "IPv4-mapped loopback", ip: "::ffff:127.0.0.1"},
		{name: "all IPv4 interfaces", ip: "0.0.0.0", refused: true},
		{name: "all interfaces", ip: "::", refused: true},
		{name: "an interface's address", ip: "192.0.2.10", refused: true},
		{name: "an interface's address, allowed", ip: "192.0.2.10", allowRemote: true, warns: true},
		{name: "keystone on all interfaces", ip: "0.0.0.0", keystone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig("")
			require.NoError(t, err)
			if tt.keystone {
				cfg.Auth.Mode = "keystone"
			}
			cfg.Auth.NoAuth.AllowRemote = tt.allowRemote
			var logs bytes.Buffer
			err = guardNoAuth(context.Background(), cfg, &net.TCPAddr{IP: net.ParseIP(tt.ip), Port: 9511},
				slog.New(slog.NewTextHandler(&logs, nil)))
			if tt.refused {
				require.ErrorIs(t, err, errConfig)
				assert.Contains(t, err.Error(), "set auth.noauth.allow_remote: true")
			} else {
				require.NoError(t, err)
			}
			if tt.warns {
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "auth.noauth.allow_remote")
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

// TestNoAuthServesLoopbackOnly: magnumd in noauth, the default, refuses
// to listen beyond loopback unless the configuration asks for it.
func TestNoAuthServesLoopbackOnly(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		d := runInProcess(t, "0.0.0.0:0", "")
		require.Equal(t, 1, d.wait(t), d.logs.String())
		assert.Contains(t, d.logs.String(), "is not a loopback address")
		assert.Contains(t, d.logs.String(), "set auth.noauth.allow_remote: true")
		assert.NotContains(t, d.logs.String(), `"msg":"serving"`)
	})
	t.Run("allowed", func(t *testing.T) {
		d := runInProcess(t, "0.0.0.0:0", "auth: {noauth: {allow_remote: true}}\n")
		warning := d.logs.waitFor(t, "noauth serves the network (auth.noauth.allow_remote): whoever reaches "+
			"this address can act as any user, admin included")
		assert.Equal(t, "WARN", warning["level"])
		_, port, err := net.SplitHostPort(d.addr(t))
		require.NoError(t, err)
		resp, err := http.Get("http://127.0.0.1:" + port + "/v1/")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, 0, d.stop(t), d.logs.String())
	})
}

// sendGet writes a kept-alive GET /v1/ on conn.
func sendGet(t *testing.T, conn net.Conn) {
	t.Helper()
	_, err := io.WriteString(conn, "GET /v1/ HTTP/1.1\r\nHost: magnumd\r\n\r\n")
	require.NoError(t, err)
}

// readOK reads a 200 response from conn within a minute.
func readOK(t *testing.T, conn net.Conn, br *bufio.Reader) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestSlowBodyClosedByReadTimeout: a client that trickles its body has
// its connection closed once http.read_timeout has passed.
func TestSlowBodyClosedByReadTimeout(t *testing.T) {
	d := runInProcess(t, "127.0.0.1:0", "http: {read_header_timeout: 1s, read_timeout: 1s}\n")
	conn, err := net.Dial("tcp", d.addr(t))
	require.NoError(t, err)
	defer conn.Close()
	const bodySize = 1000 // 1 byte per 200 ms: 200 s
	_, err = fmt.Fprintf(conn, "POST /v1/clustertemplates HTTP/1.1\r\nHost: magnumd\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", bodySize)
	require.NoError(t, err)
	go func() {
		for range bodySize {
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond) // the client's pace, not a synchronisation
		}
	}()

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	answer, err := io.ReadAll(conn)
	var netErr net.Error
	require.False(t, errors.As(err, &netErr) && netErr.Timeout(), "magnumd still holds the connection after 30 s")
	if len(answer) > 0 { // the answer may be lost if the client's writes make the close a reset
		assert.Regexp(t, `^HTTP/1\.1 408 `, string(answer))
		assert.Contains(t, string(answer), "The request body did not arrive in time.")
	}
}

// TestConnectionCap: beyond http.max_connections, a connection waits
// until one of those served closes.
func TestConnectionCap(t *testing.T) {
	d := runInProcess(t, "127.0.0.1:0", "http: {max_connections: 2}\n")
	addr := d.addr(t)
	var held []net.Conn
	for range 2 { // served once each, kept alive: they hold the cap
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		sendGet(t, conn)
		readOK(t, conn, bufio.NewReader(conn))
		held = append(held, conn)
	}

	third, err := net.Dial("tcp", addr) // the kernel's backlog takes it
	require.NoError(t, err)
	defer third.Close()
	br := bufio.NewReader(third)
	sendGet(t, third)
	require.NoError(t, third.SetReadDeadline(time.Now().Add(time.Second)))
	_, err = br.Peek(1)
	var netErr net.Error
	require.True(t, errors.As(err, &netErr) && netErr.Timeout(), "a third connection is served while two are open: %v", err)

	require.NoError(t, held[0].Close())
	readOK(t, third, br)
}
