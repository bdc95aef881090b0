package sim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomagnum/gomagnum/cloud"
)

// Errors returned (wrapped) by the simulated cloud, besides cloud.ErrNotFound,
// cloud.ErrAmbiguous and cloud.ErrForbidden. Test them with errors.Is.
var (
	// ErrQuotaExceeded reports a request beyond a project's quota. The error
	// is a *QuotaError carrying the numbers.
	ErrQuotaExceeded = errors.New("quota exceeded")
	// ErrInvalid reports a malformed request or catalog.
	ErrInvalid = errors.New("invalid request")
	// ErrConflict reports a request that clashes with the current state: an
	// object still in use, a duplicate, an address already taken.
	ErrConflict = errors.New("conflict")
	// ErrAddressExhausted reports a subnet or pool with no free address.
	// It also matches ErrConflict, as Neutron answers 409.
	ErrAddressExhausted = errors.New("no more IP addresses available")
	// ErrNoValidHost reports that the scheduler found no host for a server.
	ErrNoValidHost = errors.New("no valid host")
	// ErrBootFailed reports a server whose guest failed to boot.
	ErrBootFailed = errors.New("boot failed")
	// ErrInjected marks a failure produced by an injected Fault with
	// EffectError.
	ErrInjected = errors.New("injected failure")
)

// notFound returns an error wrapping cloud.ErrNotFound with the given text.
func notFound(format string, args ...any) error {
	return &simError{msg: fmt.Sprintf(format, args...), kinds: []error{cloud.ErrNotFound}}
}

// invalid returns an error wrapping ErrInvalid with the given text.
func invalid(format string, args ...any) error {
	return &simError{msg: fmt.Sprintf(format, args...), kinds: []error{ErrInvalid}}
}

// conflict returns an error wrapping ErrConflict with the given text.
func conflict(format string, args ...any) error {
	return &simError{msg: fmt.Sprintf(format, args...), kinds: []error{ErrConflict}}
}

// forbidden returns an error wrapping cloud.ErrForbidden with the given text.
func forbidden(format string, args ...any) error {
	return &simError{msg: fmt.Sprintf(format, args...), kinds: []error{cloud.ErrForbidden}}
}

// simError is an error whose text reads like the real service's and which
// matches one or more sentinels.
type simError struct {
	msg   string
	kinds []error
}

func (e *simError) Error() string { return e.msg }

// Unwrap lets errors.Is match every sentinel of the error.
func (e *simError) Unwrap() []error { return e.kinds }

// QuotaError is the error of a request beyond a project's quota. Its text
// is the one the owning service (Nova, Neutron, Cinder, Octavia) gives.
type QuotaError struct {
	ProjectID string
	// Resources are the quota names exceeded ("instances", "cores").
	Resources []string
	Requested []int
	Used      []int
	Limits    []int
	msg       string
}

func (e *QuotaError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrQuotaExceeded) true.
func (e *QuotaError) Is(target error) bool { return target == ErrQuotaExceeded }

// joinInts formats numbers the way Nova lists them: "1, 2048".
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// ambiguous returns an error wrapping cloud.ErrAmbiguous with the given
// text.
func ambiguous(format string, args ...any) error {
	return &simError{msg: fmt.Sprintf(format, args...), kinds: []error{cloud.ErrAmbiguous}}
}

// isNotFound reports whether err wraps cloud.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, cloud.ErrNotFound) }
