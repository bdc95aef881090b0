package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/magnum"
)

func TestTokenCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := NewKeystone(nil, WithTokenCacheTTL(30*time.Second), WithTokenCacheSize(2), withKeystoneClock(func() time.Time { return now }))
	a, b, c := magnum.Caller{UserID: "a"}, magnum.Caller{UserID: "b"}, magnum.Caller{UserID: "c"}

	k.store("ta", a, time.Time{})
	k.store("tb", b, now.Add(10*time.Second)) // the token itself expires first
	got, ok := k.cached("ta")
	assert.True(t, ok)
	assert.Equal(t, a, got)

	k.store("tc", c, time.Time{}) // evicts tb, the least recently used
	_, ok = k.cached("tb")
	assert.False(t, ok, "evicted")
	_, ok = k.cached("tc")
	assert.True(t, ok)

	k.store("tb", b, now.Add(10*time.Second))
	now = now.Add(11 * time.Second)
	_, ok = k.cached("tb")
	assert.False(t, ok, "a token is not trusted past its own expiry")
	_, ok = k.cached("tc")
	assert.True(t, ok)
	now = now.Add(20 * time.Second)
	_, ok = k.cached("tc")
	assert.False(t, ok, "nor past the TTL")

	off := NewKeystone(nil, WithTokenCacheTTL(0))
	off.store("ta", a, time.Time{})
	_, ok = off.cached("ta")
	assert.False(t, ok, "a zero TTL disables the cache")
}
