package kubernetes_test

import (
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/drivertest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

func TestConformance(t *testing.T) {
	drivertest.Run(t, kubernetes.New(),
		// The suite picks the first volume driver, cinder, which needs the
		// cloud provider, which needs a trust.
		drivertest.WithTemplate(func(t *drivers.Template) { t.Labels["cloud_provider_enabled"] = "true" }),
		drivertest.WithCluster(func(c *drivers.Cluster) {
			if c.Boot.TrustID == "" {
				c.Boot.TrustID = "drivertest-trust"
			}
		}),
		drivertest.WithUpgrade(
			func(t *drivers.Template) { t.Labels["kube_tag"] = "v1.31.0" },
			func(t *drivers.Template) { t.Labels["kube_tag"] = "v1.29.0" },
		))
}
