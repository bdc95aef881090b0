package drivers

import (
	"context"

	"github.com/gomagnum/gomagnum/heat"
)

// Driver computes, for one or more container orchestration engines, the
// stacks that build clusters and the meaning of their outputs.
//
// A driver is declarative and stateless: it never holds cloud credentials
// and never calls the orchestrator itself. The host applies what it
// returns. Every method may be called concurrently, and more than once with
// the same arguments: the host makes a call again when the plugin process
// serving it died before answering.
//
// Errors should wrap ErrInvalid (bad input, the caller can fix it),
// ErrConflict (input that does not fit the cluster's state) or
// ErrNotSupported (the driver cannot do this at all), so that the host can
// tell them apart from failures of the driver itself.
type Driver interface {
	// Info describes the driver and the (server_type, os_distro, coe)
	// tuples it serves.
	Info(ctx context.Context) (Info, error)
	// ValidateTemplate checks a cluster template for this driver's COE:
	// network and volume drivers, labels and the like.
	ValidateTemplate(ctx context.Context, t Template) error
	// ValidateCluster checks a cluster about to be created.
	ValidateCluster(ctx context.Context, c Cluster) error
	// ClusterStack returns the stack that creates the cluster with its
	// default node groups.
	ClusterStack(ctx context.Context, c Cluster) (Stack, error)
	// NodeGroupStack returns the stack that creates an extra node group of
	// a running cluster.
	NodeGroupStack(ctx context.Context, c Cluster, ng NodeGroup) (Stack, error)
	// ResizeStack returns the update that resizes one node group.
	ResizeStack(ctx context.Context, c Cluster, r Resize) (heat.StackUpdate, error)
	// UpgradeStack returns the update that moves a node group to another
	// template. A downgrade is refused with ErrInvalid, a template the
	// upgrade cannot use (without the version label it needs) with
	// ErrConflict. The service also calls it before it accepts an
	// upgrade, to refuse those at once; that call's cluster has no Boot.
	UpgradeStack(ctx context.Context, c Cluster, u Upgrade) (heat.StackUpdate, error)
	// RotateCAStack returns the update that distributes a cluster's new CAs.
	RotateCAStack(ctx context.Context, c Cluster) (heat.StackUpdate, error)
	// MapOutputs turns the state of a node group's stack into the cluster
	// and node-group fields it sets.
	MapOutputs(ctx context.Context, c Cluster, ng NodeGroup, s StackState) (Outputs, error)
	// Health asks the running COE whether the cluster is healthy.
	Health(ctx context.Context, c Cluster, creds Credentials) (Health, error)
	// ClientConfig renders the configuration a user needs to talk to the
	// COE (a kubeconfig, DOCKER_HOST and TLS files...).
	ClientConfig(ctx context.Context, c Cluster, creds Credentials) (ClientConfig, error)
}

// Tuple is the key drivers are selected by.
type Tuple struct {
	// ServerType is "vm" or "bm".
	ServerType string `json:"server_type"`
	// OSDistro is the os_distro property of the template's image.
	OSDistro string `json:"os_distro"`
	// COE is the container orchestration engine ("kubernetes").
	COE string `json:"coe"`
}

// String formats the tuple as Magnum does: "(vm, fedora-coreos, kubernetes)".
func (t Tuple) String() string {
	return "(" + t.ServerType + ", " + t.OSDistro + ", " + t.COE + ")"
}

// Info describes a driver.
type Info struct {
	// Name identifies the driver ("k8s_fedora_coreos_v1").
	Name    string `json:"name"`
	Version string `json:"version"`
	// Provides lists the tuples the driver serves.
	Provides []Tuple `json:"provides"`
	// ContainerVersion is the container runtime version the driver
	// installs, copied to clusters' container_version.
	ContainerVersion string `json:"container_version,omitempty"`
	// Capabilities says which optional operations the driver supports.
	Capabilities Capabilities `json:"capabilities"`
	// NetworkDrivers and VolumeDrivers list the values the driver accepts
	// for the template fields of the same names; the first network driver
	// is the default.
	NetworkDrivers []string `json:"network_drivers,omitempty"`
	VolumeDrivers  []string `json:"volume_drivers,omitempty"`
}

// Capabilities flags the optional operations of a driver.
type Capabilities struct {
	Upgrade    bool `json:"upgrade"`
	RotateCA   bool `json:"rotate_ca"`
	NodeGroups bool `json:"node_groups"`
	Health     bool `json:"health"`
}

// Template is what a driver sees of a cluster template.
type Template struct {
	UUID                string            `json:"uuid"`
	Name                string            `json:"name"`
	COE                 string            `json:"coe"`
	ServerType          string            `json:"server_type"`
	ClusterDistro       string            `json:"cluster_distro"`
	ImageID             string            `json:"image_id"`
	FlavorID            string            `json:"flavor_id,omitempty"`
	MasterFlavorID      string            `json:"master_flavor_id,omitempty"`
	KeypairID           string            `json:"keypair_id,omitempty"`
	ExternalNetworkID   string            `json:"external_network_id,omitempty"`
	FixedNetwork        string            `json:"fixed_network,omitempty"`
	FixedSubnet         string            `json:"fixed_subnet,omitempty"`
	NetworkDriver       string            `json:"network_driver,omitempty"`
	VolumeDriver        string            `json:"volume_driver,omitempty"`
	DockerStorageDriver string            `json:"docker_storage_driver,omitempty"`
	DockerVolumeSize    int               `json:"docker_volume_size,omitempty"`
	DNSNameserver       string            `json:"dns_nameserver,omitempty"`
	HTTPProxy           string            `json:"http_proxy,omitempty"`
	HTTPSProxy          string            `json:"https_proxy,omitempty"`
	NoProxy             string            `json:"no_proxy,omitempty"`
	InsecureRegistry    string            `json:"insecure_registry,omitempty"`
	APIServerPort       int               `json:"apiserver_port,omitempty"`
	TLSDisabled         bool              `json:"tls_disabled"`
	RegistryEnabled     bool              `json:"registry_enabled"`
	MasterLBEnabled     bool              `json:"master_lb_enabled"`
	FloatingIPEnabled   bool              `json:"floating_ip_enabled"`
	Labels              map[string]string `json:"labels,omitempty"`
}

// Cluster is what a driver sees of a cluster. The host fills it from the
// service's own records.
type Cluster struct {
	UUID      string   `json:"uuid"`
	Name      string   `json:"name"`
	ProjectID string   `json:"project_id"`
	UserID    string   `json:"user_id"`
	Template  Template `json:"template"`
	// StackID is the ID of the cluster's stack, once created.
	StackID           string            `json:"stack_id,omitempty"`
	Keypair           string            `json:"keypair,omitempty"`
	FlavorID          string            `json:"flavor_id,omitempty"`
	MasterFlavorID    string            `json:"master_flavor_id,omitempty"`
	FixedNetwork      string            `json:"fixed_network,omitempty"`
	FixedSubnet       string            `json:"fixed_subnet,omitempty"`
	DockerVolumeSize  int               `json:"docker_volume_size,omitempty"`
	DiscoveryURL      string            `json:"discovery_url,omitempty"`
	MasterLBEnabled   bool              `json:"master_lb_enabled"`
	FloatingIPEnabled bool              `json:"floating_ip_enabled"`
	Labels            map[string]string `json:"labels,omitempty"`
	// CreateTimeout is in minutes.
	CreateTimeout int    `json:"create_timeout,omitempty"`
	APIAddress    string `json:"api_address,omitempty"`
	COEVersion    string `json:"coe_version,omitempty"`
	// NodeGroups holds every node group, the default master and worker
	// groups included.
	NodeGroups []NodeGroup `json:"node_groups"`
	// Boot is what the cluster's nodes need to join it.
	Boot Boot `json:"boot"`
}

// NodeGroup is what a driver sees of a node group.
type NodeGroup struct {
	UUID             string            `json:"uuid"`
	Name             string            `json:"name"`
	Role             string            `json:"role"`
	IsDefault        bool              `json:"is_default"`
	FlavorID         string            `json:"flavor_id,omitempty"`
	ImageID          string            `json:"image_id,omitempty"`
	NodeCount        int               `json:"node_count"`
	MinNodeCount     int               `json:"min_node_count"`
	MaxNodeCount     *int              `json:"max_node_count,omitempty"`
	DockerVolumeSize int               `json:"docker_volume_size,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	StackID          string            `json:"stack_id,omitempty"`
	NodeAddresses    []string          `json:"node_addresses,omitempty"`
	// NodeLabels and NodeTaints are applied to the group's nodes by COEs
	// that support them (API microversion 1.14).
	NodeLabels map[string]string `json:"node_labels,omitempty"`
	NodeTaints []Taint           `json:"node_taints,omitempty"`
}

// Taint is a Kubernetes node taint.
type Taint struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Effect string `json:"effect"`
}

// Boot is what the nodes of a cluster need to join it: where the service
// is, the cluster's public CA certificates, and the cluster-scoped trustee
// credentials the nodes use to have their certificates signed. It never
// holds the service's own credentials.
type Boot struct {
	// MagnumURL is the service's API endpoint, with /v1.
	MagnumURL string `json:"magnum_url,omitempty"`
	// AuthURL is the Keystone endpoint the nodes authenticate against.
	AuthURL         string `json:"auth_url,omitempty"`
	TrusteeUserID   string `json:"trustee_user_id,omitempty"`
	TrusteeUserName string `json:"trustee_username,omitempty"`
	TrusteePassword string `json:"trustee_password,omitempty"`
	TrusteeDomainID string `json:"trustee_domain_id,omitempty"`
	TrustID         string `json:"trust_id,omitempty"`
	// CACert, EtcdCACert and FrontProxyCACert are PEM certificates.
	CACert           string `json:"ca_cert,omitempty"`
	EtcdCACert       string `json:"etcd_ca_cert,omitempty"`
	FrontProxyCACert string `json:"front_proxy_ca_cert,omitempty"`
	// SSHPublicKey is the public key of the cluster's keypair, if any.
	SSHPublicKey string `json:"ssh_public_key,omitempty"`
	// ExternalNetworkID is the resolved ID of the template's external network.
	ExternalNetworkID string `json:"external_network_id,omitempty"`
}

// Stack is a stack a driver asks the host to create.
type Stack struct {
	// Template is the HOT template, as YAML.
	Template []byte `json:"template"`
	// Files are the files the template refers to, by name.
	Files       map[string]string `json:"files,omitempty"`
	Environment heat.Environment  `json:"environment"`
	Parameters  map[string]any    `json:"parameters,omitempty"`
}

// Resize asks to change the node count of one node group.
type Resize struct {
	// NodeGroup is the UUID of the group to resize.
	NodeGroup string `json:"node_group"`
	NodeCount int    `json:"node_count"`
	// NodesToRemove names the nodes to remove when shrinking: member
	// indexes or server IDs.
	NodesToRemove []string `json:"nodes_to_remove,omitempty"`
}

// Upgrade asks to move a node group to another template.
type Upgrade struct {
	// Template is the target template.
	Template Template `json:"template"`
	// NodeGroup is the UUID of the group to upgrade.
	NodeGroup string `json:"node_group"`
	// MaxBatchSize is how many nodes are upgraded at once; at least 1.
	MaxBatchSize int `json:"max_batch_size"`
}

// StackState is the state of a node group's stack.
type StackState struct {
	Status       heat.Status       `json:"status"`
	StatusReason string            `json:"status_reason,omitempty"`
	Outputs      map[string]any    `json:"outputs,omitempty"`
	Parameters   map[string]string `json:"parameters,omitempty"`
}

// Outputs are the fields set from a stack's state. Empty fields are left
// unchanged.
type Outputs struct {
	APIAddress       string `json:"api_address,omitempty"`
	COEVersion       string `json:"coe_version,omitempty"`
	ContainerVersion string `json:"container_version,omitempty"`
	// NodeGroups holds the fields of each node group, keyed by UUID.
	NodeGroups map[string]NodeGroupOutputs `json:"node_groups,omitempty"`
}

// NodeGroupOutputs are the node-group fields set from a stack's state.
type NodeGroupOutputs struct {
	NodeAddresses []string `json:"node_addresses,omitempty"`
	// NodeCount is set when the stack tells the group's size.
	NodeCount *int `json:"node_count,omitempty"`
}

// Credentials is what the host gives a driver to reach a cluster's COE:
// PEM encoded CA certificate, client certificate and client key, and the
// way to its API.
type Credentials struct {
	CACert     []byte `json:"ca_cert,omitempty"`
	ClientCert []byte `json:"client_cert,omitempty"`
	ClientKey  []byte `json:"client_key,omitempty"`
	// Proxy is the URL of an HTTP CONNECT proxy through which the COE's
	// API must be reached (the simulated cloud answers its clusters' APIs
	// this way), empty to connect directly.
	Proxy string `json:"proxy,omitempty"`
}

// HealthStatus is a cluster's health as the COE reports it.
type HealthStatus string

// Health statuses.
const (
	Healthy   HealthStatus = "HEALTHY"
	Unhealthy HealthStatus = "UNHEALTHY"
	Unknown   HealthStatus = "UNKNOWN"
)

// Health is the result of a health check.
type Health struct {
	Status HealthStatus `json:"status"`
	// Reason explains the status per component ("api": "ok",
	// "node-0.Ready": "True").
	Reason map[string]string `json:"reason,omitempty"`
}

// ClientConfig is what a user needs to talk to a cluster's COE.
type ClientConfig struct {
	// Files maps file names ("config", "ca.pem") to contents.
	Files map[string][]byte `json:"files,omitempty"`
	// Env holds environment variables to export (DOCKER_HOST...).
	Env map[string]string `json:"env,omitempty"`
}
