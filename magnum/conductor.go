package magnum

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
)

// conductor carries out the operations the API records: it claims them
// through leases in the store, starts them (trustee, certificates, the
// driver's stack), follows their stacks in batched status syncs until they
// finish, fails those that outlive their deadline, and watches the health
// of running clusters. Everything it needs to resume is in the store: a
// conductor that dies leaves leases that expire, and another (or the same
// one restarted) takes its operations over where they stood.
type conductor struct {
	s     *Service
	owner string
	log   *slog.Logger
	// wake makes the claim loop look for work at once.
	wake   chan struct{}
	stop   context.CancelFunc
	wg     sync.WaitGroup
	starts chan struct{} // bounds the operations being started at once

	mu         sync.Mutex
	starting   map[int64]bool      // operations this process is starting now
	progressed map[int64]time.Time // when each operation's progress was last shown

	creds healthCreds // clusters' admin credentials, kept between health passes
}

// Operation steps.
const (
	stepWait = store.StepWait // the orchestrator accepted the change; the sync follows it
)

func newConductor(s *Service) *conductor {
	owner := s.newOwner()
	return &conductor{s: s, owner: owner, log: s.log.With("conductor", owner), wake: make(chan struct{}, 1),
		starts: make(chan struct{}, s.cfg.startConcurrency), starting: map[int64]bool{}, progressed: map[int64]time.Time{}}
}

// newOwner names a worker of this instance (its conductor, its event
// dispatcher) in the leases it holds: the host and a random suffix, so
// that a restarted process does not pass for the one that died.
func (s *Service) newOwner() string {
	id := make([]byte, 4)
	rand.Read(id)
	return s.cfg.host + "/" + hex.EncodeToString(id)
}

// run starts the conductor's loops; stop ends them.
func (c *conductor) run() {
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	loops := []struct {
		every time.Duration
		fn    func(context.Context)
		wake  bool
	}{
		{time.Second, c.claim, true},
		{c.s.cfg.lease / 3, c.renew, false},
		{c.s.cfg.syncInterval, c.sync, false},
		{c.s.cfg.healthInterval, c.health, false},
		{c.s.cfg.heartbeatInterval, c.heartbeat, false},
	}
	for _, l := range loops {
		c.wg.Go(func() { c.loop(ctx, l.every, l.fn, l.wake) })
	}
}

func (c *conductor) loop(ctx context.Context, every time.Duration, fn func(context.Context), wakeable bool) {
	t := time.NewTicker(every)
	defer t.Stop()
	var wake chan struct{}
	if wakeable {
		wake = c.wake
	}
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// close stops the loops, waits for the operations being started, and
// gives up the leases of the operations it holds, so that another
// instance takes them over at once instead of once the leases run out.
func (c *conductor) close() {
	c.stop()
	c.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), c.s.cfg.lease)
	defer cancel()
	err := c.s.store.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ReleaseLeases(ctx, c.owner)
		return err
	})
	if err != nil {
		c.logErr(ctx, "giving up leases", err)
	}
}

// poke makes the conductor look for new operations now.
func (c *conductor) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// claimBatch bounds how many operations one claim transaction takes.
const claimBatch = 256

// claim takes the operations no live conductor holds and starts them, a
// batch per transaction, until none is left.
func (c *conductor) claim(ctx context.Context) {
	for c.claimBatch(ctx) == claimBatch {
	}
}

// claimBatch claims and starts up to claimBatch operations and returns
// how many it looked at.
func (c *conductor) claimBatch(ctx context.Context) int {
	seen := 0
	var taken []store.Operation
	c.mu.Lock()
	err := c.s.store.Update(ctx, func(tx *store.Tx) error {
		taken = taken[:0]
		ops, err := tx.ClaimableOperations(ctx, c.s.now(), claimBatch)
		if err != nil {
			return err
		}
		seen = len(ops)
		// Claim locks are taken in one order, so that claiming
		// transactions never wait for each other in a cycle.
		slices.SortFunc(ops, func(a, b store.Operation) int { return strings.Compare(a.ClusterUUID, b.ClusterUUID) })
		for _, op := range ops {
			ok, err := c.take(ctx, tx, op)
			if err != nil {
				return err
			}
			if ok {
				// As ClaimOperation recorded it: this is attempt
				// number op.Attempts.
				op.Owner, op.Attempts = c.owner, op.Attempts+1
				taken = append(taken, op)
			}
		}
		return nil
	})
	if err == nil {
		for _, op := range taken {
			c.starting[op.ID] = true
		}
	}
	c.mu.Unlock()
	if err != nil {
		c.logErr(ctx, "claiming operations", err)
		return 0
	}
	for _, op := range taken {
		c.wg.Go(func() { c.startOp(ctx, op) })
	}
	return seen
}

// take claims an operation, unless this process is already starting it;
// a delete ends whatever else the cluster had under way (nothing of which
// is starting a stack: see store.ClaimableOperations).
func (c *conductor) take(ctx context.Context, tx *store.Tx, op store.Operation) (bool, error) {
	if c.starting[op.ID] {
		return false, nil
	}
	if err := tx.Lock(ctx, store.ClaimLock(op.ClusterUUID)); err != nil {
		return false, err
	}
	// Read once the claim is ours to make: a lease counted from before
	// a wait for the lock could run out before its first renewal.
	now := c.s.now()
	ok, err := tx.ClaimOperation(ctx, op.ID, c.owner, now, now.Add(c.s.cfg.lease))
	if ok && op.Kind == opDelete {
		err = tx.SupersedeOperations(ctx, op.ClusterUUID, op.ID, errDeleteQueued.Error())
	}
	return ok, err
}

// startOp starts an operation (or resumes one taken over), bounded in
// concurrency; an operation already waiting for its stacks is left to the
// sync.
func (c *conductor) startOp(ctx context.Context, op store.Operation) {
	defer func() {
		c.mu.Lock()
		delete(c.starting, op.ID)
		c.mu.Unlock()
	}()
	if op.Step == stepWait {
		return
	}
	select {
	case c.starts <- struct{}{}:
		defer func() { <-c.starts }()
	case <-ctx.Done():
		return
	}
	c.execute(ctx, op)
}

// renew extends the leases this conductor holds.
func (c *conductor) renew(ctx context.Context) {
	err := c.s.store.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.RenewLeases(ctx, c.owner, c.s.now().Add(c.s.cfg.lease))
		return err
	})
	if err != nil {
		c.logErr(ctx, "renewing leases", err)
	}
}

// heartbeat records that this service instance is up, and prunes the
// operations done more than a day ago.
func (c *conductor) heartbeat(ctx context.Context) {
	if err := c.s.Heartbeat(ctx); err != nil {
		c.logErr(ctx, "heartbeat", err)
	}
	err := c.s.store.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.PruneOperations(ctx, c.s.now().Add(-operationRetention))
		return err
	})
	if err != nil {
		c.logErr(ctx, "pruning operations", err)
	}
}

// operationRetention is how long finished operations are kept.
const operationRetention = 24 * time.Hour

func (c *conductor) logErr(ctx context.Context, what string, err error) {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return
	}
	c.log.Error("conductor: "+what, "error", err)
}
