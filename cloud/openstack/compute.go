package openstack

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"

	"github.com/gomagnum/gomagnum/cloud"
)

// novaFlavor adapts a Nova flavor to pick.
type novaFlavor struct{ flavors.Flavor }

func (f novaFlavor) id() string   { return f.ID }
func (f novaFlavor) name() string { return f.Name }

// Flavor looks up a Nova flavor by ID or name among the flavors the
// project can use (Magnum lists them and compares both fields).
func (c *Cloud) Flavor(ctx context.Context, ref string) (cloud.Flavor, error) {
	what := subject("flavor", ref)
	if ref == "" {
		return cloud.Flavor{}, notFound(what, "empty reference")
	}
	pages, err := flavors.ListDetail(c.compute, nil).AllPages(ctx)
	if err != nil {
		return cloud.Flavor{}, classify("nova", what, err)
	}
	found, err := flavors.ExtractFlavors(pages)
	if err != nil {
		return cloud.Flavor{}, classify("nova", what, err)
	}
	items := make([]novaFlavor, len(found))
	for i, f := range found {
		items[i] = novaFlavor{f}
	}
	f, err := pick(items, ref, "flavor", "flavors")
	if err != nil {
		return cloud.Flavor{}, err
	}
	return cloud.Flavor{ID: f.ID, Name: f.Name, VCPUs: f.VCPUs, RAMMiB: f.RAM, DiskGB: f.Disk}, nil
}

// Keypair looks up the Nova keypair name of user userID (Nova microversion
// 2.10). An empty userID means the user of the provider's token.
func (c *Cloud) Keypair(ctx context.Context, userID, name string) (cloud.Keypair, error) {
	what := subject("keypair", name)
	if userID != "" {
		what += " of user " + userID
	}
	if name == "" {
		return cloud.Keypair{}, notFound(what, "empty name")
	}
	kp, err := keypairs.Get(ctx, c.keypairs, url.PathEscape(name), keypairs.GetOpts{UserID: userID}).Extract()
	if err != nil {
		return cloud.Keypair{}, classify("nova", what, err)
	}
	return cloud.Keypair{Name: kp.Name, UserID: kp.UserID, PublicKey: kp.PublicKey}, nil
}
