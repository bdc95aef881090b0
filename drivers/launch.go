package drivers

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	goplugin "github.com/hashicorp/go-plugin"
)

// launchSpec says how to reach a plugin: start path, or attach to a
// process serving in debug mode.
type launchSpec struct {
	path     string
	env      []string // added to the plugin's environment
	checksum []byte   // the SHA-256 path must have, or nil
	reattach *goplugin.ReattachConfig
}

// instance is one running plugin process.
type instance struct {
	client *goplugin.Client
	conn   *pb.Conn
	pid    int
	group  bool // the plugin leads its own process group
}

// stopGrace bounds a graceful stop; go-plugin itself gives a plugin 2 s to
// exit after asking it to.
const stopGrace = 3 * time.Second

// stop ends the instance and whatever it started. A graceful stop asks the
// plugin to exit first; otherwise, and when the plugin does not exit in
// time (go-plugin waits forever for a hung plugin to answer), its process
// group is killed. A plugin in debug mode is only disconnected.
func (i *instance) stop(graceful bool) {
	if !graceful {
		i.killGroup()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		i.client.Kill()
	}()
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		if !i.group {
			return // not ours to kill
		}
		i.killGroup()
		<-done
	}
	i.killGroup() // what the plugin started and left behind
}

func (i *instance) killGroup() {
	if i.group {
		killGroup(i.pid)
	}
}

// launch starts an instance; when ctx ends first, the instance is killed
// as soon as it is up.
func (p *Plugin) launch(ctx context.Context) (*instance, error) {
	type result struct {
		inst *instance
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		inst, err := p.spawn()
		ch <- result{inst, err}
	}()
	select {
	case r := <-ch:
		return r.inst, r.err
	case <-ctx.Done():
		p.killers.Add(1)
		go func() {
			defer p.killers.Done()
			if r := <-ch; r.inst != nil {
				r.inst.stop(false)
			}
		}()
		return nil, ctx.Err()
	}
}

func (p *Plugin) spawn() (*instance, error) {
	stderr := &stderrBridge{logger: p.logger}
	inst := &instance{client: goplugin.NewClient(p.clientConfig(stderr)), group: p.spec.reattach == nil}
	if err := inst.connect(); err != nil {
		inst.stop(false)
		return nil, startError(err, stderr.lastLines())
	}
	stderr.setPID(inst.pid)
	return inst, nil
}

// connect starts the process, or attaches to it, and dispenses the driver.
func (i *instance) connect() error {
	rpc, err := i.client.Client()
	if rc := i.client.ReattachConfig(); rc != nil {
		i.pid = rc.Pid
	}
	if err != nil {
		return err
	}
	raw, err := rpc.Dispense(pb.PluginName)
	if err != nil {
		return err
	}
	conn, ok := raw.(*pb.Conn)
	if !ok {
		return fmt.Errorf("dispensed %T, not a driver connection", raw)
	}
	i.conn = conn
	return nil
}

func (p *Plugin) clientConfig(stderr *stderrBridge) *goplugin.ClientConfig {
	cfg := &goplugin.ClientConfig{
		HandshakeConfig:  pb.Handshake,
		VersionedPlugins: pb.PluginSets(nil),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Managed:          true,
		StartTimeout:     p.cfg.startTimeout,
		Logger:           &hclogAdapter{logger: p.logger, mute: filepath.Base(p.spec.path)},
		Stderr:           stderr,
		SkipHostEnv:      true,
		GRPCDialOptions:  pb.DialOptions(),
	}
	if p.spec.reattach != nil {
		cfg.Reattach = p.spec.reattach
		// go-plugin negotiates nothing with a process in debug mode.
		cfg.Plugins = pluginSet(p.spec.reattach.ProtocolVersion)
		return cfg
	}
	cmd := exec.Command(p.spec.path)
	cmd.Env = pluginEnv(p.cfg.env, p.spec.env, lowestLevel(p.logger))
	cmd.SysProcAttr = pluginProcAttr()
	cfg.Cmd = cmd
	cfg.AutoMTLS = true
	if p.spec.checksum != nil {
		cfg.SecureConfig = &goplugin.SecureConfig{Checksum: p.spec.checksum, Hash: sha256.New()}
	}
	return cfg
}

// inheritedEnv lists the host's environment variables a plugin gets: what
// a process needs to run and reach a COE's API, never the host's
// credentials. WithPluginEnv adds more.
var inheritedEnv = []string{
	"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"GODEBUG", "GOTRACEBACK", "GOMAXPROCS", "GOMEMLIMIT", "GOCOVERDIR",
}

// pluginEnv is the environment of a plugin: the inherited variables, the
// extra ones the host was given, and those the host sets for its plugins.
func pluginEnv(inherit, extra []string, level slog.Level) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if slices.Contains(inheritedEnv, k) || slices.Contains(inherit, k) {
			env = append(env, kv)
		}
	}
	return append(append(env, extra...),
		pb.EnvHostPID+"="+strconv.Itoa(os.Getpid()),
		pb.EnvLogLevel+"="+levelName(level))
}

func (b *stderrBridge) setPID(pid int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logger = b.logger.With("pid", pid)
}

// ErrChecksumMismatch means a plugin executable does not have the SHA-256
// checksum it was configured with; it is not started.
var ErrChecksumMismatch = errors.New("driver plugin checksum mismatch")

// ProtocolVersionError refuses a plugin that speaks none of the host's
// driver protocol versions.
type ProtocolVersionError struct {
	// Plugin is the version the plugin offered.
	Plugin int
	// Host lists the versions the host speaks.
	Host []int
}

// Error names both sides' versions.
func (e *ProtocolVersionError) Error() string {
	host := make([]string, len(e.Host))
	for i, v := range e.Host {
		host[i] = strconv.Itoa(v)
	}
	return fmt.Sprintf("the plugin speaks driver protocol version %d but this host speaks version %s",
		e.Plugin, strings.Join(host, ", "))
}

// pluginVersion finds the plugin's version in go-plugin's refusal.
var pluginVersion = regexp.MustCompile(`incompatible API version with plugin\. Plugin version: (\d+)`)

// startError makes go-plugin's start failures say what went wrong.
func startError(err error, stderr string) error {
	if m := pluginVersion.FindStringSubmatch(err.Error()); m != nil {
		v, _ := strconv.Atoi(m[1])
		return &ProtocolVersionError{Plugin: v, Host: hostVersions()}
	}
	if errors.Is(err, goplugin.ErrChecksumsDoNotMatch) {
		return ErrChecksumMismatch
	}
	if stderr != "" {
		return fmt.Errorf("%w (plugin stderr: %s)", err, stderr)
	}
	return err
}

func hostVersions() []int {
	var vs []int
	for v := range pb.PluginSets(nil) {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}
