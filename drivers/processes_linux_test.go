package drivers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoPluginOutlivesHost runs a host process with two plugins, one of
// which started a child of its own, ends the host in three ways and counts
// the processes left: none may remain.
func TestNoPluginOutlivesHost(t *testing.T) {
	for _, mode := range []string{"close", "exit", "sigkill"} {
		t.Run(mode, func(t *testing.T) {
			marker := fmt.Sprintf("%d-%s-%d", os.Getpid(), mode, time.Now().UnixNano())
			exe, err := os.Executable()
			require.NoError(t, err)
			host := exec.Command(exe)
			host.Env = append(os.Environ(), roleEnv+"=host", hostModeEnv+"="+mode, markerEnv+"="+marker)
			var stderr bytes.Buffer
			host.Stderr = &stderr
			stdin, err := host.StdinPipe()
			require.NoError(t, err)
			stdout, err := host.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, host.Start())
			t.Cleanup(func() { _ = host.Process.Kill() })

			line, err := bufio.NewReader(stdout).ReadString('\n')
			require.NoError(t, err, "host stderr: %s", &stderr)
			require.Equal(t, "ready\n", line)
			require.Equal(t, 3, countMarked(t, marker, host.Process.Pid),
				"two plugins and the child of one of them run")

			if mode == "sigkill" {
				require.NoError(t, host.Process.Kill())
			} else {
				require.NoError(t, stdin.Close())
			}
			_ = host.Wait()
			require.Eventually(t, func() bool { return countMarked(t, marker, 0) == 0 },
				10*time.Second, 20*time.Millisecond, "processes outlived their host")
		})
	}
}

// countMarked counts the live processes, other than skip, whose
// environment carries the marker.
func countMarked(t *testing.T, marker string, skip int) int {
	t.Helper()
	want := []byte(markerEnv + "=" + marker + "\x00")
	dirs, err := filepath.Glob("/proc/[0-9]*")
	require.NoError(t, err)
	n := 0
	for _, dir := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if pid == skip || zombie(dir) {
			continue
		}
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err == nil && bytes.Contains(env, want) {
			n++
		}
	}
	return n
}

// zombie reports whether the process has exited and waits to be reaped.
func zombie(dir string) bool {
	stat, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return true // gone
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z'
}

func TestCountMarkedSeesProcesses(t *testing.T) {
	marker := fmt.Sprintf("self-check-%d", time.Now().UnixNano())
	cmd := exec.Command("sleep", "30")
	cmd.Env = append(os.Environ(), markerEnv+"="+marker)
	require.NoError(t, cmd.Start())
	assert.Equal(t, 1, countMarked(t, marker, 0))
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	assert.Equal(t, 0, countMarked(t, marker, 0))
}

// TestPluginProcessors: a plugin runs on one processor unless the host
// passes GOMAXPROCS on.
func TestPluginProcessors(t *testing.T) {
	for _, tc := range []struct{ env, want string }{{"", "1"}, {"2", "2"}} {
		t.Run("GOMAXPROCS="+tc.env, func(t *testing.T) {
			t.Setenv("GOMAXPROCS", tc.env)
			info, err := startFake(t, newHost(t, nil)).Info(t.Context())
			require.NoError(t, err)
			assert.Equal(t, tc.want, info.ContainerVersion)
		})
	}
}

func TestPluginEnvironment(t *testing.T) {
	t.Setenv("OS_PASSWORD", "the host's secret")
	t.Setenv("DRIVERS_TEST_WANTED", "passed on")
	h := newHost(t, nil, drivers.WithPluginEnv("DRIVERS_TEST_WANTED"))
	p := startFake(t, h)
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.PID()), "environ"))
	require.NoError(t, err)
	env := strings.Split(string(raw), "\x00")
	assert.NotContains(t, env, "OS_PASSWORD=the host's secret", "the host's credentials stay out of plugins")
	assert.Contains(t, env, "DRIVERS_TEST_WANTED=passed on")
	assert.Contains(t, env, "PATH="+os.Getenv("PATH"))
	assert.Contains(t, env, pb.EnvHostPID+"="+strconv.Itoa(os.Getpid()))
	assert.Contains(t, env, pb.EnvBuiltin+"=fake")
}
