package kubernetes_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

// nestedSets are the parameters the cluster template hands its nested
// templates under the options o.
func nestedSets(o stacktest.Options) map[string][]map[string]any {
	vol := map[bool]int{true: 10, false: 0}[o.Volumes]
	pool := map[bool]string{true: "pool-1", false: ""}[o.LB]
	node := func(role string) map[string]any {
		return map[string]any{"role": role, "floating_ip_enabled": o.FloatingIP, "docker_volume_size": vol,
			"etcd_volume_size": vol, "api_pool_id": pool, "ssh_key_name": "default", "api_port": 6443}
	}
	return map[string][]map[string]any{
		"kubenode.yaml": {node("master"), node("worker")},
		"network.yaml":  {{"existing_network": ""}, {"existing_network": "net", "existing_subnet": "subnet"}},
		"apilb.yaml":    {{"floating_ip_enabled": o.FloatingIP, "port": 6443}},
	}
}

// TestHeatValidates has a real Heat validate the cluster stack of every
// combination of the main options, and a node-group stack.
func TestHeatValidates(t *testing.T) {
	url := stacktest.HeatURL(t)
	d := kubernetes.New()
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			c := cluster(o)
			c.Labels["etcd_volume_size"] = map[bool]string{true: "5", false: "0"}[o.Volumes]
			st, err := d.ClusterStack(ctx, c)
			require.NoError(t, err)
			stacktest.ValidateStack(t, url, st, nestedSets(o))
		})
	}
	t.Run("node group", func(t *testing.T) {
		c := cluster(defaultOptions)
		c.APIAddress = "https://172.24.4.10:6443"
		ng := drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker", NodeCount: 2}
		st, err := d.NodeGroupStack(ctx, c, ng)
		require.NoError(t, err)
		stacktest.ValidateStack(t, url, st, nil)
	})
}
