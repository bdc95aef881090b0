package sim

import (
	"context"
	"slices"

	"github.com/gomagnum/gomagnum/cloud"
)

var (
	imageFinder = finder[cloud.Image]{
		what:    "Image",
		name:    func(im *cloud.Image) string { return im.Name },
		project: func(im *cloud.Image) string { return im.Owner },
		shared:  func(im *cloud.Image, _ string) bool { return im.Public },
	}
	flavorFinder = finder[resolvedFlavor]{
		what:    "Flavor",
		name:    func(f *resolvedFlavor) string { return f.Name },
		project: func(f *resolvedFlavor) string { return "" },
		shared:  func(f *resolvedFlavor, p string) bool { return !f.private || slices.Contains(f.projects, p) },
	}
)

// Image looks up a catalog image by ID or name. As a project (see
// cloud.WithProject) it sees public images and the project's own; another
// project's private image gives cloud.ErrForbidden.
func (c *Cloud) Image(ctx context.Context, ref string) (cloud.Image, error) {
	if err := ctx.Err(); err != nil {
		return cloud.Image{}, err
	}
	return c.lookupImage(c.scope(ctx), ref)
}

func (c *Cloud) lookupImage(project, ref string) (cloud.Image, error) {
	im, err := imageFinder.find(c.cat.images, ref, project)
	if err != nil {
		return cloud.Image{}, err
	}
	return *im, nil
}

// Flavor looks up a catalog flavor by ID or name. A private flavor is
// visible only to the projects it lists.
func (c *Cloud) Flavor(ctx context.Context, ref string) (cloud.Flavor, error) {
	if err := ctx.Err(); err != nil {
		return cloud.Flavor{}, err
	}
	return c.lookupFlavor(c.scope(ctx), ref)
}

func (c *Cloud) lookupFlavor(project, ref string) (cloud.Flavor, error) {
	f, err := flavorFinder.find(c.cat.flavors, ref, project)
	if err != nil {
		return cloud.Flavor{}, err
	}
	return f.Flavor, nil
}

// Keypair looks up a user's keypair by name; an empty userID means the
// catalog's default user.
func (c *Cloud) Keypair(ctx context.Context, userID, name string) (cloud.Keypair, error) {
	if err := ctx.Err(); err != nil {
		return cloud.Keypair{}, err
	}
	return c.lookupKeypair(userID, name)
}

func (c *Cloud) lookupKeypair(userID, name string) (cloud.Keypair, error) {
	if userID == "" {
		userID = c.cat.defaultUser
	}
	for _, k := range c.cat.keypairs {
		if k.UserID == userID && k.Name == name {
			return k, nil
		}
	}
	return cloud.Keypair{}, notFound("Keypair %s not found for user %s", name, userID)
}

// ExternalNetwork looks up an external network by ID or name; a network
// that is not external is not found.
func (c *Cloud) ExternalNetwork(ctx context.Context, ref string) (cloud.Network, error) {
	var out cloud.Network
	err := c.view(ctx, func(st *state) error {
		external := map[string]*Network{}
		for id, n := range st.networks {
			if n.External {
				external[id] = n
			}
		}
		n, err := networkFinder.find(external, ref, c.scope(ctx))
		if isNotFound(err) {
			return notFound("External network %s could not be found.", ref)
		}
		if err == nil {
			out = st.cloudNetwork(n)
		}
		return err
	})
	return out, err
}

// Network looks up a network by ID or name: the project's own, shared and
// external ones.
func (c *Cloud) Network(ctx context.Context, ref string) (cloud.Network, error) {
	var out cloud.Network
	err := c.view(ctx, func(st *state) error {
		n, err := networkFinder.find(st.networks, ref, c.scope(ctx))
		if err == nil {
			out = st.cloudNetwork(n)
		}
		return err
	})
	return out, err
}

func (st *state) cloudNetwork(n *Network) cloud.Network {
	return cloud.Network{ID: n.ID, Name: n.Name, External: n.External, SubnetIDs: st.children(n.ID, KindSubnet)}
}

// Subnet looks up a subnet by ID or name, on a network the project sees.
func (c *Cloud) Subnet(ctx context.Context, ref string) (cloud.Subnet, error) {
	var out cloud.Subnet
	err := c.view(ctx, func(st *state) error {
		s, err := st.subnetFinder().find(st.subnets, ref, c.scope(ctx))
		if err == nil {
			out = cloud.Subnet{ID: s.ID, Name: s.Name, NetworkID: s.NetworkID, CIDR: s.CIDR, GatewayIP: s.GatewayIP}
		}
		return err
	})
	return out, err
}

// Project looks up a catalog project by ID.
func (c *Cloud) Project(ctx context.Context, id string) (cloud.Project, error) {
	if err := ctx.Err(); err != nil {
		return cloud.Project{}, err
	}
	for _, p := range c.cat.projects {
		if p.ID == id {
			return p, nil
		}
	}
	return cloud.Project{}, notFound("Could not find project: %s.", id)
}
