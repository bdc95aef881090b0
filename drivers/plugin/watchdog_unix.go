//go:build unix

package plugin

import (
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	pb "github.com/gomagnum/gomagnum/internal/driverproto"
)

// watchInterval is how often a plugin checks that its host is alive.
const watchInterval = 200 * time.Millisecond

// guardHost makes sure the plugin does not outlive the host that started
// it. The host's kernel sends SIGTERM when the host dies (on Linux), and a
// watchdog notices the plugin being reparented (everywhere): either way the
// plugin kills its process group, itself and whatever it started, at once.
// Writes to a stderr nobody reads any more must not kill the plugin before
// that (SIGPIPE), so it ignores SIGPIPE.
func guardHost() {
	host, err := strconv.Atoi(os.Getenv(pb.EnvHostPID))
	if err != nil {
		return // not started by a gomagnum host
	}
	signal.Ignore(syscall.SIGPIPE)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() {
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		for {
			select {
			case <-term:
				endGroup()
			case <-t.C:
				if os.Getppid() != host {
					endGroup()
				}
			}
		}
	}()
}

// endGroup kills the plugin's process group if the plugin leads it (the
// host starts plugins so), else the plugin alone.
func endGroup() {
	if syscall.Getpgrp() == os.Getpid() {
		_ = syscall.Kill(0, syscall.SIGKILL)
	}
	os.Exit(1)
}
