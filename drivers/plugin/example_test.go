package plugin_test

import (
	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/plugin"
)

// newDriver stands for the author's driver.
func newDriver() drivers.Driver { return nil }

// The whole main of a third-party driver.
func ExampleServe() {
	plugin.Serve(newDriver())
}

// The first line of a host binary's main, which serves the built-in drivers
// when the host re-executes itself to run one.
func ExampleServeBuiltinIfRequested() {
	builtins := map[string]drivers.Driver{"my_driver_v1": newDriver()}
	plugin.ServeBuiltinIfRequested(builtins)
	// ...the host's own work, with drivers.NewHost(drivers.WithBuiltins(builtins)).
}
