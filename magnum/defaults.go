package magnum

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers/builtin"
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
		r, err := builtin.Registry(ctx, builtin.InProcess)
		if err != nil {
			return fmt.Errorf("magnum: built-in drivers: %w", err)
		}
		s.drivers = r
	}
	return nil
}
