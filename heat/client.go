package heat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
)

// ErrClientConfig reports options that do not describe a usable Client.
var ErrClientConfig = errors.New("heat: invalid client configuration")

// Client is an Orchestrator backed by a real OpenStack Heat, through
// gophercloud's orchestration/v1 API. It is safe for concurrent use.
//
// Stacks are addressed by ID (a name works too). Heat wants
// /stacks/{name}/{id} and answers /stacks/{id} with a redirect that
// net/http would turn from PATCH or DELETE into GET, so the Client
// resolves and caches each stack's name before it changes a stack.
//
// Idempotent calls are retried under a RetryPolicy on ErrUnavailable.
// CreateStack is not: after an ambiguous failure it first looks the stack
// up by name, and Heat's unique names per project guarantee that a retried
// create never makes a second stack.
type Client struct {
	cfg   config
	sc    *gophercloud.ServiceClient
	retry RetryPolicy
	log   *slog.Logger
	names *nameCache
}

var _ Orchestrator = (*Client)(nil)

// NewClient returns a Client configured by opts, authenticating first when
// WithAuth is given. Authentication failures are *Error values of kind
// ErrUnauthorized or ErrUnavailable; a bad configuration wraps
// ErrClientConfig.
func NewClient(ctx context.Context, opts ...Option) (*Client, error) {
	cfg := config{log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	sc, err := serviceClient(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	return &Client{
		cfg:   cfg,
		sc:    sc,
		retry: cfg.retry.withDefaults(),
		log:   cfg.log,
		names: newNameCache(nameCacheSize),
	}, nil
}

// serviceClient builds the orchestration service client cfg describes.
func serviceClient(ctx context.Context, cfg *config) (*gophercloud.ServiceClient, error) {
	given := 0
	for _, set := range []bool{cfg.service != nil, cfg.auth != nil, cfg.noauth != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return nil, fmt.Errorf("%w: give exactly one of WithServiceClient, WithAuth and WithNoAuth", ErrClientConfig)
	}
	switch {
	case cfg.service != nil:
		if cfg.service.ProviderClient == nil || cfg.service.Endpoint == "" {
			return nil, fmt.Errorf("%w: service client without provider or endpoint", ErrClientConfig)
		}
		return cfg.service, nil
	case cfg.auth != nil:
		return keystoneClient(ctx, cfg)
	default:
		return noauthClient(cfg)
	}
}

// keystoneClient authenticates with cfg.auth and finds Heat in the catalog.
func keystoneClient(ctx context.Context, cfg *config) (*gophercloud.ServiceClient, error) {
	if cfg.auth.IdentityEndpoint == "" {
		return nil, fmt.Errorf("%w: WithAuth needs an IdentityEndpoint", ErrClientConfig)
	}
	provider, err := openstack.NewClient(cfg.auth.IdentityEndpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: identity endpoint: %w", ErrClientConfig, err)
	}
	if cfg.http != nil {
		provider.HTTPClient = *cfg.http
	}
	if err := openstack.Authenticate(ctx, provider, *cfg.auth); err != nil {
		return nil, authError(ctx, err)
	}
	sc, err := openstack.NewOrchestrationV1(provider, cfg.endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: no orchestration endpoint in the catalog: %w", ErrClientConfig, err)
	}
	return sc, nil
}

// authError classifies an authentication failure. Keystone's 400 for
// incomplete credentials is a refusal of the credentials too.
func authError(ctx context.Context, err error) error {
	cerr := classify(ctx, err)
	if errors.Is(cerr, ErrInvalid) {
		return &Error{Kind: ErrUnauthorized, Message: cerr.Error()}
	}
	var herr *Error
	if errors.As(cerr, &herr) {
		return cerr
	}
	// gophercloud's own checks of the options (no password, no scope, ...).
	return fmt.Errorf("%w: %w", ErrClientConfig, err)
}

// noauthClient builds a service client for a noauth Heat at cfg.noauth.
func noauthClient(cfg *config) (*gophercloud.ServiceClient, error) {
	u, err := url.Parse(cfg.noauth)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: noauth endpoint %q is not an http(s) URL", ErrClientConfig, cfg.noauth)
	}
	segments := strings.Split(strings.Trim(u.Path, "/"), "/")
	project := segments[len(segments)-1]
	if len(segments) < 2 || project == "" {
		return nil, fmt.Errorf("%w: noauth endpoint %q lacks the project (…/v1/{project})", ErrClientConfig, cfg.noauth)
	}
	provider := &gophercloud.ProviderClient{}
	provider.UseTokenLock()
	if cfg.http != nil {
		provider.HTTPClient = *cfg.http
	}
	provider.SetToken("noauth")
	return &gophercloud.ServiceClient{
		ProviderClient: provider,
		Endpoint:       gophercloud.NormalizeURL(cfg.noauth),
		Type:           "orchestration",
		MoreHeaders:    map[string]string{"X-Auth-Project": project},
	}, nil
}

// ServiceClient returns the gophercloud service client the Client uses,
// for the orchestration calls this package does not wrap.
func (c *Client) ServiceClient() *gophercloud.ServiceClient { return c.sc }
