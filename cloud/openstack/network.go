package openstack

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/gomagnum/gomagnum/cloud"
)

// neutronNetwork is a Neutron network with its router:external field; it
// adapts to pick.
type neutronNetwork struct {
	networks.Network
	external.NetworkExternalExt
}

func (n neutronNetwork) id() string   { return n.ID }
func (n neutronNetwork) name() string { return n.Name }

func (n neutronNetwork) toNetwork() cloud.Network {
	return cloud.Network{ID: n.ID, Name: n.Name, External: n.External, SubnetIDs: n.Subnets}
}

// neutronSubnet adapts a Neutron subnet to pick.
type neutronSubnet struct{ subnets.Subnet }

func (s neutronSubnet) id() string   { return s.ID }
func (s neutronSubnet) name() string { return s.Name }

// ExternalNetwork looks up a network with router:external set, by ID or
// name among all external networks (Magnum's rule: a private network of
// that name or ID is not found).
func (c *Cloud) ExternalNetwork(ctx context.Context, ref string) (cloud.Network, error) {
	what := subject("external network", ref)
	if ref == "" {
		return cloud.Network{}, notFound(what, "empty reference")
	}
	yes := true
	nets, err := c.listNetworks(ctx, external.ListOptsExt{ListOptsBuilder: networks.ListOpts{}, External: &yes})
	if err != nil {
		return cloud.Network{}, classify("neutron", what, err)
	}
	n, err := pick(nets, ref, "external network", "external networks")
	if err != nil {
		return cloud.Network{}, err
	}
	return n.toNetwork(), nil
}

// Network looks up any network the project can see: by ID when ref looks
// like a UUID, else by name.
func (c *Cloud) Network(ctx context.Context, ref string) (cloud.Network, error) {
	what := subject("network", ref)
	if ref == "" {
		return cloud.Network{}, notFound(what, "empty reference")
	}
	if isUUID(ref) {
		var n neutronNetwork
		if err := networks.Get(ctx, c.network, ref).ExtractInto(&n); err != nil {
			return cloud.Network{}, classify("neutron", what, err)
		}
		return n.toNetwork(), nil
	}
	nets, err := c.listNetworks(ctx, networks.ListOpts{Name: ref})
	if err != nil {
		return cloud.Network{}, classify("neutron", what, err)
	}
	n, err := pick(nets, ref, "network", "networks")
	if err != nil {
		return cloud.Network{}, err
	}
	return n.toNetwork(), nil
}

func (c *Cloud) listNetworks(ctx context.Context, opts networks.ListOptsBuilder) ([]neutronNetwork, error) {
	pages, err := networks.List(c.network, opts).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	var nets []neutronNetwork
	err = networks.ExtractNetworksInto(pages, &nets)
	return nets, err
}

// Subnet looks up a subnet: by ID when ref looks like a UUID, else by
// name.
func (c *Cloud) Subnet(ctx context.Context, ref string) (cloud.Subnet, error) {
	what := subject("subnet", ref)
	if ref == "" {
		return cloud.Subnet{}, notFound(what, "empty reference")
	}
	var s *subnets.Subnet
	var err error
	if isUUID(ref) {
		s, err = subnets.Get(ctx, c.network, ref).Extract()
		if err != nil {
			err = classify("neutron", what, err)
		}
	} else {
		s, err = c.subnetNamed(ctx, ref)
	}
	if err != nil {
		return cloud.Subnet{}, err
	}
	return cloud.Subnet{ID: s.ID, Name: s.Name, NetworkID: s.NetworkID, CIDR: s.CIDR, GatewayIP: s.GatewayIP}, nil
}

func (c *Cloud) subnetNamed(ctx context.Context, name string) (*subnets.Subnet, error) {
	what := subject("subnet", name)
	pages, err := subnets.List(c.network, subnets.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return nil, classify("neutron", what, err)
	}
	found, err := subnets.ExtractSubnets(pages)
	if err != nil {
		return nil, classify("neutron", what, err)
	}
	items := make([]neutronSubnet, len(found))
	for i, f := range found {
		items[i] = neutronSubnet{f}
	}
	s, err := pick(items, name, "subnet", "subnets")
	return &s.Subnet, err
}
