package magnum

import (
	"context"
	"time"

	"github.com/gomagnum/gomagnum/internal/store"
)

// serviceBinary is the binary name service instances report, as Magnum's
// conductors do.
const serviceBinary = "magnum-conductor"

// Heartbeat records that this service instance is up. The conductor calls
// it periodically; others see the instance down once service_down_time
// passes without one.
func (s *Service) Heartbeat(ctx context.Context) error {
	return s.store.Update(ctx, func(tx *store.Tx) error { return tx.Heartbeat(ctx, s.cfg.host, serviceBinary) })
}

// ListMServices lists the service instances sharing this database and
// whether each is up (admins only).
func (s *Service) ListMServices(ctx context.Context) ([]MService, error) {
	if _, err := s.authorize(ctx, "magnum-service:get_all", Target{}); err != nil {
		return nil, err
	}
	var rows []store.Service
	err := s.store.View(ctx, func(tx *store.Tx) (err error) {
		rows, err = tx.ListServices(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]MService, len(rows))
	for i, r := range rows {
		out[i] = MService{ID: r.ID, Host: r.Host, Binary: r.Binary, State: s.serviceState(r, now),
			ReportCount: r.ReportCount, Disabled: r.Disabled, DisabledReason: r.DisabledReason,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

func (s *Service) serviceState(r store.Service, now time.Time) string {
	last := r.LastSeenUp
	if last.IsZero() {
		last = r.UpdatedAt
	}
	if last.IsZero() {
		last = r.CreatedAt
	}
	if r.ForcedDown || now.Sub(last).Abs() > s.cfg.serviceDownTime {
		return "down"
	}
	return "up"
}
