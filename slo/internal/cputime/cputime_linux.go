package cputime

import (
	"syscall"
	"time"
)

// Thread is the CPU time used by the calling OS thread (the caller locks its goroutine to it),
// so that a benchmark's rate can be reported independently of other load on the machine; 0 when
// the system does not tell.
func Thread() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
