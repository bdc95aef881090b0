package magnum_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
)

const crashDirEnv = "GOMAGNUM_CRASH_DIR"

// TestCrashChild is the child of TestCrashLosesNothing: it writes
// templates and clusters to the data directory it is given, printing each
// write once it is acknowledged, until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("run by TestCrashLosesNothing")
	}
	s, err := magnum.New(context.Background(), magnum.WithDataDir(dir), magnum.WithDrivers(stubDrivers),
		magnum.WithDefaultClusterQuota(1<<30), magnum.WithoutConductor())
	require.NoError(t, err)
	for i := 0; ; i++ {
		ct, err := s.CreateClusterTemplate(as(demo), k8sTemplate(fmt.Sprint("t", i)))
		require.NoError(t, err)
		fmt.Printf("T %s\n", ct.UUID)
		id, err := s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: ct.UUID, NodeCount: ptr(i % 4)})
		require.NoError(t, err)
		fmt.Printf("C %s %d\n", id, i%4)
	}
}

// TestCrashLosesNothing kills a process writing to the store at a random
// moment, then checks that every acknowledged write is there and that no
// cluster was stored in part.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	for round := range 3 {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			dir := t.TempDir()
			acked := runUntilKilled(t, dir, minAcked, time.Duration(rand.IntN(400))*time.Millisecond)
			require.GreaterOrEqual(t, len(acked), minAcked, "the child acknowledged too little before it was killed")
			t.Logf("%d writes acknowledged before the kill", len(acked))

			s, err := magnum.New(context.Background(), magnum.WithDataDir(dir), magnum.WithDrivers(stubDrivers), magnum.WithoutConductor())
			require.NoError(t, err)
			defer s.Close()
			for _, line := range acked {
				f := strings.Fields(line)
				switch f[0] {
				case "T":
					_, err := s.GetClusterTemplate(as(demo), f[1])
					assert.NoError(t, err, "acknowledged template %s lost", f[1])
				case "C":
					c, err := s.GetCluster(as(demo), f[1])
					if assert.NoError(t, err, "acknowledged cluster %s lost", f[1]) {
						assert.Equal(t, f[2], fmt.Sprint(c.NodeCount))
					}
				}
			}
			clusters := allClusters(t, s, demo)
			for _, c := range clusters {
				ngs, err := s.ListNodeGroups(as(demo), c.UUID, magnum.NodeGroupListOptions{})
				require.NoError(t, err)
				assert.Len(t, ngs, 2, "cluster %s stored in part", c.UUID)
			}
			st, err := s.Stats(as(demo), "", "")
			require.NoError(t, err)
			assert.Equal(t, len(clusters), st.Clusters)
		})
	}
}

// minAcked is how many writes the child acknowledges before the kill is
// armed, so that a slow start (a loaded CI machine, the race detector)
// cannot leave the test with nothing to check.
const minAcked = 10

// runUntilKilled runs TestCrashChild on dir, SIGKILLs it d after its
// first n acknowledged writes and returns the writes it acknowledged.
func runUntilKilled(t *testing.T, dir string, n int, d time.Duration) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l := sc.Text(); strings.HasPrefix(l, "T ") || strings.HasPrefix(l, "C ") {
				lines <- l
			}
		}
	}()
	kill := time.AfterFunc(2*time.Minute, func() { cmd.Process.Signal(syscall.SIGKILL) })
	defer kill.Stop()
	var acked []string
	for l := range lines {
		if acked = append(acked, l); len(acked) == n {
			kill.Reset(d)
		}
	}
	cmd.Wait()
	return acked
}

// allClusters lists every cluster a caller sees, page by page.
func allClusters(t testing.TB, s *magnum.Service, c magnum.Caller) []magnum.Cluster {
	var out []magnum.Cluster
	opts := magnum.ListOptions{Limit: 500}
	for {
		page, err := s.ListClusters(as(c), opts)
		require.NoError(t, err)
		out = append(out, page...)
		if len(page) < opts.Limit {
			return out
		}
		opts.Marker = page[len(page)-1].UUID
	}
}
