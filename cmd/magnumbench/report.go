package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// print writes one run's table.
func (r runResult) print(w io.Writer, run int, o options) {
	fmt.Fprintf(w, "\nrun %d (%d connections, %s per load)\n", run, o.conns, o.duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "row\tmagnumd\tbare handler\tratio (goal)")
	for _, e := range r.loads {
		goal := "≥ 0.5"
		if e.name[:8] == "GET page" {
			goal = "≥ 0.3"
		}
		fmt.Fprintf(tw, "%s (%d B)\t%.0f req/s, p50 %s\t%.0f req/s, p50 %s\t%.3f (%s)\n", e.name, e.bytes,
			e.magnum.rate(), e.magnum.p50.Round(10_000), e.raw.rate(), e.raw.p50.Round(10_000), e.ratio(), goal)
	}
	fmt.Fprintf(tw, "magnumd RSS with %d clusters\t%.0f MB at rest, %.0f MB under list load\t\t(≤ 150 MB)\n",
		o.clusters, mb(r.rssRest), mb(r.rssLoad))
	fmt.Fprintf(tw, "magnumd start with %d clusters\t%.2f s\t\t(≤ 1 s)\n", o.clusters, r.start.Seconds())
	fmt.Fprintf(tw, "idle CPU (magnumd and its plugins, %s after the loads)\t%.3f core\t\t(≤ 0.02 core)\n", o.idle, r.idleCores)
	fmt.Fprintf(tw, "idle CPU (the next %s: health checks warm)\t%.3f core\t\t(≤ 0.02 core)\n", o.idle, r.steadyCores)
	tw.Flush()
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// printSummary writes the range of each row over the runs.
func printSummary(w io.Writer, rs []runResult, o options) {
	fmt.Fprintf(w, "\nsummary of %d runs (min–max)\n", len(rs))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, e := range rs[0].loads {
		lo, hi := span(rs, func(r runResult) float64 { return r.loads[i].ratio() })
		fmt.Fprintf(tw, "%s\t%.3f–%.3f of bare\n", e.name, lo, hi)
	}
	lo, hi := span(rs, func(r runResult) float64 { return mb(r.rssRest) })
	fmt.Fprintf(tw, "RSS at rest\t%.0f–%.0f MB\n", lo, hi)
	lo, hi = span(rs, func(r runResult) float64 { return mb(r.rssLoad) })
	fmt.Fprintf(tw, "RSS under list load\t%.0f–%.0f MB\n", lo, hi)
	lo, hi = span(rs, func(r runResult) float64 { return r.start.Seconds() })
	fmt.Fprintf(tw, "start\t%.2f–%.2f s\n", lo, hi)
	lo, hi = span(rs, func(r runResult) float64 { return r.idleCores })
	fmt.Fprintf(tw, "idle CPU\t%.3f–%.3f core\n", lo, hi)
	lo, hi = span(rs, func(r runResult) float64 { return r.steadyCores })
	fmt.Fprintf(tw, "idle CPU, checks warm\t%.3f–%.3f core\n", lo, hi)
	tw.Flush()
}

// span is the smallest and largest value of f over the runs.
func span(rs []runResult, f func(runResult) float64) (lo, hi float64) {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = f(r)
	}
	return slices.Min(vs), slices.Max(vs)
}
