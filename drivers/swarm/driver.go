package swarm

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/heat"
)

// Name is the driver's name.
const Name = "swarm_fedora_coreos_v1"

// Version of the driver.
const Version = "1.0.0"

const coe = "swarm-mode"

// Ports of the Docker API.
const (
	tlsPort      = 2376
	insecurePort = 2375
)

// Network and volume drivers the driver accepts; the first network driver
// is the default. Both network drivers give swarm mode's own overlay
// network, as in Magnum's swarm-mode driver.
var (
	NetworkDrivers = []string{"docker", "flannel"}
	VolumeDrivers  = []string{"rexray"}
)

//go:embed scripts/*.sh
var scriptsFS embed.FS

// Driver builds Docker Swarm-mode clusters on Fedora CoreOS. It is
// stateless and safe for concurrent use.
type Driver struct {
	log     *slog.Logger
	timeout time.Duration
}

var _ drivers.Driver = (*Driver)(nil)

// Option configures a Driver.
type Option func(*Driver)

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(d *Driver) { d.log = l } }

// WithHealthTimeout bounds each request of a health check (default 10s).
func WithHealthTimeout(t time.Duration) Option { return func(d *Driver) { d.timeout = t } }

// New returns the Swarm-mode driver.
func New(opts ...Option) *Driver {
	d := &Driver{log: slog.New(slog.DiscardHandler), timeout: 10 * time.Second}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Info describes the driver: it serves (vm, fedora-coreos, swarm-mode),
// checks health and adds extra worker node groups; it supports neither
// upgrades nor CA rotation.
func (d *Driver) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{
		Name:           Name,
		Version:        Version,
		Provides:       []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora-coreos", COE: coe}},
		Capabilities:   drivers.Capabilities{Health: true, NodeGroups: true},
		NetworkDrivers: NetworkDrivers,
		VolumeDrivers:  VolumeDrivers,
	}, nil
}

// ValidateTemplate checks the template's network and volume drivers,
// server type and labels.
func (d *Driver) ValidateTemplate(_ context.Context, t drivers.Template) error {
	if err := clusterstack.Template(t, coe, NetworkDrivers, VolumeDrivers); err != nil {
		return err
	}
	_, err := Labels.Resolve(t.Labels)
	return err
}

// ValidateCluster checks a cluster about to be created.
func (d *Driver) ValidateCluster(_ context.Context, c drivers.Cluster) error {
	_, err := clusterstack.ValidateBasic(c, coe, Labels, NetworkDrivers, VolumeDrivers)
	return err
}

// ClusterStack returns the stack of a new cluster: network, security
// groups, the optional API load balancer, the primary manager, the other
// managers and the workers.
func (d *Driver) ClusterStack(_ context.Context, c drivers.Cluster) (drivers.Stack, error) {
	labels, master, worker, err := boots(c, nil)
	if err != nil {
		return drivers.Stack{}, err
	}
	d.log.Debug("swarm stack", "cluster", c.UUID)
	return clusterstack.BasicStack(c, labels, ports(c.Template), master, worker)
}

// NodeGroupStack returns the stack of an extra worker node group: its
// workers only, on the cluster's network, with the workers' Ignition
// config; they find the managers through the cluster's API address.
func (d *Driver) NodeGroupStack(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup) (drivers.Stack, error) {
	labels, master, worker, err := boots(c, &ng)
	if err != nil {
		return drivers.Stack{}, err
	}
	d.log.Debug("swarm node group stack", "cluster", c.UUID, "node_group", ng.Name)
	return clusterstack.BasicNodeGroupStack(c, ng, labels, ports(c.Template), master, worker)
}

// boots validates the cluster (and the node group ng, if any) and renders
// the Ignition configs of the managers and the workers.
func boots(c drivers.Cluster, ng *drivers.NodeGroup) (labels clusterstack.Values, master, worker []byte, err error) {
	if labels, err = clusterstack.StackLabels(c, ng, coe, Labels, NetworkDrivers, VolumeDrivers); err != nil {
		return nil, nil, nil, err
	}
	master, worker, err = ignitions(c, labels)
	return labels, master, worker, err
}

func ports(t drivers.Template) clusterstack.Ports {
	return clusterstack.Ports{API: apiPort(t), WorkerMin: 30000, WorkerMax: 32767}
}

// ResizeStack returns the update that sets the worker count, removing the
// named workers (indexes or server IDs) first when it shrinks.
func (d *Driver) ResizeStack(_ context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	params, err := clusterstack.BasicResize(c, r)
	if err != nil {
		return heat.StackUpdate{}, err
	}
	return heat.StackUpdate{Parameters: params}, nil
}

// UpgradeStack is not supported.
func (d *Driver) UpgradeStack(context.Context, drivers.Cluster, drivers.Upgrade) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, fmt.Errorf("%w: Swarm-mode clusters cannot be upgraded", drivers.ErrNotSupported)
}

// RotateCAStack is not supported.
func (d *Driver) RotateCAStack(context.Context, drivers.Cluster) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, fmt.Errorf("%w: Swarm-mode clusters cannot rotate their CA", drivers.ErrNotSupported)
}

// MapOutputs reads the cluster stack: the API address (tcp://ip:2376, or
// tcp://ip:2375 without TLS), the managers' and workers' addresses
// (floating IPs when the cluster has them) and counts; or the node-group
// stack of an extra group: its workers' addresses and count.
func (d *Driver) MapOutputs(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	if !ng.IsDefault {
		groups, err := clusterstack.BasicGroupOutputs(c, ng, s)
		return drivers.Outputs{NodeGroups: groups}, err
	}
	ip, groups, err := clusterstack.BasicOutputs(c, s)
	if err != nil {
		return drivers.Outputs{}, err
	}
	out := drivers.Outputs{NodeGroups: groups}
	if ip != "" {
		out.APIAddress = "tcp://" + net.JoinHostPort(ip, strconv.Itoa(apiPort(c.Template)))
	}
	return out, nil
}

func apiPort(t drivers.Template) int {
	if t.TLSDisabled {
		return insecurePort
	}
	return tlsPort
}
