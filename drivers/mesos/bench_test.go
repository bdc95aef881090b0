package mesos_test

import (
	"testing"

	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/mesos"
)

func BenchmarkClusterStack(b *testing.B) {
	d := mesos.New()
	c := cluster(stacktest.Options{Masters: 3, LB: true, FloatingIP: true, TLS: true, Volumes: true})
	for b.Loop() {
		if _, err := d.ClusterStack(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
