package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/magnum"
)

// unreachableDriver is the Kubernetes driver whose cluster validation
// reaches no plugin process.
type unreachableDriver struct {
	drivers.Driver
	err error
}

func (d *unreachableDriver) ValidateCluster(context.Context, drivers.Cluster) error { return d.err }

// TestCreateWhilePluginIsDown: while no driver process can answer, a
// cluster create is answered 503 with Retry-After and Magnum's error
// body, never 500.
func TestCreateWhilePluginIsDown(t *testing.T) {
	lost := errors.New("lost the plugin process (pid 42) during the call: error reading from server: EOF")
	for _, tc := range []struct {
		name       string
		err        error
		retryAfter string
		detail     string
	}{{
		name: "plugin keeps dying",
		err: &drivers.UnavailableError{Driver: kubernetes.Name, Method: "ValidateCluster", Attempts: 5,
			RetryAfter: 2500 * time.Millisecond, Err: lost},
		retryAfter: "3",
		detail: `driver plugin "k8s_fedora_coreos_v1": ValidateCluster: driver unavailable (5 attempts): ` +
			`lost the plugin process (pid 42) during the call: error reading from server: EOF`,
	}, {
		name:       "host closed",
		err:        fmt.Errorf("driver plugin %q is closed: %w", kubernetes.Name, drivers.ErrUnavailable),
		retryAfter: "1",
		detail:     `driver plugin "k8s_fedora_coreos_v1" is closed: driver unavailable`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			reg := drivers.NewRegistry()
			require.NoError(t, reg.Register(t.Context(), &unreachableDriver{Driver: kubernetes.New(), err: tc.err}))
			f := newFixture(t, magnum.WithDrivers(reg))
			template := f.template("", nil)
			r := f.do(http.StatusServiceUnavailable, call{method: "POST", path: "/v1/clusters",
				body: `{"cluster_template_id": "` + template + `"}`})
			assert.Equal(t, tc.retryAfter, r.header.Get("Retry-After"))
			e := errorOf(t, r)
			assert.Equal(t, "server", e["code"])
			assert.EqualValues(t, http.StatusServiceUnavailable, e["status"])
			assert.Equal(t, tc.detail, e["detail"])
			assert.Equal(t, []any{}, e["links"])
		})
	}
}
