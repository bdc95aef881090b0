package magnum

import (
	"context"
	"fmt"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers/builtin"
)

// openDefaults fills in the embedded defaults for what the options left
// unset. The keyring comes first: it seals the certificates' keys, the
// trustee passwords and the simulated cloud's objects alike.
func (s *Service) openDefaults(ctx context.Context) error {
	keys, err := s.keyring(s.dataDir)
	if err != nil {
		return err
	}
	s.keys = keys
	if s.cloud == nil {
		opts := append([]sim.Option{sim.WithBlobs(s.blobs.Blobs("sim")), sim.WithSealer(keys), sim.WithLogger(s.log)}, s.cfg.simOptions...)
		c, err := sim.New(ctx, opts...)
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
	st := s.cfg.certStore
	if st == nil {
		if st, err = certs.NewBlobStore(s.blobs.Blobs("certs"), keys); err != nil {
			return fmt.Errorf("magnum: certificate store: %w", err)
		}
	}
	if s.certs, err = certs.New(st, append([]certs.Option{certs.WithLogger(s.log)}, s.cfg.certOptions...)...); err != nil {
		return fmt.Errorf("magnum: certificates: %w", err)
	}
	return nil
}
