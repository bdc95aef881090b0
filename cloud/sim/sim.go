package sim

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/internal/atrest"
)

// Cloud is a simulated OpenStack cloud. It implements cloud.Cloud over its
// catalog, and it is the world the embedded Heat engine creates servers,
// networks, volumes and load balancers in. It is safe for concurrent use.
type Cloud struct {
	log     *slog.Logger
	clock   Clock
	blobs   *atrest.Store
	cat     *resolved
	persist *persister
	delays  atomic.Pointer[Delays]
	faults  faultSet

	mu  sync.Mutex
	st  *state
	seq uint64
}

var _ cloud.Cloud = (*Cloud)(nil)

// Option configures New.
type Option func(*config) error

type config struct {
	catalog *Catalog
	blobs   Blobs
	sealer  Sealer
	clock   Clock
	delays  Delays
	faults  []Fault
	log     *slog.Logger
}

// WithCatalog sets the catalog; DefaultCatalog is used otherwise.
func WithCatalog(c *Catalog) Option {
	return func(cfg *config) error {
		if c == nil {
			return invalid("sim: nil catalog")
		}
		cfg.catalog = c
		return nil
	}
}

// WithCatalogFile loads the catalog from a YAML file (see LoadCatalog).
func WithCatalogFile(path string) Option {
	return func(cfg *config) error {
		c, err := LoadCatalog(path)
		cfg.catalog = c
		return err
	}
}

// WithBlobs sets where the cloud's objects persist. Without it they live
// in a private MemBlobs and die with the process.
func WithBlobs(b Blobs) Option {
	return func(cfg *config) error {
		if b == nil {
			return invalid("sim: nil blobs")
		}
		cfg.blobs = b
		return nil
	}
}

// Sealer encrypts the objects the cloud stores; *certs.Keyring is one.
type Sealer interface {
	// SealBytes appends plaintext encrypted and bound to aad to dst,
	// and returns the extended slice.
	SealBytes(dst, plaintext, aad []byte) ([]byte, error)
	// OpenBytes decrypts what SealBytes returned for the same aad; stale
	// reports that it should be sealed again (its key is being retired).
	OpenBytes(sealed, aad []byte) (plaintext []byte, stale bool, err error)
}

// WithSealer seals every object the cloud stores in its Blobs: a
// server's user data, a trustee's password and whatever else an object
// carries are never at rest in clear. Objects a cloud without a sealer
// stored in clear are read as they are, and sealed again when New loads
// them, as are those sealed under a key the sealer reports stale.
// Without WithSealer objects are stored in clear, and sealed ones fail to
// load.
func WithSealer(s Sealer) Option {
	return func(cfg *config) error {
		if s == nil {
			return invalid("sim: nil sealer")
		}
		cfg.sealer = s
		return nil
	}
}

// WithClock sets the clock delays and boots run on (default: wall clock).
func WithClock(c Clock) Option {
	return func(cfg *config) error {
		if c == nil {
			return invalid("sim: nil clock")
		}
		cfg.clock = c
		return nil
	}
}

// WithDelays sets the initial delays; see Delays and SetDelays.
func WithDelays(d Delays) Option {
	return func(cfg *config) error {
		if err := d.validate(); err != nil {
			return err
		}
		cfg.delays = d.clone()
		return nil
	}
}

// WithFaults injects faults from the start; see InjectFault.
func WithFaults(f ...Fault) Option {
	return func(cfg *config) error {
		for _, fault := range f {
			if err := fault.validate(); err != nil {
				return err
			}
		}
		cfg.faults = append(cfg.faults, f...)
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error {
		if l == nil {
			return invalid("sim: nil logger")
		}
		cfg.log = l
		return nil
	}
}

// New builds a simulated cloud: the catalog's networks, subnets and
// routers, then every object found in the Blobs, so a Cloud over the
// Blobs of a previous one carries on where that one stopped.
func New(ctx context.Context, opts ...Option) (*Cloud, error) {
	cfg := config{clock: wallClock{}, log: slog.Default()}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.catalog == nil {
		cfg.catalog = DefaultCatalog()
	}
	if cfg.blobs == nil {
		cfg.blobs = &MemBlobs{}
	}
	cat, err := resolveCatalog(cfg.catalog)
	if err != nil {
		return nil, err
	}
	blobs := atrest.New(cfg.blobs, "sim", cfg.sealer)
	c := &Cloud{
		log:     cfg.log.With("component", "cloud/sim"),
		clock:   cfg.clock,
		blobs:   blobs,
		cat:     cat,
		persist: newPersister(blobs),
		st:      newState(),
	}
	c.delays.Store(&cfg.delays)
	for _, f := range cfg.faults {
		c.faults.add(f)
	}
	if err := c.seedCatalog(); err != nil {
		return nil, err
	}
	if err := c.load(ctx); err != nil {
		return nil, fmt.Errorf("sim: load state: %w", err)
	}
	return c, nil
}

// projectOf picks the project an object is created in: the spec's, else
// the context's (cloud.WithProject), else the catalog's default.
func (c *Cloud) projectOf(ctx context.Context, spec string) string {
	if spec != "" {
		return spec
	}
	if p, ok := cloud.ProjectFrom(ctx); ok {
		return p
	}
	return c.cat.defaultProject
}

// childOf resolves the parent of an object to be created under it (a
// load balancer's listener, a group's rule, a server's attachment) and
// returns the parent's project; it runs before the child's delay and
// faults.
func (c *Cloud) childOf(ctx context.Context, find func(st *state) (string, error)) (string, error) {
	var project string
	err := c.view(ctx, func(st *state) (err error) {
		project, err = find(st)
		return err
	})
	return project, err
}
