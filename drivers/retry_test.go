//go:build unix

package drivers_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/drivers"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
)

// isRetry matches the record of a call the host makes again.
func isRetry(e logEntry) bool { return e.Msg == "driver call reached no driver; retrying" }

// quickRetry retries at once, a few times. Pings are off: an answer to
// one would count as the plugin answering while a call was lost.
func quickRetry(attempts int) []drivers.HostOption {
	return []drivers.HostOption{drivers.WithPing(time.Hour, time.Minute),
		drivers.WithCallRetry(drivers.CallRetry{Attempts: attempts, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})}
}

// stallAndKill starts a call that blocks in the running plugin process,
// kills that process once the call is in it, and returns the call's
// outcome. during runs between the call's arrival and the kill.
func stallAndKill(t *testing.T, p *drivers.Plugin, logs *logStore, during func()) (drivers.Stack, error) {
	t.Helper()
	pid := p.PID()
	type result struct {
		st  drivers.Stack
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := p.ClusterStack(t.Context(), stallIn(pid))
		done <- result{st, err}
	}()
	logs.waitFor(t, func(e logEntry) bool { return e.Msg == "blocking" })
	during()
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	select {
	case r := <-done:
		return r.st, r.err
	case <-time.After(30 * time.Second):
		t.Fatal("the interrupted call did not return")
		return drivers.Stack{}, nil
	}
}

func TestPluginKilledDuringCallIsRetried(t *testing.T) {
	logs := &logStore{}
	h := newHost(t, logs)
	p := startFake(t, h)
	pid := p.PID()

	st, err := stallAndKill(t, p, logs, func() {})
	require.NoError(t, err, "the call is made again on the restarted plugin")
	assert.Equal(t, fakeTemplate, string(st.Template))
	assert.NotEqual(t, pid, p.PID())
	assert.NotZero(t, p.PID())
	e := logs.waitFor(t, isRetry)
	assert.Equal(t, "fake", e.Attrs["driver"])
	assert.Equal(t, "ClusterStack", e.Attrs["method"])
	assert.EqualValues(t, 1, e.Attrs["attempt"])
	assert.Contains(t, e.Attrs["error"].(error).Error(), "lost the plugin process")
}

// TestLostAttemptsCount: an attempt lost while the plugin answered
// nothing else counts against CallRetry.Attempts; one lost while the
// plugin went on answering other calls was only caught by a death it did
// not cause, and is made again.
func TestLostAttemptsCount(t *testing.T) {
	for _, tc := range []struct {
		name     string
		answered bool
	}{{"plugin answered meanwhile", true}, {"plugin answered nothing", false}} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logStore{}
			p := startFake(t, newHost(t, logs, quickRetry(1)...))
			_, err := stallAndKill(t, p, logs, func() {
				if tc.answered {
					_, err := p.Info(t.Context())
					require.NoError(t, err)
				}
			})
			if tc.answered {
				require.NoError(t, err)
				return
			}
			var uerr *drivers.UnavailableError
			require.ErrorAs(t, err, &uerr)
			assert.Equal(t, 1, uerr.Attempts)
		})
	}
}

// TestPluginThatKeepsCrashing: a call that finds no plugin to answer it,
// because the plugin dies at every attempt or cannot be restarted, fails
// once the attempts or the time are spent, with an *UnavailableError
// naming the driver; the plugin serves the next calls once it can.
func TestPluginThatKeepsCrashing(t *testing.T) {
	t.Run("dies at every attempt", func(t *testing.T) {
		logs := &logStore{}
		p := startFake(t, newHost(t, logs, quickRetry(3)...))
		_, err := p.ClusterStack(t.Context(), named("crash"))
		require.ErrorIs(t, err, drivers.ErrUnavailable)
		var uerr *drivers.UnavailableError
		require.ErrorAs(t, err, &uerr)
		assert.Equal(t, "fake", uerr.Driver)
		assert.Equal(t, "ClusterStack", uerr.Method)
		assert.Equal(t, 3, uerr.Attempts)
		assert.Regexp(t, `^driver plugin "fake": ClusterStack: driver unavailable \(3 attempts\): `+
			`lost the plugin process \(pid \d+\) during the call: `, err.Error())
		assert.Equal(t, 2, logs.count(isRetry))

		_, err = p.ClusterStack(t.Context(), named("ok"))
		require.NoError(t, err, "the plugin is restarted for the next call")
	})
	t.Run("time bound", func(t *testing.T) {
		h := newHost(t, nil, drivers.WithCallRetry(drivers.CallRetry{Attempts: 1000,
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxElapsed: 3 * time.Second}))
		p := startFake(t, h)
		_, err := p.ClusterStack(t.Context(), named("crash"))
		var uerr *drivers.UnavailableError
		require.ErrorAs(t, err, &uerr)
		assert.Less(t, uerr.Attempts, 1000, "MaxElapsed ends the retries")
		assert.Greater(t, uerr.Attempts, 1)
	})
	t.Run("cannot be restarted", func(t *testing.T) {
		dir := t.TempDir()
		broken := filepath.Join(dir, "broken")
		exe, err := os.Executable()
		require.NoError(t, err)
		launcher := writeScript(t, dir, "flaky", "if [ -e '"+broken+"' ]; then echo 'cannot start'; exit 1; fi\n"+
			"exec env "+pb.EnvBuiltin+"=fake '"+exe+"'")
		h := newHost(t, nil, quickRetry(3)...)
		p, err := h.Load(t.Context(), launcher)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(broken, nil, 0o644))
		require.NoError(t, syscall.Kill(p.PID(), syscall.SIGKILL))

		_, err = p.Info(t.Context())
		var uerr *drivers.UnavailableError
		require.ErrorAs(t, err, &uerr)
		assert.Equal(t, "flaky", uerr.Driver)
		assert.GreaterOrEqual(t, uerr.Attempts, 3)
		assert.ErrorContains(t, err, "cannot start")

		require.NoError(t, os.Remove(broken))
		_, err = p.Info(t.Context())
		require.NoError(t, err, "the plugin starts again once it can")
	})
}

// TestCancelledRetryIsNotRetried: a call whose context ends while it
// waits to be made again returns the context's error at once.
func TestCancelledRetryIsNotRetried(t *testing.T) {
	logs := &logStore{}
	h := newHost(t, logs, drivers.WithCallRetry(drivers.CallRetry{Attempts: 5,
		MinBackoff: time.Hour, MaxBackoff: time.Hour, MaxElapsed: 10 * time.Hour}))
	p := startFake(t, h)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := p.ClusterStack(ctx, named("crash"))
		done <- err
	}()
	logs.waitFor(t, isRetry) // the first attempt killed the plugin
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		var uerr *drivers.UnavailableError
		assert.False(t, errors.As(err, &uerr))
	case <-time.After(20 * time.Second):
		t.Fatal("the cancelled call still waits to be retried")
	}
}
