// Package builtin gathers gomagnum's built-in COE drivers: Kubernetes on
// Fedora CoreOS, Docker Swarm mode and Mesos on Ubuntu.
//
// A program that runs them out of process hands Drivers to
// plugin.ServeBuiltinIfRequested first thing in main, and to
// drivers.WithBuiltins for its host.
package builtin

import (
	"context"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/kubernetes"
	"github.com/gomagnum/gomagnum/drivers/mesos"
	"github.com/gomagnum/gomagnum/drivers/swarm"
)

// Drivers returns the built-in drivers by name.
func Drivers() map[string]drivers.Driver {
	return map[string]drivers.Driver{kubernetes.Name: kubernetes.New(), swarm.Name: swarm.New(), mesos.Name: mesos.New()}
}

// Names lists the built-in drivers in the order they are registered, which
// decides ties between drivers serving the same tuple.
func Names() []string { return []string{kubernetes.Name, swarm.Name, mesos.Name} }

// Registry returns a registry of the built-in drivers, each obtained from
// get (a host's Builtin to run them out of process, or InProcess).
func Registry(ctx context.Context, get func(ctx context.Context, name string) (drivers.Driver, error),
	opts ...drivers.RegistryOption) (*drivers.Registry, error) {
	r := drivers.NewRegistry(opts...)
	for _, name := range Names() {
		d, err := get(ctx, name)
		if err != nil {
			return nil, err
		}
		if err := r.Register(ctx, d); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// InProcess returns a built-in driver to run in the calling process.
func InProcess(_ context.Context, name string) (drivers.Driver, error) {
	d, ok := Drivers()[name]
	if !ok {
		return nil, drivers.ErrNoDriver
	}
	return d, nil
}
