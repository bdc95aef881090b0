package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
)

// seedCatalog builds the catalog's networks, subnets and routers. They are
// not persisted: every start builds them again, with the same IDs and,
// because nothing else exists yet, the same addresses.
func (c *Cloud) seedCatalog() error {
	tx := &txn{c: c, st: c.st, dirty: map[string]any{}}
	for _, n := range c.cat.networks {
		put(tx, tx.st.networks, KindNetwork, n.ID, n.clone(), false)
	}
	for _, s := range c.cat.subnets {
		if err := tx.addSubnet(s.clone(), false); err != nil {
			return fmt.Errorf("sim: catalog: subnet %s: %w", s.Name, err)
		}
	}
	for _, rr := range c.cat.routers {
		r := &Router{ID: rr.id, Name: rr.name, ProjectID: rr.projectID, Status: "ACTIVE", Catalog: true}
		if err := tx.addRouter(r, rr.externalNetworkID, false); err != nil {
			return fmt.Errorf("sim: catalog: router %s: %w", rr.name, err)
		}
		for _, sid := range rr.subnetIDs {
			if _, err := tx.addInterface(r, RouterInterfaceSpec{Subnet: sid}, false); err != nil {
				return fmt.Errorf("sim: catalog: router %s: %w", rr.name, err)
			}
		}
	}
	return nil
}

// load reads the persisted objects back and rebuilds what is derived from
// them: address pools, relations, usage.
func (c *Cloud) load(ctx context.Context) error {
	st := c.st
	decoders := map[Kind]func(id string, b []byte) error{
		KindServer:           decoder(st.servers),
		KindServerGroup:      decoder(st.groups),
		KindNetwork:          decoder(st.networks),
		KindSubnet:           decoder(st.subnets),
		KindRouter:           decoder(st.routers),
		KindPort:             decoder(st.ports),
		KindFloatingIP:       decoder(st.fips),
		KindSecurityGroup:    decoder(st.secgroups),
		KindVolume:           decoder(st.volumes),
		KindVolumeAttachment: decoder(st.attachments),
		KindLoadBalancer:     decoder(st.lbs),
		KindListener:         decoder(st.listeners),
		KindPool:             decoder(st.pools),
		KindMember:           decoder(st.members),
		KindHealthMonitor:    decoder(st.monitors),
		KindTrustee:          decoder(st.trustees),
		kindQuota: func(id string, b []byte) error {
			var q Quota
			err := json.Unmarshal(b, &q)
			st.quotas[id] = q
			return err
		},
	}
	resealed := 0
	for kind, dec := range decoders {
		blobs, n, err := c.blobs.Load(ctx, string(kind)+"/")
		if err != nil {
			return err
		}
		resealed += n
		for key, b := range blobs {
			if err := dec(key[len(kind)+1:], b); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
			if err := st.loadTokens(key, b); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
		}
	}
	if resealed > 0 {
		// Objects in clear or under a retired key: so may be the user
		// data, which a start does not read otherwise.
		_, n, err := c.blobs.Load(ctx, string(kindUserData)+"/")
		if err != nil {
			return err
		}
		c.log.Info("sealed stored objects again", "objects", resealed+n)
	}
	if err := c.moveUserData(ctx); err != nil {
		return fmt.Errorf("moving user data apart: %w", err)
	}
	if err := c.repair(ctx); err != nil {
		return err
	}
	return c.rebuild()
}

// decoder returns a function that decodes one object into m.
func decoder[T any](m map[string]*T) func(id string, b []byte) error {
	return func(id string, b []byte) error {
		v := new(T)
		if err := json.Unmarshal(b, v); err != nil {
			return err
		}
		m[id] = v
		return nil
	}
}

// rebuild derives the relations, pools and usage from the loaded objects.
func (c *Cloud) rebuild() error {
	tx := &txn{c: c, st: c.st, dirty: map[string]any{}}
	st := c.st
	for _, s := range st.subnets {
		if s.Catalog || st.ipam[s.ID] != nil {
			continue
		}
		pool, err := newAddrPool(s)
		if err != nil {
			return fmt.Errorf("subnet %s: %w", s.ID, err)
		}
		st.ipam[s.ID] = pool
		tx.link(s.NetworkID, KindSubnet, s.ID)
	}
	for _, p := range st.ports {
		c.restoreAddresses(p.ID, p.FixedIPs)
		tx.linkPort(p)
		if p.DeviceOwner == OwnerRouterInterface && len(p.FixedIPs) > 0 {
			tx.link(p.DeviceID, KindRouterInterface, p.ID)
			tx.link(p.FixedIPs[0].SubnetID, KindRouter, p.DeviceID)
		}
	}
	for _, f := range st.fips {
		c.restoreFloatingIP(tx, f)
	}
	for _, g := range st.secgroups {
		for _, r := range g.Rules {
			st.ruleGroup[r.ID] = g.ID
		}
		if g.Name == defaultSecurityGroupName {
			st.defaultSG[g.ProjectID] = g.ID
		}
	}
	for _, s := range st.servers {
		st.gone[s.ID] = make(chan struct{})
		if s.ServerGroupID != "" {
			tx.link(s.ServerGroupID, KindServer, s.ID)
		}
		f := c.cat.flavors[s.FlavorID]
		if f == nil {
			return fmt.Errorf("server %s: flavor %s is no longer in the catalog", s.ID, s.FlavorID)
		}
		tx.charge(s.ProjectID, Usage{Instances: 1, Cores: f.VCPUs, RAMMiB: f.RAMMiB})
	}
	for _, a := range st.attachments {
		tx.link(a.ServerID, kindServerAttachments, a.ID)
		tx.link(a.VolumeID, kindVolumeAttachments, a.ID)
	}
	for _, v := range st.volumes {
		tx.charge(v.ProjectID, Usage{Volumes: 1, VolumeGB: v.SizeGB})
	}
	c.rebuildLoadBalancing(tx)
	return nil
}

// restoreAddresses marks a loaded object's addresses as used.
func (c *Cloud) restoreAddresses(owner string, ips []FixedIP) {
	for _, ip := range ips {
		pool := c.st.ipam[ip.SubnetID]
		a, err := netip.ParseAddr(ip.IPAddress)
		if pool == nil || err != nil {
			c.log.Warn("address of an unknown subnet", "owner", owner, "subnet", ip.SubnetID, "ip", ip.IPAddress)
			continue
		}
		if pool.used[a] == owner {
			continue // a catalog object, seeded before the load
		}
		if err := pool.take(a, owner); err != nil {
			c.log.Warn("address restored twice", "owner", owner, "ip", ip.IPAddress, "err", err)
		}
	}
}

func (c *Cloud) restoreFloatingIP(tx *txn, f *FloatingIP) {
	a, err := netip.ParseAddr(f.FloatingIPAddress)
	if err == nil {
		for _, sid := range c.st.children(f.FloatingNetworkID, KindSubnet) {
			if c.st.ipam[sid].layout.prefix.Contains(a) {
				c.restoreAddresses(f.ID, []FixedIP{{SubnetID: sid, IPAddress: f.FloatingIPAddress}})
			}
		}
	}
	if f.PortID != "" {
		tx.link(f.PortID, KindFloatingIP, f.ID)
	}
	tx.charge(f.ProjectID, Usage{FloatingIPs: 1})
}

func (c *Cloud) rebuildLoadBalancing(tx *txn) {
	st := c.st
	for _, l := range st.lbs {
		tx.charge(l.ProjectID, Usage{LoadBalancers: 1})
	}
	for _, li := range st.listeners {
		tx.link(li.LoadBalancerID, KindListener, li.ID)
	}
	for _, p := range st.pools {
		tx.link(p.LoadBalancerID, KindPool, p.ID)
	}
	for _, m := range st.members {
		tx.link(m.PoolID, KindMember, m.ID)
	}
	for _, h := range st.monitors {
		tx.link(h.PoolID, KindHealthMonitor, h.ID)
	}
}
