//go:build unix && !linux

package drivers

import "syscall"

// pluginProcAttr starts a plugin in its own process group, so that killing
// the group takes whatever the plugin started. Without a parent-death
// signal here, the plugin SDK's parent watchdog ends plugins whose host died.
func pluginProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
