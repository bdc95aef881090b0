package backoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/backoff"
)

func TestJitteredBounds(t *testing.T) {
	tests := []struct {
		retry   int
		nominal time.Duration
	}{
		{-1, 100 * time.Millisecond},
		{0, 100 * time.Millisecond},
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{60, time.Second},
		{1 << 30, time.Second},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := backoff.Jittered(100*time.Millisecond, time.Second, tt.retry)
			assert.GreaterOrEqual(t, d, tt.nominal/2, "retry %d", tt.retry)
			assert.LessOrEqual(t, d, tt.nominal, "retry %d", tt.retry)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 1, "retry %d: waits are jittered", tt.retry)
	}
}

func TestJitteredDegenerate(t *testing.T) {
	assert.Zero(t, backoff.Jittered(0, 0, 2))
	assert.Zero(t, backoff.Jittered(-time.Second, -time.Second, 1))
	assert.Positive(t, backoff.Jittered(time.Hour, 1<<63-1, 100), "no overflow")
}

func TestSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, backoff.Sleep(ctx, time.Hour), context.Canceled)
	require.NoError(t, backoff.Sleep(t.Context(), time.Millisecond))
}
