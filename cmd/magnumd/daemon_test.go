package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/internal/testenv"
)

// magnumdBinary builds magnumd once per test binary.
var magnumdBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "magnumd-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "magnumd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{out: string(out), err: err}
	}
	return bin, nil
})

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// runningDaemon is a magnumd process started by a test.
type runningDaemon struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	logs *lockedBuffer
	done chan error
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var servingLine = regexp.MustCompile(`msg=serving addr=(\S+)`)

// startDaemon starts magnumd on the embedded defaults (a data directory of
// the test, a free port) with extra arguments, and waits until it serves.
func startDaemon(t *testing.T, args ...string) *runningDaemon {
	t.Helper()
	bin, err := magnumdBinary()
	require.NoError(t, err)
	args = append([]string{"-listen", "127.0.0.1:0", "-data-dir", t.TempDir()}, args...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	d := &runningDaemon{cmd: cmd, logs: &lockedBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			d.logs.Write([]byte(line + "\n"))
			if m := servingLine.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		d.done <- cmd.Wait()
	}()
	t.Cleanup(func() { d.stop(t) })
	select {
	case a := <-addr:
		d.url = "http://" + a
	case <-time.After(time.Minute):
		t.Fatalf("magnumd did not start:\n%s", d.logs)
	}
	return d
}

// stop sends SIGTERM and waits for a graceful exit.
func (d *runningDaemon) stop(t *testing.T) error {
	t.Helper()
	if d.cmd.ProcessState != nil {
		return nil
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		d.done <- err
		return err
	case <-time.After(time.Minute):
		_ = d.cmd.Process.Kill()
		t.Errorf("magnumd did not stop on SIGTERM:\n%s", d.logs)
		return context.DeadlineExceeded
	}
}

func TestDaemonServesAndStopsGracefully(t *testing.T) {
	d := startDaemon(t)
	resp, err := http.Get(d.url + "/healthcheck")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "OK", string(body))

	resp, err = http.Get(d.url + "/v1/clustertemplates")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the default identity lists")
	require.Regexp(t, `^req-`, resp.Header.Get("X-OpenStack-Request-Id"))

	resp, err = http.Get(d.url + "/metrics")
	require.NoError(t, err)
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(metrics), `magnum_api_requests_total{code="200",method="GET",route="GET /v1/clustertemplates"} 1`)
	require.Contains(t, string(metrics), `magnum_clusters{status="CREATE_COMPLETE"} 0`)

	// Successful reads are logged at debug (log.reads); a failed one at info.
	resp, err = http.Get(d.url + "/v1/clusters/nope")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	// The daemon writes its access-log line once the answer is sent, and
	// its output reaches the buffer through a pipe: wait for the line.
	failed := regexp.MustCompile(`msg=request .*status=404 .*request_id=req-[0-9a-f-]{36}`)
	require.Eventually(t, func() bool { return failed.MatchString(d.logs.String()) }, time.Minute, 10*time.Millisecond,
		"a failed read is logged at info")
	logs := d.logs.String()
	require.Regexp(t, `msg="driver plugin started" driver=k8s_fedora_coreos_v1 pid=\d+`, logs, "built-in drivers run out of process")
	require.NotRegexp(t, `msg=request .*status=200`, logs, "successful reads are not logged at info")

	require.NoError(t, d.stop(t), "exit code 0 after SIGTERM")
	require.Contains(t, d.logs.String(), "shutting down")
	require.Regexp(t, `level=INFO msg="magnumd stopped" uptime=\S+\n$`, d.logs.String(), "the last line says magnumd has stopped")
}

// realKeystone is the admin of the real Keystone the tests run against.
type realKeystone struct{ authURL, user, password, project string }

func lookupKeystone(t *testing.T) realKeystone {
	t.Helper()
	return realKeystone{
		authURL:  testenv.Lookup(t, testenv.KeystoneURL, "a Keystone"),
		user:     testenv.Lookup(t, testenv.KeystoneUser, "a Keystone user"),
		password: testenv.Lookup(t, testenv.KeystonePassword, "a Keystone password"),
		project:  testenv.Lookup(t, testenv.KeystoneProject, "a Keystone project"),
	}
}

// config is magnumd's configuration of the keystone mode with the
// built-in drivers in process, and more settings.
func (k realKeystone) config(more string) string {
	return fmt.Sprintf(`
auth:
  mode: keystone
  keystone:
    auth: {auth_url: %s, username: %s, password: %s, user_domain_name: Default,
           project_name: %s, project_domain_name: Default}
drivers: {in_process: true}
`, k.authURL, k.user, k.password, k.project) + more
}

// token is a token of the admin.
func (k realKeystone) token(t *testing.T) string {
	t.Helper()
	provider, err := openstack.AuthenticatedClient(context.Background(), gophercloud.AuthOptions{IdentityEndpoint: k.authURL,
		Username: k.user, Password: k.password, DomainName: "Default",
		Scope: &gophercloud.AuthScope{ProjectName: k.project, DomainName: "Default"}})
	require.NoError(t, err)
	return provider.Token()
}

func TestDaemonKeystoneMode(t *testing.T) {
	k := lookupKeystone(t)
	d := startDaemon(t, "-config", writeConfig(t, k.config("")))
	token := k.token(t)
	get := func(token string) int {
		req, err := http.NewRequest("GET", d.url+"/v1/mservices", nil)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("X-Auth-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, get(token), "an admin token of the real Keystone")
	assert.Equal(t, http.StatusUnauthorized, get(""))
	assert.Equal(t, http.StatusUnauthorized, get("forged"))
}

func TestDaemonWithRealHeat(t *testing.T) {
	heatURL := testenv.Lookup(t, testenv.HeatURL, "a noauth Heat")
	cfg := writeConfig(t, fmt.Sprintf("orchestrator: {type: heat, heat: {noauth_endpoint: %q}}\ndrivers: {in_process: true}\n", heatURL))
	d := startDaemon(t, "-config", cfg)
	resp, err := http.Get(d.url + "/v1/mservices")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "magnumd serves with Heat as its orchestrator")

	bad := writeConfig(t, "orchestrator: {type: heat, heat: {auth: {auth_url: \"http://127.0.0.1:1/v3\", username: u, password: p}}}\n")
	var out bytes.Buffer
	code := run(context.Background(), []string{"-config", bad, "-listen", "127.0.0.1:0", "-data-dir", t.TempDir()}, &out, &out)
	assert.Equal(t, 1, code, "an unreachable Keystone for Heat stops magnumd: %s", &out)
	assert.Contains(t, out.String(), "magnumd: heat")
}
