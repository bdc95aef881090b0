package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gomagnum/gomagnum/magnum"
)

// maxEvents bounds the events the sink keeps.
const maxEvents = 100

// eventView is one event as /events shows it.
type eventView struct {
	Type    string    `json:"event_type"`
	Outcome string    `json:"outcome"`
	Cluster string    `json:"cluster"`
	Name    string    `json:"name"`
	Status  string    `json:"status"`
	Time    time.Time `json:"timestamp"`
}

// sink is the program's own destination for the service's cluster events:
// it keeps the latest ones and counts them by type and outcome. A real
// program would forward them to its message bus or audit log.
type sink struct {
	mu     sync.Mutex
	events []eventView // the latest, oldest first, at most limit
	limit  int
	total  int
	byType *prometheus.CounterVec
}

// newSink returns a sink that keeps the latest limit events and counts
// them in reg.
func newSink(reg prometheus.Registerer, limit int) (*sink, error) {
	s := &sink{limit: limit, byType: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "embed", Name: "cluster_events_total",
		Help: "Cluster events received from the embedded service, by type and outcome.",
	}, []string{"event_type", "outcome"})}
	if err := reg.Register(s.byType); err != nil {
		return nil, fmt.Errorf("embed: event sink: %w", err)
	}
	return s, nil
}

// record is the service's event handler (magnum.WithEventHandler). It
// returns at once, as a handler should.
func (s *sink) record(_ context.Context, e magnum.Event) {
	v := eventView{Type: e.Type, Outcome: e.Outcome, Cluster: e.Cluster.UUID, Name: e.Cluster.Name,
		Status: string(e.Cluster.Status), Time: e.Time}
	s.byType.WithLabelValues(e.Type, e.Outcome).Inc()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == s.limit {
		s.events = append(s.events[:0], s.events[1:]...)
	}
	s.events = append(s.events, v)
	s.total++
}

// count is how many events the sink received.
func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ServeHTTP answers the latest events, oldest first.
func (s *sink) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	events := append([]eventView{}, s.events...)
	s.mu.Unlock()
	writeJSON(w, events)
}
