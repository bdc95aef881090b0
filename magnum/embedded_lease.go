package magnum

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/internal/backoff"
	"github.com/gomagnum/gomagnum/internal/store"
)

// embeddedLease names the lease an instance running the embedded
// orchestrator or the simulated cloud holds on its database.
//
// Their state (stacks in progress, servers, addresses, usage) is in the
// database but each instance works on its own copy of it in memory: two
// instances on one database would each delete, resume or duplicate
// stacks and servers behind the other's back. Until that state is shared
// through the database alone, one instance at a time may run them on a
// database: the others are refused at start.
const embeddedLease = "embedded-orchestrator"

// ErrSharedDatabase is what New returns when another live instance
// already runs the embedded orchestrator or the simulated cloud on the
// same database.
var ErrSharedDatabase = &subKind{msg: "the database is in use by another instance with the embedded orchestrator", parent: ErrConflict}

// usesEmbeddedState reports whether the service keeps the embedded
// engine's or the simulated cloud's state in its database.
func (c *config) usesEmbeddedState() bool { return c.orchestrator == nil || c.cloud == nil }

// leaseHolder holds a named lease and renews it until stopped.
type leaseHolder struct {
	s     *Service
	name  string
	owner string
	stop  context.CancelFunc
	done  sync.WaitGroup
}

// holdEmbeddedLease takes the embedded orchestrator's lease, waiting for
// a holder that died to let it run out (at most one lease and a half),
// and renews it until Close. It refuses the start, with
// ErrSharedDatabase, when a live instance holds it.
func (s *Service) holdEmbeddedLease(ctx context.Context) error {
	if !s.cfg.usesEmbeddedState() {
		return nil
	}
	h := &leaseHolder{s: s, name: embeddedLease, owner: s.newOwner()}
	lease := s.cfg.lease
	deadline := s.now().Add(lease + lease/2)
	for {
		held, err := h.hold(ctx)
		if err != nil {
			return fmt.Errorf("magnum: embedded orchestrator lease: %w", err)
		}
		if held {
			break
		}
		if s.now().After(deadline) {
			return fmt.Errorf("%w: the embedded orchestrator and the simulated cloud keep their state per instance, so only one "+
				"instance may run them on a database; start a single instance, or use a real Heat and cloud (WithOrchestrator, WithCloud)",
				ErrSharedDatabase)
		}
		if err := backoff.Sleep(ctx, min(lease/10, time.Second)); err != nil {
			return err
		}
	}
	h.renewEvery(lease / 3)
	s.closers = append([]func() error{h.release}, s.closers...)
	return nil
}

// hold takes or renews the lease for one lease period.
func (h *leaseHolder) hold(ctx context.Context) (held bool, err error) {
	now := h.s.now()
	err = h.s.store.Update(ctx, func(tx *store.Tx) error {
		held, err = tx.HoldLease(ctx, h.name, h.owner, now, now.Add(h.s.cfg.lease))
		return err
	})
	return held, err
}

// renewEvery renews the lease in the background.
func (h *leaseHolder) renewEvery(every time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.done.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			held, err := h.hold(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				h.s.log.Error("magnum: renewing the embedded orchestrator lease failed", "err", err)
			case !held:
				h.s.log.Error("magnum: another instance took the embedded orchestrator lease; this one must stop", "owner", h.owner)
			}
		}
	})
}

// release stops the renewals and gives the lease up.
func (h *leaseHolder) release() error {
	h.stop()
	h.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return h.s.store.Update(ctx, func(tx *store.Tx) error { return tx.ReleaseLease(ctx, h.name, h.owner) })
}
