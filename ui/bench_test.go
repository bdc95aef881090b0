package ui_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/ui"
)

// BenchmarkClusterList serves a page of 1,000 clusters, server side: the
// service reads them from the embedded database and the page is rendered
// (the budget is 100 ms).
func BenchmarkClusterList(b *testing.B) {
	svc := newService(b, magnum.WithoutConductor(), magnum.WithDefaultClusterQuota(2000))
	template(b, svc)
	for i := range 1000 {
		_, err := svc.CreateCluster(as(demo), magnum.ClusterCreate{Name: fmt.Sprintf("c%04d", i), ClusterTemplateID: "k8s"})
		require.NoError(b, err)
	}
	h := ui.New(svc, ui.WithAuthenticator(noAuth), ui.WithLogger(quiet))
	req := httptest.NewRequest(http.MethodGet, "/ui/clusters", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	require.Equal(b, http.StatusOK, w.Code)
	require.Equal(b, 1000, strings.Count(w.Body.String(), "<tr data-uuid="))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
	// The process's CPU time per page, which the load of a shared machine
	// does not inflate as it does the wall-clock ns/op.
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// processCPU is the CPU time the process used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
