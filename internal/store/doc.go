// Package store persists gomagnum's state: cluster templates, clusters,
// node groups, quotas, service heartbeats, the conductor's operations and
// leases, and namespaced blobs for the embedded orchestrator, the
// simulated cloud and the certificate store.
//
// SQLite (modernc.org/sqlite, no cgo) in WAL mode is the embedded default;
// PostgreSQL serves several replicas sharing one database. The queries are
// written once, with "?" placeholders rebound per dialect.
//
// Templates, clusters and node groups are stored as Records: a JSON
// document plus the few columns the service filters, sorts and counts on.
// Every record carries a version; an update names the version it read and
// fails with ErrConflict if someone else wrote in between, so a concurrent
// update can never silently overwrite another.
package store
