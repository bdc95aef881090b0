package certs

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// KeyType selects the algorithm of the keys the Manager generates (CAs,
// admin and server certificates).
type KeyType int

// Key types. RSA2048 is Magnum's default.
const (
	RSA2048 KeyType = iota
	ECDSAP256
)

// String names the key type.
func (k KeyType) String() string {
	switch k {
	case RSA2048:
		return "RSA-2048"
	case ECDSAP256:
		return "ECDSA-P256"
	default:
		return fmt.Sprintf("KeyType(%d)", int(k))
	}
}

// generate makes a new private key of type k.
func (k KeyType) generate() (crypto.Signer, error) {
	switch k {
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("%w: key type %v", ErrInvalid, k)
	}
}

// backdate is subtracted from NotBefore so that a node whose clock runs a
// little behind accepts a certificate issued a moment ago.
const backdate = time.Hour

// authority is a CA certificate with its key, ready to sign.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
	pem  []byte
}

// newAuthority generates a self-signed CA.
func newAuthority(kt KeyType, subject pkix.Name, now time.Time, validity time.Duration) (authority, []byte, error) {
	key, err := kt.generate()
	if err != nil {
		return authority{}, nil, fmt.Errorf("generate CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               subject,
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	certPEM, err := createCert(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return authority{}, nil, err
	}
	a, err := loadAuthority(Entry{Cert: certPEM})
	if err != nil {
		return authority{}, nil, err
	}
	a.key = key
	keyPEM, err := encodeKey(key)
	return a, keyPEM, err
}

// loadAuthority parses a stored CA; the key is parsed only when present.
func loadAuthority(e Entry) (authority, error) {
	cert, err := parseCert(e.Cert)
	if err != nil {
		return authority{}, err
	}
	a := authority{cert: cert, pem: e.Cert}
	if len(e.Key) > 0 {
		if a.key, err = parseKey(e.Key); err != nil {
			return authority{}, err
		}
	}
	return a, nil
}

// sign issues a leaf certificate for pub from tmpl (subject, usages, SANs),
// valid from now for validity but never past the CA's own expiry.
func (a authority) sign(tmpl *x509.Certificate, pub crypto.PublicKey, now time.Time, validity time.Duration) ([]byte, error) {
	tmpl.NotBefore = now.Add(-backdate)
	tmpl.NotAfter = now.Add(validity)
	if tmpl.NotAfter.After(a.cert.NotAfter) {
		tmpl.NotAfter = a.cert.NotAfter
	}
	tmpl.BasicConstraintsValid = true
	tmpl.IsCA = false
	tmpl.KeyUsage = leafKeyUsage(pub)
	return createCert(tmpl, a.cert, pub, a.key)
}

// leafKeyUsage is digitalSignature, plus keyEncipherment for RSA keys
// (RFC 8813: never for elliptic-curve keys).
func leafKeyUsage(pub crypto.PublicKey) x509.KeyUsage {
	if _, ok := pub.(*rsa.PublicKey); ok {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return x509.KeyUsageDigitalSignature
}

// createCert gives tmpl a random serial and signs it with the parent's key.
func createCert(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) ([]byte, error) {
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("sign certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// newSerial returns a random positive serial of up to 127 bits (RFC 5280
// allows 20 octets; the CA/Browser Forum asks for at least 64 random bits).
func newSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 127)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return nil, fmt.Errorf("serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// NewKey makes a private key of type kt and its PEM (PKCS#8) encoding:
// the keys of the certificates the Manager issues, and of clients that
// have their own signed.
func NewKey(kt KeyType) (crypto.Signer, []byte, error) {
	key, err := kt.generate()
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	keyPEM, err := encodeKey(key)
	return key, keyPEM, err
}

// encodeKey encodes a private key as PEM PKCS#8.
func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parseCert decodes the first PEM certificate.
func parseCert(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: stored certificate is not PEM", ErrInvalid)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse stored certificate: %w", err)
	}
	return cert, nil
}

// parseKey decodes a PEM PKCS#8 private key.
func parseKey(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: stored key is not PEM PKCS#8", ErrInvalid)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse stored key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: stored key of type %T cannot sign", ErrInvalid, k)
	}
	return signer, nil
}
