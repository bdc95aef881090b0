package hot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/python"
)

// Exception type names Heat reports with its errors.
const (
	TypeStackValidationFailed  = "StackValidationFailed"
	TypeUnknownUserParameter   = "UnknownUserParameter"
	TypeUserParameterMissing   = "UserParameterMissing"
	TypeInvalidTemplateVersion = "InvalidTemplateVersion"
	TypeInvalidTemplateRef     = "InvalidTemplateReference"
	TypeInvalidTemplateAttr    = "InvalidTemplateAttribute"
	TypeInvalidSchemaError     = "InvalidSchemaError"
	TypeCircularDependency     = "CircularDependencyException"
	TypeInvalidEnvironment     = "InvalidEnvironment"
	TypeNotFound               = "NotFound"
	TypeRequestLimitExceeded   = "RequestLimitExceeded"
	// TypeBadRequest is the type of what Heat's API refuses itself: a
	// template that does not parse, and every validation failure its
	// template validation reports.
	TypeBadRequest = "HTTPBadRequest"
)

// Error is a template error as Heat reports it: the exception type, and
// for validation failures the error class, the path into the template and
// the message. Every Error wraps heat.ErrInvalid.
type Error struct {
	// Type is Heat's exception class ("StackValidationFailed").
	Type string
	// Class is the failed check or the Python error class ("Property
	// error", "ValueError"); empty when Heat gives none.
	Class string
	// Path locates the error in the template.
	Path []string
	// Message is the explanation.
	Message string
	// format marks a template Parse refused for its format: not JSON or
	// YAML, not a mapping, or without a version key.
	format bool
}

// Error formats the error the way Heat's API reports it.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Class != "" {
		b.WriteString(e.Class + ": ")
	}
	if p := FormatPath(e.Path); p != "" {
		b.WriteString(p + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns heat.ErrInvalid.
func (e *Error) Unwrap() error { return heat.ErrInvalid }

// FormatPath joins path elements as Heat does: "resources.x[0].y".
func FormatPath(path []string) string {
	var b strings.Builder
	for _, p := range path {
		switch {
		case isDigits(p):
			b.WriteString("[" + p + "]")
		case b.Len() > 0:
			b.WriteString("." + p)
		default:
			b.WriteString(p)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// newError returns an *Error of the given type with a formatted message.
func newError(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// validationError returns a StackValidationFailed error.
func validationError(path []string, format string, args ...any) *Error {
	return &Error{Type: TypeStackValidationFailed, Path: path, Message: fmt.Sprintf(format, args...)}
}

// PyError is a Python exception raised while a function is evaluated:
// TypeError, ValueError or KeyError with its message.
type PyError struct {
	Kind string
	Msg  string
}

// Error returns Python's str() of the exception; a KeyError quotes its
// message.
func (e *PyError) Error() string {
	if e.Kind == "KeyError" {
		return python.Quote(e.Msg)
	}
	return e.Msg
}

// Unwrap returns heat.ErrInvalid.
func (e *PyError) Unwrap() error { return heat.ErrInvalid }

func typeError(format string, args ...any) error {
	return &PyError{Kind: "TypeError", Msg: fmt.Sprintf(format, args...)}
}

func valueError(format string, args ...any) error {
	return &PyError{Kind: "ValueError", Msg: fmt.Sprintf(format, args...)}
}

func keyError(format string, args ...any) error {
	return &PyError{Kind: "KeyError", Msg: fmt.Sprintf(format, args...)}
}

// ErrorClass returns the Python class name Heat would print for err:
// the PyError kind, the Error type, or "Error".
func ErrorClass(err error) string {
	var pe *PyError
	if errors.As(err, &pe) {
		return pe.Kind
	}
	var he *Error
	if errors.As(err, &he) {
		return he.Type
	}
	return "Error"
}
