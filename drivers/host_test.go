//go:build unix

package drivers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProtocolVersionMismatch(t *testing.T) {
	h := newHost(t, nil)
	_, err := h.Builtin(t.Context(), v2Only)
	require.ErrorIs(t, err, drivers.ErrUnavailable)
	var verr *drivers.ProtocolVersionError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, 2, verr.Plugin)
	assert.Equal(t, []int{1}, verr.Host)
	assert.EqualError(t, err, `driver plugin "v2only": driver unavailable: `+
		`the plugin speaks driver protocol version 2 but this host speaks version 1`)
	assert.Empty(t, h.Plugins(), "a refused plugin is not kept")
}

func TestPingRestartsPlugin(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
	}{
		{"dead", syscall.SIGKILL},
		{"hung", syscall.SIGSTOP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logStore{}
			h := newHost(t, logs, drivers.WithPing(50*time.Millisecond, 2*time.Second))
			p := startFake(t, h)
			pid := p.PID()
			require.NoError(t, syscall.Kill(pid, tc.sig))
			require.Eventually(t, func() bool { return p.PID() != 0 && p.PID() != pid },
				20*time.Second, 10*time.Millisecond, "no call was made, yet the watcher restarts the plugin")
			e := logs.waitFor(t, func(e logEntry) bool { return e.Msg == "driver plugin failed; it will be restarted" })
			assert.Equal(t, "fake", e.Attrs["driver"])
			_, err := p.Info(t.Context())
			require.NoError(t, err)
			assert.Error(t, syscall.Kill(pid, 0), "the old process is gone")
		})
	}
}

func TestPluginErrorsKeepTheirClass(t *testing.T) {
	logs := &logStore{}
	h := newHost(t, logs)
	t.Cleanup(func() {
		assert.Zero(t, logs.count(isRetry), "an answer of the driver, or a cancelled call, is never retried")
	})
	inProcess := builtins["fake"]
	p := startFake(t, h)
	for _, tc := range []struct {
		cluster string
		class   error
		msg     string
	}{
		{"invalid", drivers.ErrInvalid, `invalid input: cluster "invalid" is invalid`},
		{"conflicting", drivers.ErrConflict, `invalid input: conflict: cluster "conflicting" conflicts`},
		{"failing", nil, "the fake driver failed"},
	} {
		t.Run(tc.cluster, func(t *testing.T) {
			for _, d := range []drivers.Driver{inProcess, p} {
				_, err := d.ClusterStack(t.Context(), named(tc.cluster))
				require.EqualError(t, err, tc.msg)
				if tc.class != nil {
					assert.ErrorIs(t, err, tc.class)
				}
				assert.NotErrorIs(t, err, drivers.ErrUnavailable)
			}
		})
	}
	t.Run("not supported", func(t *testing.T) {
		_, err := p.NodeGroupStack(t.Context(), named("ok"), drivers.NodeGroup{})
		require.ErrorIs(t, err, drivers.ErrNotSupported)
		assert.EqualError(t, err, "not supported: this driver cannot add node groups")
	})
	t.Run("panic", func(t *testing.T) {
		pid := p.PID()
		_, err := p.ClusterStack(t.Context(), named("panic"))
		require.ErrorContains(t, err, "the driver panicked in ClusterStack: the fake driver panics on request")
		assert.Equal(t, pid, p.PID(), "a panic fails the call, not the plugin")
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, err := p.ClusterStack(ctx, named("block"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, err = p.Info(t.Context())
		require.NoError(t, err, "a cancelled call leaves the plugin running")
	})
}

func TestPluginLogReachesSlog(t *testing.T) {
	logs := &logStore{}
	h := newHost(t, logs)
	p := startFake(t, h)
	_, err := p.ClusterStack(t.Context(), named("ok"))
	require.NoError(t, err)
	e := logs.waitFor(t, func(e logEntry) bool { return e.Msg == "stack computed" })
	assert.Equal(t, "fake", e.Attrs["driver"])
	assert.Equal(t, int64(p.PID()), e.Attrs["pid"])
	assert.Equal(t, "5d12f6fd-a196-4bf0-ae4c-1f639a523a52", e.Attrs["cluster"])
	assert.InDelta(t, 2, e.Attrs["minions"], 0)
}

func TestBuiltin(t *testing.T) {
	t.Run("unknown", func(t *testing.T) {
		_, err := newHost(t, nil).Builtin(t.Context(), "nope")
		require.ErrorIs(t, err, drivers.ErrNoDriver)
	})
	t.Run("in process", func(t *testing.T) {
		d, err := newHost(t, nil, drivers.WithInProcess()).Builtin(t.Context(), "fake")
		require.NoError(t, err)
		assert.Same(t, builtins["fake"], d)
	})
	t.Run("binary without it", func(t *testing.T) {
		h := newHost(t, nil, drivers.WithBuiltins(map[string]drivers.Driver{"elsewhere": builtins["fake"]}))
		_, err := h.Builtin(t.Context(), "elsewhere")
		require.ErrorIs(t, err, drivers.ErrUnavailable)
		assert.ErrorContains(t, err, `this binary has no built-in driver "elsewhere"; it has: fake, spawner, v2only`)
	})
	t.Run("closed host", func(t *testing.T) {
		h := newHost(t, nil)
		p := startFake(t, h)
		require.NoError(t, h.Close())
		_, err := p.Info(t.Context())
		require.ErrorIs(t, err, drivers.ErrUnavailable)
		_, err = h.Builtin(t.Context(), "fake")
		require.ErrorIs(t, err, drivers.ErrUnavailable)
	})
}

func TestStartTimeout(t *testing.T) {
	dir := t.TempDir()
	path := writeScript(t, dir, "silent", "exec sleep 30")
	h := newHost(t, nil, drivers.WithStartTimeout(300*time.Millisecond))
	_, err := h.Load(t.Context(), path)
	require.ErrorIs(t, err, drivers.ErrUnavailable)
	assert.ErrorContains(t, err, "timeout while waiting for plugin to start")
}

func TestLoadMissingExecutable(t *testing.T) {
	_, err := newHost(t, nil).Load(t.Context(), filepath.Join(t.TempDir(), "absent"))
	require.ErrorIs(t, err, drivers.ErrUnavailable)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// writeScript writes an executable shell script.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	return path
}

// fakeLauncher is a plugin executable that serves the fake built-in driver
// of the test binary.
func fakeLauncher(t *testing.T, dir, name string) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return writeScript(t, dir, name, "exec env "+pb.EnvBuiltin+"=fake '"+exe+"'")
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	fakeLauncher(t, dir, "a-fake")
	pinned := fakeLauncher(t, dir, "b-pinned")
	fakeLauncher(t, dir, "c-tampered")
	fakeLauncher(t, dir, ".hidden")
	writeScript(t, dir, "d-broken", "echo this is no plugin")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("not executable"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "subdir"), 0o755))

	h := newHost(t, nil)
	plugins, err := h.Discover(t.Context(), dir, drivers.WithChecksums(map[string]string{
		"b-pinned":   sha256File(t, pinned),
		"c-tampered": hex.EncodeToString(make([]byte, 32)),
	}))
	var names []string
	for _, p := range plugins {
		names = append(names, p.Name())
		info, err := p.Info(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "fake_v1", info.Name)
	}
	assert.Equal(t, []string{"a-fake", "b-pinned"}, names)
	require.ErrorIs(t, err, drivers.ErrChecksumMismatch)
	assert.ErrorContains(t, err, `driver plugin "c-tampered": driver unavailable: driver plugin checksum mismatch`)
	assert.ErrorContains(t, err, `driver plugin "d-broken": driver unavailable: Unrecognized remote plugin message: this is no plugin`)
	assert.Len(t, h.Plugins(), 2)

	t.Run("bad checksum", func(t *testing.T) {
		_, err := h.Load(t.Context(), pinned, drivers.WithChecksums(map[string]string{"b-pinned": "xyz"}))
		require.ErrorIs(t, err, drivers.ErrInvalid)
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := h.Discover(t.Context(), filepath.Join(dir, "nope"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}
