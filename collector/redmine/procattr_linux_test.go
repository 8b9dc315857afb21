package redmine

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel kill the server if the test process dies without running its
// cleanups (a -timeout panic, a kill), so that no Redmine outlives the test run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
