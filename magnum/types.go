package magnum

import (
	"time"

	"github.com/gomagnum/gomagnum/drivers"
)

// ClusterTemplate is the blueprint clusters are created from: the COE, the
// image and flavors, the network setup and the labels that tune the
// driver. Empty strings and zero numbers are unset values.
type ClusterTemplate struct {
	UUID      string `json:"uuid"`
	Name      string `json:"name"`
	ProjectID string `json:"project_id"`
	UserID    string `json:"user_id"`
	// COE is the container orchestration engine: kubernetes, swarm,
	// swarm-mode, mesos or dcos.
	COE string `json:"coe"`
	// ImageID is the Glance image name or ID of the nodes.
	ImageID        string `json:"image_id"`
	FlavorID       string `json:"flavor_id"`
	MasterFlavorID string `json:"master_flavor_id"`
	// DNSNameserver is a comma-separated list of IPv4 addresses.
	DNSNameserver     string `json:"dns_nameserver"`
	KeypairID         string `json:"keypair_id"`
	ExternalNetworkID string `json:"external_network_id"`
	FixedNetwork      string `json:"fixed_network"`
	FixedSubnet       string `json:"fixed_subnet"`
	NetworkDriver     string `json:"network_driver"`
	VolumeDriver      string `json:"volume_driver"`
	// APIServerPort is between 1024 and 65535.
	APIServerPort       int    `json:"apiserver_port"`
	DockerVolumeSize    int    `json:"docker_volume_size"`
	DockerStorageDriver string `json:"docker_storage_driver"`
	// ClusterDistro is the os_distro of the image, set by the service.
	ClusterDistro     string            `json:"cluster_distro"`
	HTTPProxy         string            `json:"http_proxy"`
	HTTPSProxy        string            `json:"https_proxy"`
	NoProxy           string            `json:"no_proxy"`
	InsecureRegistry  string            `json:"insecure_registry"`
	RegistryEnabled   bool              `json:"registry_enabled"`
	TLSDisabled       bool              `json:"tls_disabled"`
	Public            bool              `json:"public"`
	Hidden            bool              `json:"hidden"`
	MasterLBEnabled   bool              `json:"master_lb_enabled"`
	FloatingIPEnabled bool              `json:"floating_ip_enabled"`
	ServerType        string            `json:"server_type"`
	Labels            map[string]string `json:"labels"`
	Tags              string            `json:"tags"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

// Status is the status of a cluster or node group; it mirrors Heat's
// stack statuses.
type Status string

// Cluster and node-group statuses.
const (
	CreateInProgress   Status = "CREATE_IN_PROGRESS"
	CreateFailed       Status = "CREATE_FAILED"
	CreateComplete     Status = "CREATE_COMPLETE"
	UpdateInProgress   Status = "UPDATE_IN_PROGRESS"
	UpdateFailed       Status = "UPDATE_FAILED"
	UpdateComplete     Status = "UPDATE_COMPLETE"
	DeleteInProgress   Status = "DELETE_IN_PROGRESS"
	DeleteFailed       Status = "DELETE_FAILED"
	DeleteComplete     Status = "DELETE_COMPLETE"
	ResumeComplete     Status = "RESUME_COMPLETE"
	ResumeFailed       Status = "RESUME_FAILED"
	RestoreComplete    Status = "RESTORE_COMPLETE"
	RollbackInProgress Status = "ROLLBACK_IN_PROGRESS"
	RollbackFailed     Status = "ROLLBACK_FAILED"
	RollbackComplete   Status = "ROLLBACK_COMPLETE"
	SnapshotComplete   Status = "SNAPSHOT_COMPLETE"
	CheckComplete      Status = "CHECK_COMPLETE"
	AdoptComplete      Status = "ADOPT_COMPLETE"
)

// IsFailed reports whether the status is one of those for which Magnum
// reports faults.
func (s Status) IsFailed() bool {
	switch s {
	case CreateFailed, UpdateFailed, DeleteFailed, RollbackFailed, ResumeFailed:
		return true
	}
	return false
}

// IsInProgress reports whether an operation is under way.
func (s Status) IsInProgress() bool {
	switch s {
	case CreateInProgress, UpdateInProgress, DeleteInProgress, RollbackInProgress:
		return true
	}
	return false
}

// HealthStatus is a cluster's health as its COE reports it.
type HealthStatus string

// Health statuses.
const (
	Healthy   HealthStatus = "HEALTHY"
	Unhealthy HealthStatus = "UNHEALTHY"
	Unknown   HealthStatus = "UNKNOWN"
)

// Cluster is a container cluster built from a template.
type Cluster struct {
	UUID      string `json:"uuid"`
	Name      string `json:"name"`
	ProjectID string `json:"project_id"`
	UserID    string `json:"user_id"`
	// ClusterTemplateID is the UUID of the template.
	ClusterTemplateID string `json:"cluster_template_id"`
	Keypair           string `json:"keypair"`
	DockerVolumeSize  int    `json:"docker_volume_size"`
	// Labels are the effective labels; LabelsAdded, LabelsOverridden and
	// LabelsSkipped compare them with the template's.
	Labels           map[string]string `json:"labels"`
	LabelsOverridden map[string]string `json:"labels_overridden"`
	LabelsAdded      map[string]string `json:"labels_added"`
	LabelsSkipped    map[string]string `json:"labels_skipped"`
	MasterFlavorID   string            `json:"master_flavor_id"`
	FlavorID         string            `json:"flavor_id"`
	// NodeCount and MasterCount sum the node counts of the worker and
	// master node groups.
	NodeCount   int `json:"node_count"`
	MasterCount int `json:"master_count"`
	// CreateTimeout is in minutes.
	CreateTimeout     int    `json:"create_timeout"`
	DiscoveryURL      string `json:"discovery_url"`
	FixedNetwork      string `json:"fixed_network"`
	FixedSubnet       string `json:"fixed_subnet"`
	FloatingIPEnabled bool   `json:"floating_ip_enabled"`
	MasterLBEnabled   bool   `json:"master_lb_enabled"`
	Status            Status `json:"status"`
	StatusReason      string `json:"status_reason"`
	// Fault explains, in a machine-readable way, why the last operation
	// failed; nil unless the cluster is in a failed state.
	Fault              *Fault            `json:"fault,omitempty"`
	HealthStatus       HealthStatus      `json:"health_status"`
	HealthStatusReason map[string]string `json:"health_status_reason"`
	// StackID is the ID of the cluster's stack in the orchestrator.
	StackID          string `json:"stack_id"`
	APIAddress       string `json:"api_address"`
	COEVersion       string `json:"coe_version"`
	ContainerVersion string `json:"container_version"`
	// NodeAddresses and MasterAddresses gather the addresses of the
	// worker and master node groups.
	NodeAddresses   []string `json:"node_addresses"`
	MasterAddresses []string `json:"master_addresses"`
	// Faults maps the names of failed node groups to their reasons.
	Faults    map[string]string `json:"faults,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`

	rev int64 // the stored record's version
}

// FaultCode classifies why an operation failed.
type FaultCode string

// Fault codes.
const (
	FaultQuotaExceeded        FaultCode = "QUOTA_EXCEEDED"
	FaultNoValidHost          FaultCode = "NO_VALID_HOST"
	FaultImageNotFound        FaultCode = "IMAGE_NOT_FOUND"
	FaultWaitConditionTimeout FaultCode = "WAIT_CONDITION_TIMEOUT"
	FaultTimeout              FaultCode = "TIMEOUT"
	FaultAuth                 FaultCode = "AUTH"
	FaultDependency           FaultCode = "DEPENDENCY"
	FaultDriverUnavailable    FaultCode = "DRIVER_UNAVAILABLE" // the driver's plugin kept dying or could not start; Resource names the driver
	FaultInvalid              FaultCode = "INVALID"
	FaultLimitExceeded        FaultCode = "LIMIT_EXCEEDED" // above Limits, or Heat's max_resources_per_stack
	FaultUnknown              FaultCode = "UNKNOWN"
)

// Fault is a failure people and programs can act on: the deepest failed
// resource, what it is, why it failed and whether retrying may help.
type Fault struct {
	Code         FaultCode `json:"code"`
	Resource     string    `json:"resource,omitempty"`
	ResourceType string    `json:"resource_type,omitempty"`
	Reason       string    `json:"reason"`
	Retryable    bool      `json:"retryable"`
}

// Node-group roles of the default groups.
const (
	RoleMaster = "master"
	RoleWorker = "worker"
)

// NodeGroup is a set of nodes of one cluster sharing a role, flavor and
// image. Every cluster has a default master and a default worker group.
type NodeGroup struct {
	ID               int64             `json:"id"`
	UUID             string            `json:"uuid"`
	Name             string            `json:"name"`
	ClusterID        string            `json:"cluster_id"`
	ProjectID        string            `json:"project_id"`
	DockerVolumeSize int               `json:"docker_volume_size"`
	Labels           map[string]string `json:"labels"`
	LabelsOverridden map[string]string `json:"labels_overridden"`
	LabelsAdded      map[string]string `json:"labels_added"`
	LabelsSkipped    map[string]string `json:"labels_skipped"`
	FlavorID         string            `json:"flavor_id"`
	ImageID          string            `json:"image_id"`
	NodeAddresses    []string          `json:"node_addresses"`
	NodeCount        int               `json:"node_count"`
	Role             string            `json:"role"`
	MinNodeCount     int               `json:"min_node_count"`
	// MaxNodeCount is nil when the group has no upper bound.
	MaxNodeCount *int   `json:"max_node_count"`
	IsDefault    bool   `json:"is_default"`
	StackID      string `json:"stack_id"`
	Status       Status `json:"status"`
	StatusReason string `json:"status_reason"`
	// Version is the COE version the group runs, when known.
	Version string `json:"version"`
	// NodeLabels and NodeTaints are applied to the group's nodes.
	NodeLabels map[string]string `json:"node_labels"`
	NodeTaints []drivers.Taint   `json:"node_taints"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`

	rev int64 // the stored record's version
}

// Quota is a project's limit on a resource. Only the resource Cluster
// exists.
type Quota struct {
	// ID is zero for a default quota no row stands for.
	ID        int64     `json:"id"`
	ProjectID string    `json:"project_id"`
	Resource  string    `json:"resource"`
	HardLimit int       `json:"hard_limit"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// QuotaResourceCluster is the one resource quotas limit.
const QuotaResourceCluster = "Cluster"

// Stats counts clusters and their nodes, masters included.
type Stats struct {
	Clusters int `json:"clusters"`
	Nodes    int `json:"nodes"`
}

// MService is a running gomagnum service instance (Magnum's "mservice"),
// known by the heartbeats it records.
type MService struct {
	ID             int64     `json:"id"`
	Host           string    `json:"host"`
	Binary         string    `json:"binary"`
	State          string    `json:"state"`
	ReportCount    int64     `json:"report_count"`
	Disabled       bool      `json:"disabled"`
	DisabledReason string    `json:"disabled_reason"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ListOptions pages and sorts a list.
type ListOptions struct {
	// Limit is the page size; zero means the service's maximum (1000),
	// larger values are capped to it.
	Limit int
	// Marker is the UUID of the last item of the previous page.
	Marker string
	// SortKey is the field to sort on; empty sorts by creation order.
	SortKey string
	// SortDir is "asc" (the default) or "desc".
	SortDir string
}
