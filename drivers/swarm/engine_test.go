package swarm_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gomagnum/gomagnum/drivers/internal/stacktest"
	"github.com/gomagnum/gomagnum/drivers/internal/stacktest/enginetest"
	"github.com/gomagnum/gomagnum/drivers/swarm"
)

// TestEngineLifecycle creates the cluster stack of every combination of
// the main options in the embedded engine, reads its outputs, and resizes
// the workers up and down.
func TestEngineLifecycle(t *testing.T) {
	for _, o := range stacktest.Combinations() {
		t.Run(o.String(), func(t *testing.T) {
			_, _, out := enginetest.Lifecycle(t, swarm.New(), cluster(o))
			assert.Regexp(t, apiPattern(o), out.APIAddress)
		})
	}
}

func apiPattern(o stacktest.Options) *regexp.Regexp {
	port := map[bool]string{true: "2376", false: "2375"}[o.TLS]
	return regexp.MustCompile(`^tcp://\d+\.\d+\.\d+\.\d+:` + port + `$`)
}

// TestEngineNodeGroup creates an extra node group's stack next to its
// cluster's, resizes it and deletes it, with and without floating IPs.
func TestEngineNodeGroup(t *testing.T) {
	for _, o := range []stacktest.Options{defaultOptions, {Masters: 3, LB: true, TLS: true}} {
		t.Run(o.String(), func(t *testing.T) {
			enginetest.NodeGroupLifecycle(t, swarm.New(), cluster(o))
		})
	}
}
