package openstack

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/domains"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"

	"github.com/gomagnum/gomagnum/cloud"
)

// Project looks up a Keystone project by ID.
func (c *Cloud) Project(ctx context.Context, id string) (cloud.Project, error) {
	what := subject("project", id)
	if id == "" {
		return cloud.Project{}, notFound(what, "empty ID")
	}
	p, err := projects.Get(ctx, c.identity, url.PathEscape(id)).Extract()
	if err != nil {
		return cloud.Project{}, classify("keystone", what, err)
	}
	return cloud.Project{ID: p.ID, Name: p.Name, DomainID: p.DomainID}, nil
}

// keystoneDomain adapts a Keystone domain to pick.
type keystoneDomain struct{ domains.Domain }

func (d keystoneDomain) id() string   { return d.ID }
func (d keystoneDomain) name() string { return d.Name }

// domainID resolves the name of the trustee domain to its ID.
func (c *Cloud) domainID(ctx context.Context, name string) (string, error) {
	what := subject("trustee domain", name)
	pages, err := domains.List(c.identity, domains.ListOpts{Name: name}).AllPages(ctx)
	if err != nil {
		return "", classify("keystone", what, err)
	}
	found, err := domains.ExtractDomains(pages)
	if err != nil {
		return "", classify("keystone", what, err)
	}
	items := make([]keystoneDomain, len(found))
	for i, d := range found {
		items[i] = keystoneDomain{d}
	}
	d, err := pick(items, name, "trustee domain", "domains")
	return d.ID, err
}
