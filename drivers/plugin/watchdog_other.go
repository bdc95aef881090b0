//go:build !unix

package plugin

import (
	"os"
	"strconv"
	"time"

	pb "github.com/gomagnum/gomagnum/internal/driverproto"
)

// watchInterval is how often a plugin checks that its host is alive.
const watchInterval = 200 * time.Millisecond

// guardHost makes sure the plugin does not outlive the host that started
// it: a watchdog exits once the host process cannot be found any more.
func guardHost() {
	host, err := strconv.Atoi(os.Getenv(pb.EnvHostPID))
	if err != nil {
		return
	}
	go func() {
		for range time.Tick(watchInterval) {
			p, err := os.FindProcess(host)
			if err != nil {
				os.Exit(1)
			}
			_ = p.Release()
		}
	}()
}
