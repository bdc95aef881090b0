package drivers

import (
	"errors"
	"fmt"
)

// Errors drivers wrap to classify what went wrong.
var (
	// ErrInvalid means the input cannot be served as given; the caller can
	// fix it. Its message is meant for users.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the input is valid but does not fit the state of
	// what it acts on: a cluster template without the labels an upgrade
	// needs, say. It is a kind of ErrInvalid; the service answers it as
	// Magnum answers its conflicts (409).
	ErrConflict = fmt.Errorf("%w: conflict", ErrInvalid)
	// ErrNotSupported means the driver does not do this at all.
	ErrNotSupported = errors.New("not supported")
	// ErrNoDriver means no driver serves a tuple.
	ErrNoDriver = errors.New("no driver")
	// ErrUnavailable means the driver could not be asked: its plugin
	// could not be started, was refused, or died during the call. The
	// host restarts it; asking again later may succeed.
	ErrUnavailable = errors.New("driver unavailable")
)
