package magnum

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/gomagnum/gomagnum/certs"
)

// KeyType is the algorithm of the key ClusterCredentials makes.
type KeyType string

// Key types of client credentials.
const (
	// KeyECDSA is an ECDSA P-256 key, the default.
	KeyECDSA KeyType = "ecdsa-p256"
	// KeyRSA is a 2048-bit RSA key.
	KeyRSA KeyType = "rsa-2048"
)

// CredentialsOptions tunes ClusterCredentials. The zero value makes an
// ECDSA P-256 key for a certificate in the caller's name.
type CredentialsOptions struct {
	KeyType KeyType
	// CommonName is the certificate's subject; empty means the caller's
	// user name (or ID). Only admins may ask for another name.
	CommonName string
	// Organizations are the certificate's groups (O=); only admins may
	// ask for system:masters.
	Organizations []string
}

// Credentials are what a user needs to talk to a cluster's COE: the
// client configuration files its driver renders (a kubeconfig for
// Kubernetes, ca.pem, cert.pem and key.pem for Docker Swarm...) around a
// new key and a certificate the cluster's CA signed for the caller. The
// private key exists only here: the service keeps no copy.
type Credentials struct {
	ClusterUUID string
	// Files maps file names ("config", "ca.pem") to their contents, ready
	// to be written with Write.
	Files map[string][]byte
	// Env holds the environment variables to export (KUBECONFIG,
	// DOCKER_HOST...); a value naming one of Files is relative to the
	// directory the files are written to.
	Env map[string]string
	// CertificatePEM is the client certificate.
	CertificatePEM []byte
	// KeyPEM is its PKCS#8 private key.
	KeyPEM []byte
	// Subject is the certificate's subject and NotAfter its end of
	// validity.
	Subject  pkix.Name
	NotAfter time.Time
}

// ClientKey is a new private key with a certificate signing request for
// it.
type ClientKey struct {
	// KeyPEM is the PKCS#8 private key.
	KeyPEM []byte
	// CSRPEM is the signing request.
	CSRPEM []byte
}

// NewClientKey makes a key of type kt (ECDSA P-256 if empty) and a CSR
// for it with the given common name and organisations: what
// ClusterCredentials sends to be signed, for clients that sign through
// another path.
func NewClientKey(kt KeyType, commonName string, organizations ...string) (*ClientKey, error) {
	ckt, ok := clientKeyTypes[kt]
	if !ok {
		return nil, invalidf("Invalid key type %q: expected %s or %s.", kt, KeyECDSA, KeyRSA)
	}
	key, keyPEM, err := certs.NewKey(ckt)
	if err != nil {
		return nil, fmt.Errorf("make a client key: %w", err)
	}
	subject := pkix.Name{CommonName: commonName, Organization: organizations}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, key)
	if err != nil {
		return nil, fmt.Errorf("make the certificate request: %w", err)
	}
	return &ClientKey{KeyPEM: keyPEM, CSRPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csr})}, nil
}

// clientKeyTypes maps the key types of NewClientKey to those of package
// certs; the empty type is ECDSA P-256.
var clientKeyTypes = map[KeyType]certs.KeyType{"": certs.ECDSAP256, KeyECDSA: certs.ECDSAP256, KeyRSA: certs.RSA2048}

// ClusterCredentials makes a key (ECDSA P-256 unless opts say otherwise),
// has the cluster's CA sign a client certificate for it under the
// caller's identity and the service's policy (the subject is the
// caller's user name, or ID), and returns the client configuration the
// cluster's driver renders with them. The cluster must be running.
func (s *Service) ClusterCredentials(ctx context.Context, clusterIdent string, opts CredentialsOptions) (*Credentials, error) {
	d, c, err := s.certificateCluster(ctx, clusterIdent, "certificate:create")
	if err != nil {
		return nil, err
	}
	cn := opts.CommonName
	if cn == "" {
		cn = CallerName(c)
	}
	key, err := NewClientKey(opts.KeyType, cn, opts.Organizations...)
	if err != nil {
		return nil, err
	}
	cert, err := s.SignCertificate(ctx, d.UUID, string(key.CSRPEM), "")
	if err != nil {
		return nil, err
	}
	cfg, err := s.ClientConfig(ctx, d.UUID, []byte(cert.PEM), key.KeyPEM)
	if err != nil {
		return nil, err
	}
	return NewCredentials(d.UUID, []byte(cert.PEM), key.KeyPEM, cfg.Files, cfg.Env)
}

// CallerName is the common name a caller's client certificates carry by
// default: their user name, else their user ID.
func CallerName(c Caller) string {
	if c.UserName != "" {
		return c.UserName
	}
	return c.UserID
}

// NewCredentials assembles Credentials from a signed certificate, its key
// and the client configuration rendered with them.
func NewCredentials(clusterUUID string, certPEM, keyPEM []byte, files map[string][]byte, env map[string]string) (*Credentials, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, fmt.Errorf("the signed certificate is not PEM: %w", ErrUnavailable)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the signed certificate does not parse: %w", err)
	}
	return &Credentials{ClusterUUID: clusterUUID, Files: files, Env: env, CertificatePEM: certPEM, KeyPEM: keyPEM,
		Subject: cert.Subject, NotAfter: cert.NotAfter}, nil
}

// Write writes the files into dir (created if needed), readable by their
// owner only, and returns their paths in name order.
func (c *Credentials) Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(c.Files))
	for name := range c.Files {
		if name != filepath.Base(name) || name == "." || name == ".." {
			return nil, fmt.Errorf("client configuration file %q: not a plain file name: %w", name, ErrInvalid)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	paths := make([]string, len(names))
	for i, name := range names {
		paths[i] = filepath.Join(dir, name)
		if err := os.WriteFile(paths[i], c.Files[name], 0o600); err != nil {
			return nil, err
		}
	}
	return paths, nil
}
