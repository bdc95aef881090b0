package drivers_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
)

// BenchmarkCall measures one driver call, in-process and through a plugin
// (the test binary re-executed as the fake built-in driver): Info carries
// almost nothing, ClusterStack a small stack. p50-µs is the median of the
// per-call durations.
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	calls := map[string]func(drivers.Driver) error{
		"Info": func(d drivers.Driver) error { _, err := d.Info(ctx); return err },
		"ClusterStack": func(d drivers.Driver) error {
			_, err := d.ClusterStack(ctx, drivers.Cluster{UUID: "u", Name: "bench"})
			return err
		},
	}
	for _, name := range []string{"Info", "ClusterStack"} {
		b.Run(name+"/in-process", func(b *testing.B) { benchCall(b, builtins["fake"], calls[name]) })
		b.Run(name+"/plugin", func(b *testing.B) {
			h := drivers.NewHost(drivers.WithBuiltins(builtins), drivers.WithLogger(quietLogger))
			defer h.Close()
			d, err := h.Builtin(ctx, "fake")
			if err != nil {
				b.Fatal(err)
			}
			benchCall(b, d, calls[name])
		})
	}
}

// quietLogger keeps the plugins' log out of the measurement: a host whose
// logger discards everything asks plugins for errors only.
var quietLogger = slog.New(slog.DiscardHandler)

func benchCall(b *testing.B, d drivers.Driver, call func(drivers.Driver) error) {
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := call(d); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1e3, "p50-µs")
}
