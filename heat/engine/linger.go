package engine

import (
	"sync"
	"time"
)

// A tree that nothing holds any more (its action ended, its last call
// returned) lingers in memory until a GetStack reads the finished stack,
// which puts it to rest: the conductor asks for a finished stack's
// outputs once its status sync sees it finish, and reading the whole
// tree back from the store for that cost more than building it. On a
// busy service that sync runs late: lingering is bounded in time
// (lingerFor, well above the sync's default interval of 10 s) and in
// number (maxLingering, the trees of a burst of creates, which were in
// memory while in flight): memory holds what is in flight and the trees
// just finished and not read yet. The store holds the tree all along, so
// a crash loses nothing by it.
const (
	lingerFor    = time.Minute
	maxLingering = 1024
)

// lingerQueue lists the trees lingering, oldest first; a tree that was
// held again since it was queued has a newer generation, and its entry
// is stale.
type lingerQueue struct {
	// wait and max are lingerFor and maxLingering but in tests.
	wait time.Duration
	max  int

	mu      sync.Mutex
	entries []lingerEntry
}

type lingerEntry struct {
	root *stack
	gen  int
}

// linger lets root's tree stay in memory for a while before it goes to
// rest, the oldest lingering tree going to rest now if too many linger.
// root.hmu must be held.
func (e *Engine) linger(root *stack) {
	root.lingerGen++
	entry := lingerEntry{root: root, gen: root.lingerGen}
	q := &e.lingering
	time.AfterFunc(q.wait, func() { e.restLingering(entry) })
	q.mu.Lock()
	q.entries = append(q.entries, entry)
	var oldest lingerEntry
	if len(q.entries) > q.max {
		oldest = q.entries[0]
		q.entries = append(q.entries[:0], q.entries[1:]...)
	}
	q.mu.Unlock()
	if oldest.root != nil {
		// Not here: root.hmu is held, and the oldest tree's hmu is
		// never taken with another.
		go e.restLingering(oldest)
	}
}

// restLingering puts a lingering tree to rest, unless it was held again
// since it began to linger or the engine is closed.
func (e *Engine) restLingering(l lingerEntry) {
	if e.ctx.Err() != nil {
		return
	}
	l.root.hmu.Lock()
	defer l.root.hmu.Unlock()
	if l.root.lingerGen != l.gen {
		return
	}
	l.root.lingerGen++ // the entry left in the queue, if any, is stale now
	if e.idle(l.root) {
		e.dehydrate(l.root)
	}
}

// unpinRead releases the pin a read of a finished stack took on root's
// tree, and puts the tree to rest at once when nothing else holds it: a
// finished tree lingers for its first read alone.
func (e *Engine) unpinRead(root *stack) {
	root.hmu.Lock()
	defer root.hmu.Unlock()
	root.pins--
	if e.idle(root) {
		root.lingerGen++ // its lingering ends
		e.dehydrate(root)
	}
}
