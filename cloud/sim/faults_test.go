package sim_test

import (
	"context"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultValidation(t *testing.T) {
	c := newCloud(t)
	tests := []struct {
		name  string
		fault sim.Fault
		ok    bool
	}{
		{"error on any kind", sim.Fault{Kind: sim.KindLoadBalancer, Effect: sim.EffectError}, true},
		{"error on delete", sim.Fault{Kind: sim.KindVolume, Op: sim.OpDelete, Effect: sim.EffectError}, true},
		{"no valid host on servers", sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoValidHost, Name: "*-minion-*"}, true},
		{"image not found on volumes", sim.Fault{Kind: sim.KindVolume, Effect: sim.EffectImageNotFound}, true},
		{"unknown kind", sim.Fault{Kind: "gizmo", Effect: sim.EffectError}, false},
		{"unknown op", sim.Fault{Kind: sim.KindServer, Op: "reboot", Effect: sim.EffectError}, false},
		{"unknown effect", sim.Fault{Kind: sim.KindServer, Effect: 99}, false},
		{"no effect", sim.Fault{Kind: sim.KindServer}, false},
		{"bad pattern", sim.Fault{Kind: sim.KindServer, Effect: sim.EffectError, Name: "["}, false},
		{"negative times", sim.Fault{Kind: sim.KindServer, Effect: sim.EffectError, Times: -1}, false},
		{"no valid host on a port", sim.Fault{Kind: sim.KindPort, Effect: sim.EffectNoValidHost}, false},
		{"boot failure on a volume", sim.Fault{Kind: sim.KindVolume, Effect: sim.EffectBootFailure}, false},
		{"image not found on a port", sim.Fault{Kind: sim.KindPort, Effect: sim.EffectImageNotFound}, false},
		{"no signal on delete", sim.Fault{Kind: sim.KindServer, Op: sim.OpDelete, Effect: sim.EffectNoSignal}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			remove, err := c.InjectFault(tt.fault)
			if !tt.ok {
				require.ErrorIs(t, err, sim.ErrInvalid)
				return
			}
			require.NoError(t, err)
			remove()
		})
	}
	assert.Equal(t, "no-valid-host", sim.EffectNoValidHost.String())
	assert.Equal(t, "Effect(99)", sim.Effect(99).String())
}

func TestFaults(t *testing.T) {
	ctx := asDemo()
	spec := func(name string) sim.ServerSpec {
		return sim.ServerSpec{Name: name, Image: "fedora-coreos-40", Flavor: "m1.small", Networks: []sim.NIC{{Network: "private"}}}
	}

	t.Run("no valid host by name pattern", func(t *testing.T) {
		c := newCloud(t, sim.WithFaults(sim.Fault{Kind: sim.KindServer, Name: "*-minion-*", Effect: sim.EffectNoValidHost}))
		_, err := c.CreateServer(ctx, spec("k8s-master-0"))
		require.NoError(t, err)
		_, err = c.CreateServer(ctx, spec("k8s-minion-0"))
		require.ErrorIs(t, err, sim.ErrNoValidHost)
		assert.EqualError(t, err, "No valid host was found. There are not enough hosts available.")
		u, err := c.Usage(ctx, sim.DemoProjectID)
		require.NoError(t, err)
		assert.Equal(t, 1, u.Instances, "the unscheduled server holds no quota")
	})

	t.Run("times and removal", func(t *testing.T) {
		c := newCloud(t)
		_, err := c.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoValidHost, Times: 2})
		require.NoError(t, err)
		for range 2 {
			_, err = c.CreateServer(ctx, spec("s"))
			require.ErrorIs(t, err, sim.ErrNoValidHost)
		}
		_, err = c.CreateServer(ctx, spec("s"))
		require.NoError(t, err, "the fault expired")

		remove, err := c.InjectFault(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoValidHost})
		require.NoError(t, err)
		_, err = c.CreateServer(ctx, spec("s"))
		require.ErrorIs(t, err, sim.ErrNoValidHost)
		remove()
		_, err = c.CreateServer(ctx, spec("s"))
		require.NoError(t, err)
	})

	t.Run("project filter and clear", func(t *testing.T) {
		c := newCloud(t)
		_, err := c.InjectFault(sim.Fault{Kind: sim.KindServer, ProjectID: sim.AltProjectID, Effect: sim.EffectNoValidHost})
		require.NoError(t, err)
		_, err = c.CreateServer(ctx, spec("s"))
		require.NoError(t, err)
		_, err = c.CreateServer(asAlt(), sim.ServerSpec{Name: "a", Image: "fedora-40", Flavor: "m1.tiny"})
		require.ErrorIs(t, err, sim.ErrNoValidHost)
		c.ClearFaults()
		_, err = c.CreateServer(asAlt(), sim.ServerSpec{Name: "a", Image: "fedora-40", Flavor: "m1.tiny"})
		require.NoError(t, err)
	})

	t.Run("image not found", func(t *testing.T) {
		c := newCloud(t,
			sim.WithFaults(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectImageNotFound}),
			sim.WithFaults(sim.Fault{Kind: sim.KindVolume, Effect: sim.EffectImageNotFound}))
		_, err := c.CreateServer(ctx, spec("s"))
		require.ErrorIs(t, err, cloud.ErrNotFound)
		assert.EqualError(t, err, "Image fedora-coreos-40 could not be found.")
		_, err = c.CreateVolume(ctx, sim.VolumeSpec{Name: "v", SizeGB: 1, Image: "fedora-40"})
		assert.EqualError(t, err, "Image fedora-40 could not be found.")
	})

	t.Run("injected errors on create and delete", func(t *testing.T) {
		c := newCloud(t)
		_, err := c.InjectFault(sim.Fault{Kind: sim.KindLoadBalancer, Effect: sim.EffectError, Message: "Octavia is down"})
		require.NoError(t, err)
		_, err = c.CreateLoadBalancer(ctx, sim.LoadBalancerSpec{Name: "lb", VIPSubnet: "private-subnet"})
		require.ErrorIs(t, err, sim.ErrInjected)
		assert.EqualError(t, err, "Octavia is down")

		v, err := c.CreateVolume(ctx, sim.VolumeSpec{Name: "data", SizeGB: 1})
		require.NoError(t, err)
		_, err = c.InjectFault(sim.Fault{Kind: sim.KindVolume, Op: sim.OpDelete, Name: "data", Effect: sim.EffectError, Times: 1})
		require.NoError(t, err)
		err = c.DeleteVolume(ctx, v.ID)
		require.ErrorIs(t, err, sim.ErrInjected)
		assert.EqualError(t, err, `Injected failure: delete volume "data" failed.`)
		_, err = c.Volume(ctx, v.ID)
		require.NoError(t, err, "a failed delete leaves the volume")
		require.NoError(t, c.DeleteVolume(ctx, v.ID))
	})

	t.Run("boot failure", func(t *testing.T) {
		c := newCloud(t, sim.WithFaults(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectBootFailure, Message: "cloud-init crashed"}))
		s, err := c.CreateServer(ctx, spec("s"))
		require.NoError(t, err)
		assert.Equal(t, "ACTIVE", s.Status)
		assert.Equal(t, sim.BootFailed, s.Boot.Outcome)
		err = c.WaitBooted(ctx, s.ID)
		require.ErrorIs(t, err, sim.ErrBootFailed)
		assert.EqualError(t, err, "Instance "+s.ID+" failed to boot: cloud-init crashed")
	})

	t.Run("no signal", func(t *testing.T) {
		c := newCloud(t, sim.WithFaults(sim.Fault{Kind: sim.KindServer, Effect: sim.EffectNoSignal}))
		s, err := c.CreateServer(ctx, spec("s"))
		require.NoError(t, err)
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		err = c.WaitBooted(short, s.ID)
		require.ErrorIs(t, err, context.DeadlineExceeded, "the wait condition times out")

		// Deleting the server ends the wait.
		done := make(chan error, 1)
		go func() { done <- c.WaitBooted(ctx, s.ID) }()
		require.NoError(t, c.DeleteServer(ctx, s.ID))
		require.ErrorIs(t, <-done, cloud.ErrNotFound)
	})
}

func TestDelaysOnAManualClock(t *testing.T) {
	clock := sim.NewManualClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	c := newCloud(t, sim.WithClock(clock), sim.WithDelays(sim.Delays{
		Create: map[sim.Kind]time.Duration{sim.KindServer: 10 * time.Second},
		Delete: map[sim.Kind]time.Duration{sim.KindServer: 5 * time.Second},
		Boot:   time.Minute,
	}))
	ctx := asDemo()

	created := make(chan sim.Server, 1)
	go func() {
		s, err := c.CreateServer(ctx, sim.ServerSpec{Name: "s", Image: "fedora-40", Flavor: "m1.tiny"})
		assert.NoError(t, err)
		created <- s
	}()
	waitForWaiters(t, clock, 1)
	select {
	case <-created:
		t.Fatal("the server was created before its delay")
	default:
	}
	clock.Advance(10 * time.Second)
	s := <-created
	assert.Equal(t, clock.Now().Add(time.Minute), s.Boot.DoneAt)

	booted := make(chan error, 1)
	go func() { booted <- c.WaitBooted(ctx, s.ID) }()
	waitForWaiters(t, clock, 1)
	clock.Advance(59 * time.Second)
	select {
	case err := <-booted:
		t.Fatalf("booted early: %v", err)
	case <-time.After(10 * time.Millisecond):
	}
	clock.Advance(time.Second)
	require.NoError(t, <-booted)

	// Delays change at run time; a cancelled wait gives up.
	require.NoError(t, c.SetDelays(sim.Delays{Delete: map[sim.Kind]time.Duration{sim.KindServer: time.Hour}}))
	cctx, cancel := context.WithCancel(ctx)
	deleted := make(chan error, 1)
	go func() { deleted <- c.DeleteServer(cctx, s.ID) }()
	waitForWaiters(t, clock, 1)
	cancel()
	require.ErrorIs(t, <-deleted, context.Canceled)
	_, err := c.Server(ctx, s.ID)
	require.NoError(t, err, "a cancelled delete deletes nothing")

	require.ErrorIs(t, c.SetDelays(sim.Delays{Create: map[sim.Kind]time.Duration{"gizmo": 1}}), sim.ErrInvalid)
	require.ErrorIs(t, c.SetDelays(sim.Delays{Delete: map[sim.Kind]time.Duration{sim.KindPort: -1}}), sim.ErrInvalid)
}

// waitForWaiters waits until n timers are pending on the clock.
func waitForWaiters(t *testing.T, clock *sim.ManualClock, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return clock.Waiters() >= n }, 5*time.Second, time.Millisecond)
}

func TestWaitBootedWithoutDelay(t *testing.T) {
	c := newCloud(t)
	s := server(t, c, asDemo(), "s")
	require.NoError(t, c.WaitBooted(asDemo(), s.ID))
	assert.Equal(t, sim.BootOK, s.Boot.Outcome)
}
