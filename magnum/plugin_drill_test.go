//go:build unix

package magnum_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/builtin"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/magnum"
)

// drillStormEnv overrides how long the kill storm of TestPluginKillDrill
// lasts ("12s" measures the drill); 4 s by default.
const drillStormEnv = "GOMAGNUM_PLUGIN_DRILL_STORM"

// drillClusters is how many clusters each drill creates.
const drillClusters = 100

// pluginDrill is a service on the embedded engine whose Kubernetes driver
// runs as a plugin process (this test binary re-executed, see TestMain),
// with the outcome of every cluster create.
type pluginDrill struct {
	s        *magnum.Service
	plugin   *drivers.Plugin
	template string
	pending  chan struct{}       // one per create the conductor starts
	outcomes chan magnum.Cluster // one per create that ends

	mu     sync.Mutex
	killed []int // the plugin processes killed
}

func newPluginDrill(t *testing.T) *pluginDrill {
	t.Helper()
	quietLog := slog.New(slog.NewTextHandler(io.Discard, nil))
	host := drivers.NewHost(drivers.WithBuiltins(builtin.Drivers()), drivers.WithLogger(quietLog))
	t.Cleanup(func() { _ = host.Close() })
	d, err := host.Builtin(t.Context(), kubernetes.Name)
	require.NoError(t, err)
	reg := drivers.NewRegistry()
	require.NoError(t, reg.Register(t.Context(), d))

	dr := &pluginDrill{plugin: d.(*drivers.Plugin),
		pending: make(chan struct{}, drillClusters), outcomes: make(chan magnum.Cluster, drillClusters)}
	opts := append(fastOptions(t.TempDir()), magnum.WithDrivers(reg), magnum.WithLogger(quietLog),
		magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
			if e.Operation != "create" {
				return
			}
			if e.Outcome == magnum.OutcomePending {
				dr.pending <- struct{}{}
				return
			}
			dr.outcomes <- e.Cluster
		}))
	dr.s, err = magnum.New(t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { dr.s.Close() })
	dr.template = mustTemplate(t, dr.s, demo, k8sTemplate("k8s")).UUID
	return dr
}

// kill SIGKILLs the running plugin process, unless none runs or the
// running one is already killed and not yet replaced.
func (dr *pluginDrill) kill(t *testing.T) bool {
	dr.mu.Lock()
	defer dr.mu.Unlock()
	pid := dr.plugin.PID()
	if pid == 0 || len(dr.killed) > 0 && dr.killed[len(dr.killed)-1] == pid {
		return false
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Errorf("kill plugin %d: %v", pid, err)
		return false
	}
	dr.killed = append(dr.killed, pid)
	return true
}

func (dr *pluginDrill) kills() int {
	dr.mu.Lock()
	defer dr.mu.Unlock()
	return len(dr.killed)
}

// create asks for one cluster; a refusal counts as a failed cluster.
func (dr *pluginDrill) create(t *testing.T) {
	if _, err := dr.s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: dr.template}); err != nil {
		dr.outcomes <- magnum.Cluster{Status: "REFUSED", StatusReason: err.Error()}
	}
}

// failures waits for every create to end and returns how many failed,
// logging why.
func (dr *pluginDrill) failures(t *testing.T) int {
	t.Helper()
	failed := 0
	deadline := time.After(5 * time.Minute)
	for range drillClusters {
		select {
		case c := <-dr.outcomes:
			if c.Status != magnum.CreateComplete {
				failed++
				t.Logf("failed: %s %s: %s", c.UUID, c.Status, c.StatusReason)
			}
		case <-deadline:
			t.Fatal("clusters still building after 5 minutes")
		}
	}
	return failed
}

// TestPluginKillDrill creates 100 clusters while the Kubernetes driver's
// plugin process is SIGKILLed: three times while creates start, then
// every 0.5 s while creates arrive at a steady pace. The host restarts
// the plugin and retries the calls it lost: no cluster may fail.
func TestPluginKillDrill(t *testing.T) {
	t.Run("three kills", func(t *testing.T) {
		dr := newPluginDrill(t)
		var wg sync.WaitGroup
		for range drillClusters {
			wg.Go(func() { dr.create(t) })
		}
		// Kill while the conductor is starting creates, which asks the
		// driver for their stacks.
		for started := 1; started <= drillClusters; started++ {
			<-dr.pending
			if started == 10 || started == 40 || started == 70 {
				require.Eventually(t, func() bool { return dr.kill(t) }, 30*time.Second, time.Millisecond)
			}
		}
		wg.Wait()
		failed := dr.failures(t)
		t.Logf("%d of %d clusters failed; %d plugin kills", failed, drillClusters, dr.kills())
		assert.Zero(t, failed, "clusters failed")
		assert.Equal(t, 3, dr.kills())
	})
	t.Run("kill every 0.5 s", func(t *testing.T) {
		storm := 4 * time.Second
		if v := os.Getenv(drillStormEnv); v != "" {
			var err error
			storm, err = time.ParseDuration(v)
			require.NoError(t, err, drillStormEnv)
		}
		dr := newPluginDrill(t)
		var wg sync.WaitGroup
		pace := time.NewTicker(storm / drillClusters)
		kill := time.NewTicker(500 * time.Millisecond)
		for created := 0; created < drillClusters; {
			select {
			case <-pace.C:
				wg.Go(func() { dr.create(t) })
				created++
			case <-kill.C:
				dr.kill(t)
			}
		}
		pace.Stop()
		kill.Stop()
		wg.Wait()
		failed := dr.failures(t)
		t.Logf("storm of %s: %d of %d clusters failed; %d plugin kills", storm, failed, drillClusters, dr.kills())
		assert.Zero(t, failed, "clusters failed")
		assert.GreaterOrEqual(t, dr.kills(), int(storm/time.Second), "the plugin was killed every 0.5 s while it ran")
	})
}
