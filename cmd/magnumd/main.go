// Command magnumd serves Magnum's v1 REST API, with the conductor that
// builds the clusters, from one YAML configuration file. Without one it
// runs on the embedded defaults: an SQLite database, the embedded HOT
// engine over a simulated cloud, the built-in drivers as plugins, and the
// noauth development mode. With ui.enabled it also serves the web
// dashboard (package ui) under /ui/.
//
//	magnumd [-config magnumd.yaml] [-listen addr] [-data-dir dir]
//	magnumd -print-defaults
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/drivers/builtin"
	"github.com/gomagnum/gomagnum/drivers/plugin"
)

func main() {
	plugin.ServeBuiltinIfRequested(builtin.Drivers())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is magnumd with its arguments and output streams; it returns the
// exit code once ctx is done or serving failed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("magnumd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML configuration `file` (default: the embedded defaults)")
	listen := fs.String("listen", "", "listen on `addr`, overriding the configuration")
	dataDir := fs.String("data-dir", "", "keep the embedded database in `dir`, overriding the configuration")
	printDefaults := fs.Bool("print-defaults", false, "print the embedded default configuration and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *printDefaults {
		_, _ = stdout.Write(defaultsYAML)
		return 0
	}
	cfg, err := LoadConfig(*configPath)
	if err == nil {
		err = cfg.override(*listen, *dataDir)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := newLogger(cfg, stderr)
	start := time.Now()
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("magnumd stopped", slog.Any("error", err), slog.Duration("uptime", time.Since(start)))
		return 1
	}
	// The last line: the listeners, the conductor and the driver plugins
	// have all stopped.
	log.Info("magnumd stopped", slog.Duration("uptime", time.Since(start)))
	return 0
}

// override applies the command-line flags over the configuration.
func (c *Config) override(listen, dataDir string) error {
	if listen != "" {
		c.Listen = listen
	}
	if dataDir != "" {
		c.Database.DataDir = dataDir
	}
	return c.validate()
}

// newLogger returns the daemon's logger; records logged for a request
// carry its request_id.
func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(api.LogHandler(h))
}
