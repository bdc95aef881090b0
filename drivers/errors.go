package drivers

import (
	"errors"
	"fmt"
	"time"
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
	// could not be started, was refused, or kept dying during the call.
	// The host restarts it; asking again later may succeed.
	ErrUnavailable = errors.New("driver unavailable")
)

// UnavailableError reports a call that no plugin process answered within
// the host's retries (WithCallRetry): the plugin kept crashing, or could
// not be restarted. It wraps ErrUnavailable and the last attempt's
// failure.
type UnavailableError struct {
	// Driver is the name of the plugin: the built-in driver's name or the
	// executable's file name.
	Driver string
	// Method is the driver call ("ClusterStack").
	Method string
	// Attempts is how many times the call was tried.
	Attempts int
	// RetryAfter is how long the host waits before it next tries to start
	// the plugin; 0 when it does not wait.
	RetryAfter time.Duration
	// Err is why the last attempt failed.
	Err error
}

// Error names the driver, the call and the last failure.
func (e *UnavailableError) Error() string {
	return fmt.Sprintf("driver plugin %q: %s: %v (%d attempts): %v", e.Driver, e.Method, ErrUnavailable, e.Attempts, e.Err)
}

// Unwrap returns ErrUnavailable and the last failure.
func (e *UnavailableError) Unwrap() []error { return []error{ErrUnavailable, e.Err} }

// lostError is an attempt of a call that reached no driver: no plugin
// process could be started, or the one running died during the call.
// Calls are stateless, so such an attempt can be made again.
type lostError struct {
	driver string
	cause  error
}

func (e *lostError) Error() string {
	return fmt.Sprintf("driver plugin %q: %v: %v", e.driver, ErrUnavailable, e.cause)
}

func (e *lostError) Unwrap() []error { return []error{ErrUnavailable, e.cause} }
