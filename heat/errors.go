package heat

import "errors"

// Sentinel errors of the Orchestrator contract. Implementations return an
// *Error wrapping one of them, so errors.Is works and the message the
// orchestrator gave is kept.
var (
	// ErrNotFound: the stack does not exist.
	ErrNotFound = errors.New("stack not found")
	// ErrConflict: the stack is busy with another action, or its name is taken.
	ErrConflict = errors.New("stack conflict")
	// ErrInvalid: the template, environment or parameters were refused.
	ErrInvalid = errors.New("invalid template or parameters")
	// ErrUnauthorized: the orchestrator refused the credentials.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnavailable: the orchestrator could not be reached or failed.
	ErrUnavailable = errors.New("orchestrator unavailable")
)

// Error is an orchestrator error of a known kind with the orchestrator's
// own message ("The Parameter (x) was not defined in template.").
type Error struct {
	// Kind is one of the sentinel errors of this package.
	Kind error
	// Message is the orchestrator's explanation.
	Message string
}

// Error returns the orchestrator's message, or the kind if there is none.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Kind.Error()
	}
	return e.Message
}

// Unwrap returns the kind, so errors.Is(err, ErrNotFound) works.
func (e *Error) Unwrap() error { return e.Kind }

// NewError returns an *Error of the given kind and message.
func NewError(kind error, message string) error { return &Error{Kind: kind, Message: message} }
