package mesos_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/mesos"
)

func TestHeatValidates(t *testing.T) {
	url := stacktest.HeatURL(t)
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			st, err := mesos.New().ClusterStack(ctx, cluster(o))
			require.NoError(t, err)
			stacktest.ValidateStack(t, url, st, stacktest.BasicNested(o, 5050, 8080))
		})
	}
	t.Run("node group", func(t *testing.T) {
		c := cluster(defaultOptions)
		c.APIAddress = "172.24.4.10"
		c.NodeGroups = append(c.NodeGroups, stacktest.ExtraGroup)
		st, err := mesos.New().NodeGroupStack(ctx, c, stacktest.ExtraGroup)
		require.NoError(t, err)
		stacktest.ValidateStack(t, url, st, stacktest.NodeGroupNested(defaultOptions, 5050, 8080))
	})
}
