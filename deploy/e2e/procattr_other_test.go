//go:build !linux

package e2e

import "os/exec"

// dieWithTest does nothing outside Linux: the servers are stopped by the tests' cleanups only.
func dieWithTest(*exec.Cmd) {}
