package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// write is one pending change of a persisted object: a new value, or a
// deletion when obj is nil. Objects are never changed once stored in the
// state (a change stores a copy), so obj can be encoded outside the lock.
type write struct {
	key string
	obj any
	seq uint64
	// tokens are the client tokens the record carries (heldTokens).
	tokens []heldToken
}

// persister writes changes to Blobs outside the cloud's lock. Writes to one
// key are ordered by their sequence number: a write that arrives after a
// newer one of the same key has reached the store is dropped, so the store
// always ends with the newest value. Writes of different keys overlap.
type persister struct {
	blobs Blobs

	mu   sync.Mutex
	keys map[string]*keyState
}

// keyState tracks the writes of one key that are scheduled but not done;
// it exists while some are. Its mutex orders the writes of the key, and
// only them: writes of different keys run in parallel.
type keyState struct {
	mu       sync.Mutex
	written  uint64 // sequence of the newest write stored; guarded by persister.mu
	inflight int    // guarded by persister.mu
}

func newPersister(b Blobs) *persister {
	return &persister{blobs: b, keys: make(map[string]*keyState)}
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
	p.mu.Lock()
	ks := p.keys[w.key]
	p.mu.Unlock()
	ks.mu.Lock()
	defer ks.mu.Unlock()

	p.mu.Lock()
	stale := w.seq <= ks.written
	p.mu.Unlock()

	var err error
	if !stale {
		err = p.store(ctx, w)
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

// store writes one change to the Blobs.
func (p *persister) store(ctx context.Context, w write) error {
	if w.obj == nil {
		return p.blobs.Delete(ctx, w.key)
	}
	b, err := json.Marshal(w.obj)
	if err == nil && len(w.tokens) > 0 {
		b, err = withTokens(b, w.tokens)
	}
	if err != nil {
		return err
	}
	return p.blobs.Put(ctx, w.key, b)
}
