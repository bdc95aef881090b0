package openstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	gopenstack "github.com/gophercloud/gophercloud/v2/openstack"

	"github.com/gomagnum/gomagnum/cloud"
)

// keypairMicroversion is the Nova microversion that lets a keypair be
// read for a given user (the user_id query parameter).
const keypairMicroversion = "2.10"

// Cloud is cloud.Cloud on a real OpenStack cloud. It is safe for
// concurrent use.
type Cloud struct {
	image    *gophercloud.ServiceClient
	compute  *gophercloud.ServiceClient
	keypairs *gophercloud.ServiceClient // compute at keypairMicroversion
	network  *gophercloud.ServiceClient
	identity *gophercloud.ServiceClient
	// loadBalancer is nil when the catalog lists no load-balancer service,
	// volume when it lists no volume service.
	loadBalancer *gophercloud.ServiceClient
	volume       *gophercloud.ServiceClient

	trusteeDomainID string
	trustRoles      []string
	trustor         TrustorFunc
	lbTimeout       time.Duration
	lbPollInterval  time.Duration
	log             *slog.Logger
}

var _ cloud.Cloud = (*Cloud)(nil)

// New returns a Cloud over the services of provider's catalog. Glance,
// Nova, Neutron and Keystone must be in the catalog; Octavia is optional
// (without it CleanupLoadBalancers does nothing). With
// WithTrusteeDomainName, New asks Keystone for the domain's ID.
func New(ctx context.Context, provider *gophercloud.ProviderClient, opts ...Option) (*Cloud, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(provider); err != nil {
		return nil, err
	}
	c := &Cloud{
		trusteeDomainID: cfg.trusteeDomainID,
		trustRoles:      cfg.trustRoles,
		trustor:         cfg.trustor,
		lbTimeout:       cfg.lbTimeout,
		lbPollInterval:  cfg.lbPollInterval,
		log:             cfg.logger,
	}
	if err := c.connect(provider, cfg); err != nil {
		return nil, err
	}
	if cfg.trusteeDomainName != "" {
		id, err := c.domainID(ctx, cfg.trusteeDomainName)
		if err != nil {
			return nil, err
		}
		c.trusteeDomainID = id
	}
	return c, nil
}

func (cfg config) validate(provider *gophercloud.ProviderClient) error {
	switch {
	case provider == nil:
		return fmt.Errorf("%w: nil provider client", ErrInvalid)
	case provider.EndpointLocator == nil:
		return fmt.Errorf("%w: the provider client has no service catalog; authenticate it first", ErrInvalid)
	case cfg.trusteeDomainID != "" && cfg.trusteeDomainName != "":
		return fmt.Errorf("%w: give the trustee domain by ID or by name, not both", ErrInvalid)
	case cfg.lbTimeout <= 0 || cfg.lbPollInterval <= 0:
		return fmt.Errorf("%w: load-balancer timeout and poll interval must be positive", ErrInvalid)
	case cfg.logger == nil:
		return fmt.Errorf("%w: nil logger", ErrInvalid)
	}
	return nil
}

// connect builds the service clients from the catalog.
func (c *Cloud) connect(provider *gophercloud.ProviderClient, cfg config) error {
	eo := gophercloud.EndpointOpts{Region: cfg.region, Availability: cfg.availability}
	required := []struct {
		name string
		dst  **gophercloud.ServiceClient
		new  func(*gophercloud.ProviderClient, gophercloud.EndpointOpts) (*gophercloud.ServiceClient, error)
	}{
		{"image (Glance)", &c.image, gopenstack.NewImageV2},
		{"compute (Nova)", &c.compute, gopenstack.NewComputeV2},
		{"network (Neutron)", &c.network, gopenstack.NewNetworkV2},
		{"identity (Keystone)", &c.identity, gopenstack.NewIdentityV3},
	}
	for _, s := range required {
		sc, err := s.new(provider, eo)
		if err != nil {
			return fmt.Errorf("openstack: %s endpoint: %w", s.name, err)
		}
		*s.dst = sc
	}
	kp := *c.compute
	kp.Microversion = keypairMicroversion
	c.keypairs = &kp

	lb, err := gopenstack.NewLoadBalancerV2(provider, eo)
	var notInCatalog *gophercloud.ErrEndpointNotFound
	switch {
	case errors.As(err, &notInCatalog):
		c.log.Debug("no load-balancer service in the catalog; load-balancer cleanup disabled")
	case err != nil:
		return fmt.Errorf("openstack: load-balancer (Octavia) endpoint: %w", err)
	default:
		c.loadBalancer = lb
	}
	vol, err := gopenstack.NewBlockStorageV3(provider, eo)
	switch {
	case errors.As(err, &notInCatalog):
		c.log.Debug("no volume service in the catalog")
	case err != nil:
		return fmt.Errorf("openstack: volume (Cinder) endpoint: %w", err)
	default:
		c.volume = vol
	}
	return nil
}
