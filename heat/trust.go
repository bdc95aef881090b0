package heat

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
)

// Trust is a Keystone trust and the trustee who acts through it: a
// token scoped to the trust acts in the trustor's project, with the roles
// the trust delegates.
type Trust struct {
	// TrusteeUserID and Password authenticate the trustee.
	TrusteeUserID string
	Password      string
	// TrustID is the trust to scope the trustee's tokens to.
	TrustID string
}

// ForTrust returns an Orchestrator that authenticates as the trust's
// trustee and acts through the trust, so that the stacks it creates, and
// the servers, networks and volumes Heat makes for them, belong to the
// trustor's project. It shares the Client's Keystone endpoint, catalog
// selection, HTTP client, retry policy and logger; its ListStacks lists
// the trustor's project only. Tokens are renewed with the password when
// they expire.
//
// A Client talking to a noauth Heat, which knows no trusts, returns
// itself.
func (c *Client) ForTrust(ctx context.Context, t Trust) (Orchestrator, error) {
	if c.cfg.noauth != "" {
		return c, nil
	}
	if t.TrusteeUserID == "" || t.Password == "" || t.TrustID == "" {
		return nil, fmt.Errorf("%w: a trust needs the trustee's user ID and password and the trust ID", ErrClientConfig)
	}
	identity := c.sc.IdentityEndpoint
	if c.cfg.auth != nil {
		identity = c.cfg.auth.IdentityEndpoint
	}
	if identity == "" {
		return nil, fmt.Errorf("%w: no Keystone endpoint to authenticate the trustee with", ErrClientConfig)
	}
	cfg := c.cfg
	cfg.service, cfg.noauth, cfg.allProjects = nil, "", false
	cfg.auth = &gophercloud.AuthOptions{IdentityEndpoint: identity, UserID: t.TrusteeUserID, Password: t.Password,
		Scope: &gophercloud.AuthScope{TrustID: t.TrustID}, AllowReauth: true}
	sc, err := keystoneClient(ctx, &cfg)
	if err != nil {
		return nil, fmt.Errorf("heat: acting through trust %s: %w", t.TrustID, err)
	}
	return &Client{cfg: cfg, sc: sc, retry: c.retry, log: c.log, names: newNameCache(nameCacheSize)}, nil
}
