package coeapi

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
)

// MaxKeptClients bounds the clusters whose HTTP client ClusterClient
// keeps, each with at most one idle connection.
const MaxKeptClients = 4096

// keptIdle is how long a kept client's idle connection stays open: more
// than a health interval, so that the next check of the cluster reuses
// it instead of making a new TLS handshake.
const keptIdle = 5 * time.Minute

// kept keeps the clients of the clusters asked lately.
var kept = &clients{}

// ClusterClient returns the HTTP client of a cluster's COE API, as Client
// makes it, kept between calls while the cluster's credentials and proxy
// do not change: its connection stays open between health checks (TLS
// session resumption when the server closed it), and its CA and client
// certificate are parsed once. A client made for other credentials (a
// rotated CA) is dropped with its connection. The caller may change the
// returned client's Timeout; its Transport is shared.
func ClusterClient(cluster string, creds drivers.Credentials, useTLS bool) (*http.Client, error) {
	if c := kept.get(cluster, creds, useTLS); c != nil {
		cp := *c.client
		return &cp, nil
	}
	c, err := Client(creds, useTLS)
	if err != nil {
		return nil, err
	}
	tr := c.Transport.(*http.Transport)
	tr.MaxIdleConnsPerHost, tr.IdleConnTimeout = 1, keptIdle
	if tr.TLSClientConfig != nil {
		tr.TLSClientConfig.ClientSessionCache = tls.NewLRUClientSessionCache(1)
	}
	kept.put(cluster, &keptClient{creds: clone(creds), tls: useTLS, client: c})
	cp := *c
	return &cp, nil
}

// keptClient is a cluster's client with what it was made for.
type keptClient struct {
	creds  drivers.Credentials
	tls    bool
	client *http.Client
}

func (k *keptClient) madeFor(creds drivers.Credentials, useTLS bool) bool {
	return k.tls == useTLS && k.creds.Proxy == creds.Proxy && bytes.Equal(k.creds.CACert, creds.CACert) &&
		bytes.Equal(k.creds.ClientCert, creds.ClientCert) && bytes.Equal(k.creds.ClientKey, creds.ClientKey)
}

// drop closes the client's idle connection.
func (k *keptClient) drop() { k.client.CloseIdleConnections() }

func clone(c drivers.Credentials) drivers.Credentials {
	return drivers.Credentials{CACert: bytes.Clone(c.CACert), ClientCert: bytes.Clone(c.ClientCert),
		ClientKey: bytes.Clone(c.ClientKey), Proxy: c.Proxy}
}

// clients keeps clients by cluster in two generations: a lookup promotes
// what it finds in the older, and when the newer holds half the bound,
// the older is dropped (its connections closed) and the newer takes its
// place.
type clients struct {
	mu       sync.Mutex
	cur, old map[string]*keptClient
}

// get returns the cluster's kept client when it was made for creds, and
// drops one made for others.
func (c *clients) get(cluster string, creds drivers.Credentials, useTLS bool) *keptClient {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := c.cur[cluster]
	if k == nil {
		if k = c.old[cluster]; k != nil {
			delete(c.old, cluster)
			c.keepLocked(cluster, k)
		}
	}
	if k == nil || k.madeFor(creds, useTLS) {
		return k
	}
	delete(c.cur, cluster)
	k.drop()
	return nil
}

// put keeps a cluster's client.
func (c *clients) put(cluster string, k *keptClient) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.old[cluster]; prev != nil {
		delete(c.old, cluster)
		prev.drop()
	}
	if prev := c.cur[cluster]; prev != nil {
		prev.drop()
	}
	c.keepLocked(cluster, k)
}

func (c *clients) keepLocked(cluster string, k *keptClient) {
	if c.cur == nil || (len(c.cur) >= MaxKeptClients/2 && c.cur[cluster] == nil) {
		for _, dropped := range c.old {
			dropped.drop()
		}
		c.old, c.cur = c.cur, make(map[string]*keptClient)
	}
	c.cur[cluster] = k
}
