package magnum

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
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

// EventHandler receives events.
//
// Events are delivered in the order of the changes they report: each is
// stored in the transaction of its change, and delivered from there, one
// at a time, by one dispatcher. Delivery is at least once: an event
// delivered just before the process died is delivered again after a
// restart, so a handler that must not act twice should recognise an
// event it saw (by cluster, type, outcome and time). A handler should
// return quickly; a slow one holds back the events after it, never the
// service's work.
//
// Instances sharing a database share their events: each event is
// delivered by whichever instance with handlers is delivering at the
// time, so such instances should have the same handlers (an instance
// without any records no events). The events of one cluster keep their
// order across instances.
type EventHandler func(ctx context.Context, e Event)

// WithEventHandler adds a handler for the events of cluster operations
// (see EventHandler).
func WithEventHandler(h EventHandler) Option {
	return func(c *config) { c.events = append(c.events, h) }
}

// emit records in tx, the transaction of the change it reports, an event
// about a cluster operation, with the cluster as tx leaves it. The event
// is delivered once tx has committed.
func (s *Service) emit(ctx context.Context, tx *store.Tx, op, outcome string, c *Cluster, by Initiator) {
	if s.dispatch == nil {
		return
	}
	tx.BeforeCommit(func() error {
		e := Event{Type: "magnum.cluster." + op, Operation: op, Outcome: outcome, Priority: "info",
			Initiator: by, Cluster: *c, Time: s.now().UTC()}
		if outcome == OutcomeFailure {
			e.Priority = "error"
		}
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return tx.InsertEvent(ctx, &store.Event{ClusterUUID: c.UUID, Body: body})
	})
	tx.AfterCommit(s.dispatch.poke)
}

// announce records an event that reports no stored change (an operation
// starting) in a transaction of its own.
func (s *Service) announce(ctx context.Context, op, outcome string, c *Cluster, by Initiator) {
	if s.dispatch == nil {
		return
	}
	err := s.store.Update(ctx, func(tx *store.Tx) error {
		s.emit(ctx, tx, op, outcome, c, by)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		s.log.Error("recording an event", "event", "magnum.cluster."+op, "outcome", outcome, "cluster", c.UUID, "error", err)
	}
}
