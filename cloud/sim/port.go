package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"time"
)

// Port is a Neutron port.
type Port struct {
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	ProjectID           string        `json:"project_id"`
	NetworkID           string        `json:"network_id"`
	MACAddress          string        `json:"mac_address"`
	FixedIPs            []FixedIP     `json:"fixed_ips"`
	SecurityGroupIDs    []string      `json:"security_groups"`
	AllowedAddressPairs []AddressPair `json:"allowed_address_pairs"`
	// DeviceID is the server, router or load balancer using the port.
	DeviceID    string `json:"device_id"`
	DeviceOwner string `json:"device_owner"`
	// Status is DOWN until a device uses the port, then ACTIVE.
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// FixedIP is an address of a port on a subnet.
type FixedIP struct {
	SubnetID  string `json:"subnet_id"`
	IPAddress string `json:"ip_address"`
}

// FixedIPSpec asks for an address: a given one (IPAddress), the next free
// one of a subnet (Subnet), or a given one of a subnet (both).
type FixedIPSpec struct {
	// Subnet is a subnet name or ID.
	Subnet    string
	IPAddress string
}

// AddressPair is an extra address a port may send from.
type AddressPair struct {
	IPAddress  string `json:"ip_address"`
	MACAddress string `json:"mac_address,omitempty"`
}

// PortSpec asks for a port.
type PortSpec struct {
	ProjectID string
	Name      string
	// Network is the network's name or ID.
	Network string
	// FixedIPs default to one address of the network's first subnet.
	FixedIPs []FixedIPSpec
	// SecurityGroups are names or IDs. Nil means the project's "default"
	// group; an empty, non-nil slice means none (as in Neutron).
	SecurityGroups      []string
	AllowedAddressPairs []AddressPair
	// MACAddress defaults to a random fa:16:3e:xx:xx:xx.
	MACAddress string
}

// PortUpdate changes a port; nil fields are kept.
type PortUpdate struct {
	Name                *string
	SecurityGroups      *[]string
	AllowedAddressPairs *[]AddressPair
}

var portFinder = finder[Port]{
	what:    "Port",
	name:    func(p *Port) string { return p.Name },
	project: func(p *Port) string { return p.ProjectID },
}

// portView returns a copy of p.
func portView(_ *state, p *Port) Port { return *p.clone() }

func (p *Port) clone() *Port {
	c := *p
	c.FixedIPs = slices.Clone(p.FixedIPs)
	c.SecurityGroupIDs = slices.Clone(p.SecurityGroupIDs)
	c.AllowedAddressPairs = slices.Clone(p.AllowedAddressPairs)
	return &c
}

// portRequest is a port to create, its references resolved.
type portRequest struct {
	id, name, project string
	network           *Network
	fixedIPs          []FixedIPSpec
	securityGroups    []string // refs; nil means the default group
	noSecurityGroups  bool
	pairs             []AddressPair
	mac               string
	deviceID          string
	deviceOwner       string
}

// CreatePort creates a port.
func (c *Cloud) CreatePort(ctx context.Context, spec PortSpec) (Port, error) {
	view := func(st *state, id string) Port { return portView(st, st.ports[id]) }
	return once(ctx, c, KindPort, view, func() (Port, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindPort, OpCreate, spec.Name, project); err != nil {
			return Port{}, err
		}
		var out Port
		err := c.update(ctx, func(tx *txn) error {
			n, err := networkFinder.find(tx.st.networks, spec.Network, project)
			if err != nil {
				return err
			}
			p, err := tx.newPort(portRequest{
				id: newID(), name: spec.Name, project: project, network: n, fixedIPs: spec.FixedIPs,
				securityGroups: spec.SecurityGroups, noSecurityGroups: spec.SecurityGroups != nil && len(spec.SecurityGroups) == 0,
				pairs: spec.AllowedAddressPairs, mac: spec.MACAddress,
			}, true)
			if err != nil {
				return err
			}
			out = *p.clone()
			return tx.claim(KindPort, p.ID)
		})
		return out, err
	})
}

// Port returns a port by ID.
func (c *Cloud) Port(ctx context.Context, id string) (Port, error) {
	return getView(ctx, c, portFinder, func(st *state) map[string]*Port { return st.ports }, id, portView)
}

// Ports lists the ports of a project ("" for all), sorted by ID.
func (c *Cloud) Ports(ctx context.Context, projectID string) ([]Port, error) {
	return list(ctx, c, func(st *state) map[string]*Port { return st.ports }, projectID, portFinder.project, portView)
}

// UpdatePort changes a port's name, security groups or address pairs.
func (c *Cloud) UpdatePort(ctx context.Context, id string, u PortUpdate) (Port, error) {
	var out Port
	err := c.update(ctx, func(tx *txn) error {
		old, err := portFinder.get(tx.st.ports, id, c.scope(ctx))
		if err != nil {
			return err
		}
		p := old.clone()
		if u.Name != nil {
			p.Name = *u.Name
		}
		if u.SecurityGroups != nil {
			if p.SecurityGroupIDs, err = tx.resolveSecurityGroups(p.ProjectID, *u.SecurityGroups, false); err != nil {
				return err
			}
		}
		if u.AllowedAddressPairs != nil {
			if err := checkAddressPairs(*u.AllowedAddressPairs); err != nil {
				return err
			}
			p.AllowedAddressPairs = slices.Clone(*u.AllowedAddressPairs)
		}
		tx.putPort(p)
		out = *p.clone()
		return nil
	})
	return out, err
}

// DeletePort deletes a port, dissociating its floating IPs and detaching
// it from its server. Ports of routers and load balancers are deleted
// with them and give ErrConflict here.
func (c *Cloud) DeletePort(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Port { return st.ports }
	return c.deleteObject(ctx, KindPort, portFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		p := tx.st.ports[id]
		switch p.DeviceOwner {
		case OwnerRouterInterface, OwnerRouterGateway, OwnerOctavia:
			return conflict("Port %s cannot be deleted directly via the port API: has device owner %s.", id, p.DeviceOwner)
		}
		if s := tx.st.servers[p.DeviceID]; s != nil {
			ns := s.clone()
			ns.PortIDs = slices.DeleteFunc(ns.PortIDs, func(x string) bool { return x == id })
			ns.CreatedPortIDs = slices.DeleteFunc(ns.CreatedPortIDs, func(x string) bool { return x == id })
			put(tx, tx.st.servers, KindServer, s.ID, ns, true)
		}
		tx.deletePort(p)
		return nil
	})
}

// newPort creates a port with its addresses and security groups.
func (tx *txn) newPort(req portRequest, persisted bool) (*Port, error) {
	if err := checkAddressPairs(req.pairs); err != nil {
		return nil, err
	}
	mac := req.mac
	if mac == "" {
		mac = randomMAC()
	} else if _, err := net.ParseMAC(mac); err != nil {
		return nil, invalid("Invalid input for mac_address. Reason: '%s' is not a valid MAC address.", mac)
	}
	p := &Port{
		ID: req.id, Name: req.name, ProjectID: req.project, NetworkID: req.network.ID, MACAddress: mac,
		AllowedAddressPairs: slices.Clone(req.pairs), DeviceID: req.deviceID, DeviceOwner: req.deviceOwner,
		Status: "DOWN", CreatedAt: tx.now,
	}
	if p.DeviceID != "" {
		p.Status = "ACTIVE"
	}
	var err error
	if !req.noSecurityGroups {
		if p.SecurityGroupIDs, err = tx.resolveSecurityGroups(req.project, req.securityGroups, req.securityGroups == nil); err != nil {
			return nil, err
		}
	}
	if p.FixedIPs, err = tx.assignAddresses(p.ID, req.network, req.project, req.fixedIPs); err != nil {
		return nil, err
	}
	put(tx, tx.st.ports, KindPort, p.ID, p, persisted)
	tx.linkPort(p)
	return p, nil
}

// putPort stores a changed port and follows its security group changes.
func (tx *txn) putPort(p *Port) {
	if old := tx.st.ports[p.ID]; old != nil {
		tx.unlinkPort(old)
	}
	put(tx, tx.st.ports, KindPort, p.ID, p, true)
	tx.linkPort(p)
}

func (tx *txn) linkPort(p *Port) {
	tx.link(p.NetworkID, KindPort, p.ID)
	for _, sg := range p.SecurityGroupIDs {
		tx.link(sg, KindPort, p.ID)
	}
}

func (tx *txn) unlinkPort(p *Port) {
	tx.unlink(p.NetworkID, KindPort, p.ID)
	for _, sg := range p.SecurityGroupIDs {
		tx.unlink(sg, KindPort, p.ID)
	}
}

// deletePort removes a port, its addresses and its floating IP
// associations.
func (tx *txn) deletePort(p *Port) {
	for _, fid := range tx.st.children(p.ID, KindFloatingIP) {
		tx.dissociate(tx.st.fips[fid])
	}
	for _, ip := range p.FixedIPs {
		tx.releaseAddr(ip.SubnetID, ip.IPAddress)
	}
	tx.unlinkPort(p)
	remove(tx, tx.st.ports, KindPort, p.ID)
}

// assignAddresses gives a port the addresses it asks for, or one address
// of the network's first subnet with room.
func (tx *txn) assignAddresses(owner string, n *Network, project string, specs []FixedIPSpec) ([]FixedIP, error) {
	if len(specs) == 0 {
		subnets := tx.st.children(n.ID, KindSubnet)
		if len(subnets) == 0 {
			return nil, nil
		}
		slices.SortStableFunc(subnets, func(a, b string) int {
			return tx.st.subnets[a].CreatedAt.Compare(tx.st.subnets[b].CreatedAt)
		})
		for _, sid := range subnets {
			if ip, err := tx.allocAddr(sid, owner); err == nil {
				return []FixedIP{ip}, nil
			}
		}
		return nil, &simError{
			msg:   fmt.Sprintf("No more IP addresses available on network %s.", n.ID),
			kinds: []error{ErrAddressExhausted, ErrConflict},
		}
	}
	var out []FixedIP
	for _, spec := range specs {
		ip, err := tx.assignAddress(owner, n, project, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	return out, nil
}

func (tx *txn) assignAddress(owner string, n *Network, project string, spec FixedIPSpec) (FixedIP, error) {
	var sub *Subnet
	if spec.Subnet != "" {
		s, err := tx.st.subnetFinder().find(tx.st.subnets, spec.Subnet, project)
		if err != nil {
			return FixedIP{}, err
		}
		if s.NetworkID != n.ID {
			return FixedIP{}, invalid("Failed to create port on network %s, because fixed_ips included invalid subnet %s.", n.ID, s.ID)
		}
		sub = s
	}
	if spec.IPAddress == "" {
		if sub == nil {
			return FixedIP{}, invalid("Invalid input for fixed_ips: a subnet or an ip_address is required.")
		}
		ip, err := tx.allocAddr(sub.ID, owner)
		if err != nil {
			return FixedIP{}, &simError{
				msg:   fmt.Sprintf("No more IP addresses available for subnet %s.", sub.ID),
				kinds: []error{ErrAddressExhausted, ErrConflict},
			}
		}
		return ip, nil
	}
	addr, err := netip.ParseAddr(spec.IPAddress)
	if err != nil {
		return FixedIP{}, invalid("Invalid input for fixed_ips. Reason: '%s' is not a valid IP address.", spec.IPAddress)
	}
	if sub == nil {
		for _, sid := range tx.st.children(n.ID, KindSubnet) {
			if tx.st.ipam[sid].layout.prefix.Contains(addr) {
				sub = tx.st.subnets[sid]
			}
		}
		if sub == nil {
			return FixedIP{}, invalid("Invalid input for operation: IP address %s is not a valid IP for any of the subnets on the specified network.", addr)
		}
	}
	return tx.takeAddr(sub.ID, addr, owner)
}

// allocAddr takes the next free address of a subnet.
func (tx *txn) allocAddr(subnetID, owner string) (FixedIP, error) {
	pool := tx.st.ipam[subnetID]
	cursor, next := pool.cursor, pool.next
	a, err := pool.allocate(owner)
	if err != nil {
		return FixedIP{}, err
	}
	tx.onUndo(func() {
		pool.release(a)
		pool.cursor, pool.next = cursor, next
	})
	return FixedIP{SubnetID: subnetID, IPAddress: a.String()}, nil
}

// takeAddr claims a given address of a subnet.
func (tx *txn) takeAddr(subnetID string, a netip.Addr, owner string) (FixedIP, error) {
	pool := tx.st.ipam[subnetID]
	switch err := pool.take(a, owner); err {
	case nil:
	case errNotInSubnet:
		return FixedIP{}, invalid("IP address %s does not belong to subnet %s", a, subnetID)
	default:
		return FixedIP{}, conflict("IP address %s already allocated in subnet %s", a, subnetID)
	}
	tx.onUndo(func() { pool.release(a) })
	return FixedIP{SubnetID: subnetID, IPAddress: a.String()}, nil
}

// releaseAddr gives an address back to its subnet.
func (tx *txn) releaseAddr(subnetID, ip string) {
	pool := tx.st.ipam[subnetID]
	a, err := netip.ParseAddr(ip)
	if pool == nil || err != nil {
		return
	}
	owner, ok := pool.used[a]
	if !ok {
		return
	}
	pool.release(a)
	tx.onUndo(func() { pool.mark(a, owner) })
}

func checkAddressPairs(pairs []AddressPair) error {
	for _, p := range pairs {
		_, errPrefix := netip.ParsePrefix(p.IPAddress)
		if _, err := netip.ParseAddr(p.IPAddress); err != nil && errPrefix != nil {
			return invalid("Invalid input for allowed_address_pairs. Reason: '%s' is not a valid IP address or CIDR.", p.IPAddress)
		}
		if _, err := net.ParseMAC(p.MACAddress); p.MACAddress != "" && err != nil {
			return invalid("Invalid input for allowed_address_pairs. Reason: '%s' is not a valid MAC address.", p.MACAddress)
		}
	}
	return nil
}

// randomMAC returns an address with OpenStack's default base fa:16:3e.
func randomMAC() string {
	n := rand.Uint32()
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", byte(n>>16), byte(n>>8), byte(n))
}
