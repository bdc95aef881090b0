package magnum

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"sync"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/internal/store"
)

// serveSimulatedCOEs starts, on the simulated cloud, the proxy through
// which the COE APIs of its clusters are answered by the simulation, so
// that health checks and client configurations reach an API that behaves
// like the COE's without connecting to an address that exists only in the
// simulation.
func (s *Service) serveSimulatedCOEs() error {
	simCloud, ok := s.cloud.(*sim.Cloud)
	if !ok {
		return nil
	}
	p, err := simCloud.ServeCOEs(s.simulatedCOETLS, s.log)
	if err != nil {
		return fmt.Errorf("magnum: %w", err)
	}
	s.coes = p
	s.closers = append([]func() error{p.Close}, s.closers...)
	return nil
}

// simulatedCOETLS gives a simulated cluster's API the server certificate
// a real one gets at boot: issued for the address it is reached at by the
// cluster's current CA, which also verifies its clients. Certificates are
// kept per cluster and address with the CA bundle they were issued under
// and the version of the cluster's record they were checked at: while the
// cluster does not change, a connection costs one read of that version
// (not of its certificates); a changed cluster has its CA bundle read
// again, and a rotated CA gets a new certificate.
func (s *Service) simulatedCOETLS(ctx context.Context, cluster, host string) (*tls.Config, error) {
	var refs []store.Ref
	err := s.store.Read(ctx, func(tx *store.Tx) (err error) {
		refs, err = tx.FindRefs(ctx, store.Clusters, store.Query{Where: store.Eq("uuid", cluster), Limit: 1})
		return err
	})
	if err != nil {
		return nil, err
	}
	version := int64(-1) // a cluster being deleted: check its bundle
	if len(refs) == 1 {
		version = refs[0].Version
	}
	key := cluster + "|" + host
	kept := s.coeTLS.get(key)
	if kept != nil && kept.version == version && version >= 0 {
		return kept.cfg, nil
	}
	bundle, err := s.certs.CABundle(ctx, cluster, certs.Kubernetes)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bundle)
	if kept != nil && kept.sum == sum {
		s.coeTLS.put(key, &coeTLSEntry{cfg: kept.cfg, sum: sum, version: version})
		return kept.cfg, nil
	}
	sc, err := s.certs.IssueServerCert(ctx, cluster, certs.ServerCertRequest{SANs: []string{host}})
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair(sc.Cert, sc.Key)
	if err != nil {
		return nil, fmt.Errorf("magnum: simulated API certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(sc.CA)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{pair}, ClientCAs: pool,
		ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12,
	}
	s.coeTLS.put(key, &coeTLSEntry{cfg: cfg, sum: sum, version: version})
	return cfg, nil
}

// coeTLSEntry is a simulated API's TLS configuration, with the digest of
// the CA bundle it was issued under and the version of the cluster's
// record it was last checked at.
type coeTLSEntry struct {
	cfg     *tls.Config
	sum     [sha256.Size]byte
	version int64
}

// tlsCache holds TLS configurations by key, up to a bound past which it
// starts over.
type tlsCache struct {
	mu sync.Mutex
	m  map[string]*coeTLSEntry
}

// maxCOETLS bounds the simulated APIs' cached TLS configurations.
const maxCOETLS = 16384

func (c *tlsCache) get(key string) *coeTLSEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *tlsCache) put(key string, e *coeTLSEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || (len(c.m) >= maxCOETLS && c.m[key] == nil) {
		c.m = make(map[string]*coeTLSEntry)
	}
	c.m[key] = e
}

// coeProxy returns the proxy through which a cluster's COE API is reached,
// "" to reach it directly.
func (s *Service) coeProxy(cluster string) string {
	if s.coes == nil {
		return ""
	}
	return s.coes.URL(cluster)
}
