package api

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gomagnum/gomagnum/magnum"
)

// Metrics are the Prometheus metrics of the API and of the service behind
// it. They live in one registry, which the daemon serves at /metrics and
// which the service may register more collectors into (Registerer).
type Metrics struct {
	reg      prometheus.Registerer
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	syncPass prometheus.Histogram
	// syncOperations and syncListCalls describe the last pass.
	syncOperations prometheus.Gauge
	syncListCalls  prometheus.Counter
	// series keeps the request series at hand by seriesKey; kept counts
	// the attempts to add one.
	series sync.Map
	kept   atomic.Int64
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "magnum", Subsystem: "api", Name: "requests_total",
			Help: "API requests answered, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "magnum", Subsystem: "api", Name: "request_duration_seconds",
			Help:    "Time to answer API requests, by route, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "code"}),
		syncPass: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "magnum", Subsystem: "conductor", Name: "sync_pass_duration_seconds",
			Help:    "Time the conductor takes for one pass syncing clusters with their stacks.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		syncOperations: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "magnum", Subsystem: "conductor", Name: "sync_operations",
			Help: "Operations the last sync pass followed.",
		}),
		syncListCalls: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "magnum", Subsystem: "conductor", Name: "sync_list_calls_total",
			Help: "Orchestrator list calls made by sync passes.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.syncPass, m.syncOperations, m.syncListCalls} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Registerer is the registry the metrics live in, for the service's own
// collectors.
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }

// SyncObserver records the conductor's status-sync passes: give it to
// the service with magnum.WithSyncObserver.
func (m *Metrics) SyncObserver() magnum.SyncObserver {
	return func(operations, listCalls int, took time.Duration) {
		m.syncPass.Observe(took.Seconds())
		m.syncOperations.Set(float64(operations))
		m.syncListCalls.Add(float64(listCalls))
	}
}

// observe records one answered request.
func (m *Metrics) observe(route, method string, code int, d time.Duration) {
	s := m.seriesOf(seriesKey{route: route, method: method, code: code})
	s.requests.Inc()
	s.latency.Observe(d.Seconds())
}

// maxKeptSeries bounds the series of requests the metrics keep at hand.
const maxKeptSeries = 1024

// seriesKey names the series of one route, method and status code.
type seriesKey struct {
	route, method string
	code          int
}

// series are the request counter and latency histogram of one key.
type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// seriesOf returns the series of a key, kept at hand (up to
// maxKeptSeries) so that a request does not look its labels up again.
func (m *Metrics) seriesOf(k seriesKey) *series {
	if s, ok := m.series.Load(k); ok {
		return s.(*series)
	}
	c := strconv.Itoa(k.code)
	s := &series{requests: m.requests.WithLabelValues(k.route, k.method, c),
		latency: m.latency.WithLabelValues(k.route, k.method, c)}
	if m.kept.Add(1) <= maxKeptSeries {
		kept, _ := m.series.LoadOrStore(k, s)
		return kept.(*series)
	}
	return s
}

// ClusterCounter counts clusters by status; *magnum.Service is one.
type ClusterCounter interface {
	CountClusters(ctx context.Context) (map[magnum.Status]int, error)
}

// WatchClusters registers a gauge of the clusters by status, counted at
// each scrape.
func (m *Metrics) WatchClusters(l ClusterCounter, log *slog.Logger) error {
	return m.reg.Register(&clusterCollector{list: l, log: log, desc: prometheus.NewDesc(
		"magnum_clusters", "Clusters by status.", []string{"status"}, nil)})
}

type clusterCollector struct {
	list ClusterCounter
	log  *slog.Logger
	desc *prometheus.Desc
}

var allStatuses = []magnum.Status{
	magnum.CreateInProgress, magnum.CreateFailed, magnum.CreateComplete, magnum.UpdateInProgress,
	magnum.UpdateFailed, magnum.UpdateComplete, magnum.DeleteInProgress, magnum.DeleteFailed,
	magnum.DeleteComplete, magnum.ResumeComplete, magnum.ResumeFailed, magnum.RestoreComplete,
	magnum.RollbackInProgress, magnum.RollbackFailed, magnum.RollbackComplete, magnum.SnapshotComplete,
	magnum.CheckComplete, magnum.AdoptComplete,
}

// Describe implements prometheus.Collector.
func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counts, err := c.list.CountClusters(ctx)
	if err != nil {
		c.log.WarnContext(ctx, "counting clusters for metrics", slog.Any("error", err))
		return
	}
	for _, s := range allStatuses {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
}
