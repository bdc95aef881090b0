package stacktest

import (
	"context"
	"errors"
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/clusterstack"
)

// ExtraGroup is the extra worker node group the node-group checks add.
var ExtraGroup = drivers.NodeGroup{UUID: "ng-extra", Name: "extra", Role: "worker", FlavorID: "m1.large", NodeCount: 2, MinNodeCount: 1}

// CheckBasicNodeGroup checks the node-group stack of a driver built on
// clusterstack's ClusterTemplate: the stack of ExtraGroup holds only its
// workers (is_cluster_stack false), joins the cluster's network, finds the
// masters through apiHost, boots its workers with the boot configs of the
// cluster's workers, and reads back as that group alone; bad groups and a
// cluster without an API address are refused.
func CheckBasicNodeGroup(t *testing.T, d drivers.Driver, c drivers.Cluster, apiAddress, apiHost string) {
	t.Helper()
	ctx := context.Background()
	cst, err := d.ClusterStack(ctx, c)
	if err != nil {
		t.Fatalf("ClusterStack: %v", err)
	}
	c.APIAddress = apiAddress
	c.NodeGroups = append(c.NodeGroups, ExtraGroup)
	st, err := d.NodeGroupStack(ctx, c, ExtraGroup)
	if err != nil {
		t.Fatalf("NodeGroupStack: %v", err)
	}
	CheckParams(t, st)
	want := map[string]any{
		"is_cluster_stack": false, "existing_api_address": apiHost, "number_of_nodes": 2,
		"node_flavor": "m1.large", "fixed_network": clusterstack.PrivateNetworkName(c),
		"fixed_subnet": clusterstack.PrivateNetworkName(c),
	}
	for k, v := range want {
		if st.Parameters[k] != v {
			t.Errorf("parameter %s = %v, want %v", k, st.Parameters[k], v)
		}
	}
	if st.Files[clusterstack.BootWorker] != cst.Files[clusterstack.BootWorker] {
		t.Errorf("the extra group's workers do not boot as the cluster's workers do")
	}
	if cst.Parameters["is_cluster_stack"] != true {
		t.Errorf("the cluster stack has is_cluster_stack %v", cst.Parameters["is_cluster_stack"])
	}
	out, err := d.MapOutputs(ctx, c, ExtraGroup, drivers.StackState{
		Outputs:    map[string]any{"nodes": []any{"172.24.4.30", "172.24.4.31"}, "nodes_private": []any{"10.0.0.30", "10.0.0.31"}},
		Parameters: map[string]string{"number_of_nodes": "2"},
	})
	if err != nil {
		t.Fatalf("MapOutputs: %v", err)
	}
	g, ok := out.NodeGroups[ExtraGroup.UUID]
	if !ok || len(out.NodeGroups) != 1 || out.APIAddress != "" || g.NodeCount == nil || *g.NodeCount != 2 || len(g.NodeAddresses) != 2 {
		t.Errorf("outputs of the extra group: %+v", out)
	}
	refused(t, d, c)
}

// refused checks the node groups a ClusterTemplate driver refuses.
func refused(t *testing.T, d drivers.Driver, c drivers.Cluster) {
	t.Helper()
	master, negative, bad := ExtraGroup, ExtraGroup, ExtraGroup
	master.Role = "master"
	negative.NodeCount = -1
	bad.Labels = map[string]string{"rexray_preempt": "maybe"}
	noAPI := c
	noAPI.APIAddress = ""
	for _, tc := range []struct {
		name string
		c    drivers.Cluster
		ng   drivers.NodeGroup
		want error
	}{
		{"master role", c, master, drivers.ErrNotSupported},
		{"negative count", c, negative, drivers.ErrInvalid},
		{"bad label", c, bad, drivers.ErrInvalid},
		{"no API address", noAPI, ExtraGroup, drivers.ErrInvalid},
	} {
		if _, err := d.NodeGroupStack(context.Background(), tc.c, tc.ng); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}
