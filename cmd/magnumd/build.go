package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gomagnum/gomagnum/api"
	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/certs/barbican"
	cloudos "github.com/gomagnum/gomagnum/cloud/openstack"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/builtin"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
	"github.com/gomagnum/gomagnum/magnum"
	"github.com/gomagnum/gomagnum/ui"
)

// daemon is what magnumd runs: the service, the driver plugins it hosts,
// and the HTTP handlers of the API and of the metrics.
type daemon struct {
	svc     *magnum.Service
	host    *drivers.Host
	api     http.Handler
	metrics http.Handler // nil when metrics are disabled
	ui      http.Handler // nil when the dashboard is disabled
}

// Bounds of the dashboard's timeline of cluster events, in memory.
const (
	timelineClusters   = 10000
	timelinePerCluster = 50
)

// newDaemon builds the daemon a configuration describes; addr is the
// address the API listens on. Options in extra come after those of the
// configuration (tests use them to shape the simulated cloud).
func newDaemon(ctx context.Context, cfg *Config, addr string, log *slog.Logger, extra ...magnum.Option) (*daemon, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := api.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	host := drivers.NewHost(drivers.WithBuiltins(builtin.Drivers()), drivers.WithLogger(log))
	d := &daemon{host: host}
	opts, err := serviceOptions(ctx, cfg, addr, log)
	var timeline *ui.Timeline
	if cfg.UI.Enabled {
		timeline = ui.NewTimeline(timelineClusters, timelinePerCluster)
		opts = append(opts, magnum.WithEventHandler(timeline.Record))
	}
	opts = append(opts, extra...)
	if err == nil {
		var registry *drivers.Registry
		registry, err = driverRegistry(ctx, cfg, host, log)
		opts = append(opts, magnum.WithDrivers(registry), magnum.WithSyncObserver(metrics.SyncObserver()))
	}
	if err == nil {
		d.svc, err = magnum.New(ctx, opts...)
	}
	if err == nil {
		err = metrics.WatchClusters(d.svc, log)
	}
	var auth api.Authenticator
	if err == nil {
		auth, err = authenticator(ctx, cfg)
	}
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	d.api = api.NewHandler(d.svc, api.WithAuthenticator(auth), api.WithLogger(log), api.WithMetrics(metrics),
		api.WithMaxLimit(cfg.API.MaxLimit), api.WithHealthcheckDisableFile(cfg.API.HealthcheckDisableFile),
		api.WithViewCache(cfg.API.ViewCacheMB<<20), api.WithReadLogLevel(cfg.readLogLevel()))
	if cfg.Metrics.Enabled {
		d.metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	}
	if cfg.UI.Enabled {
		d.ui = ui.New(d.svc, ui.WithAuthenticator(auth), ui.WithPolicy(policyOf(cfg)), ui.WithTimeline(timeline),
			ui.WithLogger(log), ui.WithPageSize(cfg.API.MaxLimit))
	}
	return d, nil
}

// policyOf is the policy the configuration makes the service enforce, for
// the dashboard to show what it allows.
func policyOf(cfg *Config) magnum.Policy {
	if cfg.Policy.Rules == "legacy" {
		return magnum.LegacyRules(cfg.Cloud.TrusteeDomainID)
	}
	return magnum.DefaultRules(cfg.Cloud.TrusteeDomainID)
}

// Close stops the service and the driver plugins.
func (d *daemon) Close() error {
	var errs []error
	if d.svc != nil {
		errs = append(errs, d.svc.Close())
	}
	return errors.Join(append(errs, d.host.Close())...)
}

// serviceOptions turns the configuration into the service's options, but
// the drivers.
func serviceOptions(ctx context.Context, cfg *Config, addr string, log *slog.Logger) ([]magnum.Option, error) {
	opts := []magnum.Option{
		magnum.WithLogger(log), magnum.WithDefaultClusterQuota(cfg.Quotas.MaxClustersPerProject),
		magnum.WithServiceDownTime(cfg.Intervals.ServiceDownTime), magnum.WithSyncInterval(cfg.Intervals.Sync),
		magnum.WithHealthInterval(cfg.Intervals.Health), magnum.WithHeartbeatInterval(cfg.Intervals.Heartbeat),
		magnum.WithProgressInterval(cfg.Intervals.Progress), magnum.WithMaxLimit(cfg.API.MaxLimit),
		magnum.WithPublicURL(cfg.publicURL(addr)), magnum.WithEventHandler(logEvent(log)),
		magnum.WithLimits(magnum.Limits{NodesPerNodeGroup: cfg.Limits.MaxNodesPerNodeGroup,
			NodesPerCluster: cfg.Limits.MaxNodesPerCluster}),
	}
	if cfg.Host != "" {
		opts = append(opts, magnum.WithHost(cfg.Host))
	}
	if cfg.Policy.Rules == "legacy" {
		opts = append(opts, magnum.WithLegacyPolicy())
	}
	if cfg.Cloud.TrusteeDomainID != "" {
		opts = append(opts, magnum.WithTrusteeDomain(cfg.Cloud.TrusteeDomainID))
	}
	if cfg.Database.DSN != "" {
		opts = append(opts, magnum.WithDatabase(cfg.Database.DSN))
	} else {
		dir, err := cfg.dataDir()
		if err != nil {
			return nil, err
		}
		opts = append(opts, magnum.WithDataDir(dir))
	}
	for _, build := range []func(context.Context, *Config, *slog.Logger) ([]magnum.Option, error){
		orchestratorOptions, cloudOptions, certificateOptions,
	} {
		more, err := build(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		opts = append(opts, more...)
	}
	return opts, nil
}

// logEvent logs the notifications of cluster operations.
func logEvent(log *slog.Logger) magnum.EventHandler {
	return func(ctx context.Context, e magnum.Event) {
		level := slog.LevelInfo
		if e.Outcome == magnum.OutcomeFailure {
			level = slog.LevelError
		}
		log.Log(ctx, level, "cluster event", slog.String("event_type", e.Type), slog.String("outcome", e.Outcome),
			slog.String("cluster", e.Cluster.UUID), slog.String("name", e.Cluster.Name),
			slog.String("status", string(e.Cluster.Status)), slog.String("status_reason", e.Cluster.StatusReason))
	}
}

func orchestratorOptions(ctx context.Context, cfg *Config, log *slog.Logger) ([]magnum.Option, error) {
	if cfg.Orchestrator.Type == "embedded" {
		return []magnum.Option{magnum.WithEmbeddedEngine(
			engine.WithMaxResourcesPerStack(cfg.Orchestrator.Embedded.MaxResourcesPerStack))}, nil
	}
	h := cfg.Orchestrator.Heat
	opts := []heat.Option{heat.WithLogger(log)}
	if h.NoAuthEndpoint != "" {
		opts = append(opts, heat.WithNoAuth(h.NoAuthEndpoint))
	} else {
		// Clusters' stacks live in their projects, made through their
		// trusts; the status sync follows them all with one listing.
		opts = append(opts, heat.WithAuth(h.Auth.options()), heat.WithEndpointOpts(gophercloud.EndpointOpts{Region: h.Auth.Region}),
			heat.WithAllProjects())
	}
	client, err := heat.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("magnumd: heat: %w", err)
	}
	return []magnum.Option{magnum.WithOrchestrator(client)}, nil
}

func cloudOptions(ctx context.Context, cfg *Config, log *slog.Logger) ([]magnum.Option, error) {
	c := cfg.Cloud
	if c.Type == "simulated" {
		if c.CatalogFile == "" {
			return nil, nil
		}
		return []magnum.Option{magnum.WithSimulatedCloud(sim.WithCatalogFile(c.CatalogFile))}, nil
	}
	provider, err := openstack.AuthenticatedClient(ctx, c.Auth.options())
	if err != nil {
		return nil, fmt.Errorf("magnumd: cloud: authenticating: %w", err)
	}
	// Trusts are created with the token of the user who asked for the
	// cluster, which the API hands to the conductor.
	opts := []cloudos.Option{cloudos.WithLogger(log), cloudos.WithRegion(c.Auth.Region),
		cloudos.WithTrustor(cloudos.TokenTrustor(c.Auth.AuthURL))}
	if c.TrusteeDomainID != "" {
		opts = append(opts, cloudos.WithTrusteeDomainID(c.TrusteeDomainID))
	} else if c.TrusteeDomainName != "" {
		opts = append(opts, cloudos.WithTrusteeDomainName(c.TrusteeDomainName))
	}
	cl, err := cloudos.New(ctx, provider, opts...)
	if err != nil {
		return nil, fmt.Errorf("magnumd: cloud: %w", err)
	}
	return []magnum.Option{magnum.WithCloud(cl), magnum.WithAuthURL(c.Auth.AuthURL)}, nil
}

func certificateOptions(ctx context.Context, cfg *Config, _ *slog.Logger) ([]magnum.Option, error) {
	c := cfg.Certificates
	opts := []magnum.Option{magnum.WithCertOptions(keyTypes[c.KeyType])}
	if len(c.Keys) > 0 {
		keys := make([]certs.EncryptionKey, len(c.Keys))
		for i, k := range c.Keys {
			var err error
			if keys[i], err = certs.ParseEncryptionKey(k); err != nil {
				return nil, fmt.Errorf("%w: certificates.keys[%d]: %w", errConfig, i, err)
			}
		}
		opts = append(opts, magnum.WithSecretKeys(keys...))
	}
	var store certs.Store
	var err error
	switch c.Store {
	case "dir":
		store, err = certs.NewDirStore(c.Dir)
	case "barbican":
		store, err = barbicanStore(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("magnumd: certificate store: %w", err)
	}
	if store != nil {
		opts = append(opts, magnum.WithCertStore(store))
	}
	return opts, nil
}

func barbicanStore(ctx context.Context, cfg *Config) (certs.Store, error) {
	b := cfg.Certificates.Barbican
	if b.NoAuthEndpoint != "" {
		return barbican.New(barbican.NoAuthClient(b.NoAuthEndpoint, b.Project))
	}
	provider, err := openstack.AuthenticatedClient(ctx, b.Auth.options())
	if err != nil {
		return nil, fmt.Errorf("authenticating: %w", err)
	}
	client, err := openstack.NewKeyManagerV1(provider, gophercloud.EndpointOpts{Region: b.Auth.Region})
	if err != nil {
		return nil, err
	}
	return barbican.New(client)
}

// driverRegistry registers the built-in drivers (as plugins re-executing
// magnumd, or in process) and the third-party plugins of the drivers
// directory.
func driverRegistry(ctx context.Context, cfg *Config, host *drivers.Host, log *slog.Logger) (*drivers.Registry, error) {
	get := host.Builtin
	if cfg.Drivers.InProcess {
		get = builtin.InProcess
	}
	reg, err := builtin.Registry(ctx, get, drivers.WithDisabled(cfg.Drivers.Disabled...),
		drivers.WithDefault(cfg.Drivers.Default...), drivers.WithRegistryLogger(log))
	if err != nil {
		return nil, fmt.Errorf("magnumd: built-in drivers: %w", err)
	}
	if cfg.Drivers.Dir == "" {
		return reg, nil
	}
	plugins, err := host.Discover(ctx, cfg.Drivers.Dir, drivers.WithChecksums(cfg.Drivers.Checksums))
	if err != nil {
		log.ErrorContext(ctx, "some driver plugins did not start", slog.Any("error", err))
	}
	for _, p := range plugins {
		if err := reg.Register(ctx, p); err != nil {
			return nil, fmt.Errorf("magnumd: driver plugin %s: %w", p.Name(), err)
		}
		log.InfoContext(ctx, "driver plugin loaded", slog.String("driver", p.Name()), slog.Int("pid", p.PID()))
	}
	return reg, nil
}

// authenticator is how the API identifies callers.
func authenticator(ctx context.Context, cfg *Config) (api.Authenticator, error) {
	if cfg.Auth.Mode == "noauth" {
		tokens := make(map[string]magnum.Caller, len(cfg.Auth.NoAuth.Tokens))
		for tok, id := range cfg.Auth.NoAuth.Tokens {
			tokens[tok] = id.caller()
		}
		return api.NoAuth{Default: cfg.Auth.NoAuth.Default.caller(), Tokens: tokens}, nil
	}
	k := cfg.Auth.Keystone
	provider, err := openstack.AuthenticatedClient(ctx, k.Auth.options())
	if err != nil {
		return nil, fmt.Errorf("magnumd: keystone: authenticating the service: %w", err)
	}
	identity, err := openstack.NewIdentityV3(provider, gophercloud.EndpointOpts{Region: k.Auth.Region})
	if err != nil {
		return nil, fmt.Errorf("magnumd: keystone: %w", err)
	}
	return api.NewKeystone(identity, api.WithTokenCacheTTL(k.CacheTTL)), nil
}
