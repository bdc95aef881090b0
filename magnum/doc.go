// Package magnum is gomagnum's service: OpenStack Magnum's cluster
// templates, clusters, node groups, certificates, quotas, stats, service
// health and federations as a Go API, with Magnum's rules, messages and
// default policy, and the conductor that builds and runs the clusters.
//
// # Starting
//
// New returns a *Service. With no options it runs on embedded defaults: a
// SQLite database in a temporary data directory (WithDataDir keeps it), the
// simulated cloud of package cloud/sim, the embedded Heat engine of
// heat/engine, and the built-in Kubernetes, Swarm-mode and Mesos drivers in
// process. WithDatabase puts the state in PostgreSQL, which several
// instances may share; WithCloud, WithOrchestrator and WithDrivers plug in
// a real OpenStack, a real Heat and out-of-process drivers.
//
// # Callers and policy
//
// Every method reads its caller from the context (WithCaller). Magnum's
// default policy (DefaultRules) is Go code and may be replaced
// (WithPolicy): a project's readers read its objects, its members also
// change them, admins administer and act on every project's, and the
// per-cluster trustee users only sign node certificates and report health.
// Roles imply one another as Keystone's defaults do (admin, member,
// reader). WithLegacyPolicy selects Magnum's deprecated rules instead
// (LegacyRules), under which any role of a project may change its objects.
// Objects of other projects are not found rather than forbidden.
//
// # Errors
//
// Errors wrap ErrInvalid, ErrInvalidState, ErrNotFound, ErrConflict,
// ErrForbidden, ErrQuotaExceeded or ErrUnauthenticated, and their message
// is Magnum's own (for example "master_count must be 1 when
// master_lb_enabled is False"), so a REST layer maps them to Magnum's status
// codes and error bodies. Node counts above the service's Limits (WithLimits;
// 64 nodes per node group and per cluster by default) are refused with an
// ErrLimitExceeded, an ErrInvalid, before anything is stored.
//
// # Operations and the conductor
//
// Creating, updating, resizing, upgrading or deleting a cluster, adding or
// removing a node group, and rotating a CA or credentials return at once:
// the change and the operation that carries it out are stored in one
// transaction, with the project's quota checked in the same transaction.
// The conductor, which runs inside the service unless WithoutConductor is
// given, claims operations through leases in the store, so that service
// instances sharing a database never drive the same cluster twice and a
// dead instance's work is taken over when its lease runs out. It creates
// the cluster's trustee and certificates, asks the driver for the stack,
// has the orchestrator build it, follows all stacks in batched status
// syncs, maps their outputs to the cluster's fields, explains failures
// with a Fault (the deepest failed resource, a code and whether a retry
// may help), fails what outlives its deadline, and watches the health of
// running clusters. Events (WithEventHandler) report each operation's
// pending, success and failure, as Magnum's notifications do. Each event
// is stored in the transaction of the change it reports and delivered
// from there, in order, at least once: events stored before a crash are
// delivered after the restart, or by another instance on the database.
//
// A delete supersedes whatever else the cluster has under way: it waits
// for an operation being started to record its stacks (seconds), ends the
// rest, and deletes every stack of the cluster, those recorded and those
// found by their node group's tag, then its trustee and certificates. A
// cluster without a stack is deleted at once.
package magnum
