package magnum

import (
	"context"
	"iter"
	"math"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
)

// WatchFilter selects the clusters a watch follows.
type WatchFilter struct {
	// ClusterUUID limits the watch to one cluster, whose latest state it
	// delivers first (see WatchCluster).
	ClusterUUID string
	// ProjectID limits the watch to one project's clusters; empty means
	// the caller's. Only admins watch other projects.
	ProjectID string
	// AllProjects makes an admin watch every project's clusters.
	AllProjects bool
}

const (
	// watchBatch bounds the changes a watch reads at once.
	watchBatch = 100
	// watchInterval is how often a watch reads the feed without being told
	// of a change: the latency of changes another instance makes.
	watchInterval = 250 * time.Millisecond
	// watchMemory bounds the objects a watch remembers the last delivered
	// state of (to skip writes that changed nothing a watcher sees).
	watchMemory = 4096
)

// Watch delivers the changes of the clusters f selects, and of their node
// groups, from now on, in the order they were made, until ctx ends (the
// last element is then ctx's error) or the loop stops. Changes made by
// every instance sharing the database are delivered. A store write that
// changed nothing but a timestamp is not delivered.
//
// Nothing is buffered for a watcher that does not read: when it reads
// again it gets the changes it has not seen, unless the feed dropped
// them meanwhile (see WithChangeRetention); it then gets a
// ClusterSnapshot of each cluster the filter selects instead, so it may
// miss intermediate states, never the latest one.
//
// The watch starts at the call, not when the loop first reads: a change
// made between the two is delivered. Range over the sequence once.
func (s *Service) Watch(ctx context.Context, f WatchFilter) iter.Seq2[Change, error] {
	w, err := s.newWatch(ctx, f)
	return func(yield func(Change, error) bool) {
		if err != nil {
			yield(Change{}, err)
			return
		}
		w.run(ctx, yield)
	}
}

// WatchCluster delivers a cluster's latest state (a ClusterSnapshot),
// then each change of it and of its node groups (status, status_reason as
// an operation progresses, health, counts, addresses), in order, until
// ctx ends or the loop stops; the cluster's deletion is its last change.
// It fails with ErrNotFound if the caller may not see the cluster. See
// Watch for how a slow watcher is served.
func (s *Service) WatchCluster(ctx context.Context, ident string) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		d, err := s.visibleCluster(ctx, ident, "cluster:get", "cluster:get_one_all_projects")
		if err != nil {
			yield(Change{}, err)
			return
		}
		w, err := s.newWatch(ctx, WatchFilter{ClusterUUID: d.UUID, ProjectID: d.ProjectID})
		if err != nil {
			yield(Change{}, err)
			return
		}
		// The snapshot is read after the cursor: a change it includes is
		// skipped when read from the feed.
		if d, err = s.clusterByUUID(ctx, d.UUID, Caller{}, true); err != nil {
			yield(Change{}, err)
			return
		}
		if !w.deliver(Change{Seq: w.cursor, Kind: ClusterSnapshot, ClusterUUID: d.UUID, Cluster: &d.Cluster,
			Time: d.UpdatedAt}, d.rev, yield) {
			return
		}
		w.run(ctx, yield)
	}
}

// watch is the state of one watcher.
type watch struct {
	s *Service
	// where selects the feed's rows, clusters the clusters, watched.
	where, clusters store.Cond
	// cluster is the one cluster watched, if any.
	cluster string
	// cursor is the ID of the last change read.
	cursor int64
	// seen holds, per cluster or node group, the version and the state of
	// the last change delivered.
	seen map[string]seenState
}

type seenState struct {
	version int64
	state   string
}

// newWatch checks the caller may watch what f selects and starts a watch
// at the end of the feed.
func (s *Service) newWatch(ctx context.Context, f WatchFilter) (*watch, error) {
	project, err := s.watchScope(ctx, f)
	if err != nil {
		return nil, err
	}
	w := &watch{s: s, where: project, clusters: project, cluster: f.ClusterUUID, seen: map[string]seenState{}}
	if f.ClusterUUID != "" {
		w.where = store.And(project, store.Eq("cluster_uuid", f.ClusterUUID))
		w.clusters = store.And(project, store.Eq("uuid", f.ClusterUUID))
	}
	err = s.store.View(ctx, func(tx *store.Tx) (err error) {
		_, w.cursor, err = tx.ChangeBounds(ctx)
		return err
	})
	return w, err
}

// watchScope is the condition on the projects f selects, once the caller
// is allowed to watch them.
func (s *Service) watchScope(ctx context.Context, f WatchFilter) (store.Cond, error) {
	c, err := s.authorize(ctx, "cluster:get_all", Target{})
	if err != nil {
		return store.Cond{}, err
	}
	var where store.Cond
	switch {
	case f.AllProjects || (f.ProjectID != "" && f.ProjectID != c.ProjectID):
		if !c.IsAdmin() {
			return store.Cond{}, newError(ErrForbidden, "Only admins may watch the clusters of other projects.")
		}
		if where, err = s.projectScope(ctx, c, "cluster:get_all_all_projects"); err != nil {
			return store.Cond{}, err
		}
		if !f.AllProjects {
			where = store.Eq("project_id", f.ProjectID)
		}
	default:
		where = store.Eq("project_id", c.ProjectID)
	}
	return where, nil
}

// run delivers the feed's changes until ctx ends or yield says stop.
func (w *watch) run(ctx context.Context, yield func(Change, error) bool) {
	timer := time.NewTimer(watchInterval)
	defer timer.Stop()
	for {
		// Take the signal before reading, so that a change committed
		// while reading wakes the next wait.
		wake := w.s.store.ChangeSignal()
		n, ok := w.deliverBatch(ctx, yield)
		if !ok {
			return
		}
		if n == watchBatch {
			continue
		}
		timer.Reset(watchInterval)
		select {
		case <-ctx.Done():
			yield(Change{}, ctx.Err())
			return
		case <-wake:
		case <-timer.C:
		}
	}
}

// deliverBatch reads and delivers the next changes; it reports how many
// it read, and false once the watch is over.
func (w *watch) deliverBatch(ctx context.Context, yield func(Change, error) bool) (int, bool) {
	var recs []store.Change
	var behind bool
	err := w.s.store.View(ctx, func(tx *store.Tx) error {
		first, last, err := tx.ChangeBounds(ctx)
		if err != nil {
			return err
		}
		if behind = first > w.cursor+1 && last > w.cursor; behind {
			w.cursor = last
			return nil
		}
		recs, err = tx.Changes(ctx, w.cursor, w.where, watchBatch)
		return err
	})
	if err != nil {
		yield(Change{}, watchErr(ctx, err))
		return 0, false
	}
	if behind {
		return 0, w.resync(ctx, yield)
	}
	for _, rec := range recs {
		w.cursor = rec.ID
		ch, err := decodeChange(rec)
		if err != nil {
			w.s.log.Error("skipping a change that does not decode", "change", rec.ID, "cluster", rec.ClusterUUID, "error", err)
			continue
		}
		if !w.deliver(ch, rec.Version, yield) {
			return 0, false
		}
	}
	return len(recs), true
}

// watchErr is the error a watch ends with: ctx's, once it ended.
func watchErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// decodeChange turns a row of the feed into a Change.
func decodeChange(rec store.Change) (Change, error) {
	ch := Change{Seq: rec.ID, Kind: ChangeKind(rec.Kind), ClusterUUID: rec.ClusterUUID, Time: rec.CreatedAt}
	switch ch.Kind {
	case NodeGroupChanged, NodeGroupDeleted:
		ch.NodeGroup = &NodeGroup{}
		return ch, decodeDoc(rec.Body, ch.NodeGroup)
	default:
		ch.Cluster = &Cluster{}
		return ch, decodeDoc(rec.Body, ch.Cluster)
	}
}

// deliver yields ch, unless the watcher saw this version of its object or
// a later one, or the same state; it reports whether to go on.
func (w *watch) deliver(ch Change, version int64, yield func(Change, error) bool) bool {
	key, state := ch.ClusterUUID, ""
	if ch.NodeGroup != nil {
		key = ch.NodeGroup.UUID
		ng := *ch.NodeGroup
		ng.UpdatedAt = time.Time{}
		state, _ = encodeState(ng)
	} else {
		c := *ch.Cluster
		c.UpdatedAt = time.Time{}
		state, _ = encodeState(c)
	}
	prev, ok := w.seen[key]
	if ok && (version <= prev.version || (state == prev.state && ch.Kind != ClusterDeleted)) {
		return true
	}
	if len(w.seen) >= watchMemory {
		clear(w.seen)
	}
	w.seen[key] = seenState{version: version, state: state}
	return yield(ch, nil)
}

func encodeState(v any) (string, error) {
	b, err := encodeDoc(v)
	return string(b), err
}

// resync delivers a snapshot of each cluster the watch selects, after it
// fell behind the feed's retention; it reports whether to go on.
func (w *watch) resync(ctx context.Context, yield func(Change, error) bool) bool {
	marker := ""
	for {
		var recs []store.Record
		err := w.s.store.View(ctx, func(tx *store.Tx) (err error) {
			recs, err = tx.Find(ctx, store.Clusters, store.Query{Where: w.clusters, Limit: watchBatch, Marker: marker})
			return err
		})
		if err != nil {
			yield(Change{}, watchErr(ctx, err))
			return false
		}
		for _, rec := range recs {
			d, err := clusterFromRecord(rec)
			if err != nil {
				yield(Change{}, err)
				return false
			}
			marker = d.UUID
			ch := Change{Seq: w.cursor, Kind: ClusterSnapshot, ClusterUUID: d.UUID, Cluster: &d.Cluster, Time: d.UpdatedAt}
			if !w.deliver(ch, d.rev, yield) {
				return false
			}
		}
		if len(recs) < watchBatch {
			break
		}
	}
	if w.cluster != "" && marker == "" {
		// The one cluster watched is gone, with the changes saying so.
		return w.deliver(Change{Seq: w.cursor, Kind: ClusterDeleted, ClusterUUID: w.cluster,
			Cluster: &Cluster{UUID: w.cluster, Status: DeleteComplete}}, math.MaxInt64, yield)
	}
	return true
}
