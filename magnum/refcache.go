package magnum

import (
	"sync"

	"github.com/gomagnum/gomagnum/internal/store"
)

// maxFound bounds the reads of one object whose references refCache
// keeps (a few hundred bytes each).
const maxFound = 8192

// refCache keeps what reads of one object by identifier found: the
// references, by the read's query (its scope and identifier), with the
// generation of the kind they were read after. An entry answers only a
// read at that same generation, when no record of the kind changed since.
// It keeps two generations of entries, the older dropped when the newer
// is full.
type refCache struct {
	mu       sync.Mutex
	cur, old map[string]foundRefs
}

type foundRefs struct {
	gen  string
	refs []store.Ref
}

// get returns the references a read of query found at generation gen.
func (c *refCache) get(query, gen string) ([]store.Ref, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.cur[query]
	if !ok {
		if f, ok = c.old[query]; ok {
			delete(c.old, query)
			c.keepLocked(query, f)
		}
	}
	return f.refs, ok && f.gen == gen
}

// put keeps the references a read of query found at generation gen.
func (c *refCache) put(query, gen string, refs []store.Ref) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.old, query)
	c.keepLocked(query, foundRefs{gen: gen, refs: refs})
}

func (c *refCache) keepLocked(query string, f foundRefs) {
	if c.cur == nil || len(c.cur) >= maxFound/2 {
		c.old, c.cur = c.cur, make(map[string]foundRefs)
	}
	c.cur[query] = f
}
