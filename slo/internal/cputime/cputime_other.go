//go:build !linux

package cputime

import "time"

// Thread is the CPU time used by the calling OS thread: 0, which the benchmarks read as not
// known, where there is no per-thread rusage.
func Thread() time.Duration { return 0 }
