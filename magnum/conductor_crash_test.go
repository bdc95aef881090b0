package magnum_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/magnum"
)

const conductorCrashEnv = "GOMAGNUM_CONDUCTOR_CRASH_DIR"

// fastOptions make a live service quick to test: fast syncs, short leases
// and ECDSA certificates.
func fastOptions(dir string) []magnum.Option {
	return []magnum.Option{magnum.WithDataDir(dir), magnum.WithSyncInterval(50 * time.Millisecond),
		magnum.WithLease(time.Second), magnum.WithDefaultClusterQuota(1000),
		magnum.WithCertOptions(certs.WithKeyType(certs.ECDSAP256)), magnum.WithSimulatedCloud(sim.WithCatalog(sim.UnlimitedCatalog()))}
}

// TestConductorCrashChild creates 100 clusters at once and prints each as
// it is acknowledged, and each event as it is delivered, until
// TestConductorCrashResume kills it.
func TestConductorCrashChild(t *testing.T) {
	dir := os.Getenv(conductorCrashEnv)
	if dir == "" {
		t.Skip("run by TestConductorCrashResume")
	}
	var out sync.Mutex
	printEvent := magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
		out.Lock()
		fmt.Printf("E %s %s/%s\n", e.Cluster.UUID, e.Type, e.Outcome)
		out.Unlock()
	})
	s, err := magnum.New(context.Background(), append(fastOptions(dir), printEvent)...)
	require.NoError(t, err)
	ct, err := s.CreateClusterTemplate(as(demo), k8sTemplate("k8s"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			id, err := s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: ct.UUID})
			require.NoError(t, err)
			out.Lock()
			fmt.Printf("C %s\n", id)
			out.Unlock()
		})
	}
	wg.Wait()
	select {}
}

// TestConductorCrashResume SIGKILLs a process creating 100 clusters at a
// random moment after it acknowledged the first, restarts the service on
// its data, and checks that every cluster is created, with exactly one
// stack: a create the kill interrupted resumes where it stopped, without
// making any cloud object twice. No event is lost: those the killed
// process stored but did not deliver are delivered after the restart.
func TestConductorCrashResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestConductorCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), conductorCrashEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// The kill is armed by the first acknowledged create, so that a slow
	// start (the race detector, a loaded machine) cannot leave nothing to
	// check; the deadline kills a child that never acknowledges.
	kill := time.AfterFunc(2*time.Minute, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer kill.Stop()
	var ids []string
	events := map[string][]string{} // cluster -> events delivered, by the child then after the restart
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "C "); ok {
			if ids = append(ids, id); len(ids) == 1 {
				kill.Reset(time.Duration(rand.IntN(2500)) * time.Millisecond)
			}
		}
		if e, ok := strings.CutPrefix(sc.Text(), "E "); ok {
			id, what, _ := strings.Cut(e, " ")
			events[id] = append(events[id], what)
		}
	}
	cmd.Wait()
	require.NotEmpty(t, ids, "the child acknowledged no create before it was killed")
	t.Logf("killed after %d of 100 creates were acknowledged", len(ids))

	var mu sync.Mutex
	afterRestart := 0
	recordEvent := magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
		mu.Lock()
		events[e.Cluster.UUID] = append(events[e.Cluster.UUID], e.Type+"/"+e.Outcome)
		afterRestart++
		mu.Unlock()
	})
	s, err := magnum.New(context.Background(), append(fastOptions(dir), recordEvent)...)
	require.NoError(t, err)
	defer s.Close()
	for _, id := range ids {
		_, err := s.GetCluster(as(demo), id)
		require.NoError(t, err, "acknowledged cluster %s lost", id)
	}
	var clusters []magnum.Cluster
	require.Eventually(t, func() bool {
		clusters, err = s.ListClusters(as(demo), magnum.ListOptions{})
		require.NoError(t, err)
		for _, c := range clusters {
			if c.Status.IsInProgress() {
				return false
			}
		}
		return true
	}, 3*time.Minute, 100*time.Millisecond)
	assert.GreaterOrEqual(t, len(clusters), len(ids))

	perGroup := map[string]int{}
	stacks := 0
	marker := ""
	for {
		page, next, err := magnum.Orchestrator(s).ListStacks(context.Background(), heat.ListOptions{Tags: []string{"gomagnum"}, Marker: marker})
		require.NoError(t, err)
		for _, st := range page {
			stacks++
			for _, tag := range st.Tags {
				perGroup[tag]++
			}
		}
		if next == "" {
			break
		}
		marker = next
	}
	assert.Equal(t, len(clusters), stacks, "one stack per cluster, no orphan")
	complete := 0
	for _, c := range clusters {
		if assert.Equal(t, magnum.CreateComplete, c.Status, "cluster %s: %s", c.UUID, c.StatusReason) {
			complete++
		}
		ngs, err := s.ListNodeGroups(as(demo), c.UUID, magnum.NodeGroupListOptions{Role: "master"})
		require.NoError(t, err)
		assert.Equal(t, 1, perGroup["gomagnum.ng."+ngs[0].UUID], "cluster %s", c.UUID)
	}
	t.Logf("%d clusters, %d complete", len(clusters), complete)

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		mu.Lock()
		defer mu.Unlock()
		for _, cl := range clusters {
			got := events[cl.UUID]
			pending := slices.Index(got, "magnum.cluster.create/pending")
			success := slices.Index(got, "magnum.cluster.create/success")
			assert.True(c, pending >= 0 && success > pending, "events of cluster %s: %v", cl.UUID, got)
		}
	}, 30*time.Second, 50*time.Millisecond, "every create's events delivered, pending first")
	mu.Lock()
	t.Logf("%d events delivered after the restart", afterRestart)
	mu.Unlock()
}
