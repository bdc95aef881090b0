package certs

import (
	"errors"
	"fmt"
	"io/fs"
)

// Errors returned by this package. Each is wrapped with detail; test with
// errors.Is. Every refusal of a certificate signing request wraps
// ErrCSRRejected and one of the more precise sentinels below it.
var (
	// ErrNotFound: the cluster has no certificates, or a store has no
	// entry by that name. It also matches fs.ErrNotExist.
	ErrNotFound error = notFoundError{}
	// ErrInvalid: a bad argument (empty cluster UUID, a malformed SAN, ...).
	ErrInvalid = errors.New("invalid argument")
	// ErrRotationInProgress: Rotate was called while an earlier rotation
	// still waits for FinishRotation.
	ErrRotationInProgress = errors.New("CA rotation already in progress")

	// ErrCSRRejected is wrapped by every refusal of SignCSR.
	ErrCSRRejected = errors.New("certificate request rejected")
	// ErrMalformedCSR: not a single PEM "CERTIFICATE REQUEST" block holding
	// a parsable PKCS#10 request, or larger than MaxCSRSize.
	ErrMalformedCSR = errors.New("malformed CSR")
	// ErrBadSignature: the CSR's self-signature does not verify, so whoever
	// sent it may not hold the private key.
	ErrBadSignature = errors.New("CSR signature does not verify")
	// ErrCARequested: the CSR asks to be a CA (basicConstraints CA:true, or
	// the keyCertSign/cRLSign key usages).
	ErrCARequested = errors.New("CA certificates are never signed for requests")
	// ErrKeyUsage: the CSR asks for a key usage or extended key usage that a
	// client certificate does not need (serverAuth, codeSigning, ...).
	ErrKeyUsage = errors.New("only client-authentication usages are signed")
	// ErrWeakKey: an RSA key shorter than MinRSABits.
	ErrWeakKey = errors.New("key too weak")
	// ErrUnsupportedKey: a key algorithm or elliptic curve this package does
	// not sign (DSA, curves other than P-256, P-384, P-521, oversized RSA).
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrUnsupportedExtension: a critical extension this package does not
	// understand.
	ErrUnsupportedExtension = errors.New("unsupported critical extension")
	// ErrSubjectForbidden: the requested common name or organisations are not
	// allowed for this requester (see the package documentation).
	ErrSubjectForbidden = errors.New("subject not allowed for this requester")

	// ErrDecrypt: a stored private key cannot be decrypted (unknown key ID
	// in the keyring, or the ciphertext was altered).
	ErrDecrypt = errors.New("cannot decrypt stored private key")
)

// notFoundError is ErrNotFound's type: it matches fs.ErrNotExist too.
type notFoundError struct{}

func (notFoundError) Error() string { return "certificates not found" }

func (notFoundError) Is(target error) bool { return target == fs.ErrNotExist }

// reject builds a SignCSR refusal that matches ErrCSRRejected and reason.
func reject(reason error, format string, args ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrCSRRejected, reason, fmt.Sprintf(format, args...))
}
