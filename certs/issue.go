package certs

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"unicode/utf8"
)

// ClusterInfo names the cluster whose CAs are issued.
type ClusterInfo struct {
	// UUID identifies the cluster; required.
	UUID string
	// Name becomes the CAs' common name; the UUID is used when it is empty.
	Name string
}

// Cert is a stored certificate as callers see it: a reference into the
// Store and the public PEM. It never holds a private key.
type Cert struct {
	Ref string
	PEM []byte
}

// Bundle is the public side of a cluster's certificates: the three CAs
// and the admin client certificate, with their store references (Magnum's
// ca_cert_ref, etcd_ca_cert_ref, front_proxy_ca_cert_ref, magnum_cert_ref).
type Bundle struct {
	ClusterUUID string
	// Generation counts issues: 1 after IssueCluster, +1 per Rotate.
	Generation   int
	CA           Cert
	EtcdCA       Cert
	FrontProxyCA Cert
	Admin        Cert
}

// adminSubject is the admin client certificate's subject: Kubernetes maps
// it to user "admin" in group system:masters.
var adminSubject = pkix.Name{CommonName: "admin", Organization: []string{mastersGroup}}

// IssueCluster creates the cluster's three CAs (cluster, etcd, front-proxy)
// and the admin client certificate (CN=admin, O=system:masters, signed by
// the cluster CA). Private keys go only to the Store. It is idempotent: when
// the cluster already has certificates it returns them unchanged, so the
// conductor may call it again after a crash.
func (m *Manager) IssueCluster(ctx context.Context, info ClusterInfo) (Bundle, error) {
	if err := checkID("cluster UUID", info.UUID); err != nil {
		return Bundle{}, err
	}
	defer m.clusterLocks.lock(info.UUID)()
	g, err := m.loadGenerations(ctx, info.UUID)
	if err != nil {
		return Bundle{}, err
	}
	if g.current > 0 {
		return m.loadBundle(ctx, info.UUID, g.current)
	}
	if err := m.dropGenerations(ctx, info.UUID, g.partial...); err != nil {
		return Bundle{}, err
	}
	name := info.Name
	if name == "" {
		name = info.UUID
	}
	b, err := m.issueGeneration(ctx, info.UUID, name, g.newest()+1)
	if err != nil {
		return Bundle{}, err
	}
	m.log.InfoContext(ctx, "issued cluster certificates", "cluster", info.UUID, "key_type", m.keyType.String())
	return b, nil
}

// issueGeneration generates and stores the four entries of generation gen.
func (m *Manager) issueGeneration(ctx context.Context, cluster, issuer string, gen int) (Bundle, error) {
	b := Bundle{ClusterUUID: cluster, Generation: gen}
	now := m.clock()
	var clusterCA authority
	for _, kind := range Kinds {
		subject := pkix.Name{CommonName: truncateCN(issuer), OrganizationalUnit: []string{string(kind)}}
		ca, keyPEM, err := newAuthority(m.keyType, subject, now, m.caValidity)
		if err != nil {
			return Bundle{}, fmt.Errorf("cluster %s: %s CA: %w", cluster, kind, err)
		}
		c, err := m.put(ctx, cluster, entryName(gen, caSlot(kind)), ca.pem, keyPEM)
		if err != nil {
			return Bundle{}, err
		}
		*b.caField(kind) = c
		if kind == Kubernetes {
			clusterCA = ca
		}
	}
	key, keyPEM, err := NewKey(m.keyType)
	if err != nil {
		return Bundle{}, err
	}
	tmpl := &x509.Certificate{Subject: adminSubject, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	certPEM, err := clusterCA.sign(tmpl, key.Public(), now, m.caValidity)
	if err != nil {
		return Bundle{}, fmt.Errorf("cluster %s: admin certificate: %w", cluster, err)
	}
	if b.Admin, err = m.put(ctx, cluster, entryName(gen, adminSlot), certPEM, keyPEM); err != nil {
		return Bundle{}, err
	}
	return b, nil
}

// put stores one entry and returns its public side.
func (m *Manager) put(ctx context.Context, cluster, name string, certPEM, keyPEM []byte) (Cert, error) {
	ref, err := m.store.Put(ctx, cluster, name, Entry{Cert: certPEM, Key: keyPEM})
	if err != nil {
		return Cert{}, fmt.Errorf("store %s of cluster %s: %w", name, cluster, err)
	}
	return Cert{Ref: ref, PEM: certPEM}, nil
}

// loadBundle reads the public side of generation gen.
func (m *Manager) loadBundle(ctx context.Context, cluster string, gen int) (Bundle, error) {
	b := Bundle{ClusterUUID: cluster, Generation: gen}
	for _, kind := range Kinds {
		c, err := m.loadCert(ctx, cluster, entryName(gen, caSlot(kind)))
		if err != nil {
			return Bundle{}, err
		}
		*b.caField(kind) = c
	}
	var err error
	b.Admin, err = m.loadCert(ctx, cluster, entryName(gen, adminSlot))
	return b, err
}

// loadCert reads an entry and drops its key.
func (m *Manager) loadCert(ctx context.Context, cluster, name string) (Cert, error) {
	e, err := m.get(ctx, cluster, name)
	return Cert{Ref: e.Ref, PEM: e.Cert}, err
}

// get reads an entry, naming it in the error.
func (m *Manager) get(ctx context.Context, cluster, name string) (Entry, error) {
	e, err := m.store.Get(ctx, cluster, name)
	if err != nil {
		return Entry{}, fmt.Errorf("read %s of cluster %s: %w", name, cluster, err)
	}
	return e, nil
}

// caField returns the Bundle field of a CA kind.
func (b *Bundle) caField(kind CAKind) *Cert {
	switch kind {
	case Etcd:
		return &b.EtcdCA
	case FrontProxy:
		return &b.FrontProxyCA
	default:
		return &b.CA
	}
}

// truncateCN keeps a common name within X.509's 64-character bound.
func truncateCN(s string) string {
	const limit = 64
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit])
}
