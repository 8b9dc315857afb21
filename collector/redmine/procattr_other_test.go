//go:build !linux

package redmine

import "os/exec"

// dieWithTest does nothing where the kernel cannot tie a child's life to its parent's; the
// tests' cleanups stop the server.
func dieWithTest(*exec.Cmd) {}
