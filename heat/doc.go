// Package heat defines the Orchestrator contract that the gomagnum
// conductor drives, the stack, resource and status types it speaks in,
// and Client, an Orchestrator backed by a real OpenStack Heat through
// gophercloud's orchestration/v1.
//
// The embedded orchestrator that runs everything in-process lives in the
// heat/engine package and implements the same interface.
package heat
