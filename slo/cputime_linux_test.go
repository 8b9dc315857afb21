package slo

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time used by the calling OS thread (the caller locks its goroutine to it),
// so that a benchmark's rate can be reported independently of other load on the machine.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
