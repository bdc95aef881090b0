package kubernetes_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest/enginetest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

// TestEngineLifecycle creates the cluster stack of every combination of
// the main options in the embedded engine, reads its outputs, resizes the
// workers up and down, upgrades and rotates the CAs.
func TestEngineLifecycle(t *testing.T) {
	d := kubernetes.New()
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			c := cluster(o)
			c.Labels["update_pause_time"] = "0"
			if o.Volumes {
				c.Labels["etcd_volume_size"] = "5"
			}
			e, id, out := enginetest.Lifecycle(t, d, c)
			scheme, port := "https", "6443"
			if !o.TLS {
				scheme, port = "http", "8080"
			}
			assert.Regexp(t, regexp.MustCompile(`^`+scheme+`://\d+\.\d+\.\d+\.\d+:`+port+`$`), out.APIAddress)
			assert.Equal(t, "v1.30.4", out.COEVersion)

			next := c.Template
			next.Labels = map[string]string{"kube_tag": "v1.31.1"}
			u, err := d.UpgradeStack(ctx, c, drivers.Upgrade{Template: next, NodeGroup: "ng-worker", MaxBatchSize: 1})
			require.NoError(t, err)
			stack := e.Update(id, u)
			out, err = d.MapOutputs(ctx, c, c.NodeGroups[0], enginetest.State(stack))
			require.NoError(t, err)
			assert.Equal(t, "v1.31.1", out.COEVersion)

			u, err = d.RotateCAStack(ctx, c)
			require.NoError(t, err)
			e.Update(id, u)
		})
	}
}

// TestEngineNodeGroup creates an extra node group's stack next to its
// cluster's and resizes it.
func TestEngineNodeGroup(t *testing.T) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	st, err := d.ClusterStack(ctx, c)
	require.NoError(t, err)
	e := enginetest.NewEngine(t)
	_, stack := e.Create("cluster", st)
	out, err := d.MapOutputs(ctx, c, c.NodeGroups[0], enginetest.State(stack))
	require.NoError(t, err)
	c.APIAddress = out.APIAddress

	ng := drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker", FlavorID: "m1.small", NodeCount: 2}
	c.NodeGroups = append(c.NodeGroups, ng)
	ngst, err := d.NodeGroupStack(ctx, c, ng)
	require.NoError(t, err)
	id, stack := e.Create("cluster-extra", ngst)
	out, err = d.MapOutputs(ctx, c, ng, enginetest.State(stack))
	require.NoError(t, err)
	assert.Len(t, out.NodeGroups["ng-extra"].NodeAddresses, 2)

	u, err := d.ResizeStack(ctx, c, drivers.Resize{NodeGroup: "ng-extra", NodeCount: 1, NodesToRemove: []string{"1"}})
	require.NoError(t, err)
	stack = e.Update(id, u)
	out, err = d.MapOutputs(ctx, c, ng, enginetest.State(stack))
	require.NoError(t, err)
	assert.Len(t, out.NodeGroups["ng-extra"].NodeAddresses, 1)
}
