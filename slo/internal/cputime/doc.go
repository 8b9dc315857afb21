// Package cputime reads the CPU time of the calling OS thread, for benchmarks that report a
// rate per CPU second rather than per wall-clock second (the machine is shared).
package cputime
