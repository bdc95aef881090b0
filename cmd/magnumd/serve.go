package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/gomagnum/gomagnum/ui"
)

// errServe is wrapped by failures to serve.
var errServe = errors.New("magnumd: serving")

// shutdownTimeout bounds how long requests in flight may take to finish
// once magnumd is asked to stop.
const shutdownTimeout = 30 * time.Second

// serve runs the daemon until ctx is done, then shuts it down gracefully:
// the listeners stop accepting, requests in flight finish, the conductor
// and the driver plugins stop.
func serve(ctx context.Context, cfg *Config, log *slog.Logger) (err error) {
	ln, err := listen(cfg, cfg.Listen)
	if err != nil {
		return fmt.Errorf("%w: %w", errServe, err)
	}
	defer ln.Close()
	if err := guardNoAuth(ctx, cfg, ln.Addr(), log); err != nil {
		return err
	}
	addr := ln.Addr().String()
	d, err := newDaemon(ctx, cfg, addr, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, d.Close()) }()

	servers := []*http.Server{newServer(d.routes(cfg.Metrics.Listen == ""), cfg, log)}
	listeners := []net.Listener{ln}
	if d.metrics != nil && cfg.Metrics.Listen != "" {
		mln, err := listen(cfg, cfg.Metrics.Listen)
		if err != nil {
			return fmt.Errorf("%w: metrics: %w", errServe, err)
		}
		servers, listeners = append(servers, newServer(d.metrics, cfg, log)), append(listeners, mln)
		log.InfoContext(ctx, "serving metrics", slog.String("addr", mln.Addr().String()))
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- serveOne(srv, listeners[i], cfg) }()
	}
	log.InfoContext(ctx, "serving", slog.String("addr", addr), slog.String("url", cfg.publicURL(addr)))
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, srv := range servers {
		err = errors.Join(err, srv.Shutdown(sctx))
	}
	return err
}

// guardNoAuth refuses to serve the noauth mode, in which a request is
// whoever it claims to be, on an address beyond loopback unless the
// configuration asks for it; when it does, it warns.
func guardNoAuth(ctx context.Context, cfg *Config, addr net.Addr, log *slog.Logger) error {
	if cfg.Auth.Mode != "noauth" || isLoopback(addr) {
		return nil
	}
	if !cfg.Auth.NoAuth.AllowRemote {
		return fmt.Errorf("%w: auth.mode noauth lets every request act as whoever it claims to be, admin included, "+
			"and %s is not a loopback address: listen on 127.0.0.1 or ::1, use auth.mode keystone, "+
			"or set auth.noauth.allow_remote: true to serve noauth to the network anyway", errConfig, addr)
	}
	log.WarnContext(ctx, "noauth serves the network (auth.noauth.allow_remote): whoever reaches this address "+
		"can act as any user, admin included", slog.String("addr", addr.String()))
	return nil
}

// isLoopback reports whether a listener's address is a loopback one.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// routes is the API, with /metrics unless metrics have a listener of their
// own, and the dashboard under /ui/ when it is enabled.
func (d *daemon) routes(withMetrics bool) http.Handler {
	metrics := d.metrics != nil && withMetrics
	if !metrics && d.ui == nil {
		return d.api
	}
	mux := http.NewServeMux()
	if metrics {
		mux.Handle("/metrics", d.metrics)
	}
	if d.ui != nil {
		mux.Handle(ui.Prefix, d.ui)
	}
	mux.Handle("/", d.api)
	return mux
}

// listen opens a listener on addr that accepts at most
// http.max_connections connections at once.
func listen(cfg *Config, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, cfg.HTTP.MaxConnections), nil
}

// newServer serves h with the configuration's timeouts.
func newServer(h http.Handler, cfg *Config, log *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout, ReadTimeout: cfg.HTTP.ReadTimeout,
		WriteTimeout: cfg.HTTP.WriteTimeout, IdleTimeout: cfg.HTTP.IdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
}

func serveOne(srv *http.Server, ln net.Listener, cfg *Config) error {
	var err error
	if cfg.TLS.CertFile != "" {
		err = srv.ServeTLS(ln, cfg.TLS.CertFile, cfg.TLS.KeyFile)
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("%w: %w", errServe, err)
}
