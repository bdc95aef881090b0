package sim

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
)

// LoadBalancer is an Octavia load balancer.
type LoadBalancer struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ProjectID    string `json:"project_id"`
	Description  string `json:"description"`
	VIPAddress   string `json:"vip_address"`
	VIPPortID    string `json:"vip_port_id"`
	VIPSubnetID  string `json:"vip_subnet_id"`
	VIPNetworkID string `json:"vip_network_id"`
	Provider     string `json:"provider"`
	// ProvisioningStatus is ACTIVE and OperatingStatus ONLINE.
	ProvisioningStatus string    `json:"provisioning_status"`
	OperatingStatus    string    `json:"operating_status"`
	CreatedAt          time.Time `json:"created_at"`
	// ListenerIDs and PoolIDs list the children, sorted.
	ListenerIDs []string `json:"-"`
	PoolIDs     []string `json:"-"`
}

// LoadBalancerSpec asks for a load balancer. Its VIP port is created on
// VIPSubnet (or on VIPNetwork's first subnet), with VIPAddress if given.
type LoadBalancerSpec struct {
	ProjectID   string
	Name        string
	Description string
	VIPSubnet   string
	VIPNetwork  string
	VIPAddress  string
	// Provider defaults to "amphora".
	Provider string
}

// Listener is an Octavia listener.
type Listener struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	ProjectID      string    `json:"project_id"`
	LoadBalancerID string    `json:"loadbalancer_id"`
	Protocol       string    `json:"protocol"`
	ProtocolPort   int       `json:"protocol_port"`
	DefaultPoolID  string    `json:"default_pool_id"`
	AllowedCIDRs   []string  `json:"allowed_cidrs"`
	CreatedAt      time.Time `json:"created_at"`
}

// ListenerSpec asks for a listener. Protocol is TCP, UDP, SCTP, HTTP,
// HTTPS or TERMINATED_HTTPS.
type ListenerSpec struct {
	Name           string
	LoadBalancerID string
	Protocol       string
	ProtocolPort   int
	AllowedCIDRs   []string
}

// Pool is an Octavia pool.
type Pool struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	ProjectID      string    `json:"project_id"`
	LoadBalancerID string    `json:"loadbalancer_id"`
	ListenerID     string    `json:"listener_id"`
	Protocol       string    `json:"protocol"`
	LBAlgorithm    string    `json:"lb_algorithm"`
	CreatedAt      time.Time `json:"created_at"`
	// MemberIDs and HealthMonitorID are the pool's children.
	MemberIDs       []string `json:"-"`
	HealthMonitorID string   `json:"-"`
}

// PoolSpec asks for a pool, the default pool of ListenerID or a pool of
// LoadBalancerID. LBAlgorithm is ROUND_ROBIN (the default),
// LEAST_CONNECTIONS, SOURCE_IP or SOURCE_IP_PORT.
type PoolSpec struct {
	Name           string
	ListenerID     string
	LoadBalancerID string
	Protocol       string
	LBAlgorithm    string
}

// Member is a member of an Octavia pool.
type Member struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	ProjectID    string    `json:"project_id"`
	PoolID       string    `json:"pool_id"`
	Address      string    `json:"address"`
	ProtocolPort int       `json:"protocol_port"`
	SubnetID     string    `json:"subnet_id"`
	Weight       int       `json:"weight"`
	CreatedAt    time.Time `json:"created_at"`
}

// MemberSpec asks for a pool member. Weight defaults to 1 when nil.
type MemberSpec struct {
	PoolID       string
	Name         string
	Address      string
	ProtocolPort int
	// Subnet is a subnet name or ID, optional.
	Subnet string
	Weight *int
}

// HealthMonitor is an Octavia health monitor.
type HealthMonitor struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	ProjectID  string    `json:"project_id"`
	PoolID     string    `json:"pool_id"`
	Type       string    `json:"type"`
	Delay      int       `json:"delay"`
	Timeout    int       `json:"timeout"`
	MaxRetries int       `json:"max_retries"`
	CreatedAt  time.Time `json:"created_at"`
}

// HealthMonitorSpec asks for a pool's health monitor. Type is HTTP,
// HTTPS, PING, TCP, TLS-HELLO, UDP-CONNECT or SCTP.
type HealthMonitorSpec struct {
	PoolID     string
	Name       string
	Type       string
	Delay      int
	Timeout    int
	MaxRetries int
}

var (
	lbFinder = finder[LoadBalancer]{
		what: "Load Balancer", name: func(l *LoadBalancer) string { return l.Name },
		project: func(l *LoadBalancer) string { return l.ProjectID },
	}
	listenerFinder = finder[Listener]{
		what: "Listener", name: func(l *Listener) string { return l.Name },
		project: func(l *Listener) string { return l.ProjectID },
	}
	poolFinder = finder[Pool]{
		what: "Pool", name: func(p *Pool) string { return p.Name },
		project: func(p *Pool) string { return p.ProjectID },
	}
	memberFinder = finder[Member]{
		what: "Member", name: func(m *Member) string { return m.Name },
		project: func(m *Member) string { return m.ProjectID },
	}
	monitorFinder = finder[HealthMonitor]{
		what: "Health Monitor", name: func(h *HealthMonitor) string { return h.Name },
		project: func(h *HealthMonitor) string { return h.ProjectID },
	}
)

func (st *state) lbView(l *LoadBalancer) LoadBalancer {
	v := *l
	v.ListenerIDs = st.children(l.ID, KindListener)
	v.PoolIDs = st.children(l.ID, KindPool)
	return v
}

func (st *state) poolView(p *Pool) Pool {
	v := *p
	v.MemberIDs = st.children(p.ID, KindMember)
	v.HealthMonitorID = ""
	if hm := st.children(p.ID, KindHealthMonitor); len(hm) > 0 {
		v.HealthMonitorID = hm[0]
	}
	return v
}

func listenerView(_ *state, l *Listener) Listener {
	v := *l
	v.AllowedCIDRs = slices.Clone(l.AllowedCIDRs)
	return v
}

// vipDevicePrefix starts the device ID of a load balancer's VIP port; the
// load balancer's ID follows.
const vipDevicePrefix = "lb-"

// CreateLoadBalancer creates a load balancer and its VIP port, within the
// project's load_balancers quota.
func (c *Cloud) CreateLoadBalancer(ctx context.Context, spec LoadBalancerSpec) (LoadBalancer, error) {
	view := func(st *state, id string) LoadBalancer { return st.lbView(st.lbs[id]) }
	return once(ctx, c, KindLoadBalancer, view, func() (LoadBalancer, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindLoadBalancer, OpCreate, spec.Name, project); err != nil {
			return LoadBalancer{}, err
		}
		var out LoadBalancer
		err := c.update(ctx, func(tx *txn) error {
			l, err := tx.createLoadBalancer(project, spec)
			if err != nil {
				return err
			}
			out = tx.st.lbView(l)
			return tx.claim(KindLoadBalancer, l.ID)
		})
		return out, err
	})
}

func (tx *txn) createLoadBalancer(project string, spec LoadBalancerSpec) (*LoadBalancer, error) {
	l := &LoadBalancer{
		ID: newID(), Name: spec.Name, ProjectID: project, Description: spec.Description,
		Provider: cmp.Or(spec.Provider, "amphora"), ProvisioningStatus: "ACTIVE", OperatingStatus: "ONLINE",
		CreatedAt: tx.now,
	}
	var n *Network
	var fixed []FixedIPSpec
	switch {
	case spec.VIPSubnet != "":
		s, err := tx.st.subnetFinder().find(tx.st.subnets, spec.VIPSubnet, project)
		if err != nil {
			return nil, err
		}
		n, fixed = tx.st.networks[s.NetworkID], []FixedIPSpec{{Subnet: s.ID, IPAddress: spec.VIPAddress}}
	case spec.VIPNetwork != "":
		var err error
		if n, err = networkFinder.find(tx.st.networks, spec.VIPNetwork, project); err != nil {
			return nil, err
		}
		if spec.VIPAddress != "" {
			fixed = []FixedIPSpec{{IPAddress: spec.VIPAddress}}
		}
	default:
		return nil, invalid("Validation failure: VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.")
	}
	if err := tx.reserve(project, Usage{LoadBalancers: 1}); err != nil {
		return nil, err
	}
	vip, err := tx.newPort(portRequest{
		id: newID(), name: "octavia-lb-" + l.ID, project: project, network: n, fixedIPs: fixed,
		noSecurityGroups: true, deviceID: vipDevicePrefix + l.ID, deviceOwner: OwnerOctavia,
	}, true)
	if err != nil {
		return nil, err
	}
	if len(vip.FixedIPs) == 0 {
		return nil, invalid("Validation failure: network %s has no subnet for the VIP.", n.ID)
	}
	l.VIPPortID, l.VIPNetworkID = vip.ID, n.ID
	l.VIPSubnetID, l.VIPAddress = vip.FixedIPs[0].SubnetID, vip.FixedIPs[0].IPAddress
	put(tx, tx.st.lbs, KindLoadBalancer, l.ID, l, true)
	return l, nil
}

// ProviderLoadBalancerSpec returns the spec of a load balancer like the
// ones the Kubernetes cloud provider creates for a Service of type
// LoadBalancer in a cluster; CleanupLoadBalancers(clusterUUID) deletes
// them. service is "namespace/name".
func ProviderLoadBalancerSpec(projectID, clusterUUID, service, vipSubnet string) LoadBalancerSpec {
	return LoadBalancerSpec{
		ProjectID:   projectID,
		Name:        "kube_service_" + clusterUUID + "_" + strings.ReplaceAll(service, "/", "_"),
		Description: fmt.Sprintf("Kubernetes external service %s from cluster %s", service, clusterUUID),
		VIPSubnet:   vipSubnet,
	}
}

// LoadBalancer returns a load balancer by ID.
func (c *Cloud) LoadBalancer(ctx context.Context, id string) (LoadBalancer, error) {
	return getView(ctx, c, lbFinder, func(st *state) map[string]*LoadBalancer { return st.lbs }, id, (*state).lbView)
}

// LoadBalancers lists the load balancers of a project ("" for all).
func (c *Cloud) LoadBalancers(ctx context.Context, projectID string) ([]LoadBalancer, error) {
	return list(ctx, c, func(st *state) map[string]*LoadBalancer { return st.lbs }, projectID, lbFinder.project,
		(*state).lbView)
}

// DeleteLoadBalancer deletes a load balancer without children (listeners
// or pools); with children it fails with ErrConflict.
func (c *Cloud) DeleteLoadBalancer(ctx context.Context, id string) error {
	return c.deleteLoadBalancer(ctx, id, false, false)
}

// DeleteLoadBalancerCascade deletes a load balancer with its listeners,
// pools, members and health monitors.
func (c *Cloud) DeleteLoadBalancerCascade(ctx context.Context, id string) error {
	return c.deleteLoadBalancer(ctx, id, true, false)
}

func (c *Cloud) deleteLoadBalancer(ctx context.Context, id string, cascade, releaseVIPFloatingIPs bool) error {
	pick := func(st *state) map[string]*LoadBalancer { return st.lbs }
	return c.deleteObject(ctx, KindLoadBalancer, lbFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		l := tx.st.lbs[id]
		if !cascade && (tx.st.hasChildren(id, KindListener) || tx.st.hasChildren(id, KindPool)) {
			return conflict("Cannot delete Load Balancer %s - it has children", id)
		}
		for _, pid := range tx.st.children(id, KindPool) {
			tx.deletePool(tx.st.pools[pid])
		}
		for _, lid := range tx.st.children(id, KindListener) {
			tx.unlink(id, KindListener, lid)
			remove(tx, tx.st.listeners, KindListener, lid)
		}
		if releaseVIPFloatingIPs {
			for _, fid := range tx.st.children(l.VIPPortID, KindFloatingIP) {
				tx.releaseFloatingIP(tx.st.fips[fid])
			}
		}
		if p := tx.st.ports[l.VIPPortID]; p != nil {
			tx.deletePort(p)
		}
		tx.charge(l.ProjectID, Usage{LoadBalancers: -1})
		remove(tx, tx.st.lbs, KindLoadBalancer, id)
		return nil
	})
}

// CleanupLoadBalancers deletes, with their children and the floating IPs
// of their VIPs, the load balancers whose description says the cluster's
// cloud provider created them ("Kubernetes ... from cluster <uuid>"), as
// Magnum does before deleting a cluster. Each delete waits the load
// balancer delete delay; an injected delete fault fails the cleanup.
func (c *Cloud) CleanupLoadBalancers(ctx context.Context, clusterUUID string) error {
	if clusterUUID == "" {
		return invalid("a cluster UUID is required")
	}
	re := regexp.MustCompile(`Kubernetes .+ from cluster ` + regexp.QuoteMeta(clusterUUID))
	var ids []string
	err := c.view(ctx, func(st *state) error {
		for id, l := range st.lbs {
			if re.MatchString(l.Description) {
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := c.deleteLoadBalancer(ctx, id, true, true); err != nil && !isNotFound(err) {
			return fmt.Errorf("delete load balancer %s of cluster %s: %w", id, clusterUUID, err)
		}
	}
	return nil
}

var listenerProtocols = []string{"TCP", "UDP", "SCTP", "HTTP", "HTTPS", "TERMINATED_HTTPS"}

// CreateListener adds a listener to a load balancer.
func (c *Cloud) CreateListener(ctx context.Context, spec ListenerSpec) (Listener, error) {
	view := func(st *state, id string) Listener { return listenerView(st, st.listeners[id]) }
	return once(ctx, c, KindListener, view, func() (Listener, error) {
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			l, err := lbFinder.get(st.lbs, spec.LoadBalancerID, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return l.ProjectID, nil
		})
		if err != nil {
			return Listener{}, err
		}
		if _, err := c.before(ctx, KindListener, OpCreate, spec.Name, project); err != nil {
			return Listener{}, err
		}
		if err := checkListener(spec); err != nil {
			return Listener{}, err
		}
		var out Listener
		err = c.update(ctx, func(tx *txn) error {
			l, err := lbFinder.get(tx.st.lbs, spec.LoadBalancerID, c.scope(ctx))
			if err != nil {
				return err
			}
			for _, lid := range tx.st.children(l.ID, KindListener) {
				if o := tx.st.listeners[lid]; o.ProtocolPort == spec.ProtocolPort && o.Protocol == spec.Protocol {
					return conflict("Another Listener on this Load Balancer is already using protocol %s and protocol_port %d",
						spec.Protocol, spec.ProtocolPort)
				}
			}
			li := &Listener{ID: newID(), Name: spec.Name, ProjectID: l.ProjectID, LoadBalancerID: l.ID,
				Protocol: spec.Protocol, ProtocolPort: spec.ProtocolPort, AllowedCIDRs: slices.Clone(spec.AllowedCIDRs),
				CreatedAt: tx.now}
			put(tx, tx.st.listeners, KindListener, li.ID, li, true)
			tx.link(l.ID, KindListener, li.ID)
			out = listenerView(tx.st, li)
			return tx.claim(KindListener, li.ID)
		})
		return out, err
	})
}

func checkListener(spec ListenerSpec) error {
	if !slices.Contains(listenerProtocols, spec.Protocol) {
		return invalid("Invalid input for field/attribute protocol. Value: '%s'. Value should be one of: %s",
			spec.Protocol, strings.Join(listenerProtocols, ", "))
	}
	if spec.ProtocolPort < 1 || spec.ProtocolPort > 65535 {
		return invalid("Invalid input for field/attribute protocol_port. Value: '%d'. Value should be between 1 and 65535.",
			spec.ProtocolPort)
	}
	for _, cidr := range spec.AllowedCIDRs {
		if _, err := netip.ParsePrefix(cidr); err != nil {
			return invalid("Validation failure: %s is not a valid CIDR.", cidr)
		}
	}
	return nil
}

// Listener returns a listener by ID.
func (c *Cloud) Listener(ctx context.Context, id string) (Listener, error) {
	return getView(ctx, c, listenerFinder, func(st *state) map[string]*Listener { return st.listeners }, id, listenerView)
}

// DeleteListener deletes a listener; its default pool stays, detached.
func (c *Cloud) DeleteListener(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Listener { return st.listeners }
	return c.deleteObject(ctx, KindListener, listenerFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		li := tx.st.listeners[id]
		if p := tx.st.pools[li.DefaultPoolID]; p != nil {
			np := *p
			np.ListenerID = ""
			put(tx, tx.st.pools, KindPool, p.ID, &np, true)
		}
		tx.unlink(li.LoadBalancerID, KindListener, id)
		remove(tx, tx.st.listeners, KindListener, id)
		return nil
	})
}

var lbAlgorithms = []string{"ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP", "SOURCE_IP_PORT"}

// CreatePool creates a pool on a listener (as its default pool) or on a
// load balancer.
func (c *Cloud) CreatePool(ctx context.Context, spec PoolSpec) (Pool, error) {
	view := func(st *state, id string) Pool { return st.poolView(st.pools[id]) }
	return once(ctx, c, KindPool, view, func() (Pool, error) {
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			l, _, err := st.poolParent(spec, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return l.ProjectID, nil
		})
		if err != nil {
			return Pool{}, err
		}
		if _, err := c.before(ctx, KindPool, OpCreate, spec.Name, project); err != nil {
			return Pool{}, err
		}
		spec.LBAlgorithm = cmp.Or(spec.LBAlgorithm, "ROUND_ROBIN")
		if !slices.Contains(lbAlgorithms, spec.LBAlgorithm) {
			return Pool{}, invalid("Invalid input for field/attribute lb_algorithm. Value: '%s'. Value should be one of: %s",
				spec.LBAlgorithm, strings.Join(lbAlgorithms, ", "))
		}
		if !slices.Contains([]string{"TCP", "UDP", "SCTP", "HTTP", "HTTPS", "PROXY", "PROXYV2"}, spec.Protocol) {
			return Pool{}, invalid("Invalid input for field/attribute protocol. Value: '%s'.", spec.Protocol)
		}
		var out Pool
		err = c.update(ctx, func(tx *txn) error {
			l, li, err := tx.st.poolParent(spec, c.scope(ctx))
			if err != nil {
				return err
			}
			p := &Pool{ID: newID(), Name: spec.Name, ProjectID: l.ProjectID, LoadBalancerID: l.ID,
				Protocol: spec.Protocol, LBAlgorithm: spec.LBAlgorithm, CreatedAt: tx.now}
			if li != nil {
				if li.DefaultPoolID != "" {
					return conflict("Listener %s already has default pool %s.", li.ID, li.DefaultPoolID)
				}
				p.ListenerID = li.ID
				nli := *li
				nli.DefaultPoolID = p.ID
				put(tx, tx.st.listeners, KindListener, li.ID, &nli, true)
			}
			put(tx, tx.st.pools, KindPool, p.ID, p, true)
			tx.link(l.ID, KindPool, p.ID)
			out = tx.st.poolView(p)
			return tx.claim(KindPool, p.ID)
		})
		return out, err
	})
}

// poolParent finds the load balancer (and listener) of a pool spec.
func (st *state) poolParent(spec PoolSpec, scope string) (*LoadBalancer, *Listener, error) {
	switch {
	case spec.ListenerID != "":
		li, err := listenerFinder.get(st.listeners, spec.ListenerID, scope)
		if err != nil {
			return nil, nil, err
		}
		return st.lbs[li.LoadBalancerID], li, nil
	case spec.LoadBalancerID != "":
		l, err := lbFinder.get(st.lbs, spec.LoadBalancerID, scope)
		return l, nil, err
	default:
		return nil, nil, invalid("Validation failure: A listener or load balancer must be specified.")
	}
}

// Pool returns a pool by ID.
func (c *Cloud) Pool(ctx context.Context, id string) (Pool, error) {
	return getView(ctx, c, poolFinder, func(st *state) map[string]*Pool { return st.pools }, id, (*state).poolView)
}

// DeletePool deletes a pool with its members and health monitor.
func (c *Cloud) DeletePool(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Pool { return st.pools }
	return c.deleteObject(ctx, KindPool, poolFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		tx.deletePool(tx.st.pools[id])
		return nil
	})
}

func (tx *txn) deletePool(p *Pool) {
	for _, mid := range tx.st.children(p.ID, KindMember) {
		tx.unlink(p.ID, KindMember, mid)
		remove(tx, tx.st.members, KindMember, mid)
	}
	for _, hid := range tx.st.children(p.ID, KindHealthMonitor) {
		tx.unlink(p.ID, KindHealthMonitor, hid)
		remove(tx, tx.st.monitors, KindHealthMonitor, hid)
	}
	if li := tx.st.listeners[p.ListenerID]; li != nil {
		nli := *li
		nli.DefaultPoolID = ""
		put(tx, tx.st.listeners, KindListener, li.ID, &nli, true)
	}
	tx.unlink(p.LoadBalancerID, KindPool, p.ID)
	remove(tx, tx.st.pools, KindPool, p.ID)
}

// CreateMember adds a member to a pool.
func (c *Cloud) CreateMember(ctx context.Context, spec MemberSpec) (Member, error) {
	view := func(st *state, id string) Member { return *st.members[id] }
	return once(ctx, c, KindMember, view, func() (Member, error) {
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			p, err := poolFinder.get(st.pools, spec.PoolID, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return p.ProjectID, nil
		})
		if err != nil {
			return Member{}, err
		}
		if _, err := c.before(ctx, KindMember, OpCreate, spec.Name, project); err != nil {
			return Member{}, err
		}
		weight := 1
		if spec.Weight != nil {
			weight = *spec.Weight
		}
		if err := checkMember(spec, weight); err != nil {
			return Member{}, err
		}
		var out Member
		err = c.update(ctx, func(tx *txn) error {
			p, err := poolFinder.get(tx.st.pools, spec.PoolID, c.scope(ctx))
			if err != nil {
				return err
			}
			for _, mid := range tx.st.children(p.ID, KindMember) {
				if o := tx.st.members[mid]; o.Address == spec.Address && o.ProtocolPort == spec.ProtocolPort {
					return conflict("Another member on this pool is already using ip %s on protocol_port %d",
						spec.Address, spec.ProtocolPort)
				}
			}
			m := &Member{ID: newID(), Name: spec.Name, ProjectID: p.ProjectID, PoolID: p.ID, Address: spec.Address,
				ProtocolPort: spec.ProtocolPort, Weight: weight, CreatedAt: tx.now}
			if spec.Subnet != "" {
				s, err := tx.st.subnetFinder().find(tx.st.subnets, spec.Subnet, p.ProjectID)
				if err != nil {
					return err
				}
				m.SubnetID = s.ID
			}
			put(tx, tx.st.members, KindMember, m.ID, m, true)
			tx.link(p.ID, KindMember, m.ID)
			out = *m
			return tx.claim(KindMember, m.ID)
		})
		return out, err
	})
}

func checkMember(spec MemberSpec, weight int) error {
	if _, err := netip.ParseAddr(spec.Address); err != nil {
		return invalid("Invalid input for field/attribute address. Value: '%s'. Value should be IPv4 or IPv6 format",
			spec.Address)
	}
	if spec.ProtocolPort < 1 || spec.ProtocolPort > 65535 {
		return invalid("Invalid input for field/attribute protocol_port. Value: '%d'. Value should be between 1 and 65535.",
			spec.ProtocolPort)
	}
	if weight < 0 || weight > 256 {
		return invalid("Invalid input for field/attribute weight. Value: '%d'. Value should be between 0 and 256.", weight)
	}
	return nil
}

// Member returns a pool member by ID.
func (c *Cloud) Member(ctx context.Context, id string) (Member, error) {
	return getView(ctx, c, memberFinder, func(st *state) map[string]*Member { return st.members }, id,
		copyOf[Member])
}

// DeleteMember removes a member from its pool.
func (c *Cloud) DeleteMember(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Member { return st.members }
	return c.deleteObject(ctx, KindMember, memberFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		tx.unlink(tx.st.members[id].PoolID, KindMember, id)
		remove(tx, tx.st.members, KindMember, id)
		return nil
	})
}

var monitorTypes = []string{"HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO", "UDP-CONNECT", "SCTP"}

// CreateHealthMonitor gives a pool its health monitor.
func (c *Cloud) CreateHealthMonitor(ctx context.Context, spec HealthMonitorSpec) (HealthMonitor, error) {
	view := func(st *state, id string) HealthMonitor { return *st.monitors[id] }
	return once(ctx, c, KindHealthMonitor, view, func() (HealthMonitor, error) {
		project, err := c.childOf(ctx, func(st *state) (string, error) {
			p, err := poolFinder.get(st.pools, spec.PoolID, c.scope(ctx))
			if err != nil {
				return "", err
			}
			return p.ProjectID, nil
		})
		if err != nil {
			return HealthMonitor{}, err
		}
		if _, err := c.before(ctx, KindHealthMonitor, OpCreate, spec.Name, project); err != nil {
			return HealthMonitor{}, err
		}
		switch {
		case !slices.Contains(monitorTypes, spec.Type):
			return HealthMonitor{}, invalid("Invalid input for field/attribute type. Value: '%s'. Value should be one of: %s",
				spec.Type, strings.Join(monitorTypes, ", "))
		case spec.Delay < 1 || spec.Timeout < 1:
			return HealthMonitor{}, invalid("Validation failure: delay and timeout must be positive.")
		case spec.MaxRetries < 1 || spec.MaxRetries > 10:
			return HealthMonitor{}, invalid("Invalid input for field/attribute max_retries. Value: '%d'. Value should be between 1 and 10.",
				spec.MaxRetries)
		}
		var out HealthMonitor
		err = c.update(ctx, func(tx *txn) error {
			p, err := poolFinder.get(tx.st.pools, spec.PoolID, c.scope(ctx))
			if err != nil {
				return err
			}
			if tx.st.hasChildren(p.ID, KindHealthMonitor) {
				return conflict("This pool already has a health monitor")
			}
			h := &HealthMonitor{ID: newID(), Name: spec.Name, ProjectID: p.ProjectID, PoolID: p.ID, Type: spec.Type,
				Delay: spec.Delay, Timeout: spec.Timeout, MaxRetries: spec.MaxRetries, CreatedAt: tx.now}
			put(tx, tx.st.monitors, KindHealthMonitor, h.ID, h, true)
			tx.link(p.ID, KindHealthMonitor, h.ID)
			out = *h
			return tx.claim(KindHealthMonitor, h.ID)
		})
		return out, err
	})
}

// HealthMonitor returns a health monitor by ID.
func (c *Cloud) HealthMonitor(ctx context.Context, id string) (HealthMonitor, error) {
	return getView(ctx, c, monitorFinder, func(st *state) map[string]*HealthMonitor { return st.monitors }, id,
		copyOf[HealthMonitor])
}

// DeleteHealthMonitor deletes a health monitor.
func (c *Cloud) DeleteHealthMonitor(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*HealthMonitor { return st.monitors }
	return c.deleteObject(ctx, KindHealthMonitor, monitorFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		tx.unlink(tx.st.monitors[id].PoolID, KindHealthMonitor, id)
		remove(tx, tx.st.monitors, KindHealthMonitor, id)
		return nil
	})
}
