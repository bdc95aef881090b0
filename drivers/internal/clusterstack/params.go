package clusterstack

import (
	"net"
	"net/url"
	"strings"

	"github.com/gomagnum/gomagnum/drivers"
)

// DefaultSubnetCIDR is the CIDR of the private subnet a stack creates when
// the label fixed_subnet_cidr does not say otherwise.
const DefaultSubnetCIDR = "10.0.0.0/24"

// FixedNetwork returns the existing network the cluster's nodes go on (the
// cluster's, else the template's), or "" to create a private one.
func FixedNetwork(c drivers.Cluster) string { return first(c.FixedNetwork, c.Template.FixedNetwork) }

// FixedSubnet returns the subnet of FixedNetwork.
func FixedSubnet(c drivers.Cluster) string { return first(c.FixedSubnet, c.Template.FixedSubnet) }

// PrivateNetworkName is the name a cluster stack gives the private network
// it creates; node-group stacks find the network by this name.
func PrivateNetworkName(c drivers.Cluster) string { return "magnum-" + c.UUID }

// ExternalNetwork returns the resolved external network, else the
// template's.
func ExternalNetwork(c drivers.Cluster) string {
	return first(c.Boot.ExternalNetworkID, c.Template.ExternalNetworkID)
}

// Keypair returns the cluster's keypair, else the template's.
func Keypair(c drivers.Cluster) string { return first(c.Keypair, c.Template.KeypairID) }

// LBFloatingIP reports whether the API load balancer gets a floating IP:
// the label master_lb_floating_ip_enabled, else floating_ip_enabled.
func LBFloatingIP(c drivers.Cluster, labels Values) bool {
	if v, ok := labels["master_lb_floating_ip_enabled"]; ok && v != "" {
		return labels.Bool("master_lb_floating_ip_enabled")
	}
	return c.FloatingIPEnabled
}

// Accessible reports whether the service can reach the cluster's API from
// outside: through the load balancer's floating IP when there is a load
// balancer, else through the masters' floating IPs.
func Accessible(c drivers.Cluster, labels Values) bool {
	if c.MasterLBEnabled {
		return LBFloatingIP(c, labels)
	}
	return c.FloatingIPEnabled
}

// Common returns the parameters every built-in cluster template declares
// with the same names. Lists go as comma separated strings, which Heat
// takes for comma_delimited_list parameters and which survive any
// encoding between the driver and the orchestrator.
//
// They are
// networking, keypair, load balancer and floating IP
// switches. A node group's stack (clusterStack false) joins the network of
// its cluster's stack.
func Common(c drivers.Cluster, labels Values, clusterStack bool) map[string]any {
	dns := []string{}
	for _, s := range strings.Split(c.Template.DNSNameserver, ",") {
		if s = strings.TrimSpace(s); s != "" {
			dns = append(dns, s)
		}
	}
	network, subnet := FixedNetwork(c), FixedSubnet(c)
	if !clusterStack && network == "" {
		// A node group joins the network its cluster's stack created.
		network, subnet = PrivateNetworkName(c), PrivateNetworkName(c)
	}
	return map[string]any{
		"cluster_uuid":                  c.UUID,
		"external_network":              ExternalNetwork(c),
		"fixed_network":                 network,
		"fixed_subnet":                  subnet,
		"private_network_name":          PrivateNetworkName(c),
		"private_network_cidr":          first(labels.String("fixed_subnet_cidr"), DefaultSubnetCIDR),
		"dns_nameservers":               strings.Join(dns, ","),
		"ssh_key_name":                  Keypair(c),
		"master_lb_enabled":             c.MasterLBEnabled,
		"floating_ip_enabled":           c.FloatingIPEnabled,
		"master_lb_floating_ip_enabled": LBFloatingIP(c, labels),
	}
}

// APIHost returns the host of a cluster's api_address ("https://ip:6443",
// "tcp://ip:2376" or a bare IP), which node-group stacks join through.
func APIHost(apiAddress string) string {
	if apiAddress == "" {
		return ""
	}
	if u, err := url.Parse(apiAddress); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if h, _, err := net.SplitHostPort(apiAddress); err == nil {
		return h
	}
	return apiAddress
}
