package sim

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"
)

// Network is a Neutron network.
type Network struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ProjectID string    `json:"project_id"`
	Status    string    `json:"status"` // ACTIVE
	External  bool      `json:"router_external"`
	Shared    bool      `json:"shared"`
	MTU       int       `json:"mtu"`
	CreatedAt time.Time `json:"created_at"`
	// SubnetIDs lists the network's subnets, sorted.
	SubnetIDs []string `json:"-"`
	// Catalog marks a network of the catalog, which cannot be deleted.
	Catalog bool `json:"-"`
}

// NetworkSpec asks for a network.
type NetworkSpec struct {
	// ProjectID owns the network; see ServerSpec.ProjectID.
	ProjectID string
	Name      string
	// Shared makes the network usable by every project.
	Shared bool
	// MTU defaults to 1450.
	MTU int
}

// Subnet is a Neutron subnet.
type Subnet struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ProjectID string `json:"project_id"`
	NetworkID string `json:"network_id"`
	CIDR      string `json:"cidr"`
	IPVersion int    `json:"ip_version"`
	// GatewayIP is empty when the subnet has no gateway.
	GatewayIP       string    `json:"gateway_ip"`
	AllocationPools []IPRange `json:"allocation_pools"`
	DNSNameservers  []string  `json:"dns_nameservers"`
	EnableDHCP      bool      `json:"enable_dhcp"`
	CreatedAt       time.Time `json:"created_at"`
	// Catalog marks a subnet of the catalog, which cannot be deleted.
	Catalog bool `json:"-"`
}

// SubnetSpec asks for a subnet.
type SubnetSpec struct {
	ProjectID string
	Name      string
	// Network is the network's name or ID.
	Network string
	CIDR    string
	// GatewayIP defaults to the first address of the CIDR, unless
	// NoGateway is set.
	GatewayIP string
	NoGateway bool
	// AllocationPools default to the CIDR's host addresses but the gateway.
	AllocationPools []IPRange
	DNSNameservers  []string
	// DisableDHCP turns DHCP off (Neutron's enable_dhcp defaults to true).
	DisableDHCP bool
}

// Router is a Neutron router.
type Router struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ProjectID string `json:"project_id"`
	Status    string `json:"status"` // ACTIVE
	// ExternalNetworkID is the network of the gateway; empty without one.
	ExternalNetworkID string `json:"external_network_id"`
	// ExternalFixedIPs are the gateway port's addresses (the SNAT address).
	ExternalFixedIPs []FixedIP `json:"external_fixed_ips"`
	GatewayPortID    string    `json:"gateway_port_id"`
	CreatedAt        time.Time `json:"created_at"`
	// Interfaces are the router's ports on internal subnets, sorted by
	// port ID.
	Interfaces []RouterInterface `json:"-"`
	// Catalog marks a router of the catalog, which cannot be deleted.
	Catalog bool `json:"-"`
}

// RouterSpec asks for a router.
type RouterSpec struct {
	ProjectID string
	Name      string
	// ExternalNetwork (name or ID) gives the router a gateway; empty for
	// none.
	ExternalNetwork string
}

// RouterInterface is a router's port on a subnet; the port's address is
// the subnet's gateway.
type RouterInterface struct {
	RouterID string
	PortID   string
	SubnetID string
}

// RouterInterfaceSpec adds an interface to a router: on a subnet (a new
// port takes the subnet's gateway address) or through an existing port.
type RouterInterfaceSpec struct {
	RouterID string
	// Subnet is a subnet name or ID; set either it or PortID.
	Subnet string
	PortID string
}

// Device owners of the ports the cloud creates itself.
const (
	OwnerRouterInterface = "network:router_interface"
	OwnerRouterGateway   = "network:router_gateway"
	OwnerCompute         = "compute:nova"
	OwnerOctavia         = "Octavia"
)

var (
	networkFinder = finder[Network]{
		what:    "Network",
		name:    func(n *Network) string { return n.Name },
		project: func(n *Network) string { return n.ProjectID },
		shared:  func(n *Network, _ string) bool { return n.Shared || n.External },
	}
	routerFinder = finder[Router]{
		what:    "Router",
		name:    func(r *Router) string { return r.Name },
		project: func(r *Router) string { return r.ProjectID },
	}
)

// subnetFinder sees a subnet when the project sees its network.
func (st *state) subnetFinder() finder[Subnet] {
	return finder[Subnet]{
		what:    "Subnet",
		name:    func(s *Subnet) string { return s.Name },
		project: func(s *Subnet) string { return s.ProjectID },
		shared: func(s *Subnet, p string) bool {
			n := st.networks[s.NetworkID]
			return n != nil && networkFinder.shared(n, p)
		},
	}
}

func (n *Network) clone() *Network {
	c := *n
	c.SubnetIDs = slices.Clone(n.SubnetIDs)
	return &c
}

func (s *Subnet) clone() *Subnet {
	c := *s
	c.AllocationPools = slices.Clone(s.AllocationPools)
	c.DNSNameservers = slices.Clone(s.DNSNameservers)
	return &c
}

func (r *Router) clone() *Router {
	c := *r
	c.ExternalFixedIPs = slices.Clone(r.ExternalFixedIPs)
	c.Interfaces = slices.Clone(r.Interfaces)
	return &c
}

// networkView returns a copy of n with its derived fields.
func (st *state) networkView(n *Network) Network {
	v := n.clone()
	v.SubnetIDs = st.children(n.ID, KindSubnet)
	return *v
}

// routerView returns a copy of r with its interfaces.
func (st *state) routerView(r *Router) Router {
	v := r.clone()
	v.Interfaces = nil
	for _, pid := range st.children(r.ID, KindRouterInterface) {
		p := st.ports[pid]
		v.Interfaces = append(v.Interfaces, RouterInterface{RouterID: r.ID, PortID: pid, SubnetID: p.FixedIPs[0].SubnetID})
	}
	return *v
}

// CreateNetwork creates a network.
func (c *Cloud) CreateNetwork(ctx context.Context, spec NetworkSpec) (Network, error) {
	view := func(st *state, id string) Network { return st.networkView(st.networks[id]) }
	return once(ctx, c, KindNetwork, view, func() (Network, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindNetwork, OpCreate, spec.Name, project); err != nil {
			return Network{}, err
		}
		if spec.MTU < 0 || (spec.MTU > 0 && spec.MTU < 68) {
			return Network{}, invalid("Invalid input for mtu. Reason: %d is not a valid MTU.", spec.MTU)
		}
		var out Network
		err := c.update(ctx, func(tx *txn) error {
			n := &Network{
				ID: newID(), Name: spec.Name, ProjectID: project, Status: "ACTIVE",
				Shared: spec.Shared, MTU: cmp.Or(spec.MTU, defaultMTU), CreatedAt: tx.now,
			}
			put(tx, tx.st.networks, KindNetwork, n.ID, n, true)
			out = tx.st.networkView(n)
			return tx.claim(KindNetwork, n.ID)
		})
		return out, err
	})
}

// NetworkDetail returns a network by name or ID, as the context's project
// sees it (see cloud.WithProject). It is the sim's richer form of Network.
func (c *Cloud) NetworkDetail(ctx context.Context, ref string) (Network, error) {
	var out Network
	err := c.view(ctx, func(st *state) error {
		n, err := networkFinder.find(st.networks, ref, c.scope(ctx))
		if err == nil {
			out = st.networkView(n)
		}
		return err
	})
	return out, err
}

// DeleteNetwork deletes a network and its subnets. It fails with
// ErrConflict while ports remain on it.
func (c *Cloud) DeleteNetwork(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Network { return st.networks }
	return c.deleteObject(ctx, KindNetwork, networkFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		n := tx.st.networks[id]
		if n.Catalog {
			return forbidden("Network %s belongs to the catalog and cannot be deleted.", id)
		}
		if tx.st.hasChildren(id, KindPort) {
			return conflict("Unable to complete operation on network %s. There are one or more ports still in use on the network.", id)
		}
		for _, sid := range tx.st.children(id, KindSubnet) {
			tx.deleteSubnet(tx.st.subnets[sid])
		}
		remove(tx, tx.st.networks, KindNetwork, id)
		return nil
	})
}

// CreateSubnet creates a subnet on a network of the project.
func (c *Cloud) CreateSubnet(ctx context.Context, spec SubnetSpec) (Subnet, error) {
	view := func(st *state, id string) Subnet { return *st.subnets[id].clone() }
	return once(ctx, c, KindSubnet, view, func() (Subnet, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindSubnet, OpCreate, spec.Name, project); err != nil {
			return Subnet{}, err
		}
		layout, err := planSubnet(spec.CIDR, spec.GatewayIP, spec.NoGateway, spec.AllocationPools)
		if err != nil {
			return Subnet{}, invalid("Invalid input for operation: %v.", err)
		}
		var out Subnet
		err = c.update(ctx, func(tx *txn) error {
			n, err := networkFinder.find(tx.st.networks, spec.Network, project)
			if err != nil {
				return err
			}
			if n.ProjectID != project {
				return forbidden("Tenant %s not allowed to create subnet on network %s.", project, n.ID)
			}
			s := &Subnet{
				ID: newID(), Name: spec.Name, ProjectID: project, NetworkID: n.ID,
				DNSNameservers: slices.Clone(spec.DNSNameservers), EnableDHCP: !spec.DisableDHCP, CreatedAt: tx.now,
			}
			layout.applyTo(s)
			if err := tx.addSubnet(s, true); err != nil {
				return err
			}
			out = *s.clone()
			return tx.claim(KindSubnet, s.ID)
		})
		return out, err
	})
}

// addSubnet registers a subnet on its network with its address pool.
func (tx *txn) addSubnet(s *Subnet, persisted bool) error {
	for _, sid := range tx.st.children(s.NetworkID, KindSubnet) {
		if other := tx.st.subnets[sid]; overlaps(other.CIDR, s.CIDR) {
			return invalid("Invalid input for operation: Requested subnet with cidr: %s for network: %s overlaps with another subnet.",
				s.CIDR, s.NetworkID)
		}
	}
	pool, err := newAddrPool(s)
	if err != nil {
		return invalid("Invalid input for operation: %v.", err)
	}
	put(tx, tx.st.subnets, KindSubnet, s.ID, s, persisted)
	put(tx, tx.st.ipam, KindSubnet, s.ID, pool, false)
	tx.link(s.NetworkID, KindSubnet, s.ID)
	return nil
}

// SubnetDetail returns a subnet by name or ID, as the context's project
// sees it.
func (c *Cloud) SubnetDetail(ctx context.Context, ref string) (Subnet, error) {
	var out Subnet
	err := c.view(ctx, func(st *state) error {
		s, err := st.subnetFinder().find(st.subnets, ref, c.scope(ctx))
		if err == nil {
			out = *s.clone()
		}
		return err
	})
	return out, err
}

// DeleteSubnet deletes a subnet. It fails with ErrConflict while a port
// has an address on it.
func (c *Cloud) DeleteSubnet(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Subnet { return st.subnets }
	// c.st never changes; the finder only reads it under the lock.
	describe := c.st.subnetFinder().describer(pick, id, c.scope(ctx))
	return c.deleteObject(ctx, KindSubnet, describe, func(tx *txn) error {
		s := tx.st.subnets[id]
		if s.Catalog {
			return forbidden("Subnet %s belongs to the catalog and cannot be deleted.", id)
		}
		if len(tx.st.ipam[id].used) > 0 {
			return conflict("Unable to complete operation on subnet %s: One or more ports have an IP allocation from this subnet.", id)
		}
		tx.deleteSubnet(s)
		return nil
	})
}

func (tx *txn) deleteSubnet(s *Subnet) {
	remove(tx, tx.st.subnets, KindSubnet, s.ID)
	old := tx.st.ipam[s.ID]
	delete(tx.st.ipam, s.ID)
	tx.onUndo(func() { tx.st.ipam[s.ID] = old })
	tx.unlink(s.NetworkID, KindSubnet, s.ID)
}

// CreateRouter creates a router, with a gateway on an external network
// when ExternalNetwork is set (its address comes from that network).
func (c *Cloud) CreateRouter(ctx context.Context, spec RouterSpec) (Router, error) {
	view := func(st *state, id string) Router { return st.routerView(st.routers[id]) }
	return once(ctx, c, KindRouter, view, func() (Router, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindRouter, OpCreate, spec.Name, project); err != nil {
			return Router{}, err
		}
		var out Router
		err := c.update(ctx, func(tx *txn) error {
			r := &Router{ID: newID(), Name: spec.Name, ProjectID: project, Status: "ACTIVE", CreatedAt: tx.now}
			if err := tx.addRouter(r, spec.ExternalNetwork, true); err != nil {
				return err
			}
			out = tx.st.routerView(r)
			return tx.claim(KindRouter, r.ID)
		})
		return out, err
	})
}

// addRouter stores a router and its gateway port.
func (tx *txn) addRouter(r *Router, external string, persisted bool) error {
	if external != "" {
		n, err := networkFinder.find(tx.st.networks, external, r.ProjectID)
		if err != nil {
			return err
		}
		if !n.External {
			return invalid("Bad router request: Network %s is not an external network.", n.ID)
		}
		id := stableChildID(r, "gateway")
		gw, err := tx.newPort(portRequest{
			// Neutron's gateway ports belong to no project.
			id: id, mac: stableChildMAC(r, id), network: n,
			deviceID: r.ID, deviceOwner: OwnerRouterGateway, noSecurityGroups: true,
		}, persisted)
		if err != nil {
			return err
		}
		r.ExternalNetworkID, r.GatewayPortID, r.ExternalFixedIPs = n.ID, gw.ID, slices.Clone(gw.FixedIPs)
	}
	put(tx, tx.st.routers, KindRouter, r.ID, r, persisted)
	return nil
}

// stableChildID derives the ID of a port the cloud creates for a catalog
// router, so it is the same at every start; other objects get random IDs.
func stableChildID(r *Router, role string) string {
	if r.Catalog {
		return stableID("router-port", r.ID+"/"+role)
	}
	return newID()
}

// stableChildMAC derives the MAC address of a catalog router's port from
// its ID; other ports get a random one.
func stableChildMAC(r *Router, portID string) string {
	if !r.Catalog {
		return ""
	}
	sum := sha256.Sum256([]byte(portID))
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", sum[0], sum[1], sum[2])
}

// Router returns a router by ID.
func (c *Cloud) Router(ctx context.Context, id string) (Router, error) {
	return getView(ctx, c, routerFinder, func(st *state) map[string]*Router { return st.routers }, id, (*state).routerView)
}

// DeleteRouter deletes a router and its gateway. It fails with
// ErrConflict while it has interfaces.
func (c *Cloud) DeleteRouter(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Router { return st.routers }
	return c.deleteObject(ctx, KindRouter, routerFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		r := tx.st.routers[id]
		if r.Catalog {
			return forbidden("Router %s belongs to the catalog and cannot be deleted.", id)
		}
		if tx.st.hasChildren(id, KindRouterInterface) {
			return conflict("Router %s still has ports", id)
		}
		if gw := tx.st.ports[r.GatewayPortID]; gw != nil {
			tx.deletePort(gw)
		}
		remove(tx, tx.st.routers, KindRouter, id)
		return nil
	})
}

// AddRouterInterface plugs a router into a subnet.
func (c *Cloud) AddRouterInterface(ctx context.Context, spec RouterInterfaceSpec) (RouterInterface, error) {
	return once(ctx, c, KindRouterInterface, (*state).routerInterface, func() (RouterInterface, error) {
		var out RouterInterface
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			r, err := routerFinder.get(st.routers, spec.RouterID, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return r.ProjectID, nil
		})
		if err != nil {
			return out, err
		}
		if _, err := c.before(ctx, KindRouterInterface, OpCreate, cmp.Or(spec.Subnet, spec.PortID), project); err != nil {
			return out, err
		}
		err = c.update(ctx, func(tx *txn) error {
			r, err := routerFinder.get(tx.st.routers, spec.RouterID, c.scope(ctx))
			if err != nil {
				return err
			}
			if out, err = tx.addInterface(r, spec, true); err != nil {
				return err
			}
			// The interface's port carries the token.
			return tx.claimIn(KindRouterInterface, out.PortID, KindPort, out.PortID)
		})
		return out, err
	})
}

// routerInterface returns the interface a router has through a port.
func (st *state) routerInterface(portID string) RouterInterface {
	p := st.ports[portID]
	return RouterInterface{RouterID: p.DeviceID, PortID: p.ID, SubnetID: p.FixedIPs[0].SubnetID}
}

func (tx *txn) addInterface(r *Router, spec RouterInterfaceSpec, persisted bool) (RouterInterface, error) {
	var port *Port
	switch {
	case (spec.Subnet == "") == (spec.PortID == ""):
		return RouterInterface{}, invalid("Bad router request: Either subnet_id or port_id must be specified.")
	case spec.Subnet != "":
		s, err := tx.st.subnetFinder().find(tx.st.subnets, spec.Subnet, r.ProjectID)
		if err != nil {
			return RouterInterface{}, err
		}
		if s.GatewayIP == "" {
			return RouterInterface{}, invalid("Bad router request: Subnet %s does not have a gateway IP.", s.ID)
		}
		if err := tx.checkNoInterface(r, s.ID); err != nil {
			return RouterInterface{}, err
		}
		id := stableChildID(r, s.ID)
		port, err = tx.newPort(portRequest{
			id: id, mac: stableChildMAC(r, id), project: r.ProjectID, network: tx.st.networks[s.NetworkID],
			fixedIPs: []FixedIPSpec{{Subnet: s.ID, IPAddress: s.GatewayIP}},
			deviceID: r.ID, deviceOwner: OwnerRouterInterface, noSecurityGroups: true,
		}, persisted)
		if err != nil {
			return RouterInterface{}, err
		}
	default:
		p, err := portFinder.get(tx.st.ports, spec.PortID, r.ProjectID)
		if err != nil {
			return RouterInterface{}, err
		}
		if p.DeviceID != "" {
			return RouterInterface{}, conflict("Port %s is still in use by %s.", p.ID, p.DeviceID)
		}
		if len(p.FixedIPs) == 0 {
			return RouterInterface{}, invalid("Bad router request: Router port must have at least one fixed IP.")
		}
		if err := tx.checkNoInterface(r, p.FixedIPs[0].SubnetID); err != nil {
			return RouterInterface{}, err
		}
		port = p.clone()
		port.DeviceID, port.DeviceOwner, port.Status = r.ID, OwnerRouterInterface, "ACTIVE"
		tx.putPort(port)
	}
	tx.link(r.ID, KindRouterInterface, port.ID)
	tx.link(port.FixedIPs[0].SubnetID, KindRouter, r.ID)
	return RouterInterface{RouterID: r.ID, PortID: port.ID, SubnetID: port.FixedIPs[0].SubnetID}, nil
}

func (tx *txn) checkNoInterface(r *Router, subnetID string) error {
	if _, ok := tx.st.refs[refKey{subnetID, KindRouter}][r.ID]; ok {
		return conflict("Bad router request: Router already has a port on subnet %s.", subnetID)
	}
	return nil
}

// RemoveRouterInterface unplugs a router's interface and deletes its port.
func (c *Cloud) RemoveRouterInterface(ctx context.Context, routerID, portID string) error {
	var name, project string
	err := c.view(ctx, func(st *state) error {
		r, err := routerFinder.get(st.routers, routerID, c.scope(ctx))
		if err == nil {
			name, project = portID, r.ProjectID
		}
		return err
	})
	if err != nil {
		return err
	}
	if _, err := c.before(ctx, KindRouterInterface, OpDelete, name, project); err != nil {
		return err
	}
	return c.update(ctx, func(tx *txn) error {
		if _, err := routerFinder.get(tx.st.routers, routerID, c.scope(ctx)); err != nil {
			return err
		}
		if _, ok := tx.st.refs[refKey{routerID, KindRouterInterface}][portID]; !ok {
			return notFound("Router %s does not have an interface with id %s", routerID, portID)
		}
		p := tx.st.ports[portID]
		tx.unlink(routerID, KindRouterInterface, portID)
		tx.unlink(p.FixedIPs[0].SubnetID, KindRouter, routerID)
		tx.deletePort(p)
		return nil
	})
}
