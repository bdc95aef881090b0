package sim

import (
	"context"
	"maps"
	"slices"
	"time"
)

// state is everything the cloud holds besides its catalog. It is guarded
// by Cloud.mu and changed only through a txn.
type state struct {
	servers     map[string]*Server
	groups      map[string]*ServerGroup
	networks    map[string]*Network
	subnets     map[string]*Subnet
	ipam        map[string]*addrPool // by subnet ID
	routers     map[string]*Router
	ports       map[string]*Port
	fips        map[string]*FloatingIP
	secgroups   map[string]*SecurityGroup
	volumes     map[string]*Volume
	attachments map[string]*VolumeAttachment
	lbs         map[string]*LoadBalancer
	listeners   map[string]*Listener
	pools       map[string]*Pool
	members     map[string]*Member
	monitors    map[string]*HealthMonitor
	trustees    map[string]*trusteeRecord // by cluster UUID
	quotas      map[string]Quota
	usage       map[string]Usage

	// refs relates a parent object to its children of one kind.
	refs map[refKey]map[string]struct{}
	// ruleGroup maps a security group rule ID to its group's ID.
	ruleGroup map[string]string
	// defaultSG maps a project to its "default" security group.
	defaultSG map[string]string
	// gone holds, per server, a channel closed when the server is deleted.
	gone map[string]chan struct{}
	// tokens maps a client token to the object it made; held maps a
	// persisted record's key to the tokens the record carries.
	tokens map[string]tokenRef
	held   map[string][]string
}

// refKey names the children of one kind of one parent.
type refKey struct {
	parent string
	kind   Kind
}

func newState() *state {
	return &state{
		servers: map[string]*Server{}, groups: map[string]*ServerGroup{},
		networks: map[string]*Network{}, subnets: map[string]*Subnet{}, ipam: map[string]*addrPool{},
		routers: map[string]*Router{}, ports: map[string]*Port{}, fips: map[string]*FloatingIP{},
		secgroups: map[string]*SecurityGroup{}, volumes: map[string]*Volume{},
		attachments: map[string]*VolumeAttachment{}, lbs: map[string]*LoadBalancer{},
		listeners: map[string]*Listener{}, pools: map[string]*Pool{}, members: map[string]*Member{},
		monitors: map[string]*HealthMonitor{}, trustees: map[string]*trusteeRecord{},
		quotas: map[string]Quota{}, usage: map[string]Usage{},
		refs: map[refKey]map[string]struct{}{}, ruleGroup: map[string]string{},
		defaultSG: map[string]string{}, gone: map[string]chan struct{}{},
		tokens: map[string]tokenRef{}, held: map[string][]string{},
	}
}

// children returns the sorted IDs of parent's children of a kind.
func (st *state) children(parent string, kind Kind) []string {
	return slices.Sorted(maps.Keys(st.refs[refKey{parent, kind}]))
}

// hasChildren reports whether parent has children of a kind.
func (st *state) hasChildren(parent string, kind Kind) bool {
	return len(st.refs[refKey{parent, kind}]) > 0
}

// txn is one change of the state. Every change registers how to undo it,
// so a failing operation leaves the state as it found it, and which
// persisted objects it touched, so they are written once it succeeds.
type txn struct {
	c     *Cloud
	st    *state
	now   time.Time
	token string // the client token of a create (WithClientToken)
	undo  []func()
	dirty map[string]any // persisted key -> object, nil to delete
	order []string
	last  map[string]bool // keys written after the others (writeLast)
	after []func()
}

// update runs fn as a transaction under the cloud's lock, then persists
// what it changed. When fn fails, its changes are undone.
func (c *Cloud) update(ctx context.Context, fn func(*txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	tx := &txn{c: c, st: c.st, now: c.clock.Now().UTC(), token: clientToken(ctx), dirty: map[string]any{}}
	if err := fn(tx); err != nil {
		for i := len(tx.undo) - 1; i >= 0; i-- {
			tx.undo[i]()
		}
		c.mu.Unlock()
		return err
	}
	writes := tx.writes()
	c.persist.schedule(writes)
	c.mu.Unlock()
	for _, f := range tx.after {
		f()
	}
	return c.persist.flush(ctx, writes)
}

// view runs fn under the cloud's lock for reading.
func (c *Cloud) view(ctx context.Context, fn func(*state) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return fn(c.st)
}

// writes lists the touched objects, in the order they were touched, with
// their sequence numbers and the client tokens their records carry.
func (tx *txn) writes() []write {
	ws := make([]write, 0, len(tx.order))
	add := func(key string) {
		tx.c.seq++
		w := write{key: key, obj: tx.dirty[key], seq: tx.c.seq}
		if w.obj != nil {
			w.tokens = tx.st.heldTokens(key)
		}
		ws = append(ws, w)
	}
	for _, key := range tx.order {
		if !tx.last[key] {
			add(key)
		}
	}
	for _, key := range tx.order {
		if tx.last[key] {
			add(key)
		}
	}
	return ws
}

// writeLast makes a record the transaction touched be written after its
// others. The records of one change are written one at a time, so a
// crash may store some and not the others: a change to an existing
// object that points it at a new one is written last, so that no crash
// leaves the existing object pointing at a new one that was not stored
// (see repair).
func (tx *txn) writeLast(kind Kind, id string) {
	if tx.last == nil {
		tx.last = map[string]bool{}
	}
	tx.last[recordKey(kind, id)] = true
}

// touch marks a persisted object as changed (obj nil: deleted) and
// returns its key.
func (tx *txn) touch(kind Kind, id string, obj any) string {
	key := recordKey(kind, id)
	if _, seen := tx.dirty[key]; !seen {
		tx.order = append(tx.order, key)
	}
	tx.dirty[key] = obj
	return key
}

// onUndo registers how to revert a change.
func (tx *txn) onUndo(f func()) { tx.undo = append(tx.undo, f) }

// put stores v under id in m, persisting it unless it is from the catalog.
func put[T any](tx *txn, m map[string]*T, kind Kind, id string, v *T, persisted bool) {
	old, had := m[id]
	m[id] = v
	tx.onUndo(func() {
		if had {
			m[id] = old
		} else {
			delete(m, id)
		}
	})
	if persisted {
		tx.touch(kind, id, v)
	}
}

// remove deletes id from m and from the store, with the client tokens
// its record carries.
func remove[T any](tx *txn, m map[string]*T, kind Kind, id string) {
	old, had := m[id]
	if !had {
		return
	}
	delete(m, id)
	tx.onUndo(func() { m[id] = old })
	tx.forgetHeld(tx.touch(kind, id, nil))
}

// link records child as a child of parent.
func (tx *txn) link(parent string, kind Kind, child string) {
	k := refKey{parent, kind}
	set := tx.st.refs[k]
	if set == nil {
		set = map[string]struct{}{}
		tx.st.refs[k] = set
	}
	if _, ok := set[child]; ok {
		return
	}
	set[child] = struct{}{}
	tx.onUndo(func() { tx.st.unlink(k, child) })
}

// unlink removes child from parent's children.
func (tx *txn) unlink(parent string, kind Kind, child string) {
	k := refKey{parent, kind}
	if _, ok := tx.st.refs[k][child]; !ok {
		return
	}
	tx.st.unlink(k, child)
	tx.onUndo(func() {
		set := tx.st.refs[k]
		if set == nil {
			set = map[string]struct{}{}
			tx.st.refs[k] = set
		}
		set[child] = struct{}{}
	})
}

func (st *state) unlink(k refKey, child string) {
	delete(st.refs[k], child)
	if len(st.refs[k]) == 0 {
		delete(st.refs, k)
	}
}

// charge adds d to a project's usage.
func (tx *txn) charge(project string, d Usage) {
	old, had := tx.st.usage[project]
	tx.st.usage[project] = old.add(d)
	tx.onUndo(func() {
		if had {
			tx.st.usage[project] = old
		} else {
			delete(tx.st.usage, project)
		}
	})
}

// reserve checks d against the project's quota and charges it.
func (tx *txn) reserve(project string, d Usage) error {
	if err := checkQuota(project, tx.c.quotaOf(project), tx.st.usage[project], d); err != nil {
		return err
	}
	tx.charge(project, d)
	return nil
}

// setQuota replaces a project's quota and persists it.
func (tx *txn) setQuota(project string, q Quota) {
	old, had := tx.st.quotas[project]
	tx.st.quotas[project] = q
	tx.onUndo(func() {
		if had {
			tx.st.quotas[project] = old
		} else {
			delete(tx.st.quotas, project)
		}
	})
	tx.touch(kindQuota, project, q)
}

// kindQuota prefixes the persisted quota overrides.
const kindQuota Kind = "quota"
