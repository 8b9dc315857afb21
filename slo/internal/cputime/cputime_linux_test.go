package cputime

import (
	"runtime"
	"testing"
)

// TestThreadAdvances checks that the figure is the thread's: it starts above zero (the thread has
// run) and grows while the thread works, here by making the system calls that read it.
func TestThreadAdvances(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := Thread()
	if start <= 0 {
		t.Fatalf("Thread() = %v at the start; want the time the thread has run", start)
	}
	for range 10_000_000 {
		if Thread() > start {
			return
		}
	}
	t.Errorf("Thread() stayed at %v over ten million calls", start)
}
