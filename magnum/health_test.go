package magnum_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
