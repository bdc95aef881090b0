package magnum

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/internal/store"
)

// benchDriver is a Kubernetes driver that accepts everything.
type benchDriver struct{ drivers.Driver }

func (benchDriver) ValidateTemplate(context.Context, drivers.Template) error { return nil }
func (benchDriver) ValidateCluster(context.Context, drivers.Cluster) error   { return nil }

// benchRegistry serves the bench driver.
type benchRegistry struct{}

func (benchRegistry) Select(drivers.Tuple) (drivers.Driver, error) { return benchDriver{}, nil }
func (benchRegistry) Infos() []drivers.Info {
	return []drivers.Info{{Name: "k8s", NetworkDrivers: []string{"flannel"},
		Provides: []drivers.Tuple{{ServerType: "vm", OSDistro: "fedora-coreos", COE: "kubernetes"}}}}
}

var bench struct {
	once     sync.Once
	s        *Service
	template *ClusterTemplate
	ids      []string
	err      error
}

var benchCaller = Caller{UserID: "6ab2d0e08fa34f17afd3a42b80e1d235", ProjectID: "c99cc16abecc4cd0bbed7e1bc2f2b516", Roles: []string{"member"}}

// benchService returns a service holding 10,000 clusters of one project,
// shared by the benchmarks.
func benchService(b *testing.B) (*Service, context.Context) {
	ctx := WithCaller(context.Background(), benchCaller)
	bench.once.Do(func() {
		dir, err := os.MkdirTemp("", "magnum-bench-")
		if err != nil {
			bench.err = err
			return
		}
		bench.s, bench.err = New(context.Background(), WithDataDir(dir), WithDrivers(benchRegistry{}),
			WithDefaultClusterQuota(1<<30), WithoutConductor())
		if bench.err != nil {
			return
		}
		bench.template, bench.err = bench.s.CreateClusterTemplate(ctx, ClusterTemplateCreate{ClusterTemplate: ClusterTemplate{
			Name: "k8s", COE: "kubernetes", ImageID: "fedora-coreos-40", ExternalNetworkID: "public", FlavorID: "m1.small"}})
		if bench.err == nil {
			bench.err = seedClusters(ctx, bench.s, bench.template, 10000)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.s, ctx
}

func seedClusters(ctx context.Context, s *Service, t *ClusterTemplate, n int) error {
	return s.store.Update(ctx, func(tx *store.Tx) error {
		for range n {
			d, ngs := newCluster(benchCaller, t, ClusterCreate{ClusterTemplateID: t.UUID})
			d.CreatedAt = s.stamp()
			rec, err := clusterRecord(d)
			if err != nil {
				return err
			}
			if err := tx.Insert(ctx, store.Clusters, rec); err != nil {
				return err
			}
			for _, ng := range ngs {
				if err := insertNodeGroup(ctx, tx, ng); err != nil {
					return err
				}
			}
			bench.ids = append(bench.ids, d.UUID)
		}
		return nil
	})
}

// BenchmarkGetCluster gets a cluster by UUID among 10,000 (target ≤ 30 µs).
func BenchmarkGetCluster(b *testing.B) {
	s, ctx := benchService(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.GetCluster(ctx, bench.ids[i%len(bench.ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListClusters lists a page of 100 among 10,000 (target ≤ 2 ms).
func BenchmarkListClusters(b *testing.B) {
	s, ctx := benchService(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		page, err := s.ListClusters(ctx, ListOptions{Limit: 100, Marker: bench.ids[(i*100)%9000]})
		if err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
	}
}

// BenchmarkCreateCluster creates a cluster with its quota check and node
// groups (target ≤ 1 ms).
func BenchmarkCreateCluster(b *testing.B) {
	s, ctx := benchService(b)
	req := ClusterCreate{ClusterTemplateID: bench.template.UUID}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.CreateCluster(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
