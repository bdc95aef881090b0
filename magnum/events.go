package magnum

import (
	"context"
	"time"
)

// Event outcomes, as in Magnum's CADF notifications.
const (
	OutcomePending = "pending"
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Event is a notification about a cluster operation, carrying the fields
// of Magnum's notifications: event type magnum.cluster.<operation>, a
// CADF outcome, the initiator, and the cluster as it is.
type Event struct {
	// Type is "magnum.cluster.create", "magnum.cluster.update" or
	// "magnum.cluster.delete".
	Type string `json:"event_type"`
	// Operation is create, update or delete.
	Operation string `json:"operation"`
	// Outcome is pending, success or failure.
	Outcome string `json:"outcome"`
	// Priority is info, or error for failures.
	Priority string `json:"priority"`
	// Initiator is who asked for the operation.
	Initiator Initiator `json:"initiator"`
	Cluster   Cluster   `json:"cluster"`
	Time      time.Time `json:"timestamp"`
}

// Initiator identifies who started an operation.
type Initiator struct {
	UserID    string `json:"user_id"`
	ProjectID string `json:"project_id"`
	DomainID  string `json:"domain_id,omitempty"`
}

// EventHandler receives events. It is called synchronously by the
// conductor and should return quickly.
type EventHandler func(ctx context.Context, e Event)

// WithEventHandler adds a handler for the events of cluster operations.
func WithEventHandler(h EventHandler) Option {
	return func(c *config) { c.events = append(c.events, h) }
}

// emit sends an event about a cluster operation to every handler.
func (s *Service) emit(ctx context.Context, op, outcome string, c *Cluster, by Initiator) {
	if len(s.cfg.events) == 0 {
		return
	}
	e := Event{Type: "magnum.cluster." + op, Operation: op, Outcome: outcome, Priority: "info",
		Initiator: by, Cluster: *c, Time: s.now().UTC()}
	if outcome == OutcomeFailure {
		e.Priority = "error"
	}
	for _, h := range s.cfg.events {
		h(ctx, e)
	}
}
