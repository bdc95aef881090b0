// Package heat defines the Orchestrator contract that the gomagnum
// conductor drives, the stack, resource and status types it speaks in,
// and Client, an Orchestrator backed by a real OpenStack Heat through
// gophercloud's orchestration/v1.
//
// The embedded orchestrator that runs everything in-process lives in the
// heat/engine package and implements the same interface.
//
// # Client
//
// NewClient reaches Heat in one of three ways: a ready gophercloud service
// client (WithServiceClient), Keystone credentials (WithAuth: password,
// application credential or token, with re-authentication when a token
// expires), or a Heat in noauth mode (WithNoAuth).
//
// Every failure Heat reports is an *Error carrying Heat's own message and
// wrapping one of the sentinels: ErrNotFound (404), ErrConflict (409),
// ErrInvalid (400 and other refusals, such as "The Parameter (x) was not
// defined in template."), ErrUnauthorized (401, 403) and ErrUnavailable
// (5xx, refused or dropped connections, timed-out attempts). Idempotent
// calls are retried on ErrUnavailable under a RetryPolicy; CreateStack
// never sends a create twice without first checking, by name, that Heat
// does not already have the stack.
//
// scripts/heat.sh installs and starts a real Heat (noauth and Keystone
// modes) for the integration tests of this package.
package heat
