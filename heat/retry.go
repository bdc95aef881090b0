package heat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gomagnum/gomagnum/internal/backoff"
)

// RetryPolicy bounds how a Client retries calls that failed with
// ErrUnavailable: a 5xx answer, a refused or dropped connection, or an
// attempt that timed out. Reads (get, list, resources, events) are simply
// sent again. Changes (create, update, delete) are sent again only after
// the Client has checked that Heat did not take the first one. Waits grow
// exponentially from MinBackoff to MaxBackoff, each drawn at random
// between half and all of its nominal value (jitter), so that many
// clients do not retry in step. The zero value of a field takes its
// default.
type RetryPolicy struct {
	// Attempts is the maximum number of attempts, the first included
	// (default 5). 1 disables retries.
	Attempts int
	// MinBackoff is the nominal wait after the first failure (default 200 ms).
	MinBackoff time.Duration
	// MaxBackoff caps the nominal wait (default 5 s).
	MaxBackoff time.Duration
	// AttemptTimeout bounds one attempt (default 60 s). An attempt that
	// exceeds it counts as unavailable and is retried; the caller's context
	// still bounds the whole call.
	AttemptTimeout time.Duration
}

// DefaultRetryPolicy is the policy of a Client built without WithRetry.
var DefaultRetryPolicy = RetryPolicy{
	Attempts:       5,
	MinBackoff:     200 * time.Millisecond,
	MaxBackoff:     5 * time.Second,
	AttemptTimeout: 60 * time.Second,
}

// withDefaults fills the zero fields of p from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.Attempts > 0 {
		d.Attempts = p.Attempts
	}
	if p.MinBackoff > 0 {
		d.MinBackoff = p.MinBackoff
	}
	if p.MaxBackoff > 0 {
		d.MaxBackoff = p.MaxBackoff
	}
	if d.MaxBackoff < d.MinBackoff {
		d.MaxBackoff = d.MinBackoff
	}
	if p.AttemptTimeout > 0 {
		d.AttemptTimeout = p.AttemptTimeout
	}
	return d
}

// Backoff returns the wait before attempt number next (2 for the first
// retry): MinBackoff·2^(next-2) capped at MaxBackoff, scaled by a random
// factor in [0.5, 1].
func (p RetryPolicy) Backoff(next int) time.Duration {
	return backoff.Jittered(p.MinBackoff, p.MaxBackoff, next-1)
}

// attempt runs fn once under the policy's attempt timeout and classifies
// its error.
func (c *Client) attempt(ctx context.Context, fn func(context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, c.retry.AttemptTimeout)
	defer cancel()
	return classify(ctx, fn(actx))
}

// idempotent runs a read, retrying it under the client's policy while it
// fails with ErrUnavailable. op names the call in logs.
func (c *Client) idempotent(ctx context.Context, op string, fn func(context.Context) error) error {
	for n := 1; ; n++ {
		err := c.attempt(ctx, fn)
		if err == nil || !errors.Is(err, ErrUnavailable) || n >= c.retry.Attempts {
			return err
		}
		if err := c.backoff(ctx, op, n, err); err != nil {
			return err
		}
	}
}

// sendOnce runs a change that Heat must not apply twice. When an attempt
// fails ambiguously (ErrUnavailable, or a conflict on a resend, which an
// earlier attempt may have caused), applied asks Heat whether the change
// took effect: if it did, sendOnce reports success; if not, the change is
// sent again after a backoff. A change that landed while its answer was
// lost is thus never applied a second time.
func (c *Client) sendOnce(ctx context.Context, op string, send func(context.Context) error,
	applied func(context.Context) (bool, error)) error {
	for n := 1; ; n++ {
		err := c.attempt(ctx, send)
		conflict := n > 1 && errors.Is(err, ErrConflict)
		if err == nil || !(errors.Is(err, ErrUnavailable) || conflict) {
			return err
		}
		done, cerr := applied(ctx)
		switch {
		case cerr != nil:
			return fmt.Errorf("%w (and checking whether Heat took it failed: %w)", err, cerr)
		case done:
			c.log.LogAttrs(ctx, slog.LevelInfo, "heat: the answer was lost, but Heat took the change",
				slog.String("op", op), slog.Int("attempt", n), slog.Any("error", err))
			return nil
		case conflict || n >= c.retry.Attempts:
			return err
		}
		if err := c.backoff(ctx, op, n, err); err != nil {
			return err
		}
	}
}

// backoff logs the failure of attempt n and waits before the next one.
func (c *Client) backoff(ctx context.Context, op string, n int, cause error) error {
	wait := c.retry.Backoff(n + 1)
	c.log.LogAttrs(ctx, slog.LevelWarn, "heat: retrying", slog.String("op", op),
		slog.Int("attempt", n), slog.Duration("wait", wait), slog.Any("error", cause))
	if err := backoff.Sleep(ctx, wait); err != nil {
		return classify(ctx, err)
	}
	return nil
}
