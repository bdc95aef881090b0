// Command embed is a Go service that embeds gomagnum, as a platform team
// would: the whole Magnum service runs inside the program, its REST API
// mounted under /magnum/ on the program's own http.ServeMux next to the
// program's own routes, with the program's slog logger, the service's
// cluster events feeding the program's own sink, Prometheus metrics on the
// program's own registry, and a graceful shutdown on SIGINT or SIGTERM.
//
//	embed [-listen 127.0.0.1:8080] [-data-dir dir] [-sync 10s]
//
// Routes:
//
//	/magnum/...   Magnum's v1 REST API (openstack coe --os-endpoint http://127.0.0.1:8080/magnum/v1)
//	GET /         what is served here
//	GET /summary  clusters and nodes, through the Go API
//	GET /events   the latest cluster events the sink received
//	GET /metrics  the registry: the API's and the conductor's metrics, the sink's counter, Go's
//
// The API runs in noauth mode (every request acts as the simulated cloud's
// admin unless its identity headers say otherwise), so embed serves
// loopback only; a real deployment authenticates with api.NewKeystone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/magnum"
)

// operator is who the program's own routes act as, and who API requests
// without identity headers act as: the simulated cloud's admin.
var operator = magnum.Caller{UserID: sim.AdminUserID, UserName: "admin", ProjectID: sim.AdminProjectID,
	ProjectName: "admin", Roles: []string{"admin", "member", "reader"}}

// errNotLoopback refuses to serve the noauth API beyond loopback.
var errNotLoopback = errors.New("embed: the API runs in noauth mode: listen on a loopback address")

// shutdownTimeout bounds how long requests in flight may take to finish.
const shutdownTimeout = 20 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// config is what the command line sets.
type config struct {
	listen, dataDir string
	sync            time.Duration
}

func parseFlags(args []string, out io.Writer) (config, error) {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	fs.SetOutput(out)
	var c config
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "listen on `addr` (loopback only)")
	fs.StringVar(&c.dataDir, "data-dir", "", "keep the service's database in `dir` (default: the user's state directory)")
	fs.DurationVar(&c.sync, "sync", 10*time.Second, "how often the conductor syncs clusters in progress")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.dataDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return c, fmt.Errorf("embed: -data-dir is empty and there is no cache directory: %w", err)
		}
		c.dataDir = filepath.Join(dir, "gomagnum-embed")
	}
	return c, nil
}

// run is the program: it serves until ctx is done, then shuts down
// gracefully. Its logs go to logOut.
func run(ctx context.Context, args []string, logOut io.Writer) error {
	cfg, err := parseFlags(args, logOut)
	if err != nil {
		return err
	}
	// The program's own logger; api.LogHandler adds the request ID of the
	// API request a record was logged for.
	log := slog.New(api.LogHandler(slog.NewJSONHandler(logOut, nil))).With(slog.String("service", "embed"))

	ln, err := listenLoopback(cfg.listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	app, err := newApp(ctx, cfg, "http://"+ln.Addr().String(), log)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.routes(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.InfoContext(ctx, "serving", slog.String("addr", ln.Addr().String()), slog.String("api", app.apiURL))

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-errc:
	}
	// First the listener and the requests in flight, then the service
	// (its conductor and event delivery).
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = errors.Join(err, srv.Shutdown(sctx), app.svc.Close())
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		log.Error("stopped", slog.Any("error", err))
		return err
	}
	log.Info("stopped")
	return nil
}

// listenLoopback listens on addr, which must be a loopback address.
func listenLoopback(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("%w: %s", errNotLoopback, ln.Addr())
	}
	return ln, nil
}

// app is the program's state: the embedded service, its API handler, the
// program's registry and event sink.
type app struct {
	svc    *magnum.Service
	api    http.Handler
	apiURL string
	reg    *prometheus.Registry
	events *sink
	log    *slog.Logger
}

// apiPrefix is where the REST API is mounted on the program's mux.
const apiPrefix = "/magnum"

// newApp builds the service and everything around it; baseURL is the
// program's own URL.
func newApp(ctx context.Context, cfg config, baseURL string, log *slog.Logger) (*app, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())
	metrics, err := api.NewMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("embed: metrics: %w", err)
	}
	events, err := newSink(reg, maxEvents)
	if err != nil {
		return nil, err
	}
	a := &app{apiURL: baseURL + apiPrefix + "/v1", reg: reg, events: events, log: log}
	a.svc, err = magnum.New(ctx,
		magnum.WithDataDir(cfg.dataDir),
		magnum.WithLogger(log),
		magnum.WithSyncInterval(cfg.sync),
		magnum.WithPublicURL(a.apiURL),
		magnum.WithEventHandler(events.record),
		magnum.WithSyncObserver(metrics.SyncObserver()),
	)
	if err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	if err := metrics.WatchClusters(a.svc, log); err != nil {
		return nil, errors.Join(fmt.Errorf("embed: metrics: %w", err), a.svc.Close())
	}
	a.api = api.NewHandler(a.svc, api.WithAuthenticator(api.NoAuth{Default: operator}),
		api.WithLogger(log), api.WithMetrics(metrics))
	return a, nil
}
