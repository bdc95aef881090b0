package sim

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"time"
)

// Server is a Nova server. Servers the sim cannot schedule are never
// stored: CreateServer returns the error instead, so every stored server is
// ACTIVE.
type Server struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	ProjectID string `json:"project_id"`
	UserID    string `json:"user_id"`
	// Status is ACTIVE.
	Status string `json:"status"`
	// ImageID is empty for a server booted from a volume without image.
	ImageID  string `json:"image_id"`
	FlavorID string `json:"flavor_id"`
	KeyName  string `json:"key_name"`
	// UserData is stored apart from the server (userdata.go): Server,
	// CreateServer and UpdateServer fill it in, Servers leaves it empty.
	UserData         string            `json:"user_data"`
	Metadata         map[string]string `json:"metadata"`
	SecurityGroupIDs []string          `json:"security_groups"`
	ServerGroupID    string            `json:"server_group_id"`
	AvailabilityZone string            `json:"availability_zone"`
	// PortIDs are the server's ports in NIC order.
	PortIDs []string `json:"port_ids"`
	// CreatedPortIDs are the ports Nova created for the server (from a
	// network rather than a given port); they are deleted with it.
	CreatedPortIDs []string  `json:"created_port_ids"`
	Boot           Boot      `json:"boot"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// NotReady marks a guest its COE sees as not ready (SetNodeReady).
	NotReady bool `json:"not_ready,omitempty"`
	// Addresses are the fixed and floating addresses, port by port.
	Addresses []Address `json:"-"`
	// VolumeIDs are the attached volumes, boot volume first.
	VolumeIDs []string `json:"-"`
}

// Boot is the simulated boot of a server's guest.
type Boot struct {
	// DoneAt is when the guest finishes booting (and would signal its
	// WaitConditions): creation (or rebuild) time plus Delays.Boot.
	DoneAt  time.Time   `json:"done_at"`
	Outcome BootOutcome `json:"outcome"`
	// Reason explains a failed boot.
	Reason string `json:"reason,omitempty"`
}

// BootOutcome is how a guest's boot ends.
type BootOutcome string

// Boot outcomes.
const (
	BootOK     BootOutcome = "ok"
	BootFailed BootOutcome = "failed"
	// BootSilent: the guest never reports (EffectNoSignal).
	BootSilent BootOutcome = "silent"
)

// Address is an address of a server, as in Nova's addresses attribute.
type Address struct {
	NetworkID   string
	NetworkName string
	Addr        string
	Version     int
	// Type is "fixed" or "floating".
	Type   string
	MAC    string
	PortID string
}

// FirstAddress returns the first fixed address of the server's first
// port (Heat's first_address), or "".
func (s Server) FirstAddress() string {
	for _, a := range s.Addresses {
		if a.Type == "fixed" {
			return a.Addr
		}
	}
	return ""
}

// Networks maps each network's name and ID to the server's addresses on
// it, fixed then floating (Heat's networks attribute).
func (s Server) Networks() map[string][]string {
	out := map[string][]string{}
	for _, a := range s.Addresses {
		if a.NetworkName != "" {
			out[a.NetworkName] = append(out[a.NetworkName], a.Addr)
		}
		out[a.NetworkID] = append(out[a.NetworkID], a.Addr)
	}
	return out
}

// ServerSpec asks for a server.
type ServerSpec struct {
	// ProjectID owns the server. When empty, the project of the context
	// (cloud.WithProject) is used, else the catalog's default project. The
	// same rule holds for every spec of the package.
	ProjectID string
	// UserID owns KeyName; the catalog's default user when empty.
	UserID string
	Name   string
	// Image is a name or ID; it may be empty when a block device with
	// boot index 0 is given.
	Image string
	// Flavor is a name or ID.
	Flavor   string
	KeyName  string
	UserData string
	Metadata map[string]string
	// Networks are the NICs in order; none gives a server without network.
	Networks []NIC
	// SecurityGroups apply to the ports Nova creates; nil means the
	// project's "default" group.
	SecurityGroups []string
	// ServerGroup is the ID of the server group to join.
	ServerGroup      string
	BlockDevices     []BlockDevice
	AvailabilityZone string
}

// NIC is one network interface of a server: an existing port, or a new
// port on a network (optionally on a given subnet or with a given address).
type NIC struct {
	Port    string
	Network string
	Subnet  string
	FixedIP string
}

// BlockDevice attaches an existing volume at boot. BootIndex 0 is the
// boot disk; -1 is a data disk.
type BlockDevice struct {
	VolumeID            string
	BootIndex           int
	DeleteOnTermination bool
	// Device defaults to the next free /dev/vdX.
	Device string
}

// ServerUpdate changes a server; zero fields are kept.
type ServerUpdate struct {
	Name *string
	// Metadata replaces the metadata when non-nil.
	Metadata map[string]string
	// Flavor resizes the server (quota permitting).
	Flavor string
	// Image rebuilds the server: its guest boots again.
	Image string
	// UserData, with Image, is the user data of the rebuilt server.
	UserData *string
}

// ServerGroup is a Nova server group.
type ServerGroup struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ProjectID string    `json:"project_id"`
	Policy    string    `json:"policy"`
	CreatedAt time.Time `json:"created_at"`
	// Members are the IDs of the group's servers, sorted.
	Members []string `json:"-"`
}

// ServerGroupSpec asks for a server group. Policy is one of affinity,
// anti-affinity, soft-affinity and soft-anti-affinity.
type ServerGroupSpec struct {
	ProjectID string
	Name      string
	Policy    string
}

var (
	serverFinder = finder[Server]{
		what:    "Instance",
		name:    func(s *Server) string { return s.Name },
		project: func(s *Server) string { return s.ProjectID },
	}
	groupFinder = finder[ServerGroup]{
		what:    "Server group",
		name:    func(g *ServerGroup) string { return g.Name },
		project: func(g *ServerGroup) string { return g.ProjectID },
	}
)

func (s *Server) clone() *Server {
	c := *s
	c.Metadata = maps.Clone(s.Metadata)
	c.SecurityGroupIDs = slices.Clone(s.SecurityGroupIDs)
	c.PortIDs = slices.Clone(s.PortIDs)
	c.CreatedPortIDs = slices.Clone(s.CreatedPortIDs)
	c.Addresses = slices.Clone(s.Addresses)
	c.VolumeIDs = slices.Clone(s.VolumeIDs)
	return &c
}

// serverView returns a copy of s with its addresses and volumes.
func (st *state) serverView(s *Server) Server {
	v := s.clone()
	v.Addresses = nil
	for _, pid := range s.PortIDs {
		p := st.ports[pid]
		if p == nil {
			continue
		}
		name := ""
		if n := st.networks[p.NetworkID]; n != nil {
			name = n.Name
		}
		for _, ip := range p.FixedIPs {
			v.Addresses = append(v.Addresses, address(p, name, ip.IPAddress, "fixed"))
		}
		for _, f := range st.floatingAddresses(p.ID) {
			v.Addresses = append(v.Addresses, address(p, name, f.FloatingIPAddress, "floating"))
		}
	}
	atts := st.attachmentsOf(s.ID, kindServerAttachments)
	v.VolumeIDs = make([]string, len(atts))
	for i, a := range atts {
		v.VolumeIDs[i] = a.VolumeID
	}
	return *v
}

func address(p *Port, network, addr, typ string) Address {
	a, _ := netip.ParseAddr(addr)
	version := 4
	if a.Is6() {
		version = 6
	}
	return Address{NetworkID: p.NetworkID, NetworkName: network, Addr: addr, Version: version,
		Type: typ, MAC: p.MACAddress, PortID: p.ID}
}

// CreateServer creates a server: it waits the server create delay, checks
// the injected faults, resolves image, flavor, keypair, networks, security
// groups and volumes, charges the project's instances, cores and RAM
// quota, and creates the ports of its NICs. The server comes back ACTIVE;
// its guest boots in the background (see WaitBooted).
func (c *Cloud) CreateServer(ctx context.Context, spec ServerSpec) (Server, error) {
	view := func(st *state, id string) Server { return st.serverView(st.servers[id]) }
	srv, err := once(ctx, c, KindServer, view, func() (Server, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		fault, err := c.before(ctx, KindServer, OpCreate, spec.Name, project)
		if err != nil {
			return Server{}, err
		}
		boot := Boot{DoneAt: c.clock.Now().UTC().Add(c.delays.Load().Boot), Outcome: BootOK}
		if fault != nil {
			switch fault.Effect {
			case EffectNoValidHost:
				return Server{}, &simError{msg: "No valid host was found. There are not enough hosts available.",
					kinds: []error{ErrNoValidHost}}
			case EffectImageNotFound:
				return Server{}, notFound("Image %s could not be found.", spec.Image)
			case EffectBootFailure:
				boot.Outcome, boot.Reason = BootFailed, cmp.Or(fault.Message, "The guest failed to boot.")
			case EffectNoSignal:
				boot.Outcome = BootSilent
			}
		}
		var out Server
		err = c.update(ctx, func(tx *txn) error {
			s, err := tx.createServer(project, spec, boot)
			if err != nil {
				return err
			}
			out = tx.st.serverView(s)
			return tx.claim(KindServer, s.ID)
		})
		return out, err
	})
	if err != nil {
		return Server{}, err
	}
	return c.withUserData(ctx, srv)
}

func (tx *txn) createServer(project string, spec ServerSpec, boot Boot) (*Server, error) {
	s := &Server{
		ID: newID(), Name: spec.Name, ProjectID: project, UserID: cmp.Or(spec.UserID, tx.c.cat.defaultUser),
		Status: "ACTIVE", KeyName: spec.KeyName, UserData: spec.UserData, Metadata: maps.Clone(spec.Metadata),
		AvailabilityZone: cmp.Or(spec.AvailabilityZone, "nova"), Boot: boot, CreatedAt: tx.now, UpdatedAt: tx.now,
	}
	flavor, err := tx.c.lookupFlavor(project, spec.Flavor)
	if err != nil {
		return nil, err
	}
	s.FlavorID = flavor.ID
	if err := tx.resolveBootSource(s, spec); err != nil {
		return nil, err
	}
	if spec.KeyName != "" {
		if _, err := tx.c.lookupKeypair(s.UserID, spec.KeyName); err != nil {
			return nil, err
		}
	}
	if err := tx.reserve(project, Usage{Instances: 1, Cores: flavor.VCPUs, RAMMiB: flavor.RAMMiB}); err != nil {
		return nil, err
	}
	if s.SecurityGroupIDs, err = tx.resolveSecurityGroups(project, spec.SecurityGroups, true); err != nil {
		return nil, err
	}
	if spec.ServerGroup != "" {
		g, err := groupFinder.get(tx.st.groups, spec.ServerGroup, project)
		if err != nil {
			return nil, err
		}
		s.ServerGroupID = g.ID
		tx.link(g.ID, KindServer, s.ID)
	}
	for i, nic := range spec.Networks {
		if err := tx.plugNIC(s, nic); err != nil {
			return nil, fmt.Errorf("networks[%d]: %w", i, err)
		}
	}
	for _, bd := range spec.BlockDevices {
		if _, err := tx.attach(s, bd.VolumeID, bd.Device, bd.DeleteOnTermination); err != nil {
			return nil, err
		}
	}
	// Stored after the ports and attachments made for it, before the
	// existing ports bound to it (see repair).
	tx.putUserData(s)
	put(tx, tx.st.servers, KindServer, s.ID, s, true)
	gone := make(chan struct{})
	tx.st.gone[s.ID] = gone
	tx.onUndo(func() { delete(tx.st.gone, s.ID) })
	return s, nil
}

// resolveBootSource sets the server's image from Image or from its boot
// volume.
func (tx *txn) resolveBootSource(s *Server, spec ServerSpec) error {
	var bootVolume string
	for _, bd := range spec.BlockDevices {
		if bd.BootIndex == 0 {
			bootVolume = bd.VolumeID
		}
	}
	switch {
	case spec.Image != "":
		im, err := tx.c.lookupImage(s.ProjectID, spec.Image)
		if err != nil {
			return err
		}
		s.ImageID = im.ID
	case bootVolume != "":
		v, err := volumeFinder.get(tx.st.volumes, bootVolume, s.ProjectID)
		if err != nil {
			return err
		}
		s.ImageID = v.ImageID
	default:
		return invalid("Missing imageRef attribute")
	}
	return nil
}

// plugNIC gives the server a port: the NIC's own, or a new one.
func (tx *txn) plugNIC(s *Server, nic NIC) error {
	if nic.Port != "" {
		p, err := portFinder.get(tx.st.ports, nic.Port, s.ProjectID)
		if err != nil {
			return err
		}
		if p.DeviceID != "" {
			return conflict("Port %s is still in use.", p.ID)
		}
		np := p.clone()
		np.DeviceID, np.DeviceOwner, np.Status = s.ID, OwnerCompute, "ACTIVE"
		tx.putPort(np)
		tx.writeLast(KindPort, p.ID)
		s.PortIDs = append(s.PortIDs, p.ID)
		return nil
	}
	netRef := nic.Network
	var fixed []FixedIPSpec
	if nic.Subnet != "" || nic.FixedIP != "" {
		fixed = []FixedIPSpec{{Subnet: nic.Subnet, IPAddress: nic.FixedIP}}
	}
	if netRef == "" && nic.Subnet != "" {
		sub, err := tx.st.subnetFinder().find(tx.st.subnets, nic.Subnet, s.ProjectID)
		if err != nil {
			return err
		}
		netRef = sub.NetworkID
	}
	if netRef == "" {
		return invalid("Bad networks format: a port, network or subnet is required.")
	}
	n, err := networkFinder.find(tx.st.networks, netRef, s.ProjectID)
	if err != nil {
		return err
	}
	p, err := tx.newPort(portRequest{
		id: newID(), project: s.ProjectID, network: n, fixedIPs: fixed,
		securityGroups: s.SecurityGroupIDs, noSecurityGroups: len(s.SecurityGroupIDs) == 0,
		deviceID: s.ID, deviceOwner: OwnerCompute,
	}, true)
	if err != nil {
		return err
	}
	s.PortIDs = append(s.PortIDs, p.ID)
	s.CreatedPortIDs = append(s.CreatedPortIDs, p.ID)
	return nil
}

// Server returns a server by ID.
func (c *Cloud) Server(ctx context.Context, id string) (Server, error) {
	s, err := getView(ctx, c, serverFinder, func(st *state) map[string]*Server { return st.servers }, id, (*state).serverView)
	if err != nil {
		return Server{}, err
	}
	return c.withUserData(ctx, s)
}

// Servers lists the servers of a project ("" for all), sorted by ID.
func (c *Cloud) Servers(ctx context.Context, projectID string) ([]Server, error) {
	return list(ctx, c, func(st *state) map[string]*Server { return st.servers }, projectID, serverFinder.project,
		(*state).serverView)
}

// UpdateServer renames, re-tags, resizes or rebuilds a server.
func (c *Cloud) UpdateServer(ctx context.Context, id string, u ServerUpdate) (Server, error) {
	bootDelay := c.delays.Load().Boot
	var out Server
	err := c.update(ctx, func(tx *txn) error {
		old, err := serverFinder.get(tx.st.servers, id, c.scope(ctx))
		if err != nil {
			return err
		}
		s := old.clone()
		s.UpdatedAt = tx.now
		if u.Name != nil {
			s.Name = *u.Name
		}
		if u.Metadata != nil {
			s.Metadata = maps.Clone(u.Metadata)
		}
		if u.Flavor != "" {
			if err := tx.resize(s, u.Flavor); err != nil {
				return err
			}
		}
		if u.Image != "" {
			im, err := tx.c.lookupImage(s.ProjectID, u.Image)
			if err != nil {
				return err
			}
			s.ImageID = im.ID
			if u.UserData != nil {
				s.UserData = *u.UserData
				tx.touch(kindUserData, s.ID, nil)
				tx.putUserData(s)
			}
			s.Boot = Boot{DoneAt: tx.now.Add(bootDelay), Outcome: BootOK}
		}
		put(tx, tx.st.servers, KindServer, id, s, true)
		out = tx.st.serverView(s)
		return nil
	})
	if err != nil {
		return Server{}, err
	}
	return c.withUserData(ctx, out)
}

// resize moves a server to another flavor, charging the difference.
func (tx *txn) resize(s *Server, ref string) error {
	from, err := tx.c.lookupFlavor(s.ProjectID, s.FlavorID)
	if err != nil {
		return err
	}
	to, err := tx.c.lookupFlavor(s.ProjectID, ref)
	if err != nil {
		return err
	}
	if to.ID == from.ID {
		return invalid("When resizing, instances must change flavor!")
	}
	d := Usage{Cores: to.VCPUs - from.VCPUs, RAMMiB: to.RAMMiB - from.RAMMiB}
	if err := tx.reserve(s.ProjectID, d); err != nil {
		return err
	}
	s.FlavorID = to.ID
	return nil
}

// DeleteServer deletes a server with the ports Nova created for it,
// detaches its volumes (deleting those marked DeleteOnTermination),
// releases its ports and gives back its quota.
func (c *Cloud) DeleteServer(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*Server { return st.servers }
	return c.deleteObject(ctx, KindServer, serverFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		return tx.deleteServer(tx.st.servers[id])
	})
}

func (tx *txn) deleteServer(s *Server) error {
	flavor, err := tx.c.lookupFlavor("", s.FlavorID)
	if err != nil {
		return err
	}
	for _, a := range tx.st.attachmentsOf(s.ID, kindServerAttachments) {
		tx.detach(a)
		if a.DeleteOnTermination {
			tx.deleteVolume(tx.st.volumes[a.VolumeID])
		}
	}
	for _, pid := range s.PortIDs {
		p := tx.st.ports[pid]
		if p == nil {
			continue
		}
		if slices.Contains(s.CreatedPortIDs, pid) {
			tx.deletePort(p)
			continue
		}
		np := p.clone()
		np.DeviceID, np.DeviceOwner, np.Status = "", "", "DOWN"
		tx.putPort(np)
	}
	if s.ServerGroupID != "" {
		tx.unlink(s.ServerGroupID, KindServer, s.ID)
	}
	tx.charge(s.ProjectID, Usage{Instances: 1, Cores: flavor.VCPUs, RAMMiB: flavor.RAMMiB}.neg())
	remove(tx, tx.st.servers, KindServer, s.ID)
	tx.touch(kindUserData, s.ID, nil)
	if gone, ok := tx.st.gone[s.ID]; ok {
		delete(tx.st.gone, s.ID)
		tx.onUndo(func() { tx.st.gone[s.ID] = gone })
		tx.after = append(tx.after, func() { close(gone) })
	}
	return nil
}

// WaitBooted waits until the guest of a server has finished booting, as
// the engine does before signalling the server's WaitConditions and
// SoftwareDeployments. It returns nil when the boot succeeded, an error
// wrapping ErrBootFailed when it failed (EffectBootFailure), and an error
// wrapping cloud.ErrNotFound when the server does not exist or is deleted
// meanwhile. A guest that never reports (EffectNoSignal) makes it block
// until ctx ends; it then returns ctx's error. Boot times come from the
// Clock and survive a restart: after one, WaitBooted on a server created
// before it returns at the same moment.
func (c *Cloud) WaitBooted(ctx context.Context, id string) error {
	for {
		var boot Boot
		var gone chan struct{}
		err := c.view(ctx, func(st *state) error {
			s, ok := st.servers[id]
			if !ok {
				return notFound("Instance %s could not be found.", id)
			}
			boot, gone = s.Boot, st.gone[id]
			return nil
		})
		if err != nil {
			return err
		}
		var timer <-chan time.Time
		if boot.Outcome != BootSilent {
			wait := boot.DoneAt.Sub(c.clock.Now())
			if wait <= 0 {
				return boot.result(id)
			}
			timer = c.clock.After(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-gone:
			return notFound("Instance %s could not be found.", id)
		case <-timer:
		}
	}
}

func (b Boot) result(id string) error {
	if b.Outcome == BootFailed {
		return &simError{msg: fmt.Sprintf("Instance %s failed to boot: %s", id, b.Reason), kinds: []error{ErrBootFailed}}
	}
	return nil
}

// CreateServerGroup creates a server group.
func (c *Cloud) CreateServerGroup(ctx context.Context, spec ServerGroupSpec) (ServerGroup, error) {
	view := func(st *state, id string) ServerGroup { return st.groupView(st.groups[id]) }
	return once(ctx, c, KindServerGroup, view, func() (ServerGroup, error) {
		project := c.projectOf(ctx, spec.ProjectID)
		if _, err := c.before(ctx, KindServerGroup, OpCreate, spec.Name, project); err != nil {
			return ServerGroup{}, err
		}
		if !slices.Contains([]string{"affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"}, spec.Policy) {
			return ServerGroup{}, invalid("Invalid input for field/attribute policy. Value: %s. '%s' is not one of ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity']",
				spec.Policy, spec.Policy)
		}
		var out ServerGroup
		err := c.update(ctx, func(tx *txn) error {
			g := &ServerGroup{ID: newID(), Name: spec.Name, ProjectID: project, Policy: spec.Policy, CreatedAt: tx.now}
			put(tx, tx.st.groups, KindServerGroup, g.ID, g, true)
			out = tx.st.groupView(g)
			return tx.claim(KindServerGroup, g.ID)
		})
		return out, err
	})
}

func (st *state) groupView(g *ServerGroup) ServerGroup {
	v := *g
	v.Members = st.children(g.ID, KindServer)
	return v
}

// ServerGroup returns a server group by ID.
func (c *Cloud) ServerGroup(ctx context.Context, id string) (ServerGroup, error) {
	return getView(ctx, c, groupFinder, func(st *state) map[string]*ServerGroup { return st.groups }, id, (*state).groupView)
}

// DeleteServerGroup deletes a server group; its servers stay.
func (c *Cloud) DeleteServerGroup(ctx context.Context, id string) error {
	pick := func(st *state) map[string]*ServerGroup { return st.groups }
	return c.deleteObject(ctx, KindServerGroup, groupFinder.describer(pick, id, c.scope(ctx)), func(tx *txn) error {
		for _, sid := range tx.st.children(id, KindServer) {
			s := tx.st.servers[sid].clone()
			s.ServerGroupID = ""
			put(tx, tx.st.servers, KindServer, sid, s, true)
			tx.unlink(id, KindServer, sid)
		}
		remove(tx, tx.st.groups, KindServerGroup, id)
		return nil
	})
}
