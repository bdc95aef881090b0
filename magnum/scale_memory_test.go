package magnum_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	_ "github.com/gomagnum/gomagnum/internal/store" // registers the "sqlite" driver
	"github.com/gomagnum/gomagnum/magnum"
)

// scaleClustersEnv overrides how many clusters TestScaleMemory stores.
const scaleClustersEnv = "GOMAGNUM_SCALE_CLUSTERS"

// scaleClusters is how many clusters TestScaleMemory stores: 500, or 100
// under the race detector (CI's run), which slows creates tenfold, unless
// GOMAGNUM_SCALE_CLUSTERS says otherwise (2,000 or 10,000 for the
// issue's figures; 2,000 take 11 minutes to create here). measured
// reports whether the number was asked for: only such a run, meant to
// measure, times the start.
func scaleClusters(t *testing.T) (n int, measured bool) {
	n = 500
	if raceEnabled {
		n = 100
	}
	if v := os.Getenv(scaleClustersEnv); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, scaleClustersEnv)
		require.Positive(t, n, scaleClustersEnv)
		measured = true
	}
	return n, measured
}

// TestScaleMemory stores clusters through the service, then starts a new
// service on the same data directory: it must start within a second
// (scaled) and hold a live heap within its bound after start and after
// serving every page of the cluster list, whatever the number of
// clusters stored.
func TestScaleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("stores thousands of clusters")
	}
	n, measured := scaleClusters(t)
	dir := t.TempDir()
	fillClusters(t, dir, n)
	reportDisk(t, dir, n)

	stopProfile := startCPUProfile(t)
	start := time.Now()
	s, err := magnum.New(context.Background(), fastOptions(dir)...)
	require.NoError(t, err)
	took := time.Since(start)
	stopProfile()
	defer s.Close()
	afterStart := liveHeap()
	writeHeapProfile(t)
	listAll(t, s, n)
	afterList := liveHeap()
	t.Logf("%d clusters: start %v, live heap %.1f MB after start, %.1f MB after listing",
		n, took, mb(afterStart), mb(afterList))
	bound := heapBound(n)
	require.LessOrEqual(t, afterStart, bound, "live heap after start")
	require.LessOrEqual(t, afterList, bound, "live heap after listing")
	if measured && !raceEnabled { // on a shared machine, only a run meant to measure is timed
		require.LessOrEqual(t, took, startBound(n), "start-up time")
	}
}

// heapBound is the live heap allowed with n clusters stored: the
// service's own footprint and 48 KB per cluster, what holding stacks at
// rest in the store alone allows (a stored cluster cost 355 KB of heap
// when the engine and the simulated cloud held everything). The issue's
// goal, 100 MB for 10,000 clusters (10 KB each), needs the simulated
// cloud's objects out of memory too.
func heapBound(n int) uint64 {
	const base, perCluster = 40 << 20, 48 << 10
	return base + uint64(n)*perCluster
}

// startBound is how long a start with n clusters stored may take: a
// second and a millisecond per cluster (reading the simulated cloud's
// objects, which a start still reads). The goal, a second for
// 10,000 clusters, needs the simulated cloud's objects out of memory too.
func startBound(n int) time.Duration {
	return time.Second + time.Duration(n)*time.Millisecond
}

// startCPUProfile profiles the CPU into the file GOMAGNUM_SCALE_CPU
// names, until the returned function is called.
func startCPUProfile(t *testing.T) func() {
	path := os.Getenv("GOMAGNUM_SCALE_CPU")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, pprof.StartCPUProfile(f))
	return func() {
		pprof.StopCPUProfile()
		require.NoError(t, f.Close())
	}
}

// writeHeapProfile writes a heap profile where GOMAGNUM_SCALE_PROFILE
// names a file.
func writeHeapProfile(t *testing.T) {
	path := os.Getenv("GOMAGNUM_SCALE_PROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, pprof.WriteHeapProfile(f))
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// liveHeap returns the heap in use once garbage is collected.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// fillClusters creates n Kubernetes clusters in dir and waits until each
// is CREATE_COMPLETE.
func fillClusters(t *testing.T, dir string, n int) {
	t.Helper()
	done := make(chan magnum.Event, n)
	opts := append(fastOptions(dir), magnum.WithDefaultClusterQuota(1<<30),
		magnum.WithSyncInterval(100*time.Millisecond),
		magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
			if e.Operation == "create" && e.Outcome != magnum.OutcomePending {
				done <- e
			}
		}))
	s, err := magnum.New(context.Background(), opts...)
	require.NoError(t, err)
	defer s.Close()
	ct := mustTemplate(t, s, demo, k8sTemplate("k8s"))
	start := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			_, err := s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: ct.UUID})
			require.NoError(t, err)
		})
	}
	wg.Wait()
	for range n {
		select {
		case e := <-done:
			require.Equal(t, magnum.OutcomeSuccess, e.Outcome, e.Cluster.StatusReason)
		case <-time.After(30 * time.Minute):
			t.Fatal("clusters still building after 30 minutes")
		}
	}
	t.Logf("%d clusters created in %v", n, time.Since(start))
}

// listAll reads every page of the cluster list and checks it holds n.
func listAll(t *testing.T, s *magnum.Service, n int) {
	t.Helper()
	seen, marker := 0, ""
	for {
		page, err := s.ListClusters(as(demo), magnum.ListOptions{Limit: 100, Marker: marker})
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		seen += len(page)
		marker = page[len(page)-1].UUID
	}
	require.Equal(t, n, seen)
}

// reportDisk logs the bytes stored per cluster, by database, namespace
// and kind of record.
func reportDisk(t *testing.T, dir string, n int) {
	t.Helper()
	var total int64
	for _, name := range []string{"magnum.db", "state.db"} {
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		total += fi.Size()
		t.Logf("%s: %d KB per cluster on disk", name, fi.Size()/int64(n)>>10)
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		for _, line := range blobBreakdown(t, db, n) {
			t.Log("  " + line)
		}
		require.NoError(t, db.Close())
	}
	t.Logf("total: %d KB per cluster on disk", total/int64(n)>>10)
}

// blobBreakdown sums the blobs' values per namespace and kind of key.
func blobBreakdown(t *testing.T, db *sql.DB, n int) []string {
	rows, err := db.Query("SELECT namespace, key, length(value) FROM blobs")
	require.NoError(t, err)
	defer rows.Close()
	sums := map[string][2]int64{}
	for rows.Next() {
		var ns, key string
		var size int64
		require.NoError(t, rows.Scan(&ns, &key, &size))
		k := ns + " " + keyKind(key)
		sums[k] = [2]int64{sums[k][0] + 1, sums[k][1] + size}
	}
	require.NoError(t, rows.Err())
	var out []string
	for k, v := range sums {
		out = append(out, fmt.Sprintf("%-30s %8d records %8.1f KB per cluster", k, v[0], float64(v[1])/float64(n)/1024))
	}
	sort.Strings(out)
	return out
}

// keyKind drops the IDs from a key: stacks/<id>/r/<uuid> -> stacks/r.
func keyKind(key string) string {
	parts := strings.Split(key, "/")
	var kept []string
	for _, p := range parts {
		if len(p) <= 6 {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "/")
}
