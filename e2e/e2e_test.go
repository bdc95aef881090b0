package e2e

import (
	"sync"
	"testing"
)

// The scenarios spend most of their time waiting for clouds: the
// embedded one and the real one run side by side (scripts/test.sh runs
// this package with -parallel 4). Go runs the top-level tests that are
// not parallel first, alone: TestFailuresReal, whose magnumd takes the
// mini OpenStack's catalog entry for itself, is done before
// TestScenarioReal registers its own.

// TestScenarioEmbedded runs every driver's scenario on the embedded
// defaults.
func TestScenarioEmbedded(t *testing.T) {
	t.Parallel()
	d := embedded(t)
	for _, dc := range drivers {
		t.Run(dc.coe, func(t *testing.T) {
			t.Parallel()
			_, times := scenario(t, d, dc)
			t.Logf("embedded %s: %s", dc.coe, formatTimes(times))
		})
	}
}

// TestScenarioReal runs every driver's scenario on the mini OpenStack, as
// a non-admin member of a project of the test's own.
func TestScenarioReal(t *testing.T) {
	t.Parallel()
	mc := openMiniCloud(t)
	startGuests(t, mc)
	tn := mc.newTenant(t, "e2e")
	d := real(t, mc, tn)
	var mu sync.Mutex
	var made []string
	// The drivers run side by side: most of a scenario is waiting for
	// Heat and Nova.
	t.Run("drivers", func(t *testing.T) {
		for _, dc := range drivers {
			t.Run(dc.coe, func(t *testing.T) {
				t.Parallel()
				uuid, times := scenario(t, d, dc)
				mu.Lock()
				made = append(made, uuid)
				mu.Unlock()
				t.Logf("real %s: %s", dc.coe, formatTimes(times))
			})
		}
	})
	mc.assertNoLeaks(t, tn, made)
}

// TestFailuresEmbedded: the failures a cloud gives read well.
func TestFailuresEmbedded(t *testing.T) {
	t.Parallel()
	for _, fc := range failures {
		t.Run(fc.name, func(t *testing.T) { failedCreate(t, embedded(t), fc) })
	}
}

// TestFailuresReal: a quota and a server that cannot be scheduled give
// coded, specific reasons on the mini OpenStack.
func TestFailuresReal(t *testing.T) {
	mc := openMiniCloud(t)
	startGuests(t, mc)
	for _, fc := range failures {
		t.Run(fc.name, func(t *testing.T) {
			tn := mc.newTenant(t, "e2e-"+fc.name)
			failedCreate(t, real(t, mc, tn), fc)
			mc.assertNoLeaks(t, tn, nil)
		})
	}
}
