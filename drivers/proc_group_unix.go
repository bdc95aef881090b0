//go:build unix

package drivers

import "syscall"

// killGroup kills what is left of the process group a plugin led.
func killGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}
