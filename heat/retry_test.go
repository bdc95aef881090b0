package heat

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryPolicyDefaults(t *testing.T) {
	assert.Equal(t, DefaultRetryPolicy, RetryPolicy{}.withDefaults())
	p := RetryPolicy{Attempts: 2, MinBackoff: time.Second, MaxBackoff: time.Millisecond}.withDefaults()
	assert.Equal(t, 2, p.Attempts)
	assert.Equal(t, time.Second, p.MaxBackoff, "the cap is never below the first wait")
	assert.Equal(t, DefaultRetryPolicy.AttemptTimeout, p.AttemptTimeout)
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}
	tests := []struct {
		next    int
		nominal time.Duration
	}{
		{0, 100 * time.Millisecond},
		{1, 100 * time.Millisecond},
		{2, 100 * time.Millisecond},
		{3, 200 * time.Millisecond},
		{4, 400 * time.Millisecond},
		{5, 800 * time.Millisecond},
		{6, time.Second},
		{60, time.Second},
		{1 << 30, time.Second},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := p.Backoff(tt.next)
			assert.GreaterOrEqual(t, d, tt.nominal/2, "attempt %d", tt.next)
			assert.LessOrEqual(t, d, tt.nominal, "attempt %d", tt.next)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 1, "attempt %d: waits are jittered", tt.next)
	}
}

func TestBackoffDegenerate(t *testing.T) {
	assert.Zero(t, RetryPolicy{}.Backoff(3))
	assert.Zero(t, RetryPolicy{MinBackoff: -time.Second, MaxBackoff: -time.Second}.Backoff(2))
	huge := RetryPolicy{MinBackoff: time.Hour, MaxBackoff: 1<<63 - 1}
	assert.Positive(t, huge.Backoff(100), "no overflow")
}

func TestNameCacheEvicts(t *testing.T) {
	n := newNameCache(2)
	n.put("a", "s-a")
	n.put("b", "s-b")
	n.put("a", "s-a") // an update does not evict
	assert.Len(t, n.names, 2)
	n.put("c", "s-c")
	assert.Len(t, n.names, 2)
	name, ok := n.get("c")
	assert.True(t, ok)
	assert.Equal(t, "s-c", name)
	n.forget("c")
	_, ok = n.get("c")
	assert.False(t, ok)
	n.put("", "x")
	n.put("d", "")
	assert.Len(t, n.names, 1)
}
