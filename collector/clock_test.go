package collector_test

import (
	"context"
	"sync"
	"time"
)

// fakeClock is a collector.Clock the test moves by hand. Every After is announced on afters and
// every WithTimeout on timeouts (both buffered), so a test learns that the runner is waiting,
// and for how long, by receiving from them.
type fakeClock struct {
	afters   chan time.Duration
	timeouts chan time.Duration

	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at   time.Time
	fire func(time.Time)
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, afters: make(chan time.Duration, 100), timeouts: make(chan time.Duration, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) add(d time.Duration, fire func(time.Time)) *fakeTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), fire: fire}
	c.timers = append(c.timers, t)
	return t
}

func (c *fakeClock) remove(t *fakeTimer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return
		}
	}
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.add(d, func(now time.Time) { ch <- now })
	c.afters <- d
	return ch
}

func (c *fakeClock) WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	ctx := &timeoutCtx{Context: parent, done: make(chan struct{})}
	t := c.add(d, func(time.Time) { ctx.cancel(context.DeadlineExceeded) })
	go func() {
		select {
		case <-parent.Done():
			ctx.cancel(parent.Err())
		case <-ctx.done:
		}
	}()
	c.timeouts <- d
	return ctx, func() {
		c.remove(t)
		ctx.cancel(context.Canceled)
	}
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	var due []*fakeTimer
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
	for _, t := range due {
		t.fire(now)
	}
}

// timeoutCtx is a context ended by the fake clock with context.DeadlineExceeded, as a real
// deadline would end it.
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

func (c *timeoutCtx) cancel(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		close(c.done)
	}
}
