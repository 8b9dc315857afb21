package collector

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// SyncNowSpacing is the least time between the start of a source's sync and that of a sync
// SyncNow asks for: a flood of webhook calls, or a tool that calls for every field of every
// ticket it changes, costs at most one sync per spacing, not one per call.
const SyncNowSpacing = 10 * time.Second

// ErrUnknownSource is returned by SyncNow for a source that is not configured.
var ErrUnknownSource = errors.New("no such source")

// syncRequest is a source's pending request for an immediate sync. wanted is set by SyncNow and
// cleared when a sync starts, so that every request made before a sync starts is served by it
// and coalesces with the others; wake tells the source's goroutine.
type syncRequest struct {
	wanted atomic.Bool
	wake   chan struct{}
}

func newSyncRequest() *syncRequest { return &syncRequest{wake: make(chan struct{}, 1)} }

// SyncNow asks for an incremental sync of source name at once, on top of its schedule (a
// webhook said something changed). Requests made before that sync starts coalesce into it:
// queued is false when one was already pending. The sync starts no sooner than SyncNowSpacing
// after the previous one started, and not while the source backs off after failures: its
// retry, due anyway, serves the request.
func (r *Runner) SyncNow(name string) (queued bool, err error) {
	r.requestsMu.Lock()
	req := r.syncRequests[name]
	r.requestsMu.Unlock()
	if req == nil {
		return false, fmt.Errorf("%w %q", ErrUnknownSource, name)
	}
	if !req.wanted.CompareAndSwap(false, true) {
		return false, nil
	}
	select {
	case req.wake <- struct{}{}:
	default:
	}
	return true, nil
}

// started marks the requests made so far as served by a sync starting now. The stale wake-up is
// dropped first: a request arriving in between keeps its own, and at worst costs one more
// (spaced) sync, never a lost one.
func (q *syncRequest) started() {
	select {
	case <-q.wake:
	default:
	}
	q.wanted.Store(false)
}

// wait sleeps until the next scheduled sync, delay from now, or until SyncNow asks for one, but
// then no sooner than SyncNowSpacing after the last sync started at start. A failing source is
// not woken early. It returns false when ctx ends.
func (r *Runner) wait(ctx context.Context, s *sourceRun, delay time.Duration, start time.Time, failing bool) bool {
	wake := s.req.wake
	if failing {
		wake = nil // never ready: the backoff stands
	}
	select {
	case <-ctx.Done():
		return false
	case <-r.clock.After(delay):
		return true
	case <-wake:
	}
	rest := SyncNowSpacing - r.clock.Now().Sub(start)
	if rest <= 0 {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-r.clock.After(rest):
		return true
	}
}
