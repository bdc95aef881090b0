package sim

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// COETLS gives the TLS configuration a simulated cluster's API serves
// with: a server certificate for host signed by the CA of the named
// cluster, and the CAs whose client certificates it accepts.
type COETLS func(ctx context.Context, cluster, host string) (*tls.Config, error)

// COEProxy answers the APIs of the simulated clusters' COEs on loopback.
// It is an HTTP proxy: a client asks it for a tunnel (CONNECT) to a
// cluster's API address (a simulated floating IP such as
// 172.24.4.10:6443) and the simulation itself answers through the tunnel
// (the Kubernetes API on 6443, the Docker API on 2375/2376, the Mesos
// master on 5050), from the servers of the simulated cloud and their
// readiness (see COENodes). No connection is ever made to the simulated
// address. TLS tunnels are served with the certificate COETLS gives for
// the cluster named as the proxy URL's user (see URL) and accept only
// client certificates of that cluster's CA.
type COEProxy struct {
	cloud  *Cloud
	tlsFor COETLS
	log    *slog.Logger
	ln     net.Listener
	outer  *http.Server
	inner  *http.Server
	conns  *tunnels
}

// ServeCOEs starts the COE proxy of the simulated cloud on a loopback port.
// Close stops it.
func (c *Cloud) ServeCOEs(tlsFor COETLS, log *slog.Logger) (*COEProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sim: COE proxy: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &COEProxy{cloud: c, tlsFor: tlsFor, log: log, ln: ln, conns: newTunnels()}
	p.outer = &http.Server{Handler: http.HandlerFunc(p.proxy), ReadHeaderTimeout: 10 * time.Second}
	p.inner = &http.Server{
		Handler: http.HandlerFunc(p.serveAPI), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if tc, ok := c.(*tls.Conn); ok {
				c = tc.NetConn()
			}
			return context.WithValue(ctx, tunnelKey{}, c.(*tunnel).target)
		},
	}
	go func() { _ = p.outer.Serve(ln) }()
	go func() { _ = p.inner.Serve(p.conns) }()
	return p, nil
}

// URL returns the proxy's URL for reaching the API of a cluster, the
// cluster's UUID as its user.
func (p *COEProxy) URL(cluster string) string {
	u := url.URL{Scheme: "http", Host: p.ln.Addr().String()}
	if cluster != "" {
		u.User = url.User(cluster)
	}
	return u.String()
}

// Close stops the proxy and ends its tunnels.
func (p *COEProxy) Close() error {
	err := p.outer.Close()
	p.conns.Close()
	return errors.Join(err, p.inner.Close())
}

// target is where a tunnel leads: a simulated address and port, for the
// cluster the client named.
type target struct {
	cluster, host, port string
}

type tunnelKey struct{}

// proxy serves a client of the proxy: a CONNECT opens a tunnel to a
// simulated API, a request for an http:// URL is answered at once.
func (p *COEProxy) proxy(w http.ResponseWriter, r *http.Request) {
	authority := r.Host
	if r.Method != http.MethodConnect {
		authority = r.URL.Host
	}
	host, port, err := net.SplitHostPort(authority)
	if err != nil || apiOf(port) == nil {
		http.Error(w, fmt.Sprintf("no simulated COE API answers at %s", authority), http.StatusBadGateway)
		return
	}
	if _, err := p.cloud.COENodes(r.Context(), host); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	t := target{cluster: proxyUser(r), host: host, port: port}
	if r.Method != http.MethodConnect {
		p.serveAPI(w, r.WithContext(context.WithValue(r.Context(), tunnelKey{}, t)))
		return
	}
	p.connect(w, r, t)
}

// connect opens a tunnel to a simulated API: it answers 200 and hands the
// connection, wrapped in TLS when the client starts a handshake, to the
// inner server.
func (p *COEProxy) connect(w http.ResponseWriter, r *http.Request, to target) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	t := &tunnel{Conn: conn, r: buf.Reader, target: to}
	p.hand(r.Context(), t)
}

// hand gives the tunnel to the inner server, in TLS when the client's
// first byte starts a TLS handshake.
func (p *COEProxy) hand(ctx context.Context, t *tunnel) {
	_ = t.SetReadDeadline(time.Now().Add(10 * time.Second))
	first, err := t.r.Peek(1)
	_ = t.SetReadDeadline(time.Time{})
	if err != nil {
		t.Close()
		return
	}
	var conn net.Conn = t
	if first[0] == 0x16 { // a TLS handshake record
		cfg, err := p.tlsFor(context.WithoutCancel(ctx), t.target.cluster, t.target.host)
		if err != nil {
			p.log.WarnContext(ctx, "simulated COE API: no TLS certificate", "cluster", t.target.cluster, "host", t.target.host, "err", err)
			t.Close()
			return
		}
		conn = tls.Server(t, cfg)
	}
	if !p.conns.push(conn) {
		conn.Close()
	}
}

// proxyUser reads the user of the request's Proxy-Authorization header.
func proxyUser(r *http.Request) string {
	h := r.Header.Get("Proxy-Authorization")
	if h == "" {
		return ""
	}
	user, _, _ := (&http.Request{Header: http.Header{"Authorization": {h}}}).BasicAuth()
	return user
}

// tunnel is a hijacked connection with what its client already sent.
type tunnel struct {
	net.Conn
	r      *bufio.Reader
	target target
}

func (t *tunnel) Read(b []byte) (int, error) { return t.r.Read(b) }

// tunnels is the listener of the inner server: the tunnels connect opened.
type tunnels struct {
	ch     chan net.Conn
	done   chan struct{}
	closed sync.Once
}

func newTunnels() *tunnels { return &tunnels{ch: make(chan net.Conn), done: make(chan struct{})} }

func (l *tunnels) push(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

// Accept implements net.Listener.
func (l *tunnels) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *tunnels) Close() error {
	l.closed.Do(func() { close(l.done) })
	return nil
}

// Addr implements net.Listener.
func (l *tunnels) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
