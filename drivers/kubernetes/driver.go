package kubernetes

import (
	"context"
	"embed"
	"log/slog"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
)

// Name is the driver's name, as Magnum's entry point.
const Name = "k8s_fedora_coreos_v1"

// Version of the driver.
const Version = "1.0.0"

const (
	coe          = "kubernetes"
	topTemplate  = "kubecluster.yaml"
	templatesDir = "templates"
)

//go:embed templates/*
var templatesFS embed.FS

// Network and volume drivers the driver accepts; the first network driver
// is the default.
var (
	NetworkDrivers = []string{"flannel", "calico"}
	VolumeDrivers  = []string{"cinder"}
)

// Driver builds Kubernetes clusters on Fedora CoreOS. It is stateless and
// safe for concurrent use.
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

// New returns the Kubernetes driver.
func New(opts ...Option) *Driver {
	d := &Driver{log: slog.New(slog.DiscardHandler), timeout: 10 * time.Second}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Info describes the driver: it serves (vm, fedora-coreos, kubernetes) and
// supports upgrades, CA rotation, node groups and health checks.
func (d *Driver) Info(context.Context) (drivers.Info, error) {
	return drivers.Info{
		Name:           Name,
		Version:        Version,
		Provides:       []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora-coreos", COE: coe}},
		Capabilities:   drivers.Capabilities{Upgrade: true, RotateCA: true, NodeGroups: true, Health: true},
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

// ValidateCluster checks a cluster about to be created: its template, node
// groups, master count and the label combinations Kubernetes needs.
func (d *Driver) ValidateCluster(ctx context.Context, c drivers.Cluster) error {
	if err := d.ValidateTemplate(ctx, c.Template); err != nil {
		return err
	}
	if err := clusterstack.Cluster(c); err != nil {
		return err
	}
	_, err := resolve(c, nil)
	return err
}
