package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gomagnum/gomagnum/magnum"
)

// routes is the program's own mux: its routes, the metrics, and the REST
// API under apiPrefix.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(apiPrefix+"/", http.StripPrefix(apiPrefix, a.api))
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /summary", a.summary)
	mux.Handle("GET /events", a.events)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{Registry: a.reg}))
	return mux
}

func (a *app) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "embed: gomagnum inside a Go service\n\n"+
		"%s/...  Magnum's v1 REST API (openstack --os-auth-type none --os-endpoint %s coe ...)\n"+
		"/summary    clusters and nodes\n/events     the latest cluster events\n/metrics    Prometheus metrics\n",
		apiPrefix, a.apiURL)
}

// summaryBody is what /summary answers.
type summaryBody struct {
	Clusters int `json:"clusters"`
	Nodes    int `json:"nodes"`
	Events   int `json:"events"`
}

// summary counts the clusters and nodes of every project through the Go
// API, acting as the operator.
func (a *app) summary(w http.ResponseWriter, r *http.Request) {
	st, err := a.svc.Stats(magnum.WithCaller(r.Context(), operator), "", "")
	if err != nil {
		a.log.ErrorContext(r.Context(), "summary", "error", err)
		http.Error(w, "stats unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, summaryBody{Clusters: st.Clusters, Nodes: st.Nodes, Events: a.events.count()})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // an error means the client went away
}
