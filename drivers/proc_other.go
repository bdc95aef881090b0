//go:build !unix

package drivers

import "syscall"

// pluginProcAttr has nothing to add where there are no process groups; the
// plugin SDK's parent watchdog ends plugins whose host died.
func pluginProcAttr() *syscall.SysProcAttr { return nil }

// killGroup has no group to kill; go-plugin kills the plugin itself.
func killGroup(int) {}
