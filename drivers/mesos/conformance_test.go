package mesos_test

import (
	"testing"

	"github.com/gomagnum/gomagnum/drivers/drivertest"
	"github.com/gomagnum/gomagnum/drivers/mesos"
)

func TestConformance(t *testing.T) {
	drivertest.Run(t, mesos.New())
}
