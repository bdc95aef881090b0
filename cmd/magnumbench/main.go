// Command magnumbench measures magnumd against a bare net/http handler
// serving the very same bytes, on one machine, and prints the ratios of
// issue 13's table: GET of one template, a list of 202 templates, a page
// of 100 clusters among many, magnumd's memory and start time with those
// clusters, its idle CPU, and (with -creates) the Go benchmark of 1,000
// concurrent creates.
//
//	go run ./cmd/magnumbench [-clusters 10000] [-runs 3] [-data dir] [-creates]
//
// It builds magnumd, runs it on the embedded defaults (SQLite, the
// embedded engine over the simulated cloud, ECDSA keys), creates the
// templates and clusters through the API unless the data directory holds
// them from an earlier run, restarts it and measures. Each load runs
// -connections keep-alive clients for -duration against magnumd, then
// against the bare handler (a process of its own, like magnumd).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	clusters, templates, conns, runs int
	duration, idle, settle           time.Duration
	dataDir                          string
	creates                          bool
}

func main() {
	var o options
	bareFile := flag.String("serve-bare", "", "serve the bytes of `file` as the bare handler (used by the benchmark itself)")
	flag.IntVar(&o.clusters, "clusters", 10000, "clusters magnumd holds")
	flag.IntVar(&o.templates, "templates", 202, "cluster templates magnumd holds")
	flag.IntVar(&o.conns, "connections", 4, "keep-alive connections of each load")
	flag.IntVar(&o.runs, "runs", 1, "measurement runs (each restarts magnumd)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each load")
	flag.DurationVar(&o.idle, "idle", 60*time.Second, "how long idle CPU is measured (one health interval)")
	flag.DurationVar(&o.settle, "settle", 5*time.Second, "wait after start before measuring memory")
	flag.StringVar(&o.dataDir, "data", "", "magnumd's data `dir`, kept between invocations (default: a temporary one)")
	flag.BoolVar(&o.creates, "creates", false, "also run the Go benchmark of 1,000 concurrent creates")
	flag.Parse()
	if *bareFile != "" {
		if err := serveBare(*bareFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := bench(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "magnumbench:", err)
		os.Exit(1)
	}
}
