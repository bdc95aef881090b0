package magnum_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// BenchmarkHealthPass measures one health pass over 100 running clusters
// of the simulated cloud, with the built-in drivers' real checks through
// the simulated COE APIs and reports the process's CPU time per cluster checked (the issue measured 1.5 ms).
func BenchmarkHealthPass(b *testing.B) {
	const n = 100
	opts := append(fastOptions(b.TempDir()), magnum.WithDefaultClusterQuota(1<<30),
		magnum.WithSyncInterval(time.Second), magnum.WithHealthInterval(time.Hour))
	s, template := benchService(b, opts...)
	createMany(b, s, template, n)
	deadline := time.Now().Add(5 * time.Minute)
	for {
		cs, err := s.ListClusters(as(demo), magnum.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		done := 0
		for _, c := range cs {
			if c.Status == magnum.CreateComplete {
				done++
			}
		}
		if done == n {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d clusters built after 5 minutes", done, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	pass := magnum.HealthPasses(s)
	pass(context.Background(), 0) // records the first verdicts
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for b.Loop() {
		pass(context.Background(), 0)
	}
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/cluster")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
