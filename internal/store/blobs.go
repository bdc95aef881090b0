package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Blobs is a namespace of keyed byte values in the store: the embedded
// orchestrator's stacks, the simulated cloud's objects, encrypted
// certificates.
//
// Writes are group-committed: concurrent Puts and Deletes, from every
// namespace, share transactions, and each returns once its own write is
// committed. Writes can also be queued without waiting (QueuePut,
// QueueDelete, then Flush): every write, queued or not, is committed in
// the order it was made, so a crash loses only the latest writes, never
// one that an acknowledged write came after.
type Blobs struct {
	s         *Store
	namespace string
}

// Blobs returns the blob namespace ns.
func (s *Store) Blobs(ns string) *Blobs { return &Blobs{s: s, namespace: ns} }

// Get returns the value of key, or an error wrapping fs.ErrNotExist.
func (b *Blobs) Get(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := b.s.View(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT value FROM blobs WHERE namespace = ? AND key = ?", b.namespace, key).Scan(&v)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("blob %s/%s: %w", b.namespace, key, fs.ErrNotExist)
	}
	return v, err
}

// Put sets the value of key.
func (b *Blobs) Put(ctx context.Context, key string, value []byte) error {
	return b.s.blobWriter().write(ctx, blobWrite{namespace: b.namespace, key: key, value: value})
}

// Delete removes key; a missing key is not an error.
func (b *Blobs) Delete(ctx context.Context, key string) error {
	return b.s.blobWriter().write(ctx, blobWrite{namespace: b.namespace, key: key, delete: true})
}

// QueuePut queues setting key to value behind every write made before it
// and returns without waiting for the commit; Flush waits. Until then Get
// and List may not see the write.
func (b *Blobs) QueuePut(ctx context.Context, key string, value []byte) error {
	return b.s.blobWriter().enqueue(ctx, blobWrite{namespace: b.namespace, key: key, value: value})
}

// QueueDelete queues removing key, as QueuePut queues a value.
func (b *Blobs) QueueDelete(ctx context.Context, key string) error {
	return b.s.blobWriter().enqueue(ctx, blobWrite{namespace: b.namespace, key: key, delete: true})
}

// Flush waits until every write made before it is committed. It reports
// a queued write that failed since the previous Flush.
func (b *Blobs) Flush(ctx context.Context) error {
	w := b.s.blobWriter()
	if err := w.write(ctx, blobWrite{barrier: true}); err != nil {
		return err
	}
	return w.takeQueuedErr()
}

// List returns every key starting with prefix, with its value.
func (b *Blobs) List(ctx context.Context, prefix string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := b.s.View(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT key, value FROM blobs WHERE namespace = ? AND key >= ? ORDER BY key",
			b.namespace, prefix)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var v []byte
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			if !strings.HasPrefix(k, prefix) {
				break
			}
			out[k] = v
		}
		return rows.Err()
	})
	return out, err
}

// blobWrite is one queued write.
type blobWrite struct {
	namespace, key string
	value          []byte
	delete         bool
	// barrier marks a Flush: it writes nothing.
	barrier bool
	// done receives the outcome of the write's transaction; nil for a
	// queued write.
	done chan error
}

// maxBlobBatch bounds how many writes share a transaction.
const maxBlobBatch = 512

// batchYields is how many times the writer lets the writing goroutines
// run before it commits a batch. On a busy machine they fill the queue
// meanwhile: 1,000 cluster creates commit 2,200 batches instead of 37,000.
const batchYields = 2

// blobWriterLoop commits queued blob writes in batches.
type blobWriterLoop struct {
	s     *Store
	queue chan blobWrite
	// mu guards closed: writers hold it shared while they queue.
	mu     sync.RWMutex
	closed bool

	errMu sync.Mutex
	// queuedErr is the first failure of a queued write since the last
	// Flush.
	queuedErr error
}

// takeQueuedErr returns and clears the failure of a queued write.
func (w *blobWriterLoop) takeQueuedErr() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	err := w.queuedErr
	w.queuedErr = nil
	return err
}

// answer reports a batch's outcome to its writers.
func (w *blobWriterLoop) answer(batch []blobWrite, err error) {
	for _, bw := range batch {
		switch {
		case bw.done != nil:
			bw.done <- err
		case err != nil:
			w.errMu.Lock()
			if w.queuedErr == nil {
				w.queuedErr = fmt.Errorf("queued write of %s/%s: %w", bw.namespace, bw.key, err)
			}
			w.errMu.Unlock()
		}
	}
}

// errClosed: the store was closed.
var errClosed = errors.New("store: closed")

func (s *Store) blobWriter() *blobWriterLoop {
	s.blobOnce.Do(func() {
		s.blobs = &blobWriterLoop{s: s, queue: make(chan blobWrite, maxBlobBatch)}
		s.blobDone.Add(1)
		go s.blobs.run()
	})
	return s.blobs
}

func (w *blobWriterLoop) write(ctx context.Context, bw blobWrite) error {
	bw.done = make(chan error, 1)
	if err := w.enqueue(ctx, bw); err != nil {
		return err
	}
	select {
	case err := <-bw.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *blobWriterLoop) enqueue(ctx context.Context, bw blobWrite) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return errClosed
	}
	select {
	case w.queue <- bw:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run takes whatever writes are queued, commits them in one transaction
// and answers each, until the queue closes.
func (w *blobWriterLoop) run() {
	defer w.s.blobDone.Done()
	for first := range w.queue {
		batch := []blobWrite{first}
		yields := 0
	drain:
		for len(batch) < maxBlobBatch {
			select {
			case bw, ok := <-w.queue:
				if !ok {
					break drain
				}
				batch = append(batch, bw)
			default:
				if yields < batchYields {
					yields++
					runtime.Gosched()
					continue
				}
				break drain
			}
		}
		var err error
		if slices.ContainsFunc(batch, func(bw blobWrite) bool { return !bw.barrier }) {
			// A batch of Flushes alone writes nothing: it is answered
			// without a transaction, the writes before it being committed.
			err = w.s.Update(context.Background(), func(tx *Tx) error { return applyBlobWrites(tx, batch) })
		}
		w.answer(batch, err)
	}
}

func applyBlobWrites(tx *Tx, batch []blobWrite) error {
	ctx := context.Background()
	for _, bw := range batch {
		var err error
		switch {
		case bw.barrier:
			continue
		case bw.delete:
			_, err = tx.exec(ctx, "DELETE FROM blobs WHERE namespace = ? AND key = ?", bw.namespace, bw.key)
		default:
			_, err = tx.exec(ctx, `INSERT INTO blobs (namespace, key, value) VALUES (?, ?, ?)
				ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`, bw.namespace, bw.key, bw.value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stopBlobWriter lets the queued writes finish and stops the writer.
func (s *Store) stopBlobWriter() {
	s.blobOnce.Do(func() {}) // no writer may start after this
	if s.blobs != nil {
		s.blobs.mu.Lock()
		if !s.blobs.closed {
			s.blobs.closed = true
			close(s.blobs.queue)
		}
		s.blobs.mu.Unlock()
		s.blobDone.Wait()
	}
}
