// Package plugin is what the author of a third-party gomagnum driver
// imports: Serve turns a drivers.Driver into a plugin executable that a
// gomagnum host discovers and runs.
//
//	package main
//
//	import "github.com/gomagnum/gomagnum/drivers/plugin"
//
//	func main() { plugin.Serve(&myDriver{}) }
//
// The package owns the protocol (gRPC over a socket with per-process mutual
// TLS, the handshake and its protocol versions), the logging (slog's default
// logger writes what the host re-emits through its own logger), the guard
// that ends the plugin with its host, and a debug mode for running a driver
// under a debugger. Test a driver with drivers/drivertest, in-process and
// through the plugin.
//
// A host binary that compiles drivers in serves them the same way, from its
// own executable: see ServeBuiltinIfRequested.
package plugin
