package certs

import (
	"context"
	"crypto/x509"
	"fmt"
)

// SignCSR signs a PEM certificate signing request with the cluster's
// current CA of the given kind (read as ParseCAKind reads Magnum's
// ca_cert_type) and returns the PEM certificate. The request is refused, with
// an error wrapping ErrCSRRejected and a precise sentinel, when its
// signature does not verify, it asks for CA powers or a non-client usage,
// its key is weak or of an unknown kind, or its subject is not one the
// requester may hold (the rules are in the package documentation).
//
// The certificate is built from the CSR's public key, common name and
// organisations only: it is a client certificate (extKeyUsage clientAuth,
// CA:false) valid for at most the Manager's maximum validity and never past
// its CA's expiry.
func (m *Manager) SignCSR(ctx context.Context, cluster string, kind CAKind, csrPEM []byte, r Requester) ([]byte, error) {
	kind = ParseCAKind(string(kind))
	csr, err := parseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	subject, err := r.subject(kind, csr.Subject, m.userGroups)
	if err != nil {
		return nil, err
	}
	g, err := m.state(ctx, cluster)
	if err != nil {
		return nil, err
	}
	ca, err := m.authority(ctx, cluster, g, kind)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{Subject: subject, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	certPEM, err := ca.sign(tmpl, csr.PublicKey, m.clock(), m.maxValidity)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cluster, err)
	}
	m.log.InfoContext(ctx, "signed certificate request", "cluster", cluster, "ca", kind.String(),
		"cn", subject.CommonName, "o", subject.Organization, "requester", r.UserID, "role", r.Role.String())
	return certPEM, nil
}

// state validates the cluster UUID and loads its generations; a cluster
// without a current generation is ErrNotFound.
func (m *Manager) state(ctx context.Context, cluster string) (generations, error) {
	if err := checkID("cluster UUID", cluster); err != nil {
		return generations{}, err
	}
	g, err := m.loadGenerations(ctx, cluster)
	if err != nil {
		return generations{}, err
	}
	_, err = g.requireCurrent(cluster)
	return g, err
}

// authority loads the cluster's current CA of a kind with its key.
func (m *Manager) authority(ctx context.Context, cluster string, g generations, kind CAKind) (authority, error) {
	e, err := m.get(ctx, cluster, entryName(g.current, caSlot(kind)))
	if err != nil {
		return authority{}, err
	}
	return loadAuthority(e)
}
