package magnum

import (
	"github.com/gomagnum/gomagnum/internal/store"
)

// maxFound bounds the reads of one object whose references refCache
// keeps (a few hundred bytes each).
const maxFound = 8192

// refCache keeps what reads of one object by identifier found: the
// references, by the read's query (its scope and identifier), with the
// generation of the kind they were read after. An entry answers only a
// read at that same generation, when no record of the kind changed since.
type refCache struct {
	found twoGen[foundRefs]
}

type foundRefs struct {
	gen  string
	refs []store.Ref
}

func (foundRefs) bound() int { return maxFound }

// get returns the references a read of query found at generation gen.
func (c *refCache) get(query, gen string) ([]store.Ref, bool) {
	f, ok := c.found.get(query)
	return f.refs, ok && f.gen == gen
}

// put keeps the references a read of query found at generation gen.
func (c *refCache) put(query, gen string, refs []store.Ref) {
	c.found.put(query, foundRefs{gen: gen, refs: refs})
}
