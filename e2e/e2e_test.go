package e2e

import (
	"testing"
)

// TestScenarioEmbedded runs every driver's scenario on the embedded
// defaults.
func TestScenarioEmbedded(t *testing.T) {
	d := embedded(t)
	for _, dc := range drivers {
		t.Run(dc.coe, func(t *testing.T) {
			_, times := scenario(t, d, dc)
			t.Logf("embedded %s: %s", dc.coe, formatTimes(times))
		})
	}
}
