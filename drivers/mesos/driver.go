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

// Info describes the driver: it serves (vm, ubuntu, mesos), checks health,
// and supports neither upgrades, CA rotation nor extra node groups.
func (d *Driver) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{
		Name:           Name,
		Version:        Version,
		Provides:       []drivers.Tuple{{ServerType: "vm", OSDistro: "ubuntu", COE: coe}},
		Capabilities:   drivers.Capabilities{Health: true},
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
func (d *Driver) ClusterStack(ctx context.Context, c drivers.Cluster) (drivers.Stack, error) {
	if err := d.ValidateCluster(ctx, c); err != nil {
		return drivers.Stack{}, err
	}
	labels, err := Labels.Resolve(c.Template.Labels, c.Labels)
	if err != nil {
		return drivers.Stack{}, err
	}
	if !c.Template.TLSDisabled && c.Boot.CACert == "" {
		return drivers.Stack{}, fmt.Errorf("%w: cluster %s has no CA certificate in its boot data", drivers.ErrInvalid, c.UUID)
	}
	master, worker, err := cloudConfigs(c, labels)
	if err != nil {
		return drivers.Stack{}, err
	}
	d.log.Debug("mesos stack", "cluster", c.UUID)
	ports := clusterstack.Ports{API: masterPort, Extra: marathonPort, WorkerMin: taskPortMin, WorkerMax: taskPortMax}
	return clusterstack.BasicStack(c, labels, ports, master, worker)
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

// NodeGroupStack is not supported: a Mesos cluster has one group of
// masters and one of agents.
func (d *Driver) NodeGroupStack(context.Context, drivers.Cluster, drivers.NodeGroup) (drivers.Stack, error) {
	return drivers.Stack{}, fmt.Errorf("%w: Mesos clusters have no extra node groups", drivers.ErrNotSupported)
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
// cluster has them) and counts.
func (d *Driver) MapOutputs(_ context.Context, c drivers.Cluster, _ drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	ip, groups, err := clusterstack.BasicOutputs(c, s)
	if err != nil {
		return drivers.Outputs{}, err
	}
	return drivers.Outputs{APIAddress: ip, NodeGroups: groups}, nil
}
