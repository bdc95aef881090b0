package ui

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/magnum"
)

// TimelineEvent is an event of a cluster's timeline.
type TimelineEvent struct {
	Time time.Time
	// Operation is create, update or delete; Outcome pending, success or
	// failure.
	Operation, Outcome string
	Status             magnum.Status
	Reason             string
	// UserID is who started the operation.
	UserID string
}

// Timeline keeps the latest events of the clusters operated on most
// recently, for their pages: a bounded record in memory of what this
// instance delivered since it started (instances sharing a database each
// deliver a share of the events).
type Timeline struct {
	mu          sync.Mutex
	perCluster  int
	maxClusters int
	byCluster   map[string]*list.Element // of *clusterEvents
	lru         *list.List               // most recently recorded first
}

type clusterEvents struct {
	uuid   string
	events []TimelineEvent
}

// NewTimeline returns a timeline keeping up to perCluster events of each
// of up to maxClusters clusters (at least 1 of each); the clusters
// recorded least recently are forgotten first.
func NewTimeline(maxClusters, perCluster int) *Timeline {
	return &Timeline{perCluster: max(perCluster, 1), maxClusters: max(maxClusters, 1),
		byCluster: map[string]*list.Element{}, lru: list.New()}
}

// Record adds an event to its cluster's timeline; it is a
// magnum.EventHandler. A deleted cluster's timeline is dropped.
func (t *Timeline) Record(_ context.Context, e magnum.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	uuid := e.Cluster.UUID
	if e.Operation == "delete" && e.Outcome == magnum.OutcomeSuccess {
		if el, ok := t.byCluster[uuid]; ok {
			t.lru.Remove(el)
			delete(t.byCluster, uuid)
		}
		return
	}
	el, ok := t.byCluster[uuid]
	if ok {
		t.lru.MoveToFront(el)
	} else {
		el = t.lru.PushFront(&clusterEvents{uuid: uuid})
		t.byCluster[uuid] = el
		if t.lru.Len() > t.maxClusters {
			oldest := t.lru.Back()
			t.lru.Remove(oldest)
			delete(t.byCluster, oldest.Value.(*clusterEvents).uuid)
		}
	}
	ce := el.Value.(*clusterEvents)
	ce.events = append(ce.events, TimelineEvent{Time: e.Time, Operation: e.Operation, Outcome: e.Outcome,
		Status: e.Cluster.Status, Reason: e.Cluster.StatusReason, UserID: e.Initiator.UserID})
	if over := len(ce.events) - t.perCluster; over > 0 {
		ce.events = append(ce.events[:0], ce.events[over:]...)
	}
}

// Events returns a cluster's recorded events, newest first.
func (t *Timeline) Events(clusterUUID string) []TimelineEvent {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.byCluster[clusterUUID]
	if !ok {
		return nil
	}
	evs := el.Value.(*clusterEvents).events
	out := make([]TimelineEvent, len(evs))
	for i, e := range evs {
		out[len(evs)-1-i] = e
	}
	return out
}
