package magnum

import (
	"log/slog"
	"os"
	"time"

	"github.com/gomagnum/gomagnum/cloud"
)

// Option configures New.
type Option func(*config)

type config struct {
	dataDir             string
	database            string
	cloud               cloud.Cloud
	drivers             DriverRegistry
	policy              Policy
	log                 *slog.Logger
	now                 func() time.Time
	defaultClusterQuota int
	serviceDownTime     time.Duration
	maxLimit            int
	host                string
	trusteeDomainID     string
}

func defaultConfig() config {
	host, _ := os.Hostname()
	return config{
		log:                 slog.Default(),
		now:                 time.Now,
		defaultClusterQuota: 20,
		serviceDownTime:     180 * time.Second,
		maxLimit:            1000,
		host:                host,
	}
}

// WithDataDir keeps the embedded database (and the state of the embedded
// orchestrator and simulated cloud) in dir.
func WithDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// WithDatabase uses the database a DSN names instead of the embedded
// SQLite file: "postgres://..." for PostgreSQL, shared by several replicas.
func WithDatabase(dsn string) Option { return func(c *config) { c.database = dsn } }

// WithCloud sets the cloud the service looks images, flavors, keypairs and
// networks up in, and creates trustees in.
func WithCloud(cl cloud.Cloud) Option { return func(c *config) { c.cloud = cl } }

// WithDrivers sets the registry drivers are selected from.
func WithDrivers(r DriverRegistry) Option { return func(c *config) { c.drivers = r } }

// WithPolicy replaces Magnum's default policy (DefaultRules).
func WithPolicy(p Policy) Option { return func(c *config) { c.policy = p } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock, for tests.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithDefaultClusterQuota sets how many clusters a project without a quota
// of its own may have (Magnum's max_clusters_per_project, 20).
func WithDefaultClusterQuota(n int) Option { return func(c *config) { c.defaultClusterQuota = n } }

// WithServiceDownTime sets how long after its last heartbeat a service
// instance counts as down (180 s).
func WithServiceDownTime(d time.Duration) Option { return func(c *config) { c.serviceDownTime = d } }

// WithMaxLimit sets the largest page a list returns (1000).
func WithMaxLimit(n int) Option { return func(c *config) { c.maxLimit = n } }

// WithHost sets the name this instance reports in its heartbeats
// (the host name).
func WithHost(h string) Option { return func(c *config) { c.host = h } }

// WithTrusteeDomain sets the ID of the domain the per-cluster trustee
// users live in; the default policy keeps them to certificate and health
// calls.
func WithTrusteeDomain(id string) Option { return func(c *config) { c.trusteeDomainID = id } }
