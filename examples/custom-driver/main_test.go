package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/drivertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pluginDir holds the driver built as a plugin executable, as an operator
// installs it.
var pluginDir string

const binaryName = "k3s-driver"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "custom-driver-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pluginDir = dir
	build := exec.Command("go", "build", "-o", filepath.Join(dir, binaryName), ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	code := 1
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the plugin:", err)
	} else {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func TestConformance(t *testing.T) {
	drivertest.Run(t, driver{})
}

// loadPlugin discovers the driver in its directory, pinned by checksum.
func loadPlugin(tb testing.TB, opts ...drivers.HostOption) (*drivers.Host, *drivers.Plugin) {
	tb.Helper()
	host := drivers.NewHost(opts...)
	tb.Cleanup(func() { _ = host.Close() })
	plugins, err := host.Discover(tb.Context(), pluginDir, drivers.WithChecksums(map[string]string{
		binaryName: sha256Hex(tb, filepath.Join(pluginDir, binaryName)),
	}))
	require.NoError(tb, err)
	require.Len(tb, plugins, 1)
	return host, plugins[0]
}

func TestConformanceThroughPlugin(t *testing.T) {
	_, p := loadPlugin(t)
	assert.Equal(t, binaryName, p.Name())
	drivertest.Run(t, p)
}

func TestRegistrySelectsPlugin(t *testing.T) {
	_, p := loadPlugin(t)
	r := drivers.NewRegistry()
	require.NoError(t, r.Register(t.Context(), p))
	d, err := r.Select(drivers.Tuple{ServerType: "vm", OSDistro: "ubuntu", COE: "kubernetes"})
	require.NoError(t, err)
	assert.Same(t, p, d)
}

func TestRunByHand(t *testing.T) {
	out, err := exec.Command(filepath.Join(pluginDir, binaryName)).CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "k3s-driver is a gomagnum driver plugin: a gomagnum host starts it.")
}

func TestDebugMode(t *testing.T) {
	cmd := exec.Command(filepath.Join(pluginDir, binaryName), "-debug")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})

	var reattach string
	scanner := bufio.NewScanner(stdout)
	for scanner.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(scanner.Text()), drivers.EnvReattach+"="); ok {
			reattach = strings.Trim(v, "'")
			break
		}
	}
	require.NotEmpty(t, reattach, "debug mode prints how to attach")
	var all map[string]drivers.Reattach
	require.NoError(t, json.Unmarshal([]byte(reattach), &all))
	require.Contains(t, all, "k3s_ubuntu_v1")
	assert.Equal(t, cmd.Process.Pid, all["k3s_ubuntu_v1"].PID)

	t.Setenv(drivers.EnvReattach, reattach)
	host := drivers.NewHost()
	defer host.Close()
	plugins, err := host.AttachFromEnv(t.Context())
	require.NoError(t, err)
	require.Len(t, plugins, 1)
	info, err := plugins[0].Info(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "k3s_ubuntu_v1", info.Name)
}

func sha256Hex(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	require.NoError(tb, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// benchCluster is a cluster of one master and two workers.
var benchCluster = drivers.Cluster{
	UUID: "7b1e3d5f-9a2c-4e6b-8d0f-1a3c5e7b9d2f", Name: "bench", Keypair: "default",
	Template: drivers.Template{ImageID: "ubuntu-22.04", ExternalNetworkID: "public", NetworkDriver: "flannel"},
	NodeGroups: []drivers.NodeGroup{
		{UUID: "m", Name: "default-master", Role: "master", IsDefault: true, FlavorID: "m1.small", NodeCount: 1},
		{UUID: "w", Name: "default-worker", Role: "worker", IsDefault: true, FlavorID: "m1.small", NodeCount: 2},
	},
}

// BenchmarkClusterStack measures a driver call that returns a stack for a
// real template, in-process and through the plugin; the p50-µs metric is
// the median of the per-call durations.
func BenchmarkClusterStack(b *testing.B) {
	b.Run("in-process", func(b *testing.B) { benchStack(b, driver{}) })
	b.Run("plugin", func(b *testing.B) {
		_, p := loadPlugin(b, drivers.WithLogger(slog.New(slog.DiscardHandler)))
		benchStack(b, p)
	})
}

func benchStack(b *testing.B, d drivers.Driver) {
	ctx := context.Background()
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := d.ClusterStack(ctx, benchCluster); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1e3, "p50-µs")
}
