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
// lasts: "12s" measures the drill. The default, 2 s, is four kills,
// fewer than the attempts drivers.DefaultCallRetry allows a call, so the
// drill holds however slowly plugins restart on a loaded machine (under
// -race a restart can take longer than the 0.5 s between kills, and the
// plugin then answers nothing between them).
const drillStormEnv = "GOMAGNUM_PLUGIN_DRILL_STORM"

// drillClusters is how many clusters each drill creates.
const drillClusters = 100

// killEvery is the period of the kill storm.
const killEvery = 500 * time.Millisecond

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
		pending: make(chan struct{}, 2*drillClusters), outcomes: make(chan magnum.Cluster, 2*drillClusters)}
	opts := append(fastOptions(t.TempDir()), magnum.WithDrivers(reg), magnum.WithLogger(quietLog),
		magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
			switch {
			case e.Operation != "create":
			case e.Outcome == magnum.OutcomePending:
				trySend(dr.pending, struct{}{})
			default:
				trySend(dr.outcomes, e.Cluster)
			}
		}))
	dr.s, err = magnum.New(t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { dr.s.Close() })
	dr.template = mustTemplate(t, dr.s, demo, k8sTemplate("k8s")).UUID
	return dr
}

// trySend sends v unless ch is full: the event handler never blocks the
// conductor.
func trySend[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
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

// killNext kills the next plugin process as soon as one runs.
func (dr *pluginDrill) killNext(t *testing.T) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !dr.kill(t) {
		select {
		case <-t.Context().Done():
			return
		case <-tick.C:
		}
	}
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
	if testing.Short() {
		t.Skip("runs and kills plugin processes")
	}
	t.Run("three kills", func(t *testing.T) {
		dr := newPluginDrill(t)
		// Kill while the conductor is starting creates, which asks the
		// driver for their stacks.
		killed := make(chan struct{})
		go func() {
			defer close(killed)
			for started := 1; started <= 70; started++ {
				select {
				case <-dr.pending:
				case <-t.Context().Done():
					return
				}
				if started == 10 || started == 40 || started == 70 {
					dr.killNext(t)
				}
			}
		}()
		var wg sync.WaitGroup
		for range drillClusters {
			wg.Go(func() { dr.create(t) })
		}
		wg.Wait()
		failed := dr.failures(t)
		t.Logf("%d of %d clusters failed; %d plugin kills", failed, drillClusters, dr.kills())
		assert.Zero(t, failed, "clusters failed")
		select {
		case <-killed:
		case <-time.After(time.Minute):
			t.Fatal("fewer than 70 creates started")
		}
		assert.Equal(t, 3, dr.kills())
	})
	t.Run("kill storm", func(t *testing.T) {
		storm := 2 * time.Second
		if v := os.Getenv(drillStormEnv); v != "" {
			var err error
			storm, err = time.ParseDuration(v)
			require.NoError(t, err, drillStormEnv)
		}
		dr := newPluginDrill(t)
		var wg sync.WaitGroup
		// Creates arrive at a steady pace over the storm; the storm goes
		// on until the plugin was killed once per 0.5 s of it, however
		// long its restarts take on a loaded machine.
		pace := time.NewTicker(storm / drillClusters)
		kill := time.NewTicker(killEvery)
		deadline := time.After(5 * time.Minute)
		for created := 0; created < drillClusters || dr.kills() < int(storm/killEvery); {
			select {
			case <-pace.C:
				if created < drillClusters {
					wg.Go(func() { dr.create(t) })
					created++
				}
			case <-kill.C:
				dr.kill(t)
			case <-deadline:
				t.Fatalf("after 5 minutes, %d plugin kills", dr.kills())
			}
		}
		pace.Stop()
		kill.Stop()
		wg.Wait()
		failed := dr.failures(t)
		t.Logf("storm of %s: %d of %d clusters failed; %d plugin kills", storm, failed, drillClusters, dr.kills())
		assert.Zero(t, failed, "clusters failed")
	})
}
