package drivers

import "syscall"

// pluginProcAttr starts a plugin in its own process group, so that killing
// the group takes whatever the plugin started, and asks the kernel to send
// it SIGTERM when the host dies, even by SIGKILL; the plugin SDK then kills
// its group and exits.
func pluginProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
