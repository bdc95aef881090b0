package kubernetes_test

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

func Example() {
	d := kubernetes.New()
	c := drivers.Cluster{
		UUID: "5d12f6fd-a196-4bf0-ae4c-1f639a523a52", Name: "demo",
		Template: drivers.Template{COE: "kubernetes", ImageID: "fedora-coreos", FlavorID: "m1.small",
			ExternalNetworkID: "public", Labels: map[string]string{"kube_tag": "v1.30.4"}},
		FloatingIPEnabled: true,
		NodeGroups: []drivers.NodeGroup{
			{UUID: "m", Name: "default-master", Role: "master", IsDefault: true, NodeCount: 1},
			{UUID: "w", Name: "default-worker", Role: "worker", IsDefault: true, NodeCount: 2},
		},
		Boot: drivers.Boot{CACert: "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"},
	}
	st, err := d.ClusterStack(context.Background(), c)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Parameters["kube_tag"], st.Parameters["number_of_minions"])

	out, _ := d.MapOutputs(context.Background(), c, c.NodeGroups[0], drivers.StackState{
		Status:  "CREATE_COMPLETE",
		Outputs: map[string]any{"api_address": "172.24.4.10"},
	})
	fmt.Println(out.APIAddress)
	// Output:
	// v1.30.4 2
	// https://172.24.4.10:6443
}
