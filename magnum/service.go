package magnum

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/internal/store"
	"github.com/gomagnum/gomagnum/quota"
)

// DriverRegistry finds the driver serving a (server_type, os_distro, coe)
// tuple; *drivers.Registry is one.
type DriverRegistry interface {
	// Select returns the driver serving t, or an error wrapping
	// drivers.ErrNoDriver.
	Select(t drivers.Tuple) (drivers.Driver, error)
	// Infos describes every enabled driver.
	Infos() []drivers.Info
}

// Service is gomagnum: cluster templates, clusters, node groups,
// certificates, quotas, stats and service health, with Magnum's rules and
// policy. A Service is also a running service instance: it records
// heartbeats other instances sharing its database see.
//
// Every method reads the caller from its context (WithCaller).
type Service struct {
	store *store.Store
	// blobs keeps the state of the embedded engine, the simulated cloud and
	// the certificates: a database file of its own with SQLite, so that its
	// writes do not queue behind the service's.
	blobs   *store.Store
	cloud   cloud.Cloud
	drivers DriverRegistry
	orch    heat.Orchestrator
	// scoped keeps trust-scoped orchestrators of recent clusters.
	scoped  scopedOrchestrators
	certs   *certs.Manager
	keys    *certs.Keyring
	policy  Policy
	limits  quota.Limits
	log     *slog.Logger
	now     func() time.Time
	cfg     config
	dataDir string
	cond    *conductor
	// coes answers the COE APIs of simulated clusters (simulated cloud only).
	coes   *sim.COEProxy
	coeTLS tlsCache
	// sole says whether this instance alone writes its SQLite database
	// (nil on PostgreSQL); found keeps the references reads of one object
	// found (see readGeneration).
	sole  *soleWriter
	found refCache
	// dispatch delivers the stored events; nil without event handlers.
	dispatch *dispatcher
	closers  []func() error
}

// New returns a Service. With no options it runs on embedded defaults: a
// SQLite database in a data directory (WithDataDir; a temporary one
// otherwise), the simulated cloud, and the built-in drivers.
func New(ctx context.Context, opts ...Option) (*Service, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.limits.validate(); err != nil {
		return nil, err
	}
	s := &Service{cloud: cfg.cloud, drivers: cfg.drivers, log: cfg.log, now: cfg.now, cfg: cfg}
	s.limits = quota.NewLimits(map[quota.Resource]int{quota.Cluster: cfg.defaultClusterQuota})
	s.policy = cfg.chosenPolicy()
	if err := s.openStore(ctx); err != nil {
		return nil, err
	}
	if err := s.holdEmbeddedLease(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openDefaults(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.openOrchestrator(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.serveSimulatedCOEs(); err != nil {
		s.Close()
		return nil, err
	}
	s.startDispatcher()
	s.startConductor()
	return s, nil
}

func (s *Service) openStore(ctx context.Context) error {
	dsn, dir := s.cfg.database, s.cfg.dataDir
	if dsn == "" && dir == "" {
		tmp, err := os.MkdirTemp("", "gomagnum-")
		if err != nil {
			return fmt.Errorf("magnum: data directory: %w", err)
		}
		dir = tmp
		s.closers = append(s.closers, func() error { return os.RemoveAll(tmp) })
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("magnum: data directory: %w", err)
		}
	}
	if dsn == "" {
		dsn = filepath.Join(dir, "magnum.db")
	}
	s.dataDir = dir
	if path, ok := sqlitePath(dsn); ok {
		sole, err := openSoleWriter(path)
		if err != nil {
			return err
		}
		s.sole = sole
		s.closers = append([]func() error{sole.close}, s.closers...)
	}
	st, err := store.Open(ctx, dsn, store.WithLogger(s.log), store.WithClock(s.now))
	if err != nil {
		return fmt.Errorf("magnum: %w", err)
	}
	s.store, s.blobs = st, st
	if s.cfg.changeRetention > 0 {
		st.SetChangeRetention(s.cfg.changeRetention)
	}
	s.closers = append([]func() error{st.Close}, s.closers...)
	if s.cfg.database != "" {
		return nil
	}
	blobs, err := store.Open(ctx, filepath.Join(dir, "state.db"), store.WithLogger(s.log), store.WithClock(s.now))
	if err != nil {
		return fmt.Errorf("magnum: %w", err)
	}
	s.blobs = blobs
	s.closers = append([]func() error{blobs.Close}, s.closers...)
	return nil
}

// Close stops the service and releases what it holds.
func (s *Service) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	s.closers = nil
	return errors.Join(errs...)
}
