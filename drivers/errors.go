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
	// ErrUnavailable means the driver could not be asked: its plugin
	// could not be started, was refused, or died during the call. The
	// host restarts it; asking again later may succeed.
	ErrUnavailable = errors.New("driver unavailable")
)
