package magnum

import (
	"context"
	"fmt"
	"time"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat/engine"
)

// openOrchestrator sets the orchestrator up: the configured one, else the
// embedded engine over the simulated cloud, its stacks kept in the
// service's database, sealed with the keys of the certificates.
func (s *Service) openOrchestrator(ctx context.Context) error {
	if s.cfg.orchestrator != nil {
		s.orch = s.cfg.orchestrator
		return nil
	}
	simCloud, ok := s.cloud.(*sim.Cloud)
	if !ok {
		return fmt.Errorf("magnum: an orchestrator is required with a cloud other than the simulated one (WithOrchestrator)")
	}
	opts := append([]engine.Option{engine.WithCloud(simCloud), engine.WithBlobs(s.blobs.Blobs("engine")),
		engine.WithSealer(s.keys), engine.WithLogger(s.log)}, s.cfg.engineOptions...)
	e, err := engine.New(ctx, opts...)
	if err != nil {
		return fmt.Errorf("magnum: embedded engine: %w", err)
	}
	s.orch = e
	s.closers = append([]func() error{e.Close}, s.closers...)
	return nil
}

// startConductor starts the conductor, unless the service runs without.
func (s *Service) startConductor() {
	if !s.cfg.conductor {
		return
	}
	s.cond = newConductor(s)
	s.cond.run()
	s.closers = append([]func() error{func() error { s.cond.close(); return nil }}, s.closers...)
}

// poke tells the conductor new work was recorded.
func (s *Service) poke() {
	if s.cond != nil {
		s.cond.poke()
	}
}

// SyncObserver receives, after each status-sync pass, how many operations
// it followed, how many orchestrator list calls it made and how long it
// took.
type SyncObserver func(operations, listCalls int, took time.Duration)

// WithSyncObserver adds an observer of status-sync passes, for metrics.
func WithSyncObserver(o SyncObserver) Option {
	return func(c *config) { c.syncObservers = append(c.syncObservers, o) }
}

func (s *Service) observeSync(ops, calls int, took time.Duration) {
	for _, o := range s.cfg.syncObservers {
		o(ops, calls, took)
	}
}
