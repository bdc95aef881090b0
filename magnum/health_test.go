package magnum_test

import (
	"context"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/magnum"
)

// healthDriver is the Kubernetes driver whose health check answers what
// the test says, counting the checks and the credentials it was given.
type healthDriver struct {
	drivers.Driver
	status  atomic.Value // drivers.HealthStatus
	checks  atomic.Int64
	gotCert atomic.Bool
}

func (d *healthDriver) Health(_ context.Context, c drivers.Cluster, creds drivers.Credentials) (drivers.Health, error) {
	d.checks.Add(1)
	d.gotCert.Store(len(creds.ClientCert) > 0 && len(creds.ClientKey) > 0 && len(creds.CACert) > 0)
	st := d.status.Load().(drivers.HealthStatus)
	return drivers.Health{Status: st, Reason: map[string]string{"api": "ok", "node-0.Ready": "True"}}, nil
}

func TestHealthMonitor(t *testing.T) {
	d := &healthDriver{Driver: kubernetes.New()}
	d.status.Store(drivers.Healthy)
	reg := drivers.NewRegistry()
	require.NoError(t, reg.Register(context.Background(), d))
	s := newLiveService(t, magnum.WithDrivers(reg), magnum.WithHealthInterval(50*time.Millisecond))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	waitDone(t, s, demo, id, magnum.CreateComplete)

	healthOf := func() magnum.HealthStatus {
		c, err := s.GetCluster(as(demo), id)
		require.NoError(t, err)
		return c.HealthStatus
	}
	require.Eventually(t, func() bool { return healthOf() == magnum.Healthy }, 20*time.Second, 20*time.Millisecond)
	assert.True(t, d.gotCert.Load(), "the driver gets the cluster's admin credentials")
	c, err := s.GetCluster(as(demo), id)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"api": "ok", "node-0.Ready": "True"}, c.HealthStatusReason)

	d.status.Store(drivers.Unhealthy)
	require.Eventually(t, func() bool { return healthOf() == magnum.Unhealthy }, 20*time.Second, 20*time.Millisecond)

	// A cluster whose health an external auto-healer owns is left alone.
	healer := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s", MergeLabels: true,
		Labels: map[string]string{"auto_healing_enabled": "true", "auto_healing_controller": "magnum-auto-healer"}})
	waitDone(t, s, demo, healer, magnum.CreateComplete)
	before := d.checks.Load()
	time.Sleep(300 * time.Millisecond)
	c, err = s.GetCluster(as(demo), healer)
	require.NoError(t, err)
	assert.Empty(t, c.HealthStatus)
	assert.Greater(t, d.checks.Load(), before, "the other cluster is still checked")
}

// TestHealthOnSimulatedCloud runs the built-in drivers' real health checks
// against clusters of the simulated cloud: their COE APIs are answered by
// the simulation (the masters' addresses exist only there), so a new
// cluster turns HEALTHY; a node the simulation marks not ready makes it
// UNHEALTHY with that node's reason, and HEALTHY again once it is back.
func TestHealthOnSimulatedCloud(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		template magnum.ClusterTemplateCreate
		// key is the suffix of a node's reason, down its value while the
		// node is not ready.
		key, down string
	}{
		{k8sTemplate("kubernetes"), ".Ready", "Unknown"},
		{simTemplate("swarm-mode", "fedora-coreos-40"), ".Ready", "False"},
		{simTemplate("mesos", "ubuntu-22.04"), ".Active", "false"},
	}
	cloud, err := sim.New(ctx)
	require.NoError(t, err)
	s := newLiveService(t, magnum.WithCloud(cloud), magnum.WithHealthInterval(50*time.Millisecond))
	for _, tc := range cases {
		t.Run(tc.template.COE, func(t *testing.T) {
			mustTemplate(t, s, demo, tc.template)
			id := mustCluster(t, s, demo, magnum.ClusterCreate{Name: tc.template.COE, ClusterTemplateID: tc.template.Name})
			c := waitDone(t, s, demo, id, magnum.CreateComplete)
			require.Contains(t, c.APIAddress, "172.24.4.", "the API address exists only in the simulation")
			waitHealth(t, s, id, magnum.Healthy, "", "")

			worker := simWorker(t, cloud, c.APIAddress)
			require.NoError(t, cloud.SetNodeReady(ctx, worker.ServerID, false))
			waitHealth(t, s, id, magnum.Unhealthy, worker.Name+tc.key, tc.down)
			require.NoError(t, cloud.SetNodeReady(ctx, worker.ServerID, true))
			waitHealth(t, s, id, magnum.Healthy, "", "")
		})
	}
}

// simTemplate is a template of a COE on an image of the default simulated
// catalog.
func simTemplate(coe, image string) magnum.ClusterTemplateCreate {
	return magnum.ClusterTemplateCreate{ClusterTemplate: magnum.ClusterTemplate{
		Name: coe, COE: coe, ImageID: image, ExternalNetworkID: "public",
		FlavorID: "m1.small", MasterFlavorID: "m1.medium", KeypairID: "default",
	}}
}

// simWorker returns a node that is not a master of the simulated cluster
// answering at apiAddress.
func simWorker(t *testing.T, cloud *sim.Cloud, apiAddress string) sim.COENode {
	t.Helper()
	host := apiAddress
	if u, err := url.Parse(apiAddress); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	nodes, err := cloud.COENodes(context.Background(), host)
	require.NoError(t, err)
	for _, n := range nodes {
		if !n.Master {
			return n
		}
	}
	t.Fatalf("no worker among %+v", nodes)
	return sim.COENode{}
}

// waitHealth waits until a cluster's health is want and, when key is not
// empty, its reason says value for key.
func waitHealth(t *testing.T, s *magnum.Service, id string, want magnum.HealthStatus, key, value string) {
	t.Helper()
	var c *magnum.Cluster
	ok := assert.Eventually(t, func() bool {
		var err error
		c, err = s.GetCluster(as(demo), id)
		require.NoError(t, err)
		return c.HealthStatus == want && (key == "" || c.HealthStatusReason[key] == value)
	}, 30*time.Second, 20*time.Millisecond)
	if !ok {
		t.Fatalf("health %s %v, want %s with %s=%s", c.HealthStatus, c.HealthStatusReason, want, key, value)
	}
}
