package magnum_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// BenchmarkCreateClusters creates 1,000 clusters at once on the embedded
// engine with zero delays and waits until every one is CREATE_COMPLETE
// (target ≤ 10 s on 2 cores). Certificates are ECDSA P-256.
func BenchmarkCreateClusters(b *testing.B) {
	const n = 1000
	done := make(chan magnum.Event, n)
	opts := append(fastOptions(b.TempDir()), magnum.WithDefaultClusterQuota(1<<30),
		magnum.WithSyncInterval(100*time.Millisecond),
		magnum.WithEventHandler(func(_ context.Context, e magnum.Event) {
			if e.Operation == "create" && e.Outcome != magnum.OutcomePending {
				done <- e
			}
		}))
	s, template := benchService(b, opts...)
	b.ResetTimer()
	for b.Loop() {
		createMany(b, s, template, n)
		for range n {
			select {
			case e := <-done:
				if e.Outcome != magnum.OutcomeSuccess {
					b.Fatalf("cluster %s: %s", e.Cluster.UUID, e.Cluster.StatusReason)
				}
			case <-time.After(10 * time.Minute):
				b.Fatal("clusters still building after 10 minutes")
			}
		}
	}
	b.ReportMetric(float64(n), "clusters/op")
}

// benchService starts a service, closed when the benchmark ends, with a
// Kubernetes template of demo's, whose UUID it returns.
func benchService(b *testing.B, opts ...magnum.Option) (*magnum.Service, string) {
	s, err := magnum.New(context.Background(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ct, err := s.CreateClusterTemplate(as(demo), k8sTemplate("k8s"))
	if err != nil {
		b.Fatal(err)
	}
	return s, ct.UUID
}

func createMany(b *testing.B, s *magnum.Service, template string, n int) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: template}); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
}
