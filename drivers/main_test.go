package drivers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/plugin"
	"github.com/gomagnum/gomagnum/heat"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/require"
)

// The test binary doubles as the plugins and hosts the tests start: it
// serves the built-in drivers below when re-executed by a host, and plays
// the roles named by roleEnv.
const (
	roleEnv = "DRIVERS_TEST_ROLE"
	// hostModeEnv says how the "host" role ends: "close" closes its host,
	// "exit" exits without closing it, "wait" waits to be killed.
	hostModeEnv = "DRIVERS_TEST_HOST_MODE"
	// markerEnv marks the processes of one test, which counts them.
	markerEnv = "DRIVERS_TEST_MARKER"
	// v2Only is a built-in name whose process speaks protocol 2 only.
	v2Only = "v2only"
)

var builtins = map[string]drivers.Driver{
	"fake":    &fakeDriver{name: "fake_v1"},
	"spawner": &fakeDriver{name: "spawner_v1", spawn: true},
	v2Only:    &fakeDriver{name: v2Only},
}

func TestMain(m *testing.M) {
	if os.Getenv(pb.EnvBuiltin) == v2Only {
		serveProtocol2()
		return
	}
	plugin.ServeBuiltinIfRequested(builtins)
	if os.Getenv(roleEnv) == "host" {
		runHost()
		return
	}
	os.Exit(m.Run())
}

// runHost starts two plugins, one of which starts a child process, says
// "ready", and ends as hostModeEnv says once its stdin is closed.
func runHost() {
	ctx := context.Background()
	h := drivers.NewHost(drivers.WithBuiltins(builtins), drivers.WithPluginEnv(markerEnv))
	for _, name := range []string{"fake", "spawner"} {
		d, err := h.Builtin(ctx, name)
		if err == nil {
			_, err = d.Info(ctx)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if os.Getenv(hostModeEnv) == "close" {
		_ = h.Close()
	}
	os.Exit(0)
}

// serveProtocol2 is a plugin of a future generation: it speaks protocol
// version 2 only.
func serveProtocol2() {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: pb.Handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{
			2: {pb.PluginName: &pb.GRPCPlugin{Impl: pb.UnimplementedDriverServer{}}},
		},
		GRPCServer: goplugin.DefaultGRPCServer,
	})
}

// fakeDriver is a small driver whose behaviour the cluster's name picks:
// "block" blocks until the call is cancelled, "stall" does too in the
// process whose PID its "pid" label names (and answers in any other),
// "crash" exits the plugin process, "panic" panics, "invalid" is refused
// with ErrInvalid. With spawn, its first Info starts a child process that
// lives until killed.
type fakeDriver struct {
	drivers.Unsupported
	name  string
	spawn bool
	once  sync.Once
}

const fakeTemplate = `heat_template_version: 2021-04-16
parameters:
  cluster_uuid: {type: string}
  number_of_minions: {type: number, default: 1}
resources:
  minions:
    type: OS::Heat::ResourceGroup
    properties:
      count: {get_param: number_of_minions}
      resource_def: {type: OS::Heat::None}
outputs:
  api_address: {value: 192.0.2.10}
`

func (d *fakeDriver) Info(context.Context) (drivers.Info, error) {
	if d.spawn {
		d.once.Do(func() {
			if err := exec.Command("sleep", "600").Start(); err != nil {
				slog.Error("spawn", "error", err)
			}
		})
	}
	return drivers.Info{
		Name:    d.name,
		Version: "1.0.0",
		// The fake reports its processors, for TestPluginProcessors.
		ContainerVersion: strconv.Itoa(runtime.GOMAXPROCS(0)),
		Provides:         []drivers.Tuple{{ServerType: "vm", OSDistro: "fake-os", COE: "kubernetes"}},
		NetworkDrivers:   []string{"flannel"},
	}, nil
}

func (d *fakeDriver) ValidateTemplate(_ context.Context, t drivers.Template) error {
	if t.COE != "kubernetes" {
		return fmt.Errorf("%w: coe %q is not served by %s", drivers.ErrInvalid, t.COE, d.name)
	}
	return nil
}

func (d *fakeDriver) ValidateCluster(context.Context, drivers.Cluster) error { return nil }

func (d *fakeDriver) ClusterStack(ctx context.Context, c drivers.Cluster) (drivers.Stack, error) {
	switch {
	case c.Name == "block", c.Name == "stall" && c.Labels["pid"] == strconv.Itoa(os.Getpid()):
		slog.Info("blocking", "cluster", c.UUID)
		<-ctx.Done()
		return drivers.Stack{}, ctx.Err()
	case c.Name == "crash":
		os.Exit(3)
	}
	switch c.Name {
	case "panic":
		panic("the fake driver panics on request")
	case "invalid":
		return drivers.Stack{}, fmt.Errorf("%w: cluster %q is invalid", drivers.ErrInvalid, c.Name)
	case "conflicting":
		return drivers.Stack{}, fmt.Errorf("%w: cluster %q conflicts", drivers.ErrConflict, c.Name)
	case "failing":
		return drivers.Stack{}, errors.New("the fake driver failed")
	}
	slog.Info("stack computed", "cluster", c.UUID, "minions", 2)
	return drivers.Stack{
		Template:   []byte(fakeTemplate),
		Parameters: map[string]any{"cluster_uuid": c.UUID, "number_of_minions": 2},
	}, nil
}

func (d *fakeDriver) ResizeStack(_ context.Context, _ drivers.Cluster, r drivers.Resize) (heat.StackUpdate, error) {
	return heat.StackUpdate{Parameters: map[string]any{"number_of_minions": r.NodeCount}}, nil
}

func (d *fakeDriver) MapOutputs(_ context.Context, _ drivers.Cluster, _ drivers.NodeGroup, s drivers.StackState) (drivers.Outputs, error) {
	addr, _ := s.Outputs["api_address"].(string)
	return drivers.Outputs{APIAddress: "https://" + addr + ":6443"}, nil
}

func (d *fakeDriver) ClientConfig(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.ClientConfig, error) {
	return drivers.ClientConfig{Files: map[string][]byte{"ca.pem": creds.CACert}, Env: map[string]string{"API": c.APIAddress}}, nil
}

func newHost(t *testing.T, logs *logStore, opts ...drivers.HostOption) *drivers.Host {
	t.Helper()
	if logs == nil {
		logs = &logStore{}
	}
	opts = append([]drivers.HostOption{
		drivers.WithBuiltins(builtins),
		drivers.WithLogger(logs.logger()),
		drivers.WithRestartBackoff(10*time.Millisecond, 200*time.Millisecond),
	}, opts...)
	h := drivers.NewHost(opts...)
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func startFake(t *testing.T, h *drivers.Host) *drivers.Plugin {
	t.Helper()
	d, err := h.Builtin(t.Context(), "fake")
	require.NoError(t, err)
	p, ok := d.(*drivers.Plugin)
	require.True(t, ok, "a built-in runs as a plugin unless in-process is asked for")
	require.NotZero(t, p.PID())
	return p
}

func named(name string) drivers.Cluster {
	return drivers.Cluster{UUID: "5d12f6fd-a196-4bf0-ae4c-1f639a523a52", Name: name}
}

// stallIn is a cluster whose stack the fake computes everywhere but in
// the plugin process pid, where the call blocks until cancelled.
func stallIn(pid int) drivers.Cluster {
	c := named("stall")
	c.Labels = map[string]string{"pid": strconv.Itoa(pid)}
	return c
}
