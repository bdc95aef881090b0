package sim_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/require"
)

// slowBlobs adds a fixed latency to every write, like a database commit.
type slowBlobs struct {
	sim.MemBlobs
	latency time.Duration
}

func (s *slowBlobs) Put(ctx context.Context, key string, value []byte) error {
	time.Sleep(s.latency)
	return s.MemBlobs.Put(ctx, key, value)
}

// benchCloud returns a cloud with unlimited quota and a network large
// enough for any b.N.
func benchCloud(b *testing.B, blobs sim.Blobs) (*sim.Cloud, string) {
	c := newCloud(b, sim.WithBlobs(blobs))
	ctx := asDemo()
	require.NoError(b, c.SetQuota(ctx, sim.DemoProjectID, sim.Unlimited()))
	n, err := c.CreateNetwork(ctx, sim.NetworkSpec{Name: "bench"})
	require.NoError(b, err)
	_, err = c.CreateSubnet(ctx, sim.SubnetSpec{Name: "bench", Network: n.ID, CIDR: "100.64.0.0/10"})
	require.NoError(b, err)
	return c, n.ID
}

// BenchmarkCreateServerParallel creates servers (each with a port and an
// address) from GOMAXPROCS goroutines.
func BenchmarkCreateServerParallel(b *testing.B) {
	c, network := benchCloud(b, &sim.MemBlobs{})
	ctx := asDemo()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := c.CreateServer(ctx, sim.ServerSpec{Name: "s", Image: "fedora-coreos-40", Flavor: "m1.small",
				Networks: []sim.NIC{{Network: network}}})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkConcurrentServerCreates starts 1,000 goroutines that each
// create a server at once, as 1,000 stacks would through the engine; one
// op is the whole wave. With a store whose writes take 200µs, the waves
// show whether writes queue behind one another (they would take 1000 ×
// 3 writes × 200µs = 600ms) or overlap.
func BenchmarkConcurrentServerCreates(b *testing.B) {
	for _, tc := range []struct {
		name  string
		blobs sim.Blobs
	}{
		{"memory", &sim.MemBlobs{}},
		{"store-200us", &slowBlobs{latency: 200 * time.Microsecond}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, network := benchCloud(b, tc.blobs)
			ctx := asDemo()
			const wave = 1000
			b.ResetTimer()
			for range b.N {
				var wg sync.WaitGroup
				for i := range wave {
					wg.Go(func() {
						_, err := c.CreateServer(ctx, sim.ServerSpec{Name: fmt.Sprint("s", i), Image: "fedora-coreos-40",
							Flavor: "m1.small", Networks: []sim.NIC{{Network: network}}})
						if err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*wave), "ns/server")
		})
	}
}

// BenchmarkServerLifecycle creates and deletes a server, the steady state
// of a long-running service, without and with a client token.
func BenchmarkServerLifecycle(b *testing.B) {
	for _, tokens := range []bool{false, true} {
		b.Run(fmt.Sprint("tokens=", tokens), func(b *testing.B) {
			c, network := benchCloud(b, &sim.MemBlobs{})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ctx := asDemo()
				if i++; tokens {
					ctx = sim.WithClientToken(ctx, fmt.Sprintf("%032x", i))
				}
				s, err := c.CreateServer(ctx, sim.ServerSpec{Name: "s", Image: "fedora-coreos-40", Flavor: "m1.small",
					Networks: []sim.NIC{{Network: network}}})
				if err != nil {
					b.Fatal(err)
				}
				if err := c.DeleteServer(ctx, s.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
