package kubernetes_test

import (
	"testing"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
)

func BenchmarkClusterStack(b *testing.B) {
	d := kubernetes.New()
	c := cluster(stacktest.Options{Masters: 3, LB: true, FloatingIP: true, TLS: true, Volumes: true})
	for b.Loop() {
		if _, err := d.ClusterStack(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMapOutputs(b *testing.B) {
	d := kubernetes.New()
	c := cluster(defaultOptions)
	s := drivers.StackState{Status: "CREATE_COMPLETE",
		Outputs: map[string]any{"api_address": "172.24.4.10", "kube_masters": []any{"172.24.4.10"},
			"kube_minions": []any{"172.24.4.20", "172.24.4.21"}},
		Parameters: map[string]string{"number_of_masters": "1", "number_of_minions": "2", "kube_tag": "v1.30.4"}}
	for b.Loop() {
		if _, err := d.MapOutputs(ctx, c, c.NodeGroups[0], s); err != nil {
			b.Fatal(err)
		}
	}
}
