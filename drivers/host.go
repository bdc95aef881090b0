package drivers

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	pb "github.com/gomagnum/gomagnum/internal/driverproto"
)

// Host runs drivers out of process and presents each as a Driver, so the
// rest of the service does not care where a driver runs.
//
// Built-in drivers run by re-executing the host's own binary, which must
// call plugin.ServeBuiltinIfRequested first thing in main; third-party
// drivers are executables in a directory, each optionally pinned by its
// SHA-256. Plugins speak gRPC with mutual TLS set up per process, run in
// their own process group, are pinged, restarted with backoff when they
// die, and never outlive the host: Close kills them, and a host that dies
// without Close (even by SIGKILL) takes them along.
type Host struct {
	cfg hostConfig

	mu      sync.Mutex
	plugins []*Plugin
	closed  bool
}

type hostConfig struct {
	logger       *slog.Logger
	startTimeout time.Duration
	pingInterval time.Duration
	pingTimeout  time.Duration
	backoffMin   time.Duration
	backoffMax   time.Duration
	retry        CallRetry
	executable   string
	builtins     map[string]Driver
	inProcess    bool
	env          []string
}

// HostOption configures a Host.
type HostOption func(*hostConfig)

// WithLogger sets the logger of the host; the plugins' logs are re-emitted
// through it with a "driver" attribute. The default is slog.Default().
func WithLogger(l *slog.Logger) HostOption { return func(c *hostConfig) { c.logger = l } }

// WithStartTimeout bounds how long a plugin may take to start; one minute
// by default.
func WithStartTimeout(d time.Duration) HostOption { return func(c *hostConfig) { c.startTimeout = d } }

// WithPing sets how often each plugin is pinged and how long it may take to
// answer before it is deemed hung, killed and restarted: every 10 s, within
// 5 s by default.
func WithPing(interval, timeout time.Duration) HostOption {
	return func(c *hostConfig) { c.pingInterval, c.pingTimeout = interval, timeout }
}

// WithRestartBackoff sets the delays between restarts of a failing plugin:
// first, then doubling up to max. 100 ms and 30 s by default.
func WithRestartBackoff(first, max time.Duration) HostOption {
	return func(c *hostConfig) { c.backoffMin, c.backoffMax = first, max }
}

// CallRetry bounds how the host makes a driver call again when it reached
// no driver: the plugin process died during the call (killed, crashed,
// hung and killed by the ping), or none could be started. Driver calls are
// stateless, so the call is simply made again on the restarted process.
// An answer of the driver, an error included, is never retried, nor is a
// call whose context ended. Waits between attempts grow exponentially from
// MinBackoff to MaxBackoff, each drawn between half and all of its nominal
// value (jitter), so that the calls one crash interrupted do not come back
// in step. When the attempts or the time are spent the call fails with an
// *UnavailableError. The zero value of a field takes its default.
type CallRetry struct {
	// Attempts is how many attempts may be lost while the plugin answers
	// nothing else, the first included (default 5): that is a plugin that
	// keeps dying, or a call that kills it. An attempt lost while the
	// plugin went on answering other calls was caught by a death it did
	// not cause; it does not count, and only MaxElapsed bounds its
	// retries. 1 stops at the first attempt lost while nothing else
	// was answered.
	Attempts int
	// MinBackoff is the nominal wait after the first lost attempt
	// (default 100 ms).
	MinBackoff time.Duration
	// MaxBackoff caps the nominal wait (default 2 s).
	MaxBackoff time.Duration
	// MaxElapsed bounds the time from the first attempt after which no
	// attempt starts (default 30 s); the caller's context still bounds
	// the whole call.
	MaxElapsed time.Duration
}

// DefaultCallRetry is the retry policy of a host built without
// WithCallRetry.
var DefaultCallRetry = CallRetry{Attempts: 5, MinBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second, MaxElapsed: 30 * time.Second}

// withDefaults fills the zero fields of r from DefaultCallRetry.
func (r CallRetry) withDefaults() CallRetry {
	d := DefaultCallRetry
	if r.Attempts > 0 {
		d.Attempts = r.Attempts
	}
	if r.MinBackoff > 0 {
		d.MinBackoff = r.MinBackoff
	}
	if r.MaxBackoff > 0 {
		d.MaxBackoff = r.MaxBackoff
	}
	d.MaxBackoff = max(d.MaxBackoff, d.MinBackoff)
	if r.MaxElapsed > 0 {
		d.MaxElapsed = r.MaxElapsed
	}
	return d
}

// WithCallRetry sets how calls that reached no driver are retried;
// DefaultCallRetry by default.
func WithCallRetry(r CallRetry) HostOption { return func(c *hostConfig) { c.retry = r.withDefaults() } }

// WithBuiltins names the drivers compiled into the host binary, the same
// map the binary gives plugin.ServeBuiltinIfRequested.
func WithBuiltins(builtins map[string]Driver) HostOption {
	return func(c *hostConfig) { c.builtins = builtins }
}

// WithInProcess makes Builtin return the built-in drivers themselves
// instead of re-executing the binary: for tests, and for embedders who
// prefer one process to isolation.
func WithInProcess() HostOption { return func(c *hostConfig) { c.inProcess = true } }

// WithExecutable sets the binary re-executed to serve built-in drivers;
// the running executable by default.
func WithExecutable(path string) HostOption { return func(c *hostConfig) { c.executable = path } }

// WithPluginEnv names environment variables of the host that plugins
// inherit besides the few every process needs (PATH, HOME, TMPDIR, the
// locale, TLS roots, proxies, Go runtime settings). The rest of the host's
// environment, its credentials first, stays out of plugins.
func WithPluginEnv(names ...string) HostOption {
	return func(c *hostConfig) { c.env = append(c.env, names...) }
}

// NewHost returns a host with no plugin running.
func NewHost(opts ...HostOption) *Host {
	cfg := hostConfig{
		logger:       slog.Default(),
		startTimeout: time.Minute,
		pingInterval: 10 * time.Second,
		pingTimeout:  5 * time.Second,
		backoffMin:   100 * time.Millisecond,
		backoffMax:   30 * time.Second,
		retry:        DefaultCallRetry,
	}
	for _, o := range opts {
		o(&cfg)
	}
	return &Host{cfg: cfg}
}

// Builtin returns the built-in driver of this name, served by a re-executed
// copy of the host binary (or the driver itself under WithInProcess). An
// unknown name gives ErrNoDriver.
func (h *Host) Builtin(ctx context.Context, name string) (Driver, error) {
	d, ok := h.cfg.builtins[name]
	if !ok {
		return nil, fmt.Errorf("%w: no built-in driver is named %q", ErrNoDriver, name)
	}
	if h.cfg.inProcess {
		return d, nil
	}
	exe := h.cfg.executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("built-in driver %q: find the host executable: %w", name, err)
		}
	}
	return h.start(ctx, name, launchSpec{path: exe, env: []string{pb.EnvBuiltin + "=" + name}})
}

// LoadOption configures Load and Discover.
type LoadOption func(*loadConfig)

type loadConfig struct {
	checksums map[string]string
}

// WithChecksums pins plugin executables by file name to their hex SHA-256
// checksum: a listed file that does not match is not started
// (ErrChecksumMismatch), now or at any restart. Unlisted files start
// unchecked.
func WithChecksums(sums map[string]string) LoadOption {
	return func(c *loadConfig) { c.checksums = sums }
}

// Load starts the plugin executable at path and returns it once it has
// answered the handshake.
func (h *Host) Load(ctx context.Context, path string, opts ...LoadOption) (*Plugin, error) {
	var cfg loadConfig
	for _, o := range opts {
		o(&cfg)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("driver plugin %s: %w", path, err)
	}
	spec := launchSpec{path: abs}
	name := filepath.Base(abs)
	if sum, ok := cfg.checksums[name]; ok {
		if spec.checksum, err = hex.DecodeString(sum); err != nil || len(spec.checksum) != 32 {
			return nil, fmt.Errorf("%w: driver plugin %s: checksum %q is not a hex SHA-256", ErrInvalid, name, sum)
		}
	}
	return h.start(ctx, name, spec)
}

// Discover loads every plugin in dir: the regular executable files whose
// names do not start with a dot, in name order. It returns the plugins that
// started and, joined, the errors of those that did not.
func (h *Host) Discover(ctx context.Context, dir string, opts ...LoadOption) ([]*Plugin, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("discover driver plugins: %w", err)
	}
	var plugins []*Plugin
	var errs []error
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if strings.HasPrefix(e.Name(), ".") || !isExecutable(path) {
			continue
		}
		p, err := h.Load(ctx, path, opts...)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		plugins = append(plugins, p)
	}
	return plugins, errors.Join(errs...)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path) // follows symlinks
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func (h *Host) start(ctx context.Context, name string, spec launchSpec) (*Plugin, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, fmt.Errorf("driver plugin %q: the host is closed: %w", name, ErrUnavailable)
	}
	p := newPlugin(&h.cfg, name, spec)
	h.plugins = append(h.plugins, p)
	h.mu.Unlock()
	if _, err := p.instance(ctx); err != nil {
		h.remove(p)
		_ = p.Close()
		return nil, err
	}
	return p, nil
}

func (h *Host) remove(p *Plugin) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plugins = slices.DeleteFunc(h.plugins, func(q *Plugin) bool { return q == p })
}

// Plugins lists the plugins the host runs.
func (h *Host) Plugins() []*Plugin {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.plugins)
}

// Close stops every plugin and waits until their processes are gone.
func (h *Host) Close() error {
	h.mu.Lock()
	h.closed = true
	plugins := h.plugins
	h.plugins = nil
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range plugins {
		wg.Go(func() { _ = p.Close() })
	}
	wg.Wait()
	return nil
}
