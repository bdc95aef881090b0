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

// TestScenarioReal runs every driver's scenario on the mini OpenStack, as
// a non-admin member of a project of the test's own.
func TestScenarioReal(t *testing.T) {
	mc := openMiniCloud(t)
	startGuests(t, mc)
	tn := mc.newTenant(t, "e2e")
	d := real(t, mc, tn)
	for _, dc := range drivers {
		t.Run(dc.coe, func(t *testing.T) {
			_, times := scenario(t, d, dc)
			t.Logf("real %s: %s", dc.coe, formatTimes(times))
		})
	}
}
