package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// buildMagnumd builds magnumd from the module at root into dir.
func buildMagnumd(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "magnumd")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/magnumd")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building magnumd: %w", err)
	}
	return bin, nil
}

// writeConfig writes magnumd's configuration for the benchmark into dir:
// the data directory, ECDSA keys, quotas and a simulated catalog without
// limits for the clusters it holds, and the access log of reads left at
// its default (debug, not shown at level info).
func writeConfig(dir, dataDir, listen string) (string, error) {
	cat := sim.UnlimitedCatalog()
	catData, err := yaml.Marshal(cat)
	if err != nil {
		return "", err
	}
	catalog := filepath.Join(dir, "catalog.yaml")
	if err := os.WriteFile(catalog, catData, 0o600); err != nil {
		return "", err
	}
	cfg := map[string]any{
		"listen":       listen,
		"log":          map[string]any{"level": "warn"},
		"database":     map[string]any{"data_dir": dataDir},
		"cloud":        map[string]any{"catalog_file": catalog},
		"quotas":       map[string]any{"max_clusters_per_project": 1 << 30},
		"certificates": map[string]any{"key_type": "ecdsa-p256"},
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "magnumd.yaml")
	return path, os.WriteFile(path, data, 0o600)
}

// daemon is a running magnumd.
type daemon struct {
	cmd  *exec.Cmd
	url  string
	done chan error
	// started is how long it took from exec to the first answer of
	// /healthcheck.
	started time.Duration
}

// startMagnumd runs magnumd with a configuration and waits until it
// answers.
func startMagnumd(ctx context.Context, bin, config, listen string, logTo *os.File) (*daemon, error) {
	cmd := exec.Command(bin, "-config", config)
	cmd.Stdout, cmd.Stderr = logTo, logTo
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting magnumd: %w", err)
	}
	d := &daemon{cmd: cmd, url: "http://" + listen, done: make(chan error, 1)}
	go func() { d.done <- cmd.Wait() }()
	for {
		resp, err := http.Get(d.url + "/healthcheck")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				d.started = time.Since(t0)
				return d, nil
			}
		}
		select {
		case err := <-d.done:
			return nil, fmt.Errorf("magnumd exited before answering: %v", err)
		case <-ctx.Done():
			d.stop()
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// pid is the daemon's process ID.
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// stop asks magnumd to shut down and waits for it.
func (d *daemon) stop() error {
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-d.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil
		}
		return err
	case <-time.After(time.Minute):
		_ = d.cmd.Process.Kill()
		return errors.New("magnumd did not stop within a minute; killed")
	}
}

// freeAddr returns a loopback address no one listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}
