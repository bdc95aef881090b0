package magnum

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
)

// dispatcher delivers the events of the outbox to the event handlers, in
// the order they were stored. Of the instances sharing a database, the
// one holding the dispatch lease delivers; another takes over when its
// lease runs out.
type dispatcher struct {
	s     *Service
	owner string
	log   *slog.Logger
	wake  chan struct{}
	stop  context.CancelFunc
	wg    sync.WaitGroup
	// heldUntil is when the dispatch lease this instance holds runs out
	// (the zero time when it holds none); used by one goroutine at a time.
	heldUntil time.Time
}

const (
	// dispatchLease names the lease of the instance delivering events.
	dispatchLease = "events"
	// dispatchBatch bounds the events read at once.
	dispatchBatch = 100
	// dispatchInterval is how often the outbox is looked at without being
	// told of a new event (one another instance stored).
	dispatchInterval = time.Second
)

// startDispatcher starts delivering events, if the service has handlers.
func (s *Service) startDispatcher() {
	if len(s.cfg.events) == 0 {
		return
	}
	owner := s.newOwner()
	d := &dispatcher{s: s, owner: owner, log: s.log.With("dispatcher", owner), wake: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	d.stop = cancel
	d.wg.Go(func() { d.loop(ctx) })
	s.dispatch = d
	s.closers = append([]func() error{d.close}, s.closers...)
}

// poke makes the dispatcher look at the outbox now.
func (d *dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *dispatcher) loop(ctx context.Context) {
	t := time.NewTicker(dispatchInterval)
	defer t.Stop()
	for {
		d.deliverAll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
	}
}

// close stops the dispatcher once it has delivered what the outbox holds
// (within a lease's time), and gives its lease up.
func (d *dispatcher) close() error {
	d.stop()
	d.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), d.s.cfg.lease)
	defer cancel()
	d.deliverAll(ctx)
	return d.s.store.Update(ctx, func(tx *store.Tx) error { return tx.ReleaseLease(ctx, dispatchLease, d.owner) })
}

// deliverAll delivers batches of events until the outbox is empty or
// another instance delivers.
func (d *dispatcher) deliverAll(ctx context.Context) {
	for {
		n, err := d.deliverBatch(ctx)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				d.log.Error("delivering events", "error", err)
			}
			return
		}
		if n < dispatchBatch {
			return
		}
	}
}

// deliverBatch delivers the oldest events of the outbox, if any and if
// this instance holds the dispatch lease, and removes them. It returns
// how many it delivered.
func (d *dispatcher) deliverBatch(ctx context.Context) (int, error) {
	evs, err := d.oldest(ctx)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	had := d.s.now().Before(d.heldUntil)
	if held, err := d.hold(ctx); err != nil || !held {
		return 0, err
	}
	if !had {
		// Read again under the lease: the events read before may have
		// been delivered by the instance that held it.
		if evs, err = d.oldest(ctx); err != nil {
			return 0, err
		}
	}
	ids := make([]int64, 0, len(evs))
	for _, rec := range evs {
		// Stop at a stop, or when the lease may have passed to another
		// instance, which would deliver the rest again.
		if ctx.Err() != nil || !d.s.now().Before(d.heldUntil) {
			break
		}
		d.deliver(ctx, rec)
		ids = append(ids, rec.ID)
	}
	if len(ids) == 0 {
		return 0, ctx.Err()
	}
	// What was delivered is removed even when the dispatcher is being
	// stopped, or close would deliver it a second time.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.s.cfg.lease)
	defer cancel()
	err = d.s.store.Update(dctx, func(tx *store.Tx) error { return tx.DeleteEvents(dctx, ids...) })
	if err == nil && len(ids) < len(evs) {
		err = ctx.Err()
	}
	return len(ids), err
}

// hold takes or renews the dispatch lease, unless this instance holds it
// for more than half a lease still, and reports whether it holds it.
func (d *dispatcher) hold(ctx context.Context) (bool, error) {
	now := d.s.now()
	if now.Add(d.s.cfg.lease / 2).Before(d.heldUntil) {
		return true, nil
	}
	var held bool
	until := now.Add(d.s.cfg.lease)
	err := d.s.store.Update(ctx, func(tx *store.Tx) (err error) {
		held, err = tx.HoldLease(ctx, dispatchLease, d.owner, now, until)
		return err
	})
	d.heldUntil = time.Time{}
	if held {
		d.heldUntil = until
	}
	return held, err
}

// oldest reads the oldest events of the outbox.
func (d *dispatcher) oldest(ctx context.Context) (evs []store.Event, err error) {
	err = d.s.store.View(ctx, func(tx *store.Tx) error {
		evs, err = tx.Events(ctx, dispatchBatch)
		return err
	})
	return evs, err
}

// deliver hands one stored event to every handler; one that does not
// decode is dropped, with an error logged.
func (d *dispatcher) deliver(ctx context.Context, rec store.Event) {
	var e Event
	if err := json.Unmarshal(rec.Body, &e); err != nil {
		d.log.Error("dropping an event that does not decode", "event", rec.ID, "cluster", rec.ClusterUUID, "error", err)
		return
	}
	for _, h := range d.s.cfg.events {
		h(ctx, e)
	}
}
