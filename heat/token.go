package heat

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
)

// ForToken returns an Orchestrator that acts with a user's Keystone
// token, in the token's project, as Magnum acts on a cluster's stacks
// with the token of the user who asked: the stacks, and the servers,
// networks and volumes Heat makes for them, belong to that project, and
// Heat keeps its own trust from the user for what it does later. It
// shares the Client's Keystone endpoint, catalog selection, HTTP client,
// retry policy and logger; its ListStacks lists the token's project
// only. A token cannot be renewed: calls after it expires fail with
// ErrUnauthorized.
//
// A Client talking to a noauth Heat, which knows no tokens, returns
// itself.
func (c *Client) ForToken(ctx context.Context, token string) (Orchestrator, error) {
	if c.cfg.noauth != "" {
		return c, nil
	}
	if token == "" {
		return nil, fmt.Errorf("%w: no token to act with", ErrClientConfig)
	}
	identity := c.sc.IdentityEndpoint
	if c.cfg.auth != nil {
		identity = c.cfg.auth.IdentityEndpoint
	}
	if identity == "" {
		return nil, fmt.Errorf("%w: no Keystone endpoint to find Heat with", ErrClientConfig)
	}
	cfg := c.cfg
	cfg.service, cfg.allProjects = nil, false
	cfg.auth = &gophercloud.AuthOptions{IdentityEndpoint: identity, TokenID: token}
	sc, err := keystoneClient(ctx, &cfg)
	if err != nil {
		return nil, fmt.Errorf("heat: acting with the user's token: %w", err)
	}
	return &Client{cfg: cfg, sc: sc, retry: c.retry, log: c.log, names: newNameCache(nameCacheSize)}, nil
}
