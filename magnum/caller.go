package magnum

import (
	"context"
	"slices"
	"strings"
)

// Caller is the identity on whose behalf an operation runs: the user, the
// project the token is scoped to, and the user's roles there.
type Caller struct {
	UserID      string
	UserName    string
	ProjectID   string
	ProjectName string
	// DomainID is the ID of the user's domain; per-cluster trustee users
	// live in the trustee domain and may do only what clusters need.
	DomainID   string
	DomainName string
	Roles      []string
	// AuthToken is the caller's Keystone token, when the caller came with
	// one. The conductor uses it, sealed while it waits, to create the
	// trust from the caller to a new cluster's trustee on a real cloud.
	AuthToken string
}

// IsAdmin reports whether the caller has the admin role.
func (c Caller) IsAdmin() bool {
	return slices.ContainsFunc(c.Roles, func(r string) bool { return strings.EqualFold(r, "admin") })
}

type callerKey struct{}

// WithCaller returns a context carrying the caller. Every operation of
// the service reads the caller from its context.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller a context carries.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

func callerOf(ctx context.Context) (Caller, error) {
	c, ok := CallerFrom(ctx)
	if !ok {
		return c, &Error{Kind: ErrUnauthenticated, Message: "Authentication required"}
	}
	return c, nil
}
