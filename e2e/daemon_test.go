package e2e

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// magnumdPath is the magnumd binary TestMain builds.
var magnumdPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gomagnum-e2e-")
	if err != nil {
		panic(err)
	}
	magnumdPath = filepath.Join(dir, "magnumd")
	build := exec.Command("go", "build", "-o", magnumdPath, "../cmd/magnumd")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		_ = os.RemoveAll(dir)
		panic("building magnumd: " + err.Error())
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// daemon is a running magnumd.
type daemon struct {
	url  string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs strings.Builder
	done chan struct{}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startDaemon writes config (YAML, with the listen address and data
// directory added) and runs magnumd with it until the test ends.
func startDaemon(t *testing.T, config string) *daemon {
	t.Helper()
	port := freePort(t)
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	dir := t.TempDir()
	config = "listen: 127.0.0.1:" + strconv.Itoa(port) + "\npublic_url: " + url + "/v1\n" +
		"database: {data_dir: " + filepath.Join(dir, "data") + "}\n" + config
	path := filepath.Join(dir, "magnumd.yaml")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	d := &daemon{url: url, cmd: exec.Command(magnumdPath, "-config", path), done: make(chan struct{})}
	stderr, err := d.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, d.cmd.Start())
	serving := make(chan struct{})
	go d.read(stderr, serving)
	t.Cleanup(func() { d.stop(t) })
	select {
	case <-serving:
	case <-d.done:
		t.Fatalf("magnumd exited at start:\n%s", d.log())
	case <-time.After(2 * time.Minute):
		t.Fatalf("magnumd did not start:\n%s", d.log())
	}
	return d
}

// read keeps magnumd's log and reports when it serves.
func (d *daemon) read(r interface{ Read([]byte) (int, error) }, serving chan struct{}) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	once := sync.Once{}
	for sc.Scan() {
		line := sc.Text()
		d.mu.Lock()
		d.logs.WriteString(line + "\n")
		d.mu.Unlock()
		if strings.Contains(line, "msg=serving") {
			once.Do(func() { close(serving) })
		}
	}
	_ = d.cmd.Wait()
	close(d.done)
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.logs.String()
}

// stop ends magnumd gracefully, logging what it wrote if the test failed.
func (d *daemon) stop(t *testing.T) {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
	}
	if t.Failed() {
		t.Logf("magnumd log:\n%s", tail(d.log(), 150))
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
