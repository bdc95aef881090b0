package engine

import (
	"context"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// The OS::Neutron types: Net, Subnet, Router, RouterInterface, Port,
// FloatingIP, FloatingIPAssociation, SecurityGroup, SecurityGroupRule.

func init() {
	registerCloud(netType, subnetType, routerType, routerInterfaceType, portType,
		floatingIPType, floatingIPAssocType, secGroupType, secGroupRuleType)
}

var netType = &cloudType{
	name: "OS::Neutron::Net", class: "Net", service: neutron,
	props: schema{
		"name": p(tString).upd(), "admin_state_up": p(tBoolean).dflt(true).upd(), "shared": p(tBoolean).dflt(false).upd(),
		"tenant_id": p(tString), "value_specs": p(tMap).upd(), "port_security_enabled": p(tBoolean).upd(),
		"qos_policy": p(tString).upd(), "dns_domain": p(tString).upd(), "tags": p(tList).upd(),
		"dhcp_agent_ids": p(tList).upd(),
	},
	attrs: []string{"status", "name", "subnets", "admin_state_up", "tenant_id", "port_security_enabled", "mtu", "qos_policy_id"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: nameOr(o, "name"), Shared: o.boolean("shared")})
		return n.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		n, err := c.NetworkDetail(ctx, id)
		return map[string]any{"id": n.ID, "status": n.Status, "name": n.Name, "subnets": anyStrings(n.SubnetIDs),
			"admin_state_up": true, "tenant_id": n.ProjectID, "port_security_enabled": true, "mtu": n.MTU,
			"qos_policy_id": nil}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteNetwork(ctx, id) },
}

var subnetType = &cloudType{
	name: "OS::Neutron::Subnet", class: "Subnet", service: neutron,
	props: schema{
		"network": p(tString).with(map[string]any{"custom_constraint": "neutron.network"}), "network_id": p(tString),
		"cidr": p(tString).with(map[string]any{"custom_constraint": "net_cidr"}), "ip_version": p(tInteger).dflt(4).allowed(4, 6),
		"dns_nameservers": p(tList).dflt([]any{}).upd(), "gateway_ip": p(tString).upd(), "enable_dhcp": p(tBoolean).dflt(true).upd(),
		"allocation_pools": p(tList).upd().items(p(tMap).of(map[string]*prop{"start": p(tString).req(), "end": p(tString).req()})),
		"host_routes":      p(tList).upd(), "name": p(tString).upd(), "tenant_id": p(tString), "value_specs": p(tMap).upd(),
		"ipv6_address_mode": p(tString), "ipv6_ra_mode": p(tString), "subnetpool": p(tString), "prefixlen": p(tInteger),
		"segment": p(tString).upd(), "tags": p(tList).upd(),
	},
	attrs: []string{"name", "network_id", "tenant_id", "allocation_pools", "gateway_ip", "host_routes", "ip_version",
		"cidr", "dns_nameservers", "enable_dhcp", "subnetpool_id", "segment_id"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		spec := sim.SubnetSpec{Name: nameOr(o, "name"), Network: firstNonEmpty(o.str("network"), o.str("network_id")),
			CIDR: o.str("cidr"), GatewayIP: o.str("gateway_ip"), DNSNameservers: strList(o.props["dns_nameservers"]),
			DisableDHCP: !o.boolean("enable_dhcp")}
		if g, ok := o.props["gateway_ip"]; ok && g == nil {
			spec.NoGateway = true
		}
		for _, pool := range o.list("allocation_pools") {
			m := mapOf(pool)
			spec.AllocationPools = append(spec.AllocationPools, sim.IPRange{Start: strOf(m, "start"), End: strOf(m, "end")})
		}
		s, err := c.CreateSubnet(ctx, spec)
		return s.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		s, err := c.SubnetDetail(ctx, id)
		pools := []any{}
		for _, p := range s.AllocationPools {
			pools = append(pools, map[string]any{"start": p.Start, "end": p.End})
		}
		return map[string]any{"id": s.ID, "name": s.Name, "network_id": s.NetworkID, "tenant_id": s.ProjectID,
			"allocation_pools": pools, "gateway_ip": s.GatewayIP, "host_routes": []any{}, "ip_version": s.IPVersion,
			"cidr": s.CIDR, "dns_nameservers": anyStrings(s.DNSNameservers), "enable_dhcp": s.EnableDHCP,
			"subnetpool_id": nil, "segment_id": nil}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteSubnet(ctx, id) },
}

func firstNonEmpty(s ...string) string {
	for _, e := range s {
		if e != "" {
			return e
		}
	}
	return ""
}

var routerType = &cloudType{
	name: "OS::Neutron::Router", class: "Router", service: neutron,
	props: schema{
		"name": p(tString).upd(),
		"external_gateway_info": p(tMap).upd().of(map[string]*prop{
			"network": p(tString).req(), "enable_snat": p(tBoolean), "external_fixed_ips": p(tList),
		}),
		"admin_state_up": p(tBoolean).dflt(true).upd(), "value_specs": p(tMap).upd(), "l3_agent_ids": p(tList).upd(),
		"distributed": p(tBoolean), "ha": p(tBoolean), "tags": p(tList).upd(),
	},
	attrs: []string{"status", "external_gateway_info", "name", "admin_state_up", "tenant_id"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		r, err := c.CreateRouter(ctx, sim.RouterSpec{Name: nameOr(o, "name"),
			ExternalNetwork: strOf(mapOf(o.props["external_gateway_info"]), "network")})
		return r.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		r, err := c.Router(ctx, id)
		gw := map[string]any{}
		if r.ExternalNetworkID != "" {
			ips := []any{}
			for _, f := range r.ExternalFixedIPs {
				ips = append(ips, map[string]any{"subnet_id": f.SubnetID, "ip_address": f.IPAddress})
			}
			gw = map[string]any{"network_id": r.ExternalNetworkID, "enable_snat": true, "external_fixed_ips": ips}
		}
		return map[string]any{"id": r.ID, "status": r.Status, "external_gateway_info": gw, "name": r.Name,
			"admin_state_up": true, "tenant_id": r.ProjectID}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteRouter(ctx, id) },
}

var routerInterfaceType = &cloudType{
	name: "OS::Neutron::RouterInterface", class: "RouterInterface", service: neutron,
	props: schema{
		"router": p(tString), "router_id": p(tString), "subnet": p(tString), "subnet_id": p(tString),
		"port": p(tString), "port_id": p(tString),
	},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		router := firstNonEmpty(o.str("router"), o.str("router_id"))
		ri, err := c.AddRouterInterface(ctx, sim.RouterInterfaceSpec{RouterID: router,
			Subnet: firstNonEmpty(o.str("subnet"), o.str("subnet_id")), PortID: firstNonEmpty(o.str("port"), o.str("port_id"))})
		if err != nil {
			return "", err
		}
		o.setData("router", ri.RouterID)
		o.setData("port", ri.PortID)
		return ri.RouterID + ":subnet_id=" + ri.SubnetID, nil
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		return map[string]any{"id": id}, nil
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return nil },
}

func init() {
	// A router interface is removed by router and port, kept in its data.
	k := kinds["OS::Neutron::RouterInterface"]
	k.delete = func(ctx context.Context, o *op) error {
		router, _ := o.data("router").(string)
		port, _ := o.data("port").(string)
		if o.e.cloud == nil || router == "" {
			return nil
		}
		err := o.e.cloud.RemoveRouterInterface(o.e.cloudCtx(ctx, o.s), router, port)
		if err != nil && !isNotFound(err) {
			return routerInterfaceType.failure(err)
		}
		return nil
	}
}

var portType = &cloudType{
	name: "OS::Neutron::Port", class: "Port", service: neutron,
	props: schema{
		"network": p(tString).with(map[string]any{"custom_constraint": "neutron.network"}), "network_id": p(tString),
		"name": p(tString).upd(),
		"fixed_ips": p(tList).upd().items(p(tMap).of(map[string]*prop{
			"subnet": p(tString), "subnet_id": p(tString), "ip_address": p(tString),
		})),
		"security_groups": p(tList).upd(),
		"allowed_address_pairs": p(tList).upd().items(p(tMap).of(map[string]*prop{
			"ip_address": p(tString).req(), "mac_address": p(tString),
		})),
		"mac_address": p(tString), "admin_state_up": p(tBoolean).dflt(true).upd(), "device_id": p(tString).upd(),
		"device_owner": p(tString).upd(), "binding:vnic_type": p(tString).upd(), "value_specs": p(tMap).upd(),
		"port_security_enabled": p(tBoolean).upd(), "qos_policy": p(tString).upd(), "dns_name": p(tString).upd(),
		"tags": p(tList).upd(), "replacement_policy": p(tString).upd(),
	},
	attrs: []string{"admin_state_up", "device_id", "device_owner", "fixed_ips", "mac_address", "name", "network_id",
		"security_groups", "status", "tenant_id", "allowed_address_pairs", "subnets", "port_security_enabled",
		"dns_assignment", "qos_policy_id"},
	create: createPort, update: updatePort, show: showPort,
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeletePort(ctx, id) },
}

func createPort(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
	spec := sim.PortSpec{Name: nameOr(o, "name"), Network: firstNonEmpty(o.str("network"), o.str("network_id")),
		MACAddress: o.str("mac_address"), AllowedAddressPairs: addressPairs(o.list("allowed_address_pairs"))}
	if _, ok := o.props["security_groups"]; ok {
		spec.SecurityGroups = append([]string{}, strList(o.props["security_groups"])...)
	}
	for _, f := range o.list("fixed_ips") {
		m := mapOf(f)
		spec.FixedIPs = append(spec.FixedIPs, sim.FixedIPSpec{Subnet: strOf(m, "subnet", "subnet_id"), IPAddress: strOf(m, "ip_address")})
	}
	p, err := c.CreatePort(ctx, spec)
	return p.ID, err
}

func addressPairs(l []any) []sim.AddressPair {
	var out []sim.AddressPair
	for _, e := range l {
		m := mapOf(e)
		out = append(out, sim.AddressPair{IPAddress: strOf(m, "ip_address"), MACAddress: strOf(m, "mac_address")})
	}
	return out
}

func updatePort(ctx context.Context, o *op, c *sim.Cloud) error {
	u := sim.PortUpdate{}
	if contains(o.changed, "name") {
		n := nameOr(o, "name")
		u.Name = &n
	}
	if contains(o.changed, "security_groups") {
		sgs := strList(o.props["security_groups"])
		u.SecurityGroups = &sgs
	}
	if contains(o.changed, "allowed_address_pairs") {
		pairs := addressPairs(o.list("allowed_address_pairs"))
		u.AllowedAddressPairs = &pairs
	}
	_, err := c.UpdatePort(ctx, o.r.rec.PhysicalID, u)
	return err
}

func showPort(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
	p, err := c.Port(ctx, id)
	ips, subnets := []any{}, []any{}
	for _, f := range p.FixedIPs {
		ips = append(ips, map[string]any{"subnet_id": f.SubnetID, "ip_address": f.IPAddress})
		subnets = append(subnets, f.SubnetID)
	}
	pairs := []any{}
	for _, a := range p.AllowedAddressPairs {
		pairs = append(pairs, map[string]any{"ip_address": a.IPAddress, "mac_address": a.MACAddress})
	}
	return map[string]any{"id": p.ID, "admin_state_up": true, "device_id": p.DeviceID, "device_owner": p.DeviceOwner,
		"fixed_ips": ips, "mac_address": p.MACAddress, "name": p.Name, "network_id": p.NetworkID,
		"security_groups": anyStrings(p.SecurityGroupIDs), "status": p.Status, "tenant_id": p.ProjectID,
		"allowed_address_pairs": pairs, "subnets": subnets, "port_security_enabled": true,
		"dns_assignment": nil, "qos_policy_id": nil}, err
}

var floatingIPType = &cloudType{
	name: "OS::Neutron::FloatingIP", class: "FloatingIP", service: neutron,
	props: schema{
		"floating_network":    p(tString).with(map[string]any{"custom_constraint": "neutron.network"}),
		"floating_network_id": p(tString), "floating_ip_address": p(tString), "floating_subnet": p(tString),
		"port_id": p(tString).upd(), "fixed_ip_address": p(tString).upd(), "value_specs": p(tMap),
		"dns_name": p(tString), "dns_domain": p(tString),
	},
	attrs: []string{"router_id", "tenant_id", "floating_network_id", "fixed_ip_address", "floating_ip_address", "port_id"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		f, err := c.AllocateFloatingIP(ctx, sim.FloatingIPSpec{
			Network:           firstNonEmpty(o.str("floating_network"), o.str("floating_network_id")),
			FloatingIPAddress: o.str("floating_ip_address"), PortID: o.str("port_id"), FixedIP: o.str("fixed_ip_address")})
		return f.ID, err
	},
	update: func(ctx context.Context, o *op, c *sim.Cloud) error {
		if o.str("port_id") == "" {
			_, err := c.DisassociateFloatingIP(ctx, o.r.rec.PhysicalID)
			return err
		}
		_, err := c.AssociateFloatingIP(ctx, o.r.rec.PhysicalID, o.str("port_id"), o.str("fixed_ip_address"))
		return err
	},
	show:   showFloatingIP,
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.ReleaseFloatingIP(ctx, id) },
}

func showFloatingIP(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
	f, err := c.FloatingIP(ctx, id)
	return map[string]any{"id": f.ID, "router_id": nilIfEmpty(f.RouterID), "tenant_id": f.ProjectID,
		"floating_network_id": f.FloatingNetworkID, "fixed_ip_address": nilIfEmpty(f.FixedIPAddress),
		"floating_ip_address": f.FloatingIPAddress, "port_id": nilIfEmpty(f.PortID)}, err
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var floatingIPAssocType = &cloudType{
	name: "OS::Neutron::FloatingIPAssociation", class: "FloatingIPAssociation", service: neutron,
	props: schema{
		"floatingip_id": p(tString).req().upd(), "port_id": p(tString).req().upd(), "fixed_ip_address": p(tString).upd(),
	},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		f, err := c.AssociateFloatingIP(ctx, o.str("floatingip_id"), o.str("port_id"), o.str("fixed_ip_address"))
		return f.ID + ":" + f.PortID, err
	},
	update: func(ctx context.Context, o *op, c *sim.Cloud) error {
		if old, ok := o.old["floatingip_id"].(string); ok && old != o.str("floatingip_id") {
			if _, err := c.DisassociateFloatingIP(ctx, old); err != nil && !isNotFound(err) {
				return err
			}
		}
		_, err := c.AssociateFloatingIP(ctx, o.str("floatingip_id"), o.str("port_id"), o.str("fixed_ip_address"))
		return err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		return map[string]any{"id": id}, nil
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error {
		fip, _, _ := cutColon(id)
		_, err := c.DisassociateFloatingIP(ctx, fip)
		return err
	},
}

func cutColon(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

var ruleSchema = map[string]*prop{
	"direction":      p(tString).dflt("ingress").allowed("ingress", "egress"),
	"ethertype":      p(tString).dflt("IPv4").allowed("IPv4", "IPv6"),
	"port_range_min": p(tInteger).between(0, 65535), "port_range_max": p(tInteger).between(0, 65535),
	"protocol": p(tString), "remote_mode": p(tString).dflt("remote_ip_prefix").allowed("remote_ip_prefix", "remote_group_id"),
	"remote_ip_prefix": p(tString), "remote_group_id": p(tString), "description": p(tString),
}

var secGroupType = &cloudType{
	name: "OS::Neutron::SecurityGroup", class: "SecurityGroup", service: neutron,
	props: schema{
		"name": p(tString).upd(), "description": p(tString).upd(),
		"rules": p(tList).upd().items(p(tMap).of(ruleSchema)), "tags": p(tList).upd(),
	},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		spec := sim.SecurityGroupSpec{Name: nameOr(o, "name"), Description: o.str("description")}
		for _, r := range o.list("rules") {
			spec.Rules = append(spec.Rules, ruleSpec(mapOf(r), ""))
		}
		g, err := c.CreateSecurityGroup(ctx, spec)
		return g.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		g, err := c.SecurityGroup(ctx, id)
		return map[string]any{"id": g.ID, "name": g.Name, "description": g.Description, "tenant_id": g.ProjectID}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteSecurityGroup(ctx, id) },
}

func ruleSpec(m map[string]any, group string) sim.SecurityGroupRuleSpec {
	return sim.SecurityGroupRuleSpec{SecurityGroup: group, Direction: strOf(m, "direction"), EtherType: strOf(m, "ethertype"),
		Protocol: strOf(m, "protocol"), PortRangeMin: intOf(m["port_range_min"]), PortRangeMax: intOf(m["port_range_max"]),
		RemoteIPPrefix: strOf(m, "remote_ip_prefix"), RemoteGroup: strOf(m, "remote_group_id", "remote_group"),
		Description: strOf(m, "description")}
}

var secGroupRuleType = &cloudType{
	name: "OS::Neutron::SecurityGroupRule", class: "SecurityGroupRule", service: neutron,
	props: schema{
		"security_group": p(tString).req(), "description": p(tString).upd(),
		"direction":      p(tString).dflt("ingress").allowed("ingress", "egress"),
		"ethertype":      p(tString).dflt("IPv4").allowed("IPv4", "IPv6"),
		"port_range_min": p(tInteger).between(0, 65535), "port_range_max": p(tInteger).between(0, 65535),
		"protocol": p(tString), "remote_group": p(tString), "remote_ip_prefix": p(tString),
	},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		r, err := c.CreateSecurityGroupRule(ctx, ruleSpec(o.props, o.str("security_group")))
		return r.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		return map[string]any{"id": id}, nil
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteSecurityGroupRule(ctx, id) },
}
