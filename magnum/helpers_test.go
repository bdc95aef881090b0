package magnum_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/magnum/magnumtest"
)

// Callers from the simulated cloud's default catalog.
var (
	demo   = magnumtest.Demo
	alt    = magnumtest.Alt
	admin  = magnumtest.Admin
	nobody = context.Background()
)

func as(c magnum.Caller) context.Context { return magnum.WithCaller(context.Background(), c) }

// stubDriver is a test double for a COE driver: it serves its tuples and
// accepts everything.
type stubDriver struct{ info drivers.Info }

func (d stubDriver) Info(context.Context) (drivers.Info, error)               { return d.info, nil }
func (d stubDriver) ValidateTemplate(context.Context, drivers.Template) error { return nil }
func (d stubDriver) ValidateCluster(context.Context, drivers.Cluster) error   { return nil }
func (d stubDriver) ClusterStack(context.Context, drivers.Cluster) (drivers.Stack, error) {
	return drivers.Stack{}, nil
}
func (d stubDriver) NodeGroupStack(context.Context, drivers.Cluster, drivers.NodeGroup) (drivers.Stack, error) {
	return drivers.Stack{}, nil
}
func (d stubDriver) ResizeStack(context.Context, drivers.Cluster, drivers.Resize) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, nil
}
func (d stubDriver) UpgradeStack(context.Context, drivers.Cluster, drivers.Upgrade) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, nil
}
func (d stubDriver) RotateCAStack(context.Context, drivers.Cluster) (heat.StackUpdate, error) {
	return heat.StackUpdate{}, nil
}
func (d stubDriver) MapOutputs(context.Context, drivers.Cluster, drivers.NodeGroup, drivers.StackState) (drivers.Outputs, error) {
	return drivers.Outputs{}, nil
}
func (d stubDriver) Health(context.Context, drivers.Cluster, drivers.Credentials) (drivers.Health, error) {
	return drivers.Health{Status: drivers.Unknown}, nil
}
func (d stubDriver) ClientConfig(context.Context, drivers.Cluster, drivers.Credentials) (drivers.ClientConfig, error) {
	return drivers.ClientConfig{}, nil
}

// stubRegistry serves the stub drivers of Magnum's COEs.
type stubRegistry []stubDriver

func (r stubRegistry) Select(t drivers.Tuple) (drivers.Driver, error) {
	for _, d := range r {
		for _, p := range d.info.Provides {
			if p == t {
				return d, nil
			}
		}
	}
	return nil, drivers.ErrNoDriver
}

func (r stubRegistry) Infos() []drivers.Info {
	out := make([]drivers.Info, len(r))
	for i, d := range r {
		out[i] = d.info
	}
	return out
}

var stubDrivers = stubRegistry{
	{drivers.Info{Name: "k8s", Provides: []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora-coreos", COE: "kubernetes"}},
		NetworkDrivers: []string{"flannel", "calico"}, VolumeDrivers: []string{"cinder"},
		Capabilities: drivers.Capabilities{NodeGroups: true, Upgrade: true, RotateCA: true}}},
	{drivers.Info{Name: "swarm", Provides: []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora", COE: "swarm-mode"}, {ServerType: "vm", OSDistro: "fedora", COE: "swarm"}},
		NetworkDrivers: []string{"docker", "flannel"}, VolumeDrivers: []string{"rexray"}}},
	{drivers.Info{Name: "mesos", Provides: []drivers.Tuple{{ServerType: "vm", OSDistro: "ubuntu", COE: "mesos"}},
		NetworkDrivers: []string{"docker"}, VolumeDrivers: []string{"rexray"}}},
}

// newService returns a service on a fresh temporary database with the
// simulated cloud and the stub drivers, without a conductor: operations
// stay as the API recorded them.
func newService(t testing.TB, opts ...magnum.Option) *magnum.Service {
	t.Helper()
	opts = append([]magnum.Option{magnum.WithDataDir(t.TempDir()), magnum.WithDrivers(stubDrivers), magnum.WithoutConductor()}, opts...)
	s, err := magnum.New(context.Background(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func k8sTemplate(name string) magnum.ClusterTemplateCreate { return magnumtest.K8sTemplate(name) }

func mustTemplate(t testing.TB, s *magnum.Service, c magnum.Caller, req magnum.ClusterTemplateCreate) *magnum.ClusterTemplate {
	t.Helper()
	ct, err := s.CreateClusterTemplate(as(c), req)
	require.NoError(t, err)
	return ct
}

func mustCluster(t testing.TB, s *magnum.Service, c magnum.Caller, req magnum.ClusterCreate) string {
	t.Helper()
	id, err := s.CreateCluster(as(c), req)
	require.NoError(t, err)
	return id
}

func ptr[T any](v T) *T { return &v }

type magnumTaint = drivers.Taint

// k8sTemplateFor is a Kubernetes template without a keypair, usable by
// any project.
func k8sTemplateFor(name string) magnum.ClusterTemplateCreate {
	t := k8sTemplate(name)
	t.KeypairID = ""
	return t
}

// simEngine starts a simulated cloud without limits whose servers boot
// in boot, and an embedded engine over it, closed when t ends: what
// several services of one test share.
func simEngine(t testing.TB, boot time.Duration) (*sim.Cloud, *engine.Engine) {
	t.Helper()
	ctx := context.Background()
	cloud, err := sim.New(ctx, sim.WithCatalog(sim.UnlimitedCatalog()), sim.WithDelays(sim.Delays{Boot: boot}))
	require.NoError(t, err)
	orch, err := engine.New(ctx, engine.WithCloud(cloud))
	require.NoError(t, err)
	t.Cleanup(func() { orch.Close() })
	return cloud, orch
}
