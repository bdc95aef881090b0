package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
)

// loadConcurrency is the number of clients the load generator runs.
const loadConcurrency = 4

// BenchmarkAPI compares the API (api.NewHandler over the service, with
// metrics and JSON request logs, as magnumd serves it) with a bare
// net/http handler answering the same bytes, for GET of one template and a
// list of 100 templates, over loopback TCP with keep-alive clients. It
// reports requests per second and the p50 and p99 latencies.
func BenchmarkAPI(b *testing.B) {
	reg := prometheus.NewRegistry()
	metrics, err := api.NewMetrics(reg)
	require.NoError(b, err)
	svc := newService(b, magnum.WithSyncInterval(10*time.Second)) // magnumd's default
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	magnumd := httptest.NewServer(api.NewHandler(svc, api.WithAuthenticator(noAuth), api.WithLogger(logger),
		api.WithMetrics(metrics)))
	defer magnumd.Close()
	var first string
	for i := range 100 {
		r := do(b, magnumd, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(nil)})
		require.Equal(b, http.StatusCreated, r.status, r.raw)
		if i == 0 {
			first = r.body["uuid"].(string)
		}
	}
	for _, tc := range []struct{ name, path string }{
		{"get-template", "/v1/clustertemplates/" + first},
		{"list-100-templates", "/v1/clustertemplates"},
	} {
		body := do(b, magnumd, call{method: "GET", path: tc.path}).raw
		bare := httptest.NewServer(bareHandler([]byte(body)))
		b.Run(tc.name+"/magnumd", func(b *testing.B) { load(b, magnumd.URL+tc.path, len(body)) })
		b.Run(tc.name+"/bare", func(b *testing.B) { load(b, bare.URL+tc.path, len(body)) })
		bare.Close()
	}
}

// bareHandler answers every request with body, as a JSON API would.
func bareHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body) //nolint:errcheck // benchmark
	})
}

// load sends b.N GET requests to url from loadConcurrency clients and
// reports throughput and latency percentiles.
func load(b *testing.B, url string, size int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadConcurrency}}
	defer client.CloseIdleConnections()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.SetBytes(int64(size))
	b.ResetTimer()
	start := time.Now()
	for range loadConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || int(n) != size {
					b.Errorf("status %d, %d bytes", resp.StatusCode, n)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
