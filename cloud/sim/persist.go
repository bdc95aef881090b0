package sim

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
)

// write is one pending change of a persisted object: a new value, or a
// deletion when value is nil.
type write struct {
	key   string
	value []byte
	seq   uint64
}

// persister writes changes to Blobs outside the cloud's lock. Writes to one
// key are ordered by their sequence number: a write that arrives after a
// newer one of the same key has reached the store is dropped, so the store
// always ends with the newest value.
type persister struct {
	blobs   Blobs
	seed    maphash.Seed
	stripes [64]sync.Mutex

	mu   sync.Mutex
	keys map[string]*keyState
}

// keyState tracks the writes of one key that are scheduled but not done.
type keyState struct {
	written  uint64 // sequence of the newest write stored
	inflight int
}

func newPersister(b Blobs) *persister {
	return &persister{blobs: b, seed: maphash.MakeSeed(), keys: make(map[string]*keyState)}
}

// schedule registers writes; call it under the cloud's lock, in the order
// the changes were made.
func (p *persister) schedule(ws []write) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range ws {
		ks := p.keys[w.key]
		if ks == nil {
			ks = &keyState{}
			p.keys[w.key] = ks
		}
		ks.inflight++
	}
}

// flush stores scheduled writes. It ignores ctx's cancellation: a change
// made in memory must reach the store.
func (p *persister) flush(ctx context.Context, ws []write) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for _, w := range ws {
		if err := p.flushOne(ctx, w); err != nil {
			errs = append(errs, fmt.Errorf("persist %s: %w", w.key, err))
		}
	}
	return errors.Join(errs...)
}

func (p *persister) flushOne(ctx context.Context, w write) error {
	stripe := &p.stripes[maphash.String(p.seed, w.key)%uint64(len(p.stripes))]
	stripe.Lock()
	defer stripe.Unlock()

	p.mu.Lock()
	ks := p.keys[w.key]
	stale := w.seq <= ks.written
	p.mu.Unlock()

	var err error
	if !stale {
		if w.value == nil {
			err = p.blobs.Delete(ctx, w.key)
		} else {
			err = p.blobs.Put(ctx, w.key, w.value)
		}
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if !stale && err == nil {
		ks.written = w.seq
	}
	ks.inflight--
	if ks.inflight == 0 {
		delete(p.keys, w.key)
	}
	return err
}
