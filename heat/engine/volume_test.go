package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
)

// countingBlobs counts the Puts reaching a Blobs and their bytes, by
// kind of key (the segment after the stack ID: "" for stack records).
type countingBlobs struct {
	engine.Blobs
	mu    sync.Mutex
	puts  map[string]int
	bytes map[string]int
	// largest is the size of the largest Put of each kind; keys counts
	// the Puts of each key.
	largest map[string]int
	keys    map[string]int
}

func newCountingBlobs() *countingBlobs {
	return &countingBlobs{Blobs: engine.NewMemoryBlobs(), puts: map[string]int{}, bytes: map[string]int{},
		largest: map[string]int{}, keys: map[string]int{}}
}

func (c *countingBlobs) Put(ctx context.Context, key string, value []byte) error {
	class := ""
	if parts := strings.Split(key, "/"); parts[0] == "texts" {
		class = "t"
	} else if len(parts) > 2 {
		class = parts[2]
	}
	c.mu.Lock()
	c.puts[class]++
	c.bytes[class] += len(value)
	c.largest[class] = max(c.largest[class], len(value))
	c.keys[key]++
	c.mu.Unlock()
	return c.Blobs.Put(ctx, key, value)
}

func (c *countingBlobs) totals() (puts, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range c.puts {
		puts += n
		bytes += c.bytes[k]
	}
	return puts, bytes
}

// fakeCA stands in for the cluster CA certificate the service issues.
const fakeCA = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBATAKBggqhkjOPQQDAjAAMB4XDTI2MDEwMTAwMDAwMFoX\n-----END CERTIFICATE-----\n"

// clusterSpec is the stack of a Kubernetes cluster as the service
// creates it by default: one master, one worker, floating IPs and TLS.
func clusterSpec(t testing.TB, name string) heat.StackSpec {
	t.Helper()
	c := drivers.Cluster{
		UUID: "5d12f6fd-a196-4bf0-ae4c-1f639a523a52", Name: name,
		ProjectID: sim.DemoProjectID, UserID: "6ab2d0e08fa34f17afd3a42b80e1d235",
		Template: drivers.Template{UUID: "0c2b9f7e-1111-4c4e-9d7e-7b3a1f0e2d11", Name: "k8s", COE: "kubernetes",
			ServerType: "vm", ImageID: "fedora-coreos-40", FlavorID: "m1.small", MasterFlavorID: "m1.medium",
			ExternalNetworkID: "public", FloatingIPEnabled: true},
		Keypair: "default", FloatingIPEnabled: true, Labels: map[string]string{},
		NodeGroups: []drivers.NodeGroup{
			{UUID: "ng-master", Name: "default-master", Role: "master", IsDefault: true, NodeCount: 1},
			{UUID: "ng-worker", Name: "default-worker", Role: "worker", IsDefault: true, NodeCount: 1},
		},
		Boot: drivers.Boot{MagnumURL: "https://magnum.example:9511/v1", AuthURL: "https://keystone.example:5000/v3",
			TrusteeUserID: "trustee-1", TrusteeUserName: "trustee", TrusteePassword: "secret",
			TrusteeDomainID: "dom-1", TrustID: "trust-1", CACert: fakeCA, EtcdCACert: fakeCA, FrontProxyCACert: fakeCA,
			ExternalNetworkID: "public"},
	}
	st, err := kubernetes.New().ClusterStack(context.Background(), c)
	require.NoError(t, err)
	return heat.StackSpec{Name: name, Template: st.Template, Files: st.Files, Environment: st.Environment,
		Parameters: st.Parameters}
}

// unlimitedCatalog is the default catalog without quotas, with a public
// network large enough for every cluster's floating IPs.
func unlimitedCatalog() *sim.Catalog {
	cat := sim.DefaultCatalog()
	unlimited := -1
	cat.Quotas.Default = sim.QuotaSpec{Instances: &unlimited, Cores: &unlimited, RAMMiB: &unlimited,
		FloatingIPs: &unlimited, Volumes: &unlimited, VolumeGB: &unlimited, LoadBalancers: &unlimited}
	for i, n := range cat.Networks {
		if n.External {
			cat.Networks[i].Subnets = []sim.CatalogSubnet{{Name: "public-subnet", CIDR: "172.24.0.0/16", GatewayIP: "172.24.0.1"}}
		}
	}
	return cat
}

// createClusters creates the cluster stacks of specs at once on an
// engine over blobs and waits until all are complete.
func createClusters(t testing.TB, blobs engine.Blobs, specs []heat.StackSpec) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	cloud, err := sim.New(ctx, sim.WithLogger(quiet), sim.WithCatalog(unlimitedCatalog()))
	require.NoError(t, err)
	e, err := engine.New(ctx, engine.WithCloud(cloud), engine.WithBlobs(blobs), engine.WithLogger(quiet),
		engine.WithProject(sim.DemoProjectID))
	require.NoError(t, err)
	defer e.Close()
	ids := make([]string, len(specs))
	for i, spec := range specs {
		ids[i], err = e.CreateStack(ctx, spec)
		require.NoError(t, err)
	}
	for _, id := range ids {
		deadline := time.Now().Add(time.Minute)
		for {
			st, err := e.GetStack(ctx, id)
			require.NoError(t, err)
			if !st.Status.IsInProgress() {
				require.Equal(t, heat.CreateComplete, st.Status, st.StatusReason)
				break
			}
			require.True(t, time.Now().Before(deadline), "stack %s still %s", id, st.Status)
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// TestPersistedVolumePerCluster measures what creating one Kubernetes
// cluster writes to the store: state changes write small records, and
// the large parts (texts, definitions, large properties) are written
// once.
func TestPersistedVolumePerCluster(t *testing.T) {
	blobs := newCountingBlobs()
	spec := clusterSpec(t, "cluster")
	createClusters(t, blobs, []heat.StackSpec{spec})
	puts, bytes := blobs.totals()
	t.Logf("per cluster: %d Puts, %d bytes", puts, bytes)
	for class, n := range blobs.puts {
		t.Logf("  %-2q %4d Puts %8d bytes, largest %d", class, n, blobs.bytes[class], blobs.largest[class])
	}
	for key, n := range blobs.keys {
		if strings.HasPrefix(key, "texts/") || strings.Contains(key, "/a/") || strings.HasSuffix(key, "/d") {
			assert.Equal(t, 1, n, "%s is written once", key)
		}
	}
	texts := len(spec.Template)
	for _, f := range spec.Files {
		texts += len(f)
	}
	assert.Less(t, blobs.bytes["t"], 2*texts, "the texts of the cluster's nested stacks are stored once")
	for _, class := range []string{"", "r"} {
		assert.Less(t, blobs.largest[class], 8<<10, "state records (%q) stay small", class)
	}
}

// BenchmarkCreateKubernetesClusters creates 100 Kubernetes cluster
// stacks at once over in-memory Blobs, and reports what each cluster
// writes.
func BenchmarkCreateKubernetesClusters(b *testing.B) {
	const n = 100
	specs := make([]heat.StackSpec, n)
	for i := range specs {
		specs[i] = clusterSpec(b, fmt.Sprintf("cluster%d", i))
	}
	var puts, bytes int
	b.ReportAllocs()
	for b.Loop() {
		blobs := newCountingBlobs()
		createClusters(b, blobs, specs)
		p, n := blobs.totals()
		puts, bytes = puts+p, bytes+n
	}
	b.ReportMetric(float64(puts)/float64(n*b.N), "puts/cluster")
	b.ReportMetric(float64(bytes)/float64(n*b.N), "putB/cluster")
}
