package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
)

// Limits on certificate requests.
const (
	// MaxCSRSize bounds the PEM text SignCSR accepts.
	MaxCSRSize = 64 << 10
	// MinRSABits is the shortest RSA modulus SignCSR signs.
	MinRSABits = 2048
	// maxRSABits bounds RSA keys to keep signature checks cheap.
	maxRSABits = 8192
)

// Object identifiers of the extensions and algorithms checked here.
var (
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidClientAuth       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}
	oidECPublicKey      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidDSA              = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
)

// Key usage bits (RFC 5280 4.2.1.3, bit 0 first).
const (
	kuDigitalSignature = iota
	kuContentCommitment
	kuKeyEncipherment
	kuDataEncipherment
	kuKeyAgreement
	kuKeyCertSign
	kuCRLSign
)

// parseCSR decodes a single PEM certificate request and checks everything
// about it that does not depend on the requester: size, encoding,
// signature, key and extensions.
func parseCSR(b []byte) (*x509.CertificateRequest, error) {
	if len(b) > MaxCSRSize {
		return nil, reject(ErrMalformedCSR, "%d bytes, at most %d", len(b), MaxCSRSize)
	}
	block, rest := pem.Decode(b)
	if block == nil {
		return nil, reject(ErrMalformedCSR, "no PEM block")
	}
	if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
		return nil, reject(ErrMalformedCSR, "PEM block %q, want CERTIFICATE REQUEST", block.Type)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, reject(ErrMalformedCSR, "data after the certificate request")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		if keyErr := classifyUnparsableKey(block.Bytes); keyErr != nil {
			return nil, keyErr
		}
		return nil, reject(ErrMalformedCSR, "%v", err)
	}
	if err := checkPublicKey(csr.PublicKey); err != nil {
		return nil, err
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, reject(ErrBadSignature, "%v", err)
	}
	if err := checkExtensions(csr); err != nil {
		return nil, err
	}
	return csr, nil
}

// checkPublicKey accepts RSA of MinRSABits to maxRSABits, ECDSA on P-256,
// P-384 and P-521, and Ed25519.
func checkPublicKey(pub any) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch n := k.N.BitLen(); {
		case n < MinRSABits:
			return reject(ErrWeakKey, "RSA key of %d bits, at least %d required", n, MinRSABits)
		case n > maxRSABits:
			return reject(ErrUnsupportedKey, "RSA key of %d bits, at most %d accepted", n, maxRSABits)
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return reject(ErrUnsupportedKey, "elliptic curve %s", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
	default:
		return reject(ErrUnsupportedKey, "public key of type %T", pub)
	}
	return nil
}

// rawCSR is just enough of PKCS#10 to read the public key algorithm of a
// request the standard library refused to parse.
type rawCSR struct {
	Info struct {
		Version int
		Subject asn1.RawValue
		SPKI    struct {
			Algorithm struct {
				OID    asn1.ObjectIdentifier
				Params asn1.RawValue `asn1:"optional"`
			}
			Key asn1.BitString
		}
		Attributes asn1.RawValue `asn1:"optional,tag:0"`
	}
	SignatureAlgorithm asn1.RawValue
	Signature          asn1.BitString
}

// classifyUnparsableKey returns ErrUnsupportedKey when der failed to parse
// because of its key (an unknown elliptic curve, DSA), nil otherwise.
func classifyUnparsableKey(der []byte) error {
	var r rawCSR
	if _, err := asn1.Unmarshal(der, &r); err != nil {
		return nil
	}
	alg := r.Info.SPKI.Algorithm
	switch {
	case alg.OID.Equal(oidECPublicKey):
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(alg.Params.FullBytes, &curve); err != nil {
			return reject(ErrUnsupportedKey, "elliptic-curve key without a named curve")
		}
		return reject(ErrUnsupportedKey, "elliptic curve %s", curve)
	case alg.OID.Equal(oidDSA):
		return reject(ErrUnsupportedKey, "DSA key")
	}
	return nil
}

// checkExtensions refuses requests for CA powers and for non-client usages,
// and critical extensions this package does not know. The requested
// extensions are only checked: the issued certificate carries its own.
func checkExtensions(csr *x509.CertificateRequest) error {
	for _, ext := range csr.Extensions {
		var err error
		switch {
		case ext.Id.Equal(oidBasicConstraints):
			err = checkBasicConstraints(ext.Value)
		case ext.Id.Equal(oidKeyUsage):
			err = checkKeyUsage(ext.Value)
		case ext.Id.Equal(oidExtKeyUsage):
			err = checkExtKeyUsage(ext.Value)
		case ext.Id.Equal(oidSubjectAltName), ext.Id.Equal(oidSubjectKeyID):
			// Parsed by the standard library already; never copied.
		case ext.Critical:
			err = reject(ErrUnsupportedExtension, "extension %s", ext.Id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// checkBasicConstraints refuses CA:true.
func checkBasicConstraints(der []byte) error {
	var bc struct {
		IsCA       bool `asn1:"optional"`
		MaxPathLen int  `asn1:"optional,default:-1"`
	}
	if err := unmarshalAll(der, &bc); err != nil {
		return reject(ErrMalformedCSR, "basicConstraints: %v", err)
	}
	if bc.IsCA {
		return reject(ErrCARequested, "basicConstraints CA:true")
	}
	return nil
}

// checkKeyUsage refuses the CA bits and anything beyond digitalSignature,
// contentCommitment and keyEncipherment.
func checkKeyUsage(der []byte) error {
	var bits asn1.BitString
	if err := unmarshalAll(der, &bits); err != nil {
		return reject(ErrMalformedCSR, "keyUsage: %v", err)
	}
	for i := range bits.BitLength {
		if bits.At(i) == 0 {
			continue
		}
		switch i {
		case kuDigitalSignature, kuContentCommitment, kuKeyEncipherment:
		case kuKeyCertSign, kuCRLSign:
			return reject(ErrCARequested, "keyUsage bit %d (certificate or CRL signing)", i)
		default:
			return reject(ErrKeyUsage, "keyUsage bit %d", i)
		}
	}
	return nil
}

// checkExtKeyUsage refuses every extended key usage but clientAuth.
func checkExtKeyUsage(der []byte) error {
	var oids []asn1.ObjectIdentifier
	if err := unmarshalAll(der, &oids); err != nil {
		return reject(ErrMalformedCSR, "extendedKeyUsage: %v", err)
	}
	for _, oid := range oids {
		if !oid.Equal(oidClientAuth) {
			return reject(ErrKeyUsage, "extended key usage %s (only clientAuth %s)", oid, oidClientAuth)
		}
	}
	return nil
}

// unmarshalAll decodes der into v and refuses trailing bytes.
func unmarshalAll(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return asn1.SyntaxError{Msg: "trailing data"}
	}
	return nil
}
