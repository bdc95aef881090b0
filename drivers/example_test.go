package drivers_test

import (
	"context"
	"log"
	"log/slog"
	"time"

	"github.com/gomagnum/gomagnum/drivers"
	"github.com/gomagnum/gomagnum/drivers/plugin"
)

// The main of a host binary: built-in drivers run from copies of the binary
// itself, third-party drivers from a directory, all behind one registry.
func ExampleHost() {
	compiledIn := map[string]drivers.Driver{"fake": &fakeDriver{name: "fake_v1"}}
	plugin.ServeBuiltinIfRequested(compiledIn) // returns unless re-executed to serve one

	ctx := context.Background()
	host := drivers.NewHost(
		drivers.WithBuiltins(compiledIn),
		drivers.WithLogger(slog.Default()),
		drivers.WithStartTimeout(2*time.Minute),
	)
	defer host.Close()

	registry := drivers.NewRegistry(drivers.WithDefault("fake_v1"))
	d, err := host.Builtin(ctx, "fake")
	if err != nil {
		log.Fatal(err)
	}
	if err := registry.Register(ctx, d); err != nil {
		log.Fatal(err)
	}
	thirdParty, err := host.Discover(ctx, "/usr/lib/gomagnum/drivers", drivers.WithChecksums(map[string]string{
		"k3s-driver": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}))
	if err != nil {
		slog.Warn("some driver plugins did not start", "error", err)
	}
	for _, p := range thirdParty {
		if err := registry.Register(ctx, p); err != nil {
			slog.Warn("driver plugin refused", "plugin", p.Name(), "error", err)
		}
	}
	_, _ = registry.Select(drivers.Tuple{ServerType: "vm", OSDistro: "fake-os", COE: "kubernetes"})
}
