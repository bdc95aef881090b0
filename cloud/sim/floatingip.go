package sim

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// FloatingIP is a Neutron floating IP.
type FloatingIP struct {
	ID                string `json:"id"`
	ProjectID         string `json:"project_id"`
	FloatingNetworkID string `json:"floating_network_id"`
	FloatingIPAddress string `json:"floating_ip_address"`
	// PortID, FixedIPAddress and RouterID are set while associated.
	PortID         string `json:"port_id"`
	FixedIPAddress string `json:"fixed_ip_address"`
	RouterID       string `json:"router_id"`
	// Status is ACTIVE while associated, DOWN otherwise.
	Status      string    `json:"status"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

// FloatingIPSpec asks for a floating IP.
type FloatingIPSpec struct {
	ProjectID string
	// Network is the external network (name or ID); the catalog's first
	// external network when empty.
	Network string
	// FloatingIPAddress asks for a given address.
	FloatingIPAddress string
	// PortID associates the new address at once; FixedIP picks which
	// address of the port (default: its first IPv4 one).
	PortID      string
	FixedIP     string
	Description string
}

var fipFinder = finder[FloatingIP]{
	what:    "Floating IP",
	name:    func(f *FloatingIP) string { return f.FloatingIPAddress },
	project: func(f *FloatingIP) string { return f.ProjectID },
}

// AllocateFloatingIP takes an address from an external network's pool,
// within the project's floating_ips quota.
func (c *Cloud) AllocateFloatingIP(ctx context.Context, spec FloatingIPSpec) (FloatingIP, error) {
	view := func(st *state, id string) FloatingIP { return *st.fips[id] }
	return once(ctx, c, KindFloatingIP, view, func() (FloatingIP, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindFloatingIP, OpCreate, spec.Description, project); err != nil {
			return FloatingIP{}, err
		}
		var out FloatingIP
		err := c.update(ctx, func(tx *txn) error {
			f, err := tx.allocateFloatingIP(project, spec)
			if err != nil {
				return err
			}
			out = *f
			return tx.claim(KindFloatingIP, f.ID)
		})
		return out, err
	})
}

func (tx *txn) allocateFloatingIP(project string, spec FloatingIPSpec) (*FloatingIP, error) {
	n, err := tx.externalNetwork(project, spec.Network)
	if err != nil {
		return nil, err
	}
	if err := tx.reserve(project, Usage{FloatingIPs: 1}); err != nil {
		return nil, err
	}
	f := &FloatingIP{ID: newID(), ProjectID: project, FloatingNetworkID: n.ID, Status: "DOWN",
		Description: spec.Description, CreatedAt: tx.now}
	fixed := []FixedIPSpec(nil)
	if spec.FloatingIPAddress != "" {
		fixed = []FixedIPSpec{{IPAddress: spec.FloatingIPAddress}}
	}
	ips, err := tx.assignAddresses(f.ID, n, project, fixed)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, invalid("Bad floatingip request: Network %s does not contain any IPv4 subnet.", n.ID)
	}
	f.FloatingIPAddress = ips[0].IPAddress
	put(tx, tx.st.fips, KindFloatingIP, f.ID, f, true)
	if spec.PortID != "" {
		return tx.associate(f, spec.PortID, spec.FixedIP)
	}
	return f, nil
}

// externalNetwork resolves ref to an external network, or picks the
// catalog's first one.
func (tx *txn) externalNetwork(project, ref string) (*Network, error) {
	if ref == "" {
		for _, n := range tx.c.cat.networks {
			if n.External {
				return tx.st.networks[n.ID], nil
			}
		}
		return nil, notFound("No external network found.")
	}
	n, err := networkFinder.find(tx.st.networks, ref, project)
	if err != nil {
		return nil, err
	}
	if !n.External {
		return nil, invalid("Bad floatingip request: Network %s is not a valid external network.", n.ID)
	}
	return n, nil
}

// FloatingIP returns a floating IP by ID.
func (c *Cloud) FloatingIP(ctx context.Context, id string) (FloatingIP, error) {
	return getView(ctx, c, fipFinder, func(st *state) map[string]*FloatingIP { return st.fips }, id, copyOf[FloatingIP])
}

// FloatingIPs lists the floating IPs of a project ("" for all).
func (c *Cloud) FloatingIPs(ctx context.Context, projectID string) ([]FloatingIP, error) {
	return list(ctx, c, func(st *state) map[string]*FloatingIP { return st.fips }, projectID, fipFinder.project,
		copyOf[FloatingIP])
}

// AssociateFloatingIP points a floating IP at a port's fixed address
// (fixedIP, or the port's first IPv4 address when empty). The port's
// subnet must reach the floating IP's network through a router.
func (c *Cloud) AssociateFloatingIP(ctx context.Context, id, portID, fixedIP string) (FloatingIP, error) {
	var out FloatingIP
	err := c.update(ctx, func(tx *txn) error {
		f, err := fipFinder.get(tx.st.fips, id, c.scope(ctx))
		if err != nil {
			return err
		}
		if f.PortID != "" {
			tx.dissociate(f)
			f = tx.st.fips[id]
		}
		nf, err := tx.associate(f, portID, fixedIP)
		if err == nil {
			out = *nf
		}
		return err
	})
	return out, err
}

func (tx *txn) associate(f *FloatingIP, portID, fixedIP string) (*FloatingIP, error) {
	p, err := portFinder.get(tx.st.ports, portID, f.ProjectID)
	if err != nil {
		return nil, err
	}
	ip, err := pickFixedIP(p, fixedIP)
	if err != nil {
		return nil, err
	}
	for _, other := range tx.st.children(p.ID, KindFloatingIP) {
		if o := tx.st.fips[other]; o.FixedIPAddress == ip.IPAddress {
			return nil, conflict("Cannot associate floating IP %s (%s) with port %s using fixed IP %s, as that fixed IP already has a floating IP on external network %s.",
				f.FloatingIPAddress, f.ID, p.ID, ip.IPAddress, o.FloatingNetworkID)
		}
	}
	router := tx.routerBetween(ip.SubnetID, f.FloatingNetworkID)
	if router == "" {
		return nil, notFound("External network %s is not reachable from subnet %s.  Therefore, cannot associate Port %s with a Floating IP.",
			f.FloatingNetworkID, ip.SubnetID, p.ID)
	}
	nf := *f
	nf.PortID, nf.FixedIPAddress, nf.RouterID, nf.Status = p.ID, ip.IPAddress, router, "ACTIVE"
	put(tx, tx.st.fips, KindFloatingIP, f.ID, &nf, true)
	tx.link(p.ID, KindFloatingIP, f.ID)
	return &nf, nil
}

// pickFixedIP returns the port's address fixedIP, or its first IPv4 one.
func pickFixedIP(p *Port, fixedIP string) (FixedIP, error) {
	for _, ip := range p.FixedIPs {
		a, _ := netip.ParseAddr(ip.IPAddress)
		if ip.IPAddress == fixedIP || (fixedIP == "" && a.Is4()) {
			return ip, nil
		}
	}
	if fixedIP != "" {
		return FixedIP{}, invalid("Bad floatingip request: Port %s does not have fixed ip %s.", p.ID, fixedIP)
	}
	return FixedIP{}, invalid("Bad floatingip request: Port %s does not have any IPv4 address.", p.ID)
}

// routerBetween returns a router with an interface on the subnet and a
// gateway on the external network, or "".
func (tx *txn) routerBetween(subnetID, externalNetworkID string) string {
	for _, rid := range tx.st.children(subnetID, KindRouter) {
		if tx.st.routers[rid].ExternalNetworkID == externalNetworkID {
			return rid
		}
	}
	return ""
}

// DisassociateFloatingIP detaches a floating IP from its port.
func (c *Cloud) DisassociateFloatingIP(ctx context.Context, id string) (FloatingIP, error) {
	var out FloatingIP
	err := c.update(ctx, func(tx *txn) error {
		f, err := fipFinder.get(tx.st.fips, id, c.scope(ctx))
		if err != nil {
			return err
		}
		tx.dissociate(f)
		out = *tx.st.fips[id]
		return nil
	})
	return out, err
}

func (tx *txn) dissociate(f *FloatingIP) {
	if f.PortID == "" {
		return
	}
	tx.unlink(f.PortID, KindFloatingIP, f.ID)
	nf := *f
	nf.PortID, nf.FixedIPAddress, nf.RouterID, nf.Status = "", "", "", "DOWN"
	put(tx, tx.st.fips, KindFloatingIP, f.ID, &nf, true)
}

// ReleaseFloatingIP gives a floating IP back to its pool.
func (c *Cloud) ReleaseFloatingIP(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*FloatingIP { return st.fips }
	return c.deleteObject(ctx, KindFloatingIP, fipFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		tx.releaseFloatingIP(tx.st.fips[id])
		return nil
	})
}

func (tx *txn) releaseFloatingIP(f *FloatingIP) {
	tx.dissociate(f)
	for _, sid := range tx.st.children(f.FloatingNetworkID, KindSubnet) {
		if a, err := netip.ParseAddr(f.FloatingIPAddress); err == nil && tx.st.ipam[sid].layout.prefix.Contains(a) {
			tx.releaseAddr(sid, f.FloatingIPAddress)
		}
	}
	tx.charge(f.ProjectID, Usage{FloatingIPs: -1})
	remove(tx, tx.st.fips, KindFloatingIP, f.ID)
}

// floatingAddresses returns the floating addresses mapped to a port's
// fixed addresses, sorted by fixed address.
func (st *state) floatingAddresses(portID string) []*FloatingIP {
	var out []*FloatingIP
	for _, id := range st.children(portID, KindFloatingIP) {
		out = append(out, st.fips[id])
	}
	slices.SortFunc(out, func(a, b *FloatingIP) int {
		return strings.Compare(a.FixedIPAddress, b.FixedIPAddress)
	})
	return out
}
