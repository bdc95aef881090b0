package openstack

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"

	"github.com/gomagnum/gomagnum/cloud"
)

// Defaults of the options.
const (
	// DefaultLoadBalancerTimeout is how long CleanupLoadBalancers waits for
	// the deleted load balancers to disappear (Magnum's
	// pre_delete_lb_timeout).
	DefaultLoadBalancerTimeout = 60 * time.Second
	// DefaultLoadBalancerPollInterval is how often CleanupLoadBalancers
	// lists the load balancers while it waits.
	DefaultLoadBalancerPollInterval = time.Second
)

// Option configures a Cloud.
type Option func(*config)

// TrustorFunc returns a provider client authenticated as the user userID
// (the trustor of a trust on project projectID). Keystone creates a trust
// only for the user of the token that asks for it, so CreateTrustee
// creates the trust with this client. Only its token (and its HTTP client)
// is used: the requests go to the Keystone endpoint of the Cloud's own
// catalog, so a client built with openstack.NewClient and SetToken is
// enough.
type TrustorFunc func(ctx context.Context, userID, projectID string) (*gophercloud.ProviderClient, error)

type config struct {
	region            string
	availability      gophercloud.Availability
	trusteeDomainID   string
	trusteeDomainName string
	trustRoles        []string
	trustor           TrustorFunc
	lbTimeout         time.Duration
	lbPollInterval    time.Duration
	logger            *slog.Logger
}

func defaultConfig() config {
	return config{
		availability:   gophercloud.AvailabilityPublic,
		lbTimeout:      DefaultLoadBalancerTimeout,
		lbPollInterval: DefaultLoadBalancerPollInterval,
		logger:         slog.Default(),
	}
}

// WithRegion selects the region of the catalog's endpoints. Without it the
// first endpoint of each service is used.
func WithRegion(region string) Option {
	return func(c *config) { c.region = region }
}

// WithEndpointInterface selects the catalog interface of the endpoints:
// gophercloud.AvailabilityPublic (the default), AvailabilityInternal or
// AvailabilityAdmin.
func WithEndpointInterface(a gophercloud.Availability) Option {
	return func(c *config) { c.availability = a }
}

// WithTrusteeDomainID sets the Keystone domain the trustee users are
// created in. CreateTrustee fails unless this or WithTrusteeDomainName is
// given.
func WithTrusteeDomainID(id string) Option {
	return func(c *config) { c.trusteeDomainID = id }
}

// WithTrusteeDomainName sets the trustee domain by name; New resolves it to
// its ID.
func WithTrusteeDomainName(name string) Option {
	return func(c *config) { c.trusteeDomainName = name }
}

// WithTrustRoles sets the role names every trust delegates (Magnum's
// [trust] roles). They take precedence over the roles of the request.
func WithTrustRoles(roles ...string) Option {
	return func(c *config) { c.trustRoles = append([]string(nil), roles...) }
}

// WithTrustor sets how CreateTrustee authenticates as the trustor. Without
// it the trust is created with the Cloud's own provider, which Keystone
// accepts only when the provider's user is the trustor.
func WithTrustor(f TrustorFunc) Option {
	return func(c *config) { c.trustor = f }
}

// WithLoadBalancerTimeout sets how long CleanupLoadBalancers waits for the
// deleted load balancers to be gone (DefaultLoadBalancerTimeout).
func WithLoadBalancerTimeout(d time.Duration) Option {
	return func(c *config) { c.lbTimeout = d }
}

// WithLoadBalancerPollInterval sets how often CleanupLoadBalancers checks
// whether they are gone (DefaultLoadBalancerPollInterval).
func WithLoadBalancerPollInterval(d time.Duration) Option {
	return func(c *config) { c.lbPollInterval = d }
}

// WithLogger sets the logger (slog.Default() otherwise).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// TokenTrustor is a TrustorFunc that authenticates as the trustor with
// the token the context carries (cloud.WithTrustorToken), against the
// Keystone at identityEndpoint: the token of the user who asked for the
// cluster, which the service passes along.
func TokenTrustor(identityEndpoint string) TrustorFunc {
	return func(ctx context.Context, userID, projectID string) (*gophercloud.ProviderClient, error) {
		token, ok := cloud.TrustorTokenFrom(ctx)
		if !ok {
			return nil, fmt.Errorf("%w: no token of user %s to create the trust with", ErrInvalid, userID)
		}
		return gopenstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{IdentityEndpoint: identityEndpoint,
			TokenID: token, Scope: &gophercloud.AuthScope{ProjectID: projectID}})
	}
}
