package swarm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/swarm"
)

func TestHeatValidates(t *testing.T) {
	url := stacktest.HeatURL(t)
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			st, err := swarm.New().ClusterStack(ctx, cluster(o))
			require.NoError(t, err)
			stacktest.ValidateStack(t, url, st, stacktest.BasicNested(o, 2376, 0))
		})
	}
	t.Run("node group", func(t *testing.T) {
		c := cluster(defaultOptions)
		c.APIAddress = "tcp://172.24.4.10:2376"
		c.NodeGroups = append(c.NodeGroups, stacktest.ExtraGroup)
		st, err := swarm.New().NodeGroupStack(ctx, c, stacktest.ExtraGroup)
		require.NoError(t, err)
		stacktest.ValidateStack(t, url, st, stacktest.NodeGroupNested(defaultOptions, 2376, 0))
	})
}
