package magnum

import (
	"log/slog"
	"os"
	"time"

	"github.com/gomagnum/gomagnum/certs"
	"github.com/gomagnum/gomagnum/cloud"
	"github.com/gomagnum/gomagnum/cloud/sim"
	"github.com/gomagnum/gomagnum/heat"
	"github.com/gomagnum/gomagnum/heat/engine"
)

// Option configures New.
type Option func(*config)

type config struct {
	dataDir             string
	database            string
	cloud               cloud.Cloud
	drivers             DriverRegistry
	policy              Policy
	legacyPolicy        bool
	log                 *slog.Logger
	now                 func() time.Time
	defaultClusterQuota int
	serviceDownTime     time.Duration
	maxLimit            int
	host                string
	trusteeDomainID     string
	secretKeys          []certs.EncryptionKey
	certStore           certs.Store
	orchestrator        heat.Orchestrator
	syncInterval        time.Duration
	healthInterval      time.Duration
	publicURL           string
	conductor           bool
	events              []EventHandler
	lease               time.Duration
	heartbeatInterval   time.Duration
	progressInterval    time.Duration
	startConcurrency    int
	authURL             string
	syncObservers       []SyncObserver
	certOptions         []certs.Option
	simOptions          []sim.Option
	engineOptions       []engine.Option
	limits              Limits
	changeRetention     int64
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
		syncInterval:        10 * time.Second,
		healthInterval:      60 * time.Second,
		publicURL:           "http://127.0.0.1:9511/v1",
		conductor:           true,
		lease:               30 * time.Second,
		heartbeatInterval:   60 * time.Second,
		progressInterval:    10 * time.Second,
		startConcurrency:    32,
		limits:              DefaultLimits(),
	}
}

// WithDataDir keeps the embedded databases in dir: magnum.db for the
// service, state.db for the embedded orchestrator, the simulated cloud and
// the certificates (two files, so that their writers do not queue behind
// each other), magnum.db.lock, which the instances using magnum.db hold
// (one that alone wrote the file since it opened it serves reads of
// unchanged objects without a statement), and the secret key when none is
// configured. The files are made readable by their owner only (0600),
// whatever dir's mode.
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

// WithLegacyPolicy enforces Magnum's deprecated legacy policy
// (LegacyRules), where any role in a project may change its objects,
// instead of DefaultRules; for deployments whose users lack the member
// role. WithPolicy takes precedence over it.
func WithLegacyPolicy() Option { return func(c *config) { c.legacyPolicy = true } }

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

// WithSecretKeys sets the keys secrets are sealed with at rest: the
// certificates' private keys, the trustee passwords, and every record of
// the embedded engine and of the simulated cloud (stack parameters a
// driver marks hidden, and what is made of them). The first encrypts
// and all decrypt, for rotation; when they start, the engine and the
// simulated cloud seal again under the first key the records sealed
// under another. Without it, a key is kept in the data directory.
func WithSecretKeys(keys ...certs.EncryptionKey) Option {
	return func(c *config) { c.secretKeys = keys }
}

// WithCertStore sets where cluster certificates and their keys are kept;
// by default, the service database with keys sealed by the secret keys.
func WithCertStore(st certs.Store) Option { return func(c *config) { c.certStore = st } }

// WithOrchestrator sets the orchestrator stacks are built with; by
// default, the embedded engine over the simulated cloud.
func WithOrchestrator(o heat.Orchestrator) Option { return func(c *config) { c.orchestrator = o } }

// WithSyncInterval sets how often the conductor syncs the status of
// clusters in progress with their stacks (10 s).
func WithSyncInterval(d time.Duration) Option { return func(c *config) { c.syncInterval = d } }

// WithHealthInterval sets how often the conductor asks healthy clusters'
// COEs for their health (60 s).
func WithHealthInterval(d time.Duration) Option { return func(c *config) { c.healthInterval = d } }

// WithPublicURL sets the service's API endpoint as the clusters' nodes
// reach it, with /v1 (http://127.0.0.1:9511/v1).
func WithPublicURL(u string) Option { return func(c *config) { c.publicURL = u } }

// WithoutConductor runs the service without its conductor: operations are
// recorded but not carried out until a conductor on the same database
// picks them up.
func WithoutConductor() Option { return func(c *config) { c.conductor = false } }

// WithLease sets how long a conductor's hold on an operation lasts
// without renewal (30 s): when a conductor dies, another takes its
// operations over that long after its last renewal.
func WithLease(d time.Duration) Option { return func(c *config) { c.lease = d } }

// WithHeartbeatInterval sets how often the service records that it is up
// (60 s).
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = d }
}

// WithProgressInterval sets how often the status reason of a cluster
// being built is refreshed with the count of its stack's resources done
// (10 s).
func WithProgressInterval(d time.Duration) Option { return func(c *config) { c.progressInterval = d } }

// WithAuthURL sets the Keystone endpoint clusters' nodes authenticate
// against with their trustee credentials.
func WithAuthURL(u string) Option { return func(c *config) { c.authURL = u } }

// WithCertOptions passes options to the certificate manager, such as
// certs.WithKeyType(certs.ECDSAP256) for faster, smaller keys than
// Magnum's RSA-2048.
func WithCertOptions(opts ...certs.Option) Option {
	return func(c *config) { c.certOptions = append(c.certOptions, opts...) }
}

// WithSimulatedCloud passes options to the default simulated cloud (used
// when WithCloud is not given), such as sim.WithCatalogFile to load its
// images, flavors, networks and quotas from YAML.
func WithSimulatedCloud(opts ...sim.Option) Option {
	return func(c *config) { c.simOptions = append(c.simOptions, opts...) }
}

// WithEmbeddedEngine passes options to the default embedded orchestrator
// (used when WithOrchestrator is not given), such as
// engine.WithMaxResourcesPerStack.
func WithEmbeddedEngine(opts ...engine.Option) Option {
	return func(c *config) { c.engineOptions = append(c.engineOptions, opts...) }
}
