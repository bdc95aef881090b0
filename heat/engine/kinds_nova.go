package engine

import (
	"context"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// OS::Nova::Server and OS::Nova::ServerGroup.

func init() {
	registerCloud(serverType, serverGroupType)
	kinds[serverType.name].restore = func(e *Engine, r *resource) {
		if tokens := strList(r.rec.Data["boot_tokens"]); len(tokens) > 0 && r.rec.PhysicalID != "" && e.cloud != nil {
			e.watchBoot(r.rec.PhysicalID, tokens)
		}
	}
}

var serverType = &cloudType{
	name: "OS::Nova::Server", class: "Server", service: nova,
	props: schema{
		"name":     p(tString).upd(),
		"image":    p(tString).upd().with(map[string]any{"custom_constraint": "glance.image"}),
		"flavor":   p(tString).req().upd().with(map[string]any{"custom_constraint": "nova.flavor"}),
		"key_name": p(tString).with(map[string]any{"custom_constraint": "nova.keypair"}),
		"networks": p(tList).upd().items(p(tMap).of(map[string]*prop{
			"uuid": p(tString), "network": p(tString), "fixed_ip": p(tString), "port": p(tString),
			"subnet": p(tString), "floating_ip": p(tString), "allocate_network": p(tString),
			"port_extra_properties": p(tMap), "vif_model": p(tString), "tag": p(tString),
		})),
		"security_groups":           p(tList).upd(),
		"scheduler_hints":           p(tMap),
		"metadata":                  p(tMap).upd(),
		"user_data":                 p(tString).dflt("").upd(),
		"user_data_format":          p(tString).dflt("HEAT_CFNTOOLS").allowed("HEAT_CFNTOOLS", "RAW", "SOFTWARE_CONFIG"),
		"software_config_transport": p(tString).dflt("POLL_SERVER_CFN").allowed("POLL_SERVER_CFN", "POLL_SERVER_HEAT", "POLL_TEMP_URL", "ZAQAR_MESSAGE").upd(),
		"user_data_update_policy":   p(tString).dflt("REPLACE").allowed("REPLACE", "IGNORE").upd(),
		"availability_zone":         p(tString),
		"block_device_mapping":      p(tList),
		"block_device_mapping_v2": p(tList).items(p(tMap).of(map[string]*prop{
			"device_name": p(tString), "volume_id": p(tString), "image": p(tString), "image_id": p(tString),
			"snapshot_id": p(tString), "swap_size": p(tInteger), "ephemeral_size": p(tInteger),
			"ephemeral_format": p(tString), "source_type": p(tString), "destination_type": p(tString),
			"disk_bus": p(tString), "device_type": p(tString), "volume_size": p(tInteger),
			"boot_index": p(tInteger), "delete_on_termination": p(tBoolean),
		})),
		"flavor_update_policy":  p(tString).dflt("RESIZE").allowed("RESIZE", "REPLACE").upd(),
		"image_update_policy":   p(tString).dflt("REBUILD").allowed("REBUILD", "REPLACE", "REBUILD_PRESERVE_EPHEMERAL").upd(),
		"admin_pass":            p(tString).upd(),
		"admin_user":            p(tString),
		"config_drive":          p(tBoolean),
		"diskConfig":            p(tString),
		"personality":           p(tMap).upd(),
		"reservation_id":        p(tString),
		"tags":                  p(tList).upd(),
		"description":           p(tString).upd(),
		"deployment_swift_data": p(tMap),
	},
	attrs: []string{"addresses", "networks", "first_address", "instance_name", "accessIPv4", "accessIPv6",
		"console_urls", "name", "tags", "os_collect_config"},
	create: createServer, update: updateServer, show: showServer, replaceOn: serverReplaced,
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteServer(ctx, id) },
}

// serverReplaced applies the update policies: REPLACE replaces the server
// when its flavor, image or user data change.
func serverReplaced(changed []string, props map[string]any) bool {
	policy := func(k string) string { s, _ := props[k].(string); return s }
	return contains(changed, "flavor") && policy("flavor_update_policy") == "REPLACE" ||
		contains(changed, "image") && policy("image_update_policy") == "REPLACE" ||
		contains(changed, "user_data") && policy("user_data_update_policy") == "REPLACE"
}

// serverSpec builds a server request from the properties.
func serverSpec(o *op) sim.ServerSpec {
	spec := sim.ServerSpec{
		Name: nameOr(o, "name"), Image: o.str("image"), Flavor: o.str("flavor"), KeyName: o.str("key_name"),
		UserData: o.e.configs.content(o.str("user_data")), Metadata: strMap(o.props["metadata"]),
		AvailabilityZone: o.str("availability_zone"), ServerGroup: strOf(mapOf(o.props["scheduler_hints"]), "group"),
	}
	if sgs := strList(o.props["security_groups"]); len(sgs) > 0 {
		spec.SecurityGroups = sgs
	}
	for _, n := range o.list("networks") {
		m := mapOf(n)
		spec.Networks = append(spec.Networks, sim.NIC{Port: strOf(m, "port"), Network: strOf(m, "network", "uuid"),
			Subnet: strOf(m, "subnet"), FixedIP: strOf(m, "fixed_ip")})
	}
	for _, b := range o.list("block_device_mapping_v2") {
		m := mapOf(b)
		if vol := strOf(m, "volume_id"); vol != "" {
			del, _ := m["delete_on_termination"].(bool)
			spec.BlockDevices = append(spec.BlockDevices, sim.BlockDevice{VolumeID: vol, BootIndex: intOf(m["boot_index"]),
				DeleteOnTermination: del, Device: strOf(m, "device_name")})
		}
	}
	return spec
}

func createServer(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
	spec := serverSpec(o)
	srv, err := c.CreateServer(ctx, spec)
	if err != nil {
		return "", err
	}
	if tokens := o.e.signals.tokensIn(o.e.configs.searchTexts(o.str("user_data"))...); len(tokens) > 0 {
		o.setData("boot_tokens", anyStrings(tokens))
		o.e.watchBoot(srv.ID, tokens)
	}
	return srv.ID, nil
}

func updateServer(ctx context.Context, o *op, c *sim.Cloud) error {
	u := sim.ServerUpdate{}
	if contains(o.changed, "name") {
		name := nameOr(o, "name")
		u.Name = &name
	}
	if contains(o.changed, "metadata") {
		u.Metadata = strMap(o.props["metadata"])
		if u.Metadata == nil {
			u.Metadata = map[string]string{}
		}
	}
	if contains(o.changed, "flavor") {
		u.Flavor = o.str("flavor")
	}
	if contains(o.changed, "image") {
		u.Image = o.str("image")
		ud := o.e.configs.content(o.str("user_data"))
		u.UserData = &ud
	}
	_, err := c.UpdateServer(ctx, o.r.rec.PhysicalID, u)
	return err
}

func showServer(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
	s, err := c.Server(ctx, id)
	if err != nil {
		return nil, err
	}
	addresses := map[string]any{}
	for _, a := range s.Addresses {
		addresses[a.NetworkName] = append(asList(addresses[a.NetworkName]), map[string]any{
			"addr": a.Addr, "version": a.Version, "OS-EXT-IPS:type": a.Type,
			"OS-EXT-IPS-MAC:mac_addr": a.MAC, "port": a.PortID,
		})
	}
	networks := map[string]any{}
	for k, v := range s.Networks() {
		networks[k] = anyStrings(v)
	}
	return map[string]any{
		"addresses": addresses, "networks": networks, "first_address": s.FirstAddress(),
		"instance_name": "instance-" + s.ID[:8], "accessIPv4": "", "accessIPv6": "", "name": s.Name,
		"tags": nil, "console_urls": map[string]any{}, "os_collect_config": map[string]any{},
		"id": s.ID, "status": s.Status,
	}, nil
}

var serverGroupType = &cloudType{
	name: "OS::Nova::ServerGroup", class: "ServerGroup", service: nova,
	props: schema{
		"name":     p(tString),
		"policies": p(tList).items(p(tString).allowed("anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity")),
		"policy":   p(tString).allowed("anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"),
		"rules":    p(tMap),
	},
	create: func(ctx context.Context, o *op, c *sim.Cloud) (string, error) {
		policy := o.str("policy")
		if pols := strList(o.props["policies"]); len(pols) > 0 {
			policy = pols[0]
		}
		if policy == "" {
			policy = "anti-affinity"
		}
		g, err := c.CreateServerGroup(ctx, sim.ServerGroupSpec{Name: nameOr(o, "name"), Policy: policy})
		return g.ID, err
	},
	show: func(ctx context.Context, c *sim.Cloud, id string) (map[string]any, error) {
		g, err := c.ServerGroup(ctx, id)
		return map[string]any{"id": g.ID, "name": g.Name, "policies": []any{g.Policy}, "members": anyStrings(g.Members)}, err
	},
	delete: func(ctx context.Context, c *sim.Cloud, id string) error { return c.DeleteServerGroup(ctx, id) },
}

// watchBoot signals the wait condition handles whose tokens the server's
// user data carries, once its guest has booted (or failed to).
func (e *Engine) watchBoot(serverID string, tokens []string) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		err := e.cloud.WaitBooted(e.ctx, serverID)
		if e.ctx.Err() != nil {
			return
		}
		status, reason := "SUCCESS", "Signal 1 received"
		if err != nil {
			status, reason = "FAILURE", err.Error()
		}
		for _, t := range tokens {
			e.signal(t, serverID, status, reason)
		}
	}()
}
