package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/gomagnum/gomagnum/drivers"
	pb "github.com/gomagnum/gomagnum/internal/driverproto"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
)

// Option configures Serve.
type Option func(*config)

type config struct {
	debug bool
}

// WithDebug serves in debug mode even without -debug on the command line.
func WithDebug() Option { return func(c *config) { c.debug = true } }

// Serve serves d as a driver plugin; it is the whole main of a driver:
//
//	func main() { plugin.Serve(mydriver.New()) }
//
// Started by a gomagnum host, it serves until the host is done with it and
// never outlives the host. Started by hand with -debug (or WithDebug), it
// serves in debug mode: see ServeDebug. Started by hand otherwise, it says
// what it is and exits with status 1.
//
// The driver's log goes through slog's default logger, which Serve sets up
// so that the host receives every record.
func Serve(d drivers.Driver, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if os.Getenv(pb.Handshake.MagicCookieKey) != "" {
		serve(d)
		return
	}
	if !cfg.debug && !slices.Contains(os.Args[1:], "-debug") && !slices.Contains(os.Args[1:], "--debug") {
		fmt.Fprintf(os.Stderr, "%s is a gomagnum driver plugin: a gomagnum host starts it.\n"+
			"Run it with -debug to serve it in debug mode and attach a host to it.\n", filepath.Base(os.Args[0]))
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := ServeDebug(ctx, d, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// serve serves d to the host that started the process.
func serve(d drivers.Driver) {
	stderr := os.Stderr // go-plugin redirects os.Stderr; the host reads this one
	level := levelFromName(os.Getenv(pb.EnvLogLevel))
	logger := newLogger(stderr, level)
	slog.SetDefault(logger)
	guardHost()
	if os.Getenv("GOMAXPROCS") == "" {
		// A driver's calls are short and light: with one processor a call
		// skips hand-offs between threads (the custom driver's stack call,
		// runs side by side on 2 cores: p50 157-206 µs with one, 179-234
		// µs with one per core). A GOMAXPROCS the host passes on overrides
		// this.
		runtime.GOMAXPROCS(1)
	}
	goplugin.Serve(serveConfig(d, logger, newHCLogger(stderr, level)))
}

func serveConfig(d drivers.Driver, logger *slog.Logger, hcl hclog.Logger) *goplugin.ServeConfig {
	// Panics of the driver are turned into errors instead of crashes.
	s := &server{d: d, intercept: recoverPanics(logger)}
	return &goplugin.ServeConfig{
		HandshakeConfig:  pb.Handshake,
		VersionedPlugins: pb.PluginSets(s),
		GRPCServer:       grpcServer(s),
		Logger:           hcl,
	}
}

// ServeDebug serves d in this process until ctx ends, for a debugger: it
// writes to w the line that attaches a host to it,
//
//	GOMAGNUM_DRIVER_REATTACH='{"my_driver":{"protocol":"grpc",...}}'
//
// which the host reads with Host.AttachFromEnv. Such a plugin has no mutual
// TLS and is not restarted by the host.
func ServeDebug(ctx context.Context, d drivers.Driver, w io.Writer) error {
	info, err := d.Info(ctx)
	if err != nil {
		return fmt.Errorf("debug mode: driver info: %w", err)
	}
	reattach := make(chan *goplugin.ReattachConfig, 1)
	closed := make(chan struct{})
	cfg := serveConfig(d, slog.Default(), hclog.New(&hclog.LoggerOptions{Name: info.Name, Output: os.Stderr}))
	cfg.Test = &goplugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed}
	go goplugin.Serve(cfg)
	select {
	case rc := <-reattach:
		line, err := reattachLine(info.Name, rc)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "Driver %q serves in debug mode. Start the host with:\n\n\t%s\n\n", info.Name, line); err != nil {
			return fmt.Errorf("debug mode: %w", err)
		}
	case <-closed:
		return errors.New("debug mode: the driver plugin stopped before it served")
	}
	<-closed
	return nil
}

func reattachLine(name string, rc *goplugin.ReattachConfig) (string, error) {
	b, err := json.Marshal(map[string]drivers.Reattach{name: {
		Protocol:        string(rc.Protocol),
		ProtocolVersion: rc.ProtocolVersion,
		Network:         rc.Addr.Network(),
		Addr:            rc.Addr.String(),
		PID:             rc.Pid,
	}})
	if err != nil {
		return "", fmt.Errorf("debug mode: %w", err)
	}
	return drivers.EnvReattach + "='" + string(b) + "'", nil
}

// ServeBuiltinIfRequested serves a built-in driver when the host
// re-executed its own binary to run one, and returns at once otherwise. A
// host binary calls it first thing in main, with the drivers it compiles in
// (the map it also gives drivers.WithBuiltins):
//
//	func main() {
//		plugin.ServeBuiltinIfRequested(builtins)
//		// the host's own work...
//	}
//
// When it serves, it exits the process once the host is done.
func ServeBuiltinIfRequested(builtins map[string]drivers.Driver) {
	name, ok := os.LookupEnv(pb.EnvBuiltin)
	if !ok {
		return
	}
	d, ok := builtins[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "this binary has no built-in driver %q; it has: %s\n",
			name, strings.Join(slices.Sorted(maps.Keys(builtins)), ", "))
		os.Exit(1)
	}
	Serve(d)
	os.Exit(0)
}
