package drivers

import "errors"

// Errors drivers wrap to classify what went wrong.
var (
	// ErrInvalid means the input cannot be served as given; the caller can
	// fix it. Its message is meant for users.
	ErrInvalid = errors.New("invalid input")
	// ErrNotSupported means the driver does not do this at all.
	ErrNotSupported = errors.New("not supported")
	// ErrNoDriver means no driver serves a tuple.
	ErrNoDriver = errors.New("no driver")
)
