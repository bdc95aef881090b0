package magnum

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the service returns for bad input, missing
// objects or refused operations wraps one of them, so that errors.Is works
// and the REST layer can map each to Magnum's status code; the message is
// Magnum's own where Magnum has one.
var (
	// ErrInvalid: the request is malformed or breaks a rule (HTTP 400).
	ErrInvalid = errors.New("invalid request")
	// ErrInvalidState: the object's status does not allow the operation (HTTP 400).
	ErrInvalidState = errors.New("invalid state")
	// ErrNotFound: the object does not exist or the caller may not see it (HTTP 404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request conflicts with existing state, such as an
	// ambiguous name or a duplicate (HTTP 409).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: policy does not allow the caller to do this (HTTP 403).
	ErrForbidden = errors.New("forbidden")
	// ErrQuotaExceeded: the project reached a quota (HTTP 403).
	ErrQuotaExceeded = errors.New("quota exceeded")
	// ErrUnauthenticated: the context carries no caller (HTTP 401).
	ErrUnauthenticated = errors.New("no caller in context")
	// ErrUnavailable: a component the request needs, such as the
	// driver's plugin process, cannot answer now; asking again later may
	// succeed (HTTP 503).
	ErrUnavailable = errors.New("service unavailable")
)

// ErrTemplateNotFound is the kind of error a missing cluster template
// gives; it is an ErrNotFound (API microversions before 1.10 answer a
// cluster create naming one with 400 rather than 404).
var ErrTemplateNotFound error = &subKind{msg: "cluster template not found", parent: ErrNotFound}

// subKind is a kind of error that is also a more general one.
type subKind struct {
	msg    string
	parent error
}

func (k *subKind) Error() string { return k.msg }
func (k *subKind) Unwrap() error { return k.parent }

// Error is an error of a known kind with a message meant for users.
type Error struct {
	// Kind is one of the sentinel errors of this package.
	Kind error
	// Message is the user-facing explanation, in Magnum's words.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newError(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error  { return newError(ErrInvalid, format, args...) }
func notFoundf(format string, args ...any) error { return newError(ErrNotFound, format, args...) }
func conflictf(format string, args ...any) error { return newError(ErrConflict, format, args...) }

// wrapErr returns an error of the given kind whose message is the cause's.
func wrapErr(kind error, err error) error {
	return &Error{Kind: kind, Message: err.Error(), Err: err}
}
