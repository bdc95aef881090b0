package api

import (
	"container/list"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/gomagnum/gomagnum/magnum"
)

// Keystone validates the X-Auth-Token of each request with Keystone's
// identity v3 API (GET /v3/auth/tokens), using the service's own token, and
// caches what it learns for a short while. Revoked tokens are therefore
// honoured within the cache TTL.
type Keystone struct {
	identity *gophercloud.ServiceClient
	ttl      time.Duration
	max      int
	now      func() time.Time

	mu    sync.Mutex
	items map[string]*list.Element
	lru   *list.List
}

type cachedToken struct {
	token   string
	caller  magnum.Caller
	expires time.Time
}

// KeystoneOption configures NewKeystone.
type KeystoneOption func(*Keystone)

// WithTokenCacheTTL sets how long a validated token is trusted without
// asking Keystone again (30 s); zero disables the cache.
func WithTokenCacheTTL(d time.Duration) KeystoneOption { return func(k *Keystone) { k.ttl = d } }

// WithTokenCacheSize bounds the number of cached tokens (10000).
func WithTokenCacheSize(n int) KeystoneOption { return func(k *Keystone) { k.max = n } }

// withKeystoneClock sets the clock, for tests.
func withKeystoneClock(now func() time.Time) KeystoneOption { return func(k *Keystone) { k.now = now } }

// NewKeystone returns an Authenticator validating tokens with the identity
// service client, which must be authenticated as the service itself (a
// role allowed to validate others' tokens, such as service or admin).
func NewKeystone(identity *gophercloud.ServiceClient, opts ...KeystoneOption) *Keystone {
	k := &Keystone{identity: identity, ttl: 30 * time.Second, max: 10000, now: time.Now,
		items: map[string]*list.Element{}, lru: list.New()}
	for _, o := range opts {
		o(k)
	}
	return k
}

// Authenticate implements Authenticator.
func (k *Keystone) Authenticate(r *http.Request) (magnum.Caller, error) {
	token := r.Header.Get(hdrAuthToken)
	if token == "" {
		return magnum.Caller{}, ErrUnauthorized
	}
	if c, ok := k.cached(token); ok {
		return c, nil
	}
	res := tokens.Get(r.Context(), k.identity, token)
	if res.Err != nil {
		if gophercloud.ResponseCodeIs(res.Err, http.StatusNotFound) || gophercloud.ResponseCodeIs(res.Err, http.StatusUnauthorized) {
			return magnum.Caller{}, fmt.Errorf("%w: token rejected by Keystone", ErrUnauthorized)
		}
		return magnum.Caller{}, fmt.Errorf("api: validating token with Keystone: %w", res.Err)
	}
	c, expires, err := callerFromToken(res)
	if err != nil {
		return c, err
	}
	c.AuthToken = token
	k.store(token, c, expires)
	return c, nil
}

func callerFromToken(res tokens.GetResult) (magnum.Caller, time.Time, error) {
	tok, err := res.ExtractToken()
	if err != nil {
		return magnum.Caller{}, time.Time{}, fmt.Errorf("api: reading Keystone token: %w", err)
	}
	user, err := res.ExtractUser()
	if err != nil {
		return magnum.Caller{}, time.Time{}, fmt.Errorf("api: reading Keystone token user: %w", err)
	}
	c := magnum.Caller{UserID: user.ID, UserName: user.Name, DomainID: user.Domain.ID, DomainName: user.Domain.Name}
	if p, err := res.ExtractProject(); err == nil && p != nil {
		c.ProjectID, c.ProjectName = p.ID, p.Name
	}
	roles, err := res.ExtractRoles()
	if err != nil {
		return c, time.Time{}, fmt.Errorf("api: reading Keystone token roles: %w", err)
	}
	for _, r := range roles {
		c.Roles = append(c.Roles, r.Name)
	}
	if c.ProjectID == "" {
		return c, time.Time{}, fmt.Errorf("%w: the token is not scoped to a project", ErrUnauthorized)
	}
	return c, tok.ExpiresAt, nil
}

func (k *Keystone) cached(token string) (magnum.Caller, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	el, ok := k.items[token]
	if !ok {
		return magnum.Caller{}, false
	}
	ct := el.Value.(*cachedToken)
	if !k.now().Before(ct.expires) {
		k.lru.Remove(el)
		delete(k.items, token)
		return magnum.Caller{}, false
	}
	k.lru.MoveToFront(el)
	return ct.caller, true
}

func (k *Keystone) store(token string, c magnum.Caller, tokenExpiry time.Time) {
	if k.ttl <= 0 || k.max <= 0 {
		return
	}
	expires := k.now().Add(k.ttl)
	if !tokenExpiry.IsZero() && tokenExpiry.Before(expires) {
		expires = tokenExpiry
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if el, ok := k.items[token]; ok {
		k.lru.Remove(el)
	}
	k.items[token] = k.lru.PushFront(&cachedToken{token: token, caller: c, expires: expires})
	for k.lru.Len() > k.max {
		oldest := k.lru.Back()
		k.lru.Remove(oldest)
		delete(k.items, oldest.Value.(*cachedToken).token)
	}
}

// isUnauthorized reports whether an authentication error means 401
// rather than a failure to reach the identity service.
func isUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }
