package remote_test

import (
	"os"
	"testing"

	"github.com/gomagnum/gomagnum/drivers/builtin"
	"github.com/gomagnum/gomagnum/drivers/plugin"
)

// TestMain lets the test binary serve the built-in drivers when the
// service's driver host re-executes it as a plugin, as magnumd does.
func TestMain(m *testing.M) {
	plugin.ServeBuiltinIfRequested(builtin.Drivers())
	os.Exit(m.Run())
}
