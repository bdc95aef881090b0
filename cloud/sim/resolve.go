package sim

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/gomagnum/gomagnum/cloud"
)

// resolved is a validated catalog with its references turned into IDs.
type resolved struct {
	defaultProject string
	defaultUser    string
	trusteeDomain  string
	projects       []cloud.Project
	users          []resolvedUser
	images         map[string]*cloud.Image
	flavors        map[string]*resolvedFlavor
	keypairs       []cloud.Keypair
	networks       []*Network
	subnets        []*Subnet
	routers        []resolvedRouter
	volumeTypes    []string
	quotaDefault   Quota
	quotaProjects  map[string]Quota
}

type resolvedUser struct {
	ID, Name, ProjectID string
}

type resolvedFlavor struct {
	cloud.Flavor
	private  bool
	projects []string
}

type resolvedRouter struct {
	id, name, projectID string
	externalNetworkID   string
	subnetIDs           []string
}

// catalogError is a validation error naming the catalog entry at fault.
func catalogError(where, format string, args ...any) error {
	return fmt.Errorf("sim: catalog: %s: %s: %w", where, fmt.Sprintf(format, args...), ErrInvalid)
}

// resolveCatalog validates c and resolves its references.
func resolveCatalog(c *Catalog) (*resolved, error) {
	r := &resolved{
		trusteeDomain: cmp.Or(c.TrusteeDomainID, "default"), quotaProjects: map[string]Quota{},
		images: map[string]*cloud.Image{}, flavors: map[string]*resolvedFlavor{},
	}
	steps := []func(*Catalog) error{
		r.resolveProjects, r.resolveUsers, r.resolveImages, r.resolveFlavors,
		r.resolveKeypairs, r.resolveNetworks, r.resolveRouters, r.resolveVolumeTypes,
		r.resolveQuotas,
	}
	for _, step := range steps {
		if err := step(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// entryName describes entry i of a list for error messages.
func entryName(list string, i int, name string) string {
	if name == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d] (%s)", list, i, name)
}

// ids checks that an ID is unique within its kind.
type ids map[string]string

func (s ids) add(where, id string) error {
	if prev, dup := s[id]; dup {
		return catalogError(where, "id %s is also the id of %s; give one of them an explicit id", id, prev)
	}
	s[id] = where
	return nil
}

func (r *resolved) resolveProjects(c *Catalog) error {
	if len(c.Projects) == 0 {
		return catalogError("projects", "at least one project is required")
	}
	seen, names := ids{}, map[string]bool{}
	for i, p := range c.Projects {
		where := entryName("projects", i, p.Name)
		if p.Name == "" {
			return catalogError(where, "name is required")
		}
		if names[p.Name] {
			return catalogError(where, "project name %q is used twice", p.Name)
		}
		names[p.Name] = true
		if p.ID == "" {
			p.ID = stableHexID("project", p.Name)
		}
		if p.DomainID == "" {
			p.DomainID = "default"
		}
		if err := seen.add(where, p.ID); err != nil {
			return err
		}
		r.projects = append(r.projects, cloud.Project{ID: p.ID, Name: p.Name, DomainID: p.DomainID})
	}
	if c.DefaultProject == "" {
		r.defaultProject = r.projects[0].ID
		return nil
	}
	id, err := r.projectID("default_project", c.DefaultProject)
	r.defaultProject = id
	return err
}

// projectID resolves a project reference (name or ID).
func (r *resolved) projectID(where, ref string) (string, error) {
	for _, p := range r.projects {
		if p.ID == ref || p.Name == ref {
			return p.ID, nil
		}
	}
	return "", catalogError(where, "project %q is not in the catalog", ref)
}

// ownerID resolves an optional project reference, defaulting to the
// default project.
func (r *resolved) ownerID(where, ref string) (string, error) {
	if ref == "" {
		return r.defaultProject, nil
	}
	return r.projectID(where, ref)
}

func (r *resolved) resolveUsers(c *Catalog) error {
	seen, names := ids{}, map[string]bool{}
	for i, u := range c.Users {
		where := entryName("users", i, u.Name)
		if u.Name == "" {
			return catalogError(where, "name is required")
		}
		if names[u.Name] {
			return catalogError(where, "user name %q is used twice", u.Name)
		}
		names[u.Name] = true
		if u.ID == "" {
			u.ID = stableHexID("user", u.Name)
		}
		if err := seen.add(where, u.ID); err != nil {
			return err
		}
		pid, err := r.ownerID(where, u.Project)
		if err != nil {
			return err
		}
		r.users = append(r.users, resolvedUser{ID: u.ID, Name: u.Name, ProjectID: pid})
	}
	if c.DefaultUser == "" {
		if len(r.users) > 0 {
			r.defaultUser = r.users[0].ID
		}
		return nil
	}
	id, err := r.userID("default_user", c.DefaultUser)
	r.defaultUser = id
	return err
}

// userID resolves a user reference (name or ID).
func (r *resolved) userID(where, ref string) (string, error) {
	for _, u := range r.users {
		if u.ID == ref || u.Name == ref {
			return u.ID, nil
		}
	}
	return "", catalogError(where, "user %q is not in the catalog", ref)
}

func (r *resolved) resolveImages(c *Catalog) error {
	seen := ids{}
	for i, im := range c.Images {
		where := entryName("images", i, im.Name)
		if im.Name == "" {
			return catalogError(where, "name is required")
		}
		if im.ID == "" {
			im.ID = stableID("image", im.Name)
		}
		if err := seen.add(where, im.ID); err != nil {
			return err
		}
		if !slices.Contains([]string{"", "public", "private"}, im.Visibility) {
			return catalogError(where, "visibility %q is neither public nor private", im.Visibility)
		}
		owner, err := r.ownerID(where, im.Owner)
		if err != nil {
			return err
		}
		r.images[im.ID] = &cloud.Image{
			ID: im.ID, Name: im.Name, OSDistro: im.OSDistro,
			Public: im.Visibility != "private", Owner: owner,
		}
	}
	return nil
}

func (r *resolved) resolveFlavors(c *Catalog) error {
	seen, names := ids{}, map[string]bool{}
	for i, f := range c.Flavors {
		where := entryName("flavors", i, f.Name)
		if f.Name == "" {
			return catalogError(where, "name is required")
		}
		if names[f.Name] {
			return catalogError(where, "flavor name %q is used twice", f.Name)
		}
		names[f.Name] = true
		if f.ID == "" {
			f.ID = stableID("flavor", f.Name)
		}
		if err := seen.add(where, f.ID); err != nil {
			return err
		}
		if f.VCPUs < 1 || f.RAMMiB < 1 || f.DiskGB < 0 {
			return catalogError(where, "vcpus and ram must be positive and disk not negative (got %d, %d, %d)",
				f.VCPUs, f.RAMMiB, f.DiskGB)
		}
		if !f.Private && len(f.Projects) > 0 {
			return catalogError(where, "projects are only meaningful on a private flavor")
		}
		rf := &resolvedFlavor{
			Flavor:  cloud.Flavor{ID: f.ID, Name: f.Name, VCPUs: f.VCPUs, RAMMiB: f.RAMMiB, DiskGB: f.DiskGB},
			private: f.Private,
		}
		for _, ref := range f.Projects {
			pid, err := r.projectID(where, ref)
			if err != nil {
				return err
			}
			rf.projects = append(rf.projects, pid)
		}
		r.flavors[f.ID] = rf
	}
	return nil
}

func (r *resolved) resolveKeypairs(c *Catalog) error {
	seen := map[[2]string]bool{}
	for i, k := range c.Keypairs {
		where := entryName("keypairs", i, k.Name)
		if k.Name == "" || k.PublicKey == "" {
			return catalogError(where, "name and public_key are required")
		}
		uref := k.User
		if uref == "" {
			if r.defaultUser == "" {
				return catalogError(where, "user is required when the catalog has no users")
			}
			uref = r.defaultUser
		}
		uid, err := r.userID(where, uref)
		if err != nil {
			return err
		}
		if seen[[2]string{uid, k.Name}] {
			return catalogError(where, "user %s has two keypairs named %q", uref, k.Name)
		}
		seen[[2]string{uid, k.Name}] = true
		r.keypairs = append(r.keypairs, cloud.Keypair{Name: k.Name, UserID: uid, PublicKey: k.PublicKey})
	}
	return nil
}

func (r *resolved) resolveNetworks(c *Catalog) error {
	netIDs, subnetIDs := ids{}, ids{}
	for i, n := range c.Networks {
		where := entryName("networks", i, n.Name)
		if n.Name == "" {
			return catalogError(where, "name is required")
		}
		if n.ID == "" {
			n.ID = stableID("network", n.Name)
		}
		if err := netIDs.add(where, n.ID); err != nil {
			return err
		}
		owner, err := r.ownerID(where, n.Project)
		if err != nil {
			return err
		}
		if n.MTU < 0 {
			return catalogError(where, "mtu %d is negative", n.MTU)
		}
		net := &Network{
			ID: n.ID, Name: n.Name, ProjectID: owner, Status: "ACTIVE",
			External: n.External, Shared: n.Shared, MTU: cmp.Or(n.MTU, defaultMTU), Catalog: true,
		}
		for j, s := range n.Subnets {
			sub, err := r.resolveSubnet(fmt.Sprintf("%s.subnets[%d]", where, j), s, net, subnetIDs)
			if err != nil {
				return err
			}
			net.SubnetIDs = append(net.SubnetIDs, sub.ID)
		}
		r.networks = append(r.networks, net)
	}
	return nil
}

func (r *resolved) resolveSubnet(where string, s CatalogSubnet, net *Network, seen ids) (*Subnet, error) {
	if s.Name == "" {
		return nil, catalogError(where, "name is required")
	}
	if s.ID == "" {
		s.ID = stableID("subnet", net.Name+"/"+s.Name)
	}
	if err := seen.add(where, s.ID); err != nil {
		return nil, err
	}
	sub := &Subnet{
		ID: s.ID, Name: s.Name, ProjectID: net.ProjectID, NetworkID: net.ID,
		DNSNameservers: s.DNSNameservers, EnableDHCP: true, Catalog: true,
	}
	layout, err := planSubnet(s.CIDR, s.GatewayIP, false, s.AllocationPools)
	if err != nil {
		return nil, catalogError(where, "%v", err)
	}
	layout.applyTo(sub)
	for _, other := range r.subnets {
		if other.NetworkID == net.ID && overlaps(other.CIDR, sub.CIDR) {
			return nil, catalogError(where, "cidr %s overlaps %s of subnet %s", sub.CIDR, other.CIDR, other.Name)
		}
	}
	r.subnets = append(r.subnets, sub)
	return sub, nil
}

func (r *resolved) resolveRouters(c *Catalog) error {
	seen := ids{}
	for i, rt := range c.Routers {
		where := entryName("routers", i, rt.Name)
		if rt.Name == "" {
			return catalogError(where, "name is required")
		}
		if rt.ID == "" {
			rt.ID = stableID("router", rt.Name)
		}
		if err := seen.add(where, rt.ID); err != nil {
			return err
		}
		owner, err := r.ownerID(where, rt.Project)
		if err != nil {
			return err
		}
		rr := resolvedRouter{id: rt.ID, name: rt.Name, projectID: owner}
		if rt.ExternalNetwork != "" {
			net := r.network(rt.ExternalNetwork)
			if net == nil || !net.External {
				return catalogError(where, "external_network %q is not an external network of the catalog", rt.ExternalNetwork)
			}
			rr.externalNetworkID = net.ID
		}
		for _, ref := range rt.Interfaces {
			sub := r.subnet(ref)
			if sub == nil {
				return catalogError(where, "interface subnet %q is not in the catalog", ref)
			}
			if sub.GatewayIP == "" {
				return catalogError(where, "subnet %s has no gateway_ip for the interface", ref)
			}
			if slices.Contains(rr.subnetIDs, sub.ID) {
				return catalogError(where, "subnet %s is listed twice", ref)
			}
			rr.subnetIDs = append(rr.subnetIDs, sub.ID)
		}
		r.routers = append(r.routers, rr)
	}
	return nil
}

func (r *resolved) network(ref string) *Network {
	for _, n := range r.networks {
		if n.ID == ref || n.Name == ref {
			return n
		}
	}
	return nil
}

func (r *resolved) subnet(ref string) *Subnet {
	for _, s := range r.subnets {
		if s.ID == ref || s.Name == ref {
			return s
		}
	}
	return nil
}

func (r *resolved) resolveVolumeTypes(c *Catalog) error {
	r.volumeTypes = c.VolumeTypes
	if len(r.volumeTypes) == 0 {
		r.volumeTypes = []string{defaultVolumeType}
	}
	for i, t := range r.volumeTypes {
		if t == "" {
			return catalogError(fmt.Sprintf("volume_types[%d]", i), "empty name")
		}
		if slices.Index(r.volumeTypes, t) != i {
			return catalogError(fmt.Sprintf("volume_types[%d]", i), "%q is listed twice", t)
		}
	}
	return nil
}

func (r *resolved) resolveQuotas(c *Catalog) error {
	def, err := c.Quotas.Default.over("quotas.default", DefaultQuota())
	if err != nil {
		return err
	}
	r.quotaDefault = def
	for ref, spec := range c.Quotas.Projects {
		where := "quotas.projects." + ref
		pid, err := r.projectID(where, ref)
		if err != nil {
			return err
		}
		if r.quotaProjects[pid], err = spec.over(where, def); err != nil {
			return err
		}
	}
	return nil
}
