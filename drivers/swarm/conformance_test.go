package swarm_test

import (
	"testing"

	"github.com/gomagnum/gomagnum/drivers/drivertest"
	"github.com/gomagnum/gomagnum/drivers/swarm"
)

func TestConformance(t *testing.T) {
	drivertest.Run(t, swarm.New())
}
