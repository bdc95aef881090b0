package magnum

import "sync"

// twoGen is a bounded map safe for concurrent use that keeps two
// generations of entries: when the newer holds half the bound (V's), it
// becomes the older and the older is dropped. A lookup that finds an
// entry in the older generation moves it to the newer, so entries in use
// stay. The zero twoGen is empty and ready to use.
type twoGen[V bounded] struct {
	mu       sync.Mutex
	cur, old map[string]V
}

// bounded is an entry of a twoGen, which says how many entries its
// twoGen keeps at most.
type bounded interface{ bound() int }

// get returns the entry of key.
func (m *twoGen[V]) get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.cur[key]
	if !ok {
		if v, ok = m.old[key]; ok {
			delete(m.old, key)
			m.keepLocked(key, v)
		}
	}
	return v, ok
}

// put sets the entry of key.
func (m *twoGen[V]) put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.old, key)
	m.keepLocked(key, v)
}

// forget drops the entry of key.
func (m *twoGen[V]) forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cur, key)
	delete(m.old, key)
}

func (m *twoGen[V]) keepLocked(key string, v V) {
	var zero V
	if m.cur == nil || len(m.cur) >= zero.bound()/2 {
		m.old, m.cur = m.cur, make(map[string]V)
	}
	m.cur[key] = v
}
