// Package drivers defines the Driver contract of gomagnum's container
// orchestration engine drivers, the registry that selects a driver by
// (server_type, os_distro, coe), and the host that runs drivers as
// hashicorp/go-plugin subprocesses.
//
// A driver is declarative and stateless: given a cluster it returns the
// stack to create, given a resize or an upgrade the stack update, given a
// stack's outputs the fields they set. The host applies what it returns
// through the orchestrator; drivers never hold cloud credentials.
package drivers
