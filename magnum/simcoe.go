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
// kept per cluster, address and CA bundle, so that a health pass issues
// none for clusters it has seen and a rotated CA gets a new one.
func (s *Service) simulatedCOETLS(ctx context.Context, cluster, host string) (*tls.Config, error) {
	bundle, err := s.certs.CABundle(ctx, cluster, certs.Kubernetes)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(bundle)
	key := cluster + "|" + host + "|" + string(sum[:])
	if cfg := s.coeTLS.get(key); cfg != nil {
		return cfg, nil
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
	s.coeTLS.put(key, cfg)
	return cfg, nil
}

// tlsCache holds TLS configurations by key, up to a bound past which it
// starts over.
type tlsCache struct {
	mu sync.Mutex
	m  map[string]*tls.Config
}

// maxCOETLS bounds the simulated APIs' cached TLS configurations.
const maxCOETLS = 4096

func (c *tlsCache) get(key string) *tls.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *tlsCache) put(key string, cfg *tls.Config) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCOETLS {
		c.m = make(map[string]*tls.Config)
	}
	c.m[key] = cfg
}

// coeProxy returns the proxy through which a cluster's COE API is reached,
// "" to reach it directly.
func (s *Service) coeProxy(cluster string) string {
	if s.coes == nil {
		return ""
	}
	return s.coes.URL(cluster)
}
