// Package cloud is the set of OpenStack resources that gomagnum looks up or
// manages besides stacks: images (and their os_distro, which selects the
// driver), flavors, keypairs, networks and subnets, projects, the trustee
// user and trust of each cluster, and the load balancers a cluster's cloud
// provider leaves behind.
//
// Two implementations exist: cloud/openstack on a real cloud through
// gophercloud, and cloud/sim, a simulated cloud whose catalog loads from
// YAML and which the embedded orchestrator builds servers, ports and
// volumes in.
package cloud

import (
	"context"
	"errors"
)

// Cloud is what the service needs from the cloud outside Heat.
//
// Look-ups accept a name or an ID. They fail with an error wrapping
// ErrNotFound when nothing matches, ErrAmbiguous when a name matches
// several objects, and ErrForbidden when the object exists but the caller
// may not use it.
type Cloud interface {
	// Image looks up a Glance image.
	Image(ctx context.Context, ref string) (Image, error)
	// Flavor looks up a Nova flavor.
	Flavor(ctx context.Context, ref string) (Flavor, error)
	// Keypair looks up the Nova keypair name of a user.
	Keypair(ctx context.Context, userID, name string) (Keypair, error)
	// ExternalNetwork looks up a network with router:external set.
	ExternalNetwork(ctx context.Context, ref string) (Network, error)
	// Network looks up any network visible to the project.
	Network(ctx context.Context, ref string) (Network, error)
	// Subnet looks up a subnet.
	Subnet(ctx context.Context, ref string) (Subnet, error)
	// Project looks up a Keystone project by ID.
	Project(ctx context.Context, id string) (Project, error)
	// CreateTrustee creates the per-cluster trustee user and a trust from
	// the requesting user to it.
	CreateTrustee(ctx context.Context, req TrusteeRequest) (Trustee, error)
	// DeleteTrustee deletes the trust and the trustee user; deleting ones
	// that are already gone is not an error.
	DeleteTrustee(ctx context.Context, t Trustee) error
	// DefaultVolumeType returns the volume type a cluster's volumes get
	// when its labels name none: the first type the volume service lists,
	// as Magnum picks it. ErrNotFound when there is none.
	DefaultVolumeType(ctx context.Context) (string, error)
	// CleanupLoadBalancers deletes the load balancers that the cluster's
	// cloud provider created for the cluster, and waits until they are gone.
	CleanupLoadBalancers(ctx context.Context, clusterUUID string) error
}

// Errors returned (wrapped) by Cloud implementations.
var (
	ErrNotFound  = errors.New("not found")
	ErrAmbiguous = errors.New("several objects match")
	ErrForbidden = errors.New("not authorized")
)

// Image is a Glance image.
type Image struct {
	ID   string
	Name string
	// OSDistro is the os_distro property ("fedora-coreos"); empty if unset.
	OSDistro string
	// Public reports whether the image is visible to every project.
	Public bool
	// Owner is the ID of the project owning the image.
	Owner string
}

// Flavor is a Nova flavor.
type Flavor struct {
	ID     string
	Name   string
	VCPUs  int
	RAMMiB int
	DiskGB int
}

// Keypair is a Nova keypair.
type Keypair struct {
	Name      string
	UserID    string
	PublicKey string
}

// Network is a Neutron network.
type Network struct {
	ID       string
	Name     string
	External bool
	// SubnetIDs lists the network's subnets.
	SubnetIDs []string
}

// Subnet is a Neutron subnet.
type Subnet struct {
	ID        string
	Name      string
	NetworkID string
	CIDR      string
	GatewayIP string
}

// Project is a Keystone project.
type Project struct {
	ID       string
	Name     string
	DomainID string
}

// TrusteeRequest asks for a cluster's trustee user and trust.
type TrusteeRequest struct {
	ClusterUUID string
	ProjectID   string
	// TrustorUserID is the user delegating to the trustee.
	TrustorUserID string
	// Roles delegated by the trust; empty means the trustor's roles.
	Roles []string
}

// Trustee is the per-cluster user the cluster's nodes act as, and the
// trust that lets it act for the cluster's owner.
type Trustee struct {
	UserID   string
	UserName string
	Password string
	DomainID string
	TrustID  string
}
