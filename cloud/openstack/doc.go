// Package openstack implements cloud.Cloud on a real OpenStack cloud
// through gophercloud v2: Glance images, Nova flavors and keypairs,
// Neutron networks, subnets and floating IPs, Keystone projects, trustee
// users and trusts, and Octavia load balancers.
//
// New takes a gophercloud.ProviderClient that is already authenticated
// (openstack.AuthenticatedClient) and whose token carries a service
// catalog; the service endpoints are found in that catalog.
//
// Look-ups follow Magnum's rules. An image reference that looks like a UUID
// is fetched by ID, any other reference is a name filter; a flavor or an
// external network matches by ID or name among the listed ones. A look-up
// fails with an error wrapping cloud.ErrNotFound when nothing matches,
// cloud.ErrAmbiguous when a name matches several objects and
// cloud.ErrForbidden when the service answers 403. Other failures (a 500,
// a refused connection) are returned once, wrapped with the service and
// the object concerned: this package never retries a request on its own
// (gophercloud's re-authentication on an expired token, and any RetryFunc
// set on the provider, still apply).
//
// Keystone work (trustee users and trusts) needs a provider allowed to
// create and delete users in the trustee domain, and a trust can only be
// created with a token of its trustor (see WithTrustor).
package openstack
