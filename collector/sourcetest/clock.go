package sourcetest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Clock is a collector.Clock a test moves by hand, for the runner and for sources that schedule
// work of their own (the probing kinds). Every After is announced on Afters and every
// WithTimeout on Timeouts (both buffered), so that a test learns that a goroutine is waiting,
// and for how long, by receiving from them.
type Clock struct {
	// Afters receives the duration of every After call, Timeouts that of every WithTimeout.
	Afters, Timeouts chan time.Duration

	mu     sync.Mutex
	now    time.Time
	timers []*clockTimer
}

type clockTimer struct {
	at   time.Time
	fire func(time.Time)
}

// NewClock returns a clock reading now.
func NewClock(now time.Time) *Clock {
	return &Clock{now: now, Afters: make(chan time.Duration, 1000), Timeouts: make(chan time.Duration, 1000)}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Clock) add(d time.Duration, fire func(time.Time)) *clockTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &clockTimer{at: c.now.Add(d), fire: fire}
	c.timers = append(c.timers, t)
	return t
}

func (c *Clock) remove(t *clockTimer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return
		}
	}
}

// After is time.After on the clock.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.add(d, func(now time.Time) { ch <- now })
	c.Afters <- d
	return ch
}

// WithTimeout is context.WithTimeout on the clock: the context ends with
// context.DeadlineExceeded when the clock passes d from now. It has no Deadline, since a real
// one would be on the wall clock.
func (c *Clock) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx := &timeoutCtx{Context: parent, done: make(chan struct{})}
	t := c.add(d, func(time.Time) { ctx.cancel(context.DeadlineExceeded) })
	stop := context.AfterFunc(parent, func() { ctx.cancel(parent.Err()) })
	c.Timeouts <- d
	return ctx, func() {
		stop()
		c.remove(t)
		ctx.cancel(context.Canceled)
	}
}

// Advance moves the clock and fires the timers that are due, in time order.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	var due []*clockTimer
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(now) {
			due = append(due, t)
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	slices.SortStableFunc(due, func(a, b *clockTimer) int { return a.at.Compare(b.at) })
	for _, t := range due {
		t.fire(now)
	}
}

// timeoutCtx is a context the clock ends.
type timeoutCtx struct {
	context.Context
	done chan struct{}
	mu   sync.Mutex
	err  error
}

func (c *timeoutCtx) Done() <-chan struct{} { return c.done }

func (c *timeoutCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *timeoutCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c *timeoutCtx) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}
