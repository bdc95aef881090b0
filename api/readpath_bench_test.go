package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/magnum"
)

// BenchmarkReadPath serves the hot reads in process (no network): a page
// of 100 templates and one template, with the view cache (as magnumd
// serves them) and without it.
func BenchmarkReadPath(b *testing.B) {
	svc := newService(b, magnum.WithSyncInterval(time.Hour))
	srv := newServer(b, svc)
	var first string
	for i := range 100 {
		r := do(b, srv, call{method: "POST", path: "/v1/clustertemplates", body: templateBody(nil)})
		if i == 0 {
			first = r.body["uuid"].(string)
		}
	}
	handlers := map[string]http.Handler{
		"cached":   api.NewHandler(svc, api.WithAuthenticator(noAuth), api.WithLogger(quiet)),
		"uncached": api.NewHandler(svc, api.WithAuthenticator(noAuth), api.WithLogger(quiet), api.WithViewCache(0)),
	}
	for _, path := range []string{"/v1/clustertemplates", "/v1/clustertemplates/" + first} {
		name := "list-100"
		if path != "/v1/clustertemplates" {
			name = "get-one"
		}
		for _, mode := range []string{"cached", "uncached"} {
			h := handlers[mode]
			b.Run(name+"/"+mode, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}
