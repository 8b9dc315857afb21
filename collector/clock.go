package collector

import (
	"context"
	"time"
)

// Clock is time as the runner sees it. Production uses SystemClock; tests drive a fake one, so
// that intervals, backoff and sync timeouts are exercised without waiting on the wall clock.
type Clock interface {
	Now() time.Time
	// After is time.After.
	After(d time.Duration) <-chan time.Time
	// WithTimeout is context.WithTimeout on this clock.
	WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc)
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// After is time.After; since Go 1.23 an unfired timer is collected once unreferenced.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// WithTimeout is context.WithTimeout, so sources also see the deadline (ctx.Deadline).
func (SystemClock) WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
