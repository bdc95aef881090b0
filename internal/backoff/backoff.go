// Package backoff computes the waits between the attempts of a retried
// call: exponential, capped, and jittered so that many callers that
// failed together do not retry in step.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jittered returns the wait before retry number n (1 for the first
// retry): first·2^(n-1) capped at max, scaled by a random factor in
// [0.5, 1]. A nominal wait that is not positive gives 0.
func Jittered(first, max time.Duration, n int) time.Duration {
	nominal := first
	for i := 1; i < n && nominal < max; i++ {
		if nominal > max/2 {
			nominal = max // doubling would pass the cap, or overflow
			break
		}
		nominal *= 2
	}
	nominal = min(nominal, max)
	if nominal <= 0 {
		return 0
	}
	half := nominal / 2
	return half + rand.N(nominal-half+1)
}

// Sleep waits for d, or until ctx is done and then returns its error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
