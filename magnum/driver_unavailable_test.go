package magnum_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/magnum"
)

// downDriver is the Kubernetes driver behind a plugin that keeps dying:
// the calls it names fail as the host's do once their retries are spent.
type downDriver struct {
	drivers.Driver
	down []string
}

func (d *downDriver) fail(method string) error {
	if !slices.Contains(d.down, method) {
		return nil
	}
	return &drivers.UnavailableError{Driver: kubernetes.Name, Method: method, Attempts: 5, RetryAfter: 2 * time.Second,
		Err: errors.New("lost the plugin process (pid 42) during the call: error reading from server: EOF")}
}

func (d *downDriver) ValidateCluster(ctx context.Context, c drivers.Cluster) error {
	if err := d.fail("ValidateCluster"); err != nil {
		return err
	}
	return d.Driver.ValidateCluster(ctx, c)
}

func (d *downDriver) ClusterStack(ctx context.Context, c drivers.Cluster) (drivers.Stack, error) {
	if err := d.fail("ClusterStack"); err != nil {
		return drivers.Stack{}, err
	}
	return d.Driver.ClusterStack(ctx, c)
}

func downRegistry(t *testing.T, methods ...string) *drivers.Registry {
	t.Helper()
	reg := drivers.NewRegistry()
	require.NoError(t, reg.Register(t.Context(), &downDriver{Driver: kubernetes.New(), down: methods}))
	return reg
}

// TestCreateWhileDriverIsDown: a create whose validation reaches no
// driver is refused as unavailable, not as a failure of the service.
func TestCreateWhileDriverIsDown(t *testing.T) {
	s := newService(t, magnum.WithDrivers(downRegistry(t, "ValidateCluster")))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	_, err := s.CreateCluster(as(demo), magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	require.ErrorIs(t, err, magnum.ErrUnavailable)
	assert.ErrorIs(t, err, drivers.ErrUnavailable)
	assert.ErrorContains(t, err, `driver plugin "k8s_fedora_coreos_v1": ValidateCluster: driver unavailable`)
	clusters, err := s.ListClusters(as(demo), magnum.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, clusters, "nothing is stored")
}

// TestDriverThatKeepsCrashingFailsCreate: a create the driver cannot
// answer fails with a fault coded DRIVER_UNAVAILABLE naming the driver.
func TestDriverThatKeepsCrashingFailsCreate(t *testing.T) {
	s := newLiveService(t, magnum.WithDrivers(downRegistry(t, "ClusterStack")))
	mustTemplate(t, s, demo, k8sTemplate("k8s"))
	id := mustCluster(t, s, demo, magnum.ClusterCreate{ClusterTemplateID: "k8s"})
	c := waitDone(t, s, demo, id, magnum.CreateFailed)
	require.NotNil(t, c.Fault)
	assert.Equal(t, magnum.FaultDriverUnavailable, c.Fault.Code)
	assert.Equal(t, kubernetes.Name, c.Fault.Resource)
	assert.Equal(t, "driver", c.Fault.ResourceType)
	assert.True(t, c.Fault.Retryable)
	assert.Contains(t, c.StatusReason, `driver plugin "k8s_fedora_coreos_v1": ClusterStack: driver unavailable (5 attempts)`)
}
