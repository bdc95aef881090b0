package magnum

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/cloud/sim"
)

// openDefaults fills in the embedded defaults for what the options left
// unset.
func (s *Service) openDefaults(ctx context.Context) error {
	if s.cloud == nil {
		c, err := sim.New(ctx, sim.WithBlobs(s.store.Blobs("sim")), sim.WithLogger(s.log))
		if err != nil {
			return fmt.Errorf("magnum: simulated cloud: %w", err)
		}
		s.cloud = c
	}
	if s.drivers == nil {
		return fmt.Errorf("magnum: no driver registry configured")
	}
	return nil
}
