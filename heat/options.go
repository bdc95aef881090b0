package heat

import (
	"log/slog"
	"net/http"

	"github.com/gophercloud/gophercloud/v2"
)

// Option configures a Client. Exactly one of WithServiceClient, WithAuth
// and WithNoAuth says how to reach Heat.
type Option func(*config)

type config struct {
	service  *gophercloud.ServiceClient
	auth     *gophercloud.AuthOptions
	noauth   string
	endpoint gophercloud.EndpointOpts
	http     *http.Client
	retry    RetryPolicy
	log      *slog.Logger
	// allProjects lists the stacks of every project (global_tenant).
	allProjects bool
}

// WithServiceClient uses a ready orchestration service client, for
// embedders that already hold an authenticated gophercloud provider.
// Authentication and re-authentication are then the provider's business.
func WithServiceClient(sc *gophercloud.ServiceClient) Option {
	return func(c *config) { c.service = sc }
}

// WithAuth authenticates against Keystone and finds Heat in the catalog
// (service type "orchestration"). The options select the method:
//
//   - password: IdentityEndpoint, Username (or UserID), Password,
//     DomainName (or DomainID), and a project scope (TenantName and
//     DomainName, or TenantID);
//   - application credential: IdentityEndpoint, ApplicationCredentialID
//     (or ApplicationCredentialName with Username) and
//     ApplicationCredentialSecret;
//   - token: IdentityEndpoint and TokenID. Without Scope the token is
//     used as it is, with its own scope and catalog; with Scope a new
//     token of that scope is obtained from it.
//
// Re-authentication on expiry is enabled (AllowReauth): a 401 from Heat
// makes the provider obtain a new token and retry the call once. A token
// used as it is cannot be renewed, so such a client lives as long as the
// token does.
func WithAuth(opts gophercloud.AuthOptions) Option {
	return func(c *config) {
		o := opts
		o.AllowReauth = o.TokenID == "" || (o.Scope != nil && *o.Scope != gophercloud.AuthScope{})
		c.auth = &o
	}
}

// WithEndpointOpts selects Heat's catalog entry (region, interface) when
// authenticating WithAuth. The default is the public endpoint of any region.
func WithEndpointOpts(eo gophercloud.EndpointOpts) Option {
	return func(c *config) { c.endpoint = eo }
}

// WithNoAuth talks to a Heat running its noauth paste flavor, at endpoint
// "http://host:8004/v1/{project}". No Keystone is involved: Heat accepts
// any token. The project of the URL is also sent as X-Auth-Project, the
// project noauth Heat files the stacks under.
func WithNoAuth(endpoint string) Option {
	return func(c *config) { c.noauth = endpoint }
}

// WithHTTPClient sets the HTTP client used to reach Keystone and Heat
// (TLS settings, proxies, timeouts). It does not apply to a client given
// WithServiceClient.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.http = hc }
}

// WithRetry sets the retry policy of idempotent calls; see RetryPolicy.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) { c.retry = p }
}

// WithLogger sets the logger for retries and recoveries (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.log = l }
}

// WithAllProjects makes ListStacks list the stacks of every project, not
// only those of the client's own (Heat's global_tenant, which Heat's
// default policy grants to admins only). A service whose stacks live in
// its users' projects follows them all with one listing this way. Clients
// derived with ForTrust list their own project's stacks only.
func WithAllProjects() Option {
	return func(c *config) { c.allProjects = true }
}
