// Package drivers defines the Driver contract of gomagnum's container
// orchestration engine drivers, the registry that selects a driver by
// (server_type, os_distro, coe), and the host that runs drivers as
// hashicorp/go-plugin subprocesses.
//
// A driver is declarative and stateless: given a cluster it returns the
// stack to create, given a resize or an upgrade the stack update, given a
// stack's outputs the fields they set. The host applies what it returns
// through the orchestrator; drivers never hold cloud credentials.
//
// # Selecting a driver
//
// A Registry holds the drivers and picks one per tuple; a tuple nobody
// serves gives a *NoDriverError ("Cluster type (vm, fedora-coreos,
// kubernetes) not supported."), which wraps ErrNoDriver. WithDisabled keeps
// drivers out, WithDefault settles ties.
//
// # Running drivers out of process
//
// A Host presents every driver as a Driver, wherever it runs:
//
//   - Built-in drivers are compiled into the host binary, which serves them
//     from copies of itself: main calls plugin.ServeBuiltinIfRequested first,
//     and Host.Builtin starts the copy. Nothing else needs installing.
//   - Third-party drivers are executables built with drivers/plugin, found by
//     Host.Discover in a directory and optionally pinned by SHA-256
//     (WithChecksums).
//   - WithInProcess makes Host.Builtin hand back the compiled-in driver
//     itself, for tests and for embedders who prefer one process.
//   - Host.AttachFromEnv connects to plugins a developer runs by hand in
//     debug mode (EnvReattach).
//
// Plugins speak gRPC (package internal/driverproto, protocol version 1,
// negotiated through go-plugin's VersionedPlugins so that a version 2 can
// be served next to it) with mutual TLS set up per process; the driver
// calls travel over long-lived streams, each carrying one call at a time,
// which spares every call the setup of its own HTTP/2 stream. They run in
// their own process group with a minimal environment (WithPluginEnv), log
// JSON to stderr, which the host re-emits through its slog logger with a
// "driver" attribute, and are pinged (WithPing). A plugin that dies or
// hangs is killed with everything it started and restarted with
// exponential backoff (WithRestartBackoff). Driver calls are stateless, so
// a call the death interrupted is made again on the new process, with
// jittered exponential backoff, a bounded number of times (WithCallRetry);
// only a plugin that keeps dying, or cannot be restarted, fails the call,
// with an *UnavailableError naming the driver. Errors the
// driver returns keep their message and class (ErrInvalid, ErrConflict,
// ErrNotSupported) across the wire. No plugin outlives its host: Close
// stops them, and a host that dies without Close, even by SIGKILL, takes
// them along (parent-death signal and a watchdog in every plugin).
package drivers
