package engine

import (
	"context"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// OS::Cinder::Volume and VolumeAttachment; the OS::Octavia load
// balancer types.

func init() {
	registerCloud(volumeType, attachmentType, lbType, listenerType, poolType, memberType, monitorType)
	// The Neutron LBaaS v2 types, which Magnum's environments may still
	// select, share the Octavia implementations.
	for _, t := range []*cloudType{lbType, listenerType, poolType, memberType, monitorType} {
		alias := *t
		alias.name = "OS::Neutron::LBaaS::" + t.name[len("OS::Octavia::"):]
		alias.service = neutron
		registerCloud(&alias)
	}
}

var volumeType = &cloudType{
	name: "OS::Cinder::Volume", class: "CinderVolume", service: cinder,
	props: schema{
		"size": p(tInteger).upd().between(1, nil), "name": p(tString).upd(), "description": p(tString).upd(),
		"volume_type": p(tString).upd().with(map[string]any{"custom_constraint": "cinder.vtype"}), "image": p(tString), "snapshot_id": p(tString), "source_volid": p(tString),
		"availability_zone": p(tString), "metadata": p(tMap).upd(), "backup_id": p(tString).upd(),
		"read_only": p(tBoolean).upd(), "multiattach": p(tBoolean), "scheduler_hints": p(tMap),
		"imageRef": p(tString),
	},
	attrs: []string{"availability_zone", "size", "snapshot_id", "display_name", "display_description", "volume_type",
		"metadata", "source_volid", "status", "created_at", "bootable", "metadata_values", "encrypted", "attachments",
		"attachments_list", "multiattach"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		v, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: nameOr(o, "name"), Description: o.str("description"),
			SizeGB: intOf(o.props["size"]), VolumeType: o.str("volume_type"), Image: firstNonEmpty(o.str("image"), o.str("imageRef")),
			AvailabilityZone: o.str("availability_zone")})
		return v.ID, err
	},
	update: func(ctx context.Context, o *op, c *sim.Cloud) error {
		if contains(o.changed, "size") {
			_, err := c.ExtendVolume(ctx, o.r.rec.PhysicalID, intOf(o.props["size"]))
			return err
		}
		return nil
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		v, err := c.Volume(ctx, id)
		atts := []any{}
		for _, a := range v.Attachments {
			atts = append(atts, map[string]any{"id": a.ID, "server_id": a.ServerID, "volume_id": a.VolumeID, "device": a.Device})
		}
		return map[string]any{"id": v.ID, "availability_zone": v.AvailabilityZone, "size": v.SizeGB, "snapshot_id": nil,
			"display_name": v.Name, "display_description": v.Description, "volume_type": v.VolumeType, "metadata": "{}",
			"source_volid": nil, "status": v.Status, "created_at": v.CreatedAt.Format("2006-01-02T15:04:05.000000"),
			"bootable": v.Bootable, "metadata_values": map[string]any{}, "encrypted": false, "attachments": atts,
			"attachments_list": atts, "multiattach": false}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteVolume(ctx, id) },
}

var attachmentType = &cloudType{
	name: "OS::Cinder::VolumeAttachment", class: "VolumeAttachment", service: cinder,
	props: schema{
		"instance_uuid": p(tString).req().upd(), "volume_id": p(tString).req().upd(), "mountpoint": p(tString).upd(),
	},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		a, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: o.str("instance_uuid"),
			VolumeID: o.str("volume_id"), Device: o.str("mountpoint")})
		return a.ID, err
	},
	update: func(ctx context.Context, o *op, c *sim.Cloud) error {
		if err := c.DetachVolume(ctx, o.r.rec.PhysicalID); err != nil && !isNotFound(err) {
			return err
		}
		a, err := c.AttachVolume(ctx, sim.VolumeAttachmentSpec{ServerID: o.str("instance_uuid"),
			VolumeID: o.str("volume_id"), Device: o.str("mountpoint")})
		if err == nil {
			o.setPhysical(a.ID)
		}
		return err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		a, err := c.VolumeAttachment(ctx, id)
		return map[string]any{"id": a.ID, "server_id": a.ServerID, "volume_id": a.VolumeID, "device": a.Device}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DetachVolume(ctx, id) },
}

var lbType = &cloudType{
	name: "OS::Octavia::LoadBalancer", class: "LoadBalancer", service: octavia,
	props: schema{
		"vip_subnet": p(tString).with(map[string]any{"custom_constraint": "neutron.subnet"}), "vip_network": p(tString),
		"vip_address": p(tString), "name": p(tString).upd(), "description": p(tString).upd(), "provider": p(tString),
		"tenant_id": p(tString), "admin_state_up": p(tBoolean).dflt(true).upd(), "flavor": p(tString),
		"availability_zone": p(tString),
	},
	attrs: []string{"vip_address", "vip_port_id", "vip_subnet_id", "pools", "listeners", "flavor_id", "availability_zone"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		lb, err := c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: nameOr(o, "name"), Description: o.str("description"),
			VIPSubnet: o.str("vip_subnet"), VIPNetwork: o.str("vip_network"), VIPAddress: o.str("vip_address"),
			Provider: o.str("provider")})
		return lb.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		lb, err := c.LoadBalancer(ctx, id)
		return map[string]any{"id": lb.ID, "vip_address": lb.VIPAddress, "vip_port_id": lb.VIPPortID,
			"vip_subnet_id": lb.VIPSubnetID, "pools": idList(lb.PoolIDs), "listeners": idList(lb.ListenerIDs),
			"flavor_id": nil, "availability_zone": nil, "provisioning_status": lb.ProvisioningStatus,
			"operating_status": lb.OperatingStatus}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteLoadBalancer(ctx, id) },
}

// idList renders IDs the way Octavia lists related objects.
func idList(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"id": id}
	}
	return out
}

var listenerType = &cloudType{
	name: "OS::Octavia::Listener", class: "Listener", service: octavia,
	props: schema{
		"loadbalancer": p(tString), "default_pool": p(tString).upd(),
		"protocol":      p(tString).req().allowed("TCP", "HTTP", "HTTPS", "TERMINATED_HTTPS", "PROXY", "UDP", "SCTP"),
		"protocol_port": p(tInteger).req().between(1, 65535), "name": p(tString).upd(), "description": p(tString).upd(),
		"admin_state_up": p(tBoolean).dflt(true).upd(), "connection_limit": p(tInteger).upd(),
		"default_tls_container_ref": p(tString).upd(), "sni_container_refs": p(tList).upd(), "tenant_id": p(tString),
		"allowed_cidrs": p(tList).upd(),
	},
	attrs: []string{"loadbalancers", "default_pool_id"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		l, err := c.CreateListener(ctx, sim.ListenerSpec{Name: nameOr(o, "name"), LoadBalancerID: o.str("loadbalancer"),
			Protocol: o.str("protocol"), ProtocolPort: intOf(o.props["protocol_port"]), AllowedCIDRs: strList(o.props["allowed_cidrs"])})
		return l.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		l, err := c.Listener(ctx, id)
		return map[string]any{"id": l.ID, "loadbalancers": idList([]string{l.LoadBalancerID}),
			"default_pool_id": nilIfEmpty(l.DefaultPoolID)}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteListener(ctx, id) },
}

var poolType = &cloudType{
	name: "OS::Octavia::Pool", class: "Pool", service: octavia,
	props: schema{
		"listener": p(tString), "loadbalancer": p(tString),
		"protocol":     p(tString).req().allowed("TCP", "HTTP", "HTTPS", "PROXY", "UDP", "SCTP"),
		"lb_algorithm": p(tString).req().upd().allowed("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT"),
		"name":         p(tString).upd(), "description": p(tString).upd(), "admin_state_up": p(tBoolean).dflt(true).upd(),
		"session_persistence": p(tMap).upd(), "tls_enabled": p(tBoolean).upd(),
	},
	attrs: []string{"healthmonitor_id", "listeners", "members"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		pl, err := c.CreatePool(ctx, sim.PoolSpec{Name: nameOr(o, "name"), ListenerID: o.str("listener"),
			LoadBalancerID: o.str("loadbalancer"), Protocol: o.str("protocol"), LBAlgorithm: o.str("lb_algorithm")})
		return pl.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		pl, err := c.Pool(ctx, id)
		return map[string]any{"id": pl.ID, "healthmonitor_id": nilIfEmpty(pl.HealthMonitorID),
			"listeners": idList(nonEmpty(pl.ListenerID)), "members": idList(pl.MemberIDs)}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeletePool(ctx, id) },
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

var memberType = &cloudType{
	name: "OS::Octavia::PoolMember", class: "PoolMember", service: octavia,
	props: schema{
		"pool": p(tString).req(), "address": p(tString).req(), "protocol_port": p(tInteger).req().between(1, 65535),
		"weight": p(tInteger).upd().between(0, 256), "subnet": p(tString), "admin_state_up": p(tBoolean).dflt(true).upd(),
		"monitor_address": p(tString), "monitor_port": p(tInteger), "tags": p(tList).upd(),
	},
	attrs: []string{"address", "pool_id"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		spec := sim.MemberSpec{PoolID: o.str("pool"), Name: o.physicalName(), Address: o.str("address"),
			ProtocolPort: intOf(o.props["protocol_port"]), Subnet: o.str("subnet")}
		if w, ok := o.props["weight"]; ok {
			n := intOf(w)
			spec.Weight = &n
		}
		m, err := c.CreateMember(ctx, spec)
		return m.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		m, err := c.Member(ctx, id)
		return map[string]any{"id": m.ID, "address": m.Address, "pool_id": m.PoolID}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteMember(ctx, id) },
}

var monitorType = &cloudType{
	name: "OS::Octavia::HealthMonitor", class: "HealthMonitor", service: octavia,
	props: schema{
		"pool": p(tString).req(), "type": p(tString).req().allowed("PING", "TCP", "HTTP", "HTTPS", "UDP-CONNECT", "SCTP", "TLS-HELLO"),
		"delay": p(tInteger).req().upd(), "max_retries": p(tInteger).req().upd().between(1, 10),
		"timeout": p(tInteger).req().upd(), "http_method": p(tString).upd(), "expected_codes": p(tString).upd(),
		"url_path": p(tString).upd(), "admin_state_up": p(tBoolean).dflt(true).upd(), "tenant_id": p(tString),
	},
	attrs: []string{"pools"},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		m, err := c.CreateHealthMonitor(ctx, sim.HealthMonitorSpec{PoolID: o.str("pool"), Name: o.physicalName(),
			Type: o.str("type"), Delay: intOf(o.props["delay"]), Timeout: intOf(o.props["timeout"]),
			MaxRetries: intOf(o.props["max_retries"])})
		return m.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		m, err := c.HealthMonitor(ctx, id)
		return map[string]any{"id": m.ID, "pools": idList(nonEmpty(m.PoolID))}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteHealthMonitor(ctx, id) },
}
