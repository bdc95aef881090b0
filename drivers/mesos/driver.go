package mesos

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
	"github.com/gomagnum/gomagnum/drivers/internal/nodeboot"
	"github.com/gomagnum/gomagnum/heat"
)

// Name is the driver's name, as Magnum's entry point.
const Name = "mesos_ubuntu_v1"

// Version of the driver.
const Version = "1.0.0"

const coe = "mesos"

// Ports of the masters and the agents.
const (
	masterPort   = 5050
	marathonPort = 8080
	taskPortMin  = 31000
	taskPortMax  = 32000
)

// Network and volume drivers the driver accepts.
var (
	NetworkDrivers = []string{"docker"}
	VolumeDrivers  = []string{"rexray"}
)

//go:embed scripts/*.sh
var scriptsFS embed.FS

// Driver builds Mesos clusters with Marathon on Ubuntu. It is stateless
// and safe for concurrent use.
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

// New returns the Mesos driver.
func New(opts ...Option) *Driver {
	d := &Driver{log: slog.New(slog.DiscardHandler), timeout: 10 * time.Second}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Info describes the driver: it serves (vm, ubuntu, mesos), checks health
// and adds extra agent node groups; it supports neither upgrades nor CA
// rotation.
func (d *Driver) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{
		Name:           Name,
		Version:        Version,
		Provides:       []drivers.Tuple{{ServerType: "vm", OSDistro: "ubuntu", COE: coe}},
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
	labels, err := Labels.Resolve(t.Labels)
	if err != nil {
		return err
	}
	return checkLabels(labels)
}

// ValidateCluster checks a cluster about to be created.
func (d *Driver) ValidateCluster(_ context.Context, c drivers.Cluster) error {
	labels, err := clusterstack.ValidateBasic(c, coe, Labels, NetworkDrivers, VolumeDrivers)
	if err != nil {
		return err
	}
	return checkLabels(labels)
}

// checkLabels checks what the label kinds do not: an absolute work
// directory and a JSON object of executor variables.
func checkLabels(labels clusterstack.Values) error {
	if dir := labels.String("mesos_slave_work_dir"); !strings.HasPrefix(dir, "/") {
		return fmt.Errorf("%w: label mesos_slave_work_dir=%q: expecting an absolute path", drivers.ErrInvalid, dir)
	}
	if v := labels.String("mesos_slave_executor_env_variables"); v != "" {
		var obj map[string]string
		if err := json.Unmarshal([]byte(v), &obj); err != nil {
			return fmt.Errorf("%w: label mesos_slave_executor_env_variables: expecting a JSON object of strings: %v", drivers.ErrInvalid, err)
		}
	}
	return nil
}

// ClusterStack returns the stack of a new cluster: network, security
// groups, the optional load balancer (Mesos and Marathon), the primary
// master, the other masters and the agents.
func (d *Driver) ClusterStack(_ context.Context, c drivers.Cluster) (drivers.Stack, error) {
	labels, master, worker, err := boots(c, nil)
	if err != nil {
		return drivers.Stack{}, err
	}
	d.log.Debug("mesos stack", "cluster", c.UUID)
	return clusterstack.BasicStack(c, labels, ports, master, worker)
}

// NodeGroupStack returns the stack of an extra agent node group: its
// agents only, on the cluster's network, with the agents' cloud-config;
// they find the masters' ZooKeeper through the cluster's API address.
func (d *Driver) NodeGroupStack(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup) (drivers.Stack, error) {
	labels, master, worker, err := boots(c, &ng)
	if err != nil {
		return drivers.Stack{}, err
	}
	d.log.Debug("mesos node group stack", "cluster", c.UUID, "node_group", ng.Name)
	return clusterstack.BasicNodeGroupStack(c, ng, labels, ports, master, worker)
}

// ports are the ports the stacks open: Mesos and Marathon on the masters,
// the task ports on the agents.
var ports = clusterstack.Ports{API: masterPort, Extra: marathonPort, WorkerMin: taskPortMin, WorkerMax: taskPortMax}

// boots validates the cluster (and the node group ng, if any) and renders
// the cloud-configs of the masters and the agents.
func boots(c drivers.Cluster, ng *drivers.NodeGroup) (labels clusterstack.Values, master, worker []byte, err error) {
	if labels, err = clusterstack.StackLabels(c, ng, coe, Labels, NetworkDrivers, VolumeDrivers); err != nil {
		return nil, nil, nil, err
	}
	if err = checkLabels(labels); err != nil {
		return nil, nil, nil, err
	}
	master, worker, err = cloudConfigs(c, labels)
	return labels, master, worker, err
}

// cloudConfigs renders the cloud-configs of the masters and the agents.
func cloudConfigs(c drivers.Cluster, labels clusterstack.Values) (master, worker []byte, err error) {
	script, err := scriptsFS.ReadFile("scripts/mesos-bootstrap.sh")
	if err != nil {
		return nil, nil, fmt.Errorf("mesos: boot script: %w", err)
	}
	m, _, err := clusterstack.Defaults(c)
	if err != nil {
		return nil, nil, err
	}
	name := c.Name
	if name == "" {
		name = c.UUID
	}
	env := map[string]string{
		"CLUSTER_UUID": c.UUID, "CLUSTER_NAME": name, "MAGNUM_URL": c.Boot.MagnumURL, "AUTH_URL": c.Boot.AuthURL,
		"TRUSTEE_USER_ID": c.Boot.TrusteeUserID, "TRUSTEE_PASSWORD": c.Boot.TrusteePassword,
		"TRUST_ID": c.Boot.TrustID, "VERIFY_CA": "true",
		"TLS_DISABLED": strconv.FormatBool(c.Template.TLSDisabled), "MASTER_COUNT": strconv.Itoa(m.NodeCount),
		"MESOS_TAG": labels.String("mesos_tag"), "MARATHON_TAG": labels.String("marathon_tag"),
		"ZOOKEEPER_TAG":               labels.String("zookeeper_tag"),
		"MESOS_AGENT_ISOLATION":       labels.String("mesos_slave_isolation"),
		"MESOS_AGENT_IMAGE_PROVIDERS": labels.String("mesos_slave_image_providers"),
		"MESOS_AGENT_WORK_DIR":        labels.String("mesos_slave_work_dir"),
		"MESOS_AGENT_EXECUTOR_ENV":    labels.String("mesos_slave_executor_env_variables"),
		"VOLUME_DRIVER":               c.Template.VolumeDriver,
		"REXRAY_PREEMPT":              strconv.FormatBool(labels.Bool("rexray_preempt")), "REXRAY_IMAGE": labels.String("rexray_image"),
		"HTTP_PROXY": c.Template.HTTPProxy, "HTTPS_PROXY": c.Template.HTTPSProxy, "NO_PROXY": c.Template.NoProxy,
	}
	render := func(role string) ([]byte, error) {
		env["ROLE"] = role
		return nodeboot.Boot{
			Files:      []nodeboot.File{{Path: "/usr/local/bin/magnum-bootstrap", Mode: 0o755, Data: script}},
			ClusterEnv: env,
			NodeEnv:    clusterstack.NodeEnv,
			Command:    "/usr/local/bin/magnum-bootstrap",
		}.CloudConfig()
	}
	if master, err = render(clusterstack.RoleMaster); err != nil {
		return nil, nil, err
	}
	worker, err = render(clusterstack.RoleWorker)
	return master, worker, err
}

// ResizeStack returns the update that sets the agent count, removing the
// named agents (indexes or server IDs) first when it shrinks.
func (d *Driver) ResizeStack(_ context.Context, c drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	params, err := clusterstack.BasicResize(c, r)
	if err != nil {
		return heat.StackUpdate{}, err
	}
	return heat.StackUpdate{Parameters: params}, nil
}

// UpgradeStack is not supported.
func (d *Driver) UpgradeStack(context.Context, drivers.Cluster, drivers.Upgrade) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, fmt.Errorf("%w: Mesos clusters cannot be upgraded", drivers.ErrNotSupported)
}

// RotateCAStack is not supported.
func (d *Driver) RotateCAStack(context.Context, drivers.Cluster) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, fmt.Errorf("%w: Mesos clusters cannot rotate their CA", drivers.ErrNotSupported)
}

// MapOutputs reads the cluster stack: the API address as a bare IP (as
// Magnum), the masters' and agents' addresses (floating IPs when the
// cluster has them) and counts; or the node-group stack of an extra group:
// its agents' addresses and count.
func (d *Driver) MapOutputs(_ context.Context, c drivers.Cluster, ng drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	if !ng.IsDefault {
		groups, err := clusterstack.BasicGroupOutputs(c, ng, s)
		return drivers.Outputs{NodeGroups: groups}, err
	}
	ip, groups, err := clusterstack.BasicOutputs(c, s)
	if err != nil {
		return drivers.Outputs{}, err
	}
	return drivers.Outputs{APIAddress: ip, NodeGroups: groups}, nil
}
