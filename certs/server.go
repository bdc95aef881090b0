package certs

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// This file holds the only two calls whose results carry a private key.
// They exist for the service's own use (configuring a cluster, reaching its
// API for health checks, rendering an admin's kubeconfig) and must never be
// answered to an API caller as such: the keys come as SecretPEM, which
// refuses to marshal and prints as "[redacted]".

// ServerCertRequest describes a TLS server certificate for a COE service.
type ServerCertRequest struct {
	// CA is the signing CA (default: the cluster CA).
	CA CAKind
	// CommonName defaults to "kube-apiserver".
	CommonName string
	// SANs are the names clients reach the server by: the api_address, the
	// master addresses, DNS names and the service IP. Each entry is an IP
	// address, a DNS name, or a URL (such as Magnum's api_address
	// "https://10.0.0.5:6443") whose host is used. At least one is required.
	SANs []string
	// ClientAuth makes the certificate valid for client authentication as
	// well (etcd peers need both).
	ClientAuth bool
}

// ServerCert is a signed server certificate with its key. SERVICE-INTERNAL:
// it holds a private key.
type ServerCert struct {
	// Cert is the PEM certificate.
	Cert []byte
	// CA is the PEM bundle of the signing CA (see CABundle).
	CA []byte
	// Key is the PEM PKCS#8 private key.
	Key SecretPEM
}

// IssueServerCert generates a key and a server certificate for it, signed
// by the cluster's current CA of req.CA, valid as long as that CA.
// SERVICE-INTERNAL: the result holds a private key; never return it to an
// API caller.
func (m *Manager) IssueServerCert(ctx context.Context, cluster string, req ServerCertRequest) (ServerCert, error) {
	kind := ParseCAKind(string(req.CA))
	tmpl, err := serverTemplate(req)
	if err != nil {
		return ServerCert{}, err
	}
	g, err := m.state(ctx, cluster)
	if err != nil {
		return ServerCert{}, err
	}
	ca, err := m.authority(ctx, cluster, g, kind)
	if err != nil {
		return ServerCert{}, err
	}
	key, keyPEM, err := NewKey(m.keyType)
	if err != nil {
		return ServerCert{}, err
	}
	certPEM, err := ca.sign(tmpl, key.Public(), m.clock(), m.caValidity)
	if err != nil {
		return ServerCert{}, fmt.Errorf("cluster %s: %w", cluster, err)
	}
	bundle, err := m.caBundle(ctx, cluster, g, kind)
	if err != nil {
		return ServerCert{}, err
	}
	return ServerCert{Cert: certPEM, CA: bundle, Key: keyPEM}, nil
}

// serverTemplate checks a request and turns it into a certificate template.
func serverTemplate(req ServerCertRequest) (*x509.Certificate, error) {
	cn := req.CommonName
	if cn == "" {
		cn = "kube-apiserver"
	}
	if len(req.SANs) == 0 {
		return nil, fmt.Errorf("%w: a server certificate needs at least one SAN", ErrInvalid)
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: truncateCN(cn)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if req.ClientAuth {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	for _, san := range req.SANs {
		ip, dns, err := parseSAN(san)
		if err != nil {
			return nil, err
		}
		if ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, dns)
		}
	}
	return tmpl, nil
}

// parseSAN reads one SAN entry as an IP address or a DNS name.
func parseSAN(s string) (net.IP, string, error) {
	host := strings.TrimSpace(s)
	if strings.Contains(host, "://") {
		u, err := url.Parse(host)
		if err != nil || u.Hostname() == "" {
			return nil, "", fmt.Errorf("%w: SAN %q is not a usable URL", ErrInvalid, s)
		}
		host = u.Hostname()
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip, "", nil
	}
	if !validDNSName(host) {
		return nil, "", fmt.Errorf("%w: SAN %q is neither an IP address nor a DNS name", ErrInvalid, s)
	}
	return nil, strings.ToLower(host), nil
}

// validDNSName accepts host names of letter-digit-hyphen labels.
func validDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// Credentials are the admin client certificate of a cluster, for the
// service's own connections to the COE and for the kubeconfig it renders
// for cloud admins. SERVICE-INTERNAL: it holds a private key.
type Credentials struct {
	// CA is the PEM bundle of the cluster CA (see CABundle).
	CA []byte
	// Cert is the PEM admin certificate (CN=admin, O=system:masters).
	Cert []byte
	// Key is its PEM PKCS#8 private key.
	Key SecretPEM
}

// AdminCredentials returns the cluster's current admin client certificate
// and key with the cluster CA bundle. SERVICE-INTERNAL: the result holds a
// private key; never return it to an API caller who is not a cloud admin.
func (m *Manager) AdminCredentials(ctx context.Context, cluster string) (Credentials, error) {
	g, err := m.state(ctx, cluster)
	if err != nil {
		return Credentials{}, err
	}
	bundle, err := m.caBundle(ctx, cluster, g, Kubernetes)
	if err != nil {
		return Credentials{}, err
	}
	e, err := m.get(ctx, cluster, entryName(g.current, adminSlot))
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{CA: bundle, Cert: e.Cert, Key: e.Key}, nil
}
