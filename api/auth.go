package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gomagnum/gomagnum/magnum"
)

// ErrUnauthorized is wrapped by the errors of an Authenticator that cannot
// establish who makes a request; the handler answers 401.
var ErrUnauthorized = errors.New("api: authentication required")

// Authenticator establishes the caller of a request. Policy is not its
// business: the service enforces it on the caller.
type Authenticator interface {
	Authenticate(r *http.Request) (magnum.Caller, error)
}

// Identity headers, as keystonemiddleware sets them and as Magnum's noauth
// mode reads them.
const (
	hdrAuthToken  = "X-Auth-Token"
	hdrUserID     = "X-User-Id"
	hdrUserName   = "X-User-Name"
	hdrProjectID  = "X-Project-Id"
	hdrProject    = "X-Project-Name"
	hdrDomainID   = "X-User-Domain-Id"
	hdrDomainName = "X-User-Domain-Name"
	hdrRoles      = "X-Roles"
)

// NoAuth is the development mode: it trusts the identity headers of a
// request (X-User-Id, X-Project-Id, X-Roles, ...). A request with an
// X-Auth-Token acts as the identity the token names in Tokens, and a token
// Tokens does not name is refused (401); a request without a token acts as
// Default. Headers present override single fields of that identity. A
// request that ends up with neither a user nor a project is refused, so a
// zero Default makes identity headers or a named token mandatory.
//
// NoAuth lets anyone who reaches the API act as anyone, admin included: it
// is meant for a listener only trusted clients reach, such as loopback.
type NoAuth struct {
	Default magnum.Caller
	Tokens  map[string]magnum.Caller
}

// keystoneauthNoToken is the token keystoneauth's "none" auth type sends
// (the openstack CLI with OS_AUTH_TYPE=none): a client that has no token,
// so NoAuth treats it as a request without one.
const keystoneauthNoToken = "notused"

// Authenticate implements Authenticator.
func (n NoAuth) Authenticate(r *http.Request) (magnum.Caller, error) {
	c := n.Default
	if token := r.Header.Get(hdrAuthToken); token != "" && token != keystoneauthNoToken {
		named, ok := n.Tokens[token]
		if !ok {
			return magnum.Caller{}, fmt.Errorf("%w: the token names no noauth identity", ErrUnauthorized)
		}
		c = named
	}
	c = overrideFromHeaders(c, r.Header)
	if c.UserID == "" && c.ProjectID == "" {
		return c, ErrUnauthorized
	}
	return c, nil
}

func overrideFromHeaders(c magnum.Caller, h http.Header) magnum.Caller {
	set := func(dst *string, name string) {
		if v := h.Get(name); v != "" {
			*dst = v
		}
	}
	set(&c.UserID, hdrUserID)
	set(&c.UserName, hdrUserName)
	set(&c.ProjectID, hdrProjectID)
	set(&c.ProjectName, hdrProject)
	set(&c.DomainID, hdrDomainID)
	set(&c.DomainName, hdrDomainName)
	if roles := h.Get(hdrRoles); roles != "" {
		c.Roles = splitRoles(roles)
	}
	return c
}

func splitRoles(s string) []string {
	var out []string
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// writeUnauthorized answers 401 the way keystonemiddleware does in front of
// Magnum.
func writeUnauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Keystone uri=""`)
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{
		"code": http.StatusUnauthorized, "title": "Unauthorized",
		"message": "The request you have made requires authentication.",
	}})
}
