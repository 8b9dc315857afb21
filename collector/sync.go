package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// maxBackoffBase is the first retry delay of a source whose interval is longer: a failed sync is
// retried soon, but not hammered.
const maxBackoffBase = 30 * time.Second

// loop syncs s at once, then every interval after a success and after a growing delay after a
// failure, and when SyncNow asks, until ctx is cancelled.
func (r *Runner) loop(ctx context.Context, s *sourceRun) {
	failures := 0
	defer r.saveTickets(s, true)
	for {
		start := r.clock.Now()
		s.req.started()
		err := r.syncOnce(ctx, s, start)
		if ctx.Err() != nil {
			return // stopping; a sync cut short by it is not a failure
		}
		delay := s.cfg.Interval - r.clock.Now().Sub(start)
		if err == nil && s.more {
			delay = min(delay, MoreDelay) // catching up: the source said it has more
		}
		if err != nil {
			failures++
			delay = max(backoff(failures, s.cfg.Interval, r.rand()), retryAfter(err))
			r.logFailure(s, err, delay)
		} else {
			if failures > 0 {
				s.logger.Info("sync recovered", "failures", failures)
			}
			failures = 0
		}
		r.saveTickets(s, false)
		if delay <= 0 {
			continue // the sync took longer than the interval
		}
		if !r.wait(ctx, s, delay, start, failures > 0) {
			return
		}
	}
}

// backoff is the delay before retry number n (from 1) of a source syncing every interval:
// doubling from min(interval, 30s) up to interval, with half of it jittered by rnd in [0, 1) so
// that sources failing together (a network outage) do not retry in step.
func backoff(n int, interval time.Duration, rnd float64) time.Duration {
	d := min(interval, maxBackoffBase)
	for i := 1; i < n && d < interval; i++ {
		d *= 2
	}
	d = min(d, interval)
	return d/2 + time.Duration(rnd*float64(d/2))
}

// logFailure logs a failed sync once per distinct error text: a source that is down for a day
// logs once, not every retry; Debug has every attempt.
func (r *Runner) logFailure(s *sourceRun, err error, retry time.Duration) {
	if text := err.Error(); text != s.loggedErr {
		s.loggedErr = text
		s.logger.Error("sync failed", "err", err, "retry_in", retry)
		return
	}
	s.logger.Debug("sync failed again", "err", err, "retry_in", retry)
}

// syncOnce runs one sync and, when it succeeds and its batch is sound, commits and applies the
// batch. Its health is recorded either way; the returned error is only for scheduling: a batch
// refused as unsound is not retried before the next interval, since the data will not mend
// itself sooner.
func (r *Runner) syncOnce(ctx context.Context, s *sourceRun, start time.Time) error {
	b, err := r.callSync(ctx, s)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var o outcome
	if err == nil {
		o, err = r.commit(s, &b)
	}
	end := r.clock.Now()
	r.setStatus(s.cfg.Name, func(h *SourceStatus) {
		h.SyncDuration, h.LastAttempt = end.Sub(start), end
		h.Refusal = ""
		if err != nil && !o.storeFailed {
			h.Up, h.State, h.LastError = false, SourceSyncFailed, err.Error()
			return
		}
		h.LastSync, h.Reasons = o.counts, o.reasons
		h.Rejected += o.counts.Rejected
		if o.state != SourceOK {
			h.Up, h.State, h.LastError, h.Refusal = false, o.state, o.reason, o.reason
			return
		}
		// A store that cannot write is the store's failure, reported as such, not the
		// source's: the source answered. Its success time stays, so its figures go stale.
		h.Up, h.State, h.LastError = true, SourceOK, ""
		if !o.storeFailed {
			h.LastSuccess, h.Records = o.at, o.records
		}
	})
	r.settle(s.cfg.Name)
	switch {
	case err == nil && o.state != SourceOK:
		r.logRefusal(s, o)
	case err == nil:
		s.loggedErr = ""
	}
	r.notify()
	return err
}

// callSync calls the source with the per-sync timeout. A panicking source is a failed sync, not
// a dead daemon.
func (r *Runner) callSync(ctx context.Context, s *sourceRun) (b Batch, err error) {
	sctx, cancel := r.clock.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			s.logger.Error("sync panicked", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("sync panicked: %v", p)
		}
	}()
	b, err = s.cfg.Source.Sync(sctx, s.checkpoint)
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("sync timed out after %s: %w", s.cfg.Timeout, err)
	}
	return b, err
}

// outcome is what a sync that returned a batch came to, for the health.
type outcome struct {
	// state is SourceOK when the batch was sound, else why it was refused (with reason).
	state, reason string
	counts        SyncCounts
	reasons       []RejectionReason
	// at is the success time of a committed batch, records what the source then holds.
	at      time.Time
	records int
	// storeFailed: the batch was sound but the store could not write it; nothing was applied.
	storeFailed bool
}

// commit checks, persists and applies a batch, in that order: a batch too broken to trust is
// refused whole (the last good data stays); once the store has a batch, a crash cannot lose it,
// and readers never see data the store does not hold.
func (r *Runner) commit(s *sourceRun, b *Batch) (outcome, error) {
	name := s.cfg.Name
	s.more = false
	replace := b.Replace || s.resync
	p, err := prepare(b, s.cfg.Tickets, s.cfg.PriorityAliases, replace)
	if err != nil {
		return outcome{}, err
	}
	r.mu.RLock()
	held := 0
	if d := r.per[name]; d != nil && !s.resync {
		// After a change of settings the old records describe something else: no measure.
		held = d.records()
	}
	if d := r.per[name]; d != nil && !replace {
		p.heldTickets = d.tickets.Len()
		p.deleted = deletions(b, d.tickets)
	}
	r.mu.RUnlock()
	o := outcome{reasons: summarize(p.rejected)}
	o.counts, o.state, o.reason = s.cfg.Health.judge(b, p, held, replace)
	if o.state != SourceOK {
		return o, nil
	}
	at := r.clock.Now()
	if r.store != nil {
		sb := store.Batch{
			Tickets:    p.tickets,
			Uptime:     p.uptime,
			Events:     p.events,
			Rejected:   len(p.rejected),
			Checkpoint: b.Checkpoint,
			Replace:    replace,
			Deleted:    p.deleted,
			Config:     s.id,
		}
		if p.fresh != nil {
			// The tickets are in the new store only; it is written a chunk at a time.
			sb.Store = p.fresh.tickets
		}
		err := r.store.Commit(name, sb, at)
		r.storeWrite(err, at)
		if err != nil {
			o.storeFailed = true
			return o, err
		}
	}
	o.at, o.records = at, r.apply(s, p, at)
	// More is honoured only when the batch made progress, so that a source always saying More
	// without moving cannot keep the runner busy.
	s.more = b.More && !bytes.Equal(b.Checkpoint, s.checkpoint)
	s.checkpoint, s.resync = b.Checkpoint, false
	if len(p.deleted) > 0 {
		s.logger.Info("tickets dropped: the source no longer holds them", "count", len(p.deleted), "first", p.deleted[0],
			"reconciled", b.Reconciled)
	}
	r.logRejections(s, p.rejected)
	if replace && held > 0 && o.records != held {
		s.logger.Info("snapshot replaced the source's records", "before", held, "after", o.records)
	}
	s.logger.Debug("synced", "tickets", p.ntickets, "uptime_series", len(p.uptime),
		"event_series", len(p.events), "rejected", len(p.rejected), "replace", replace)
	return o, nil
}

// logRefusal logs a batch refused as unsound, once per distinct reason like failures.
func (r *Runner) logRefusal(s *sourceRun, o outcome) {
	if o.reason == s.loggedErr {
		s.logger.Debug("batch refused again", "state", o.state, "reason", o.reason)
		return
	}
	s.loggedErr = o.reason
	args := []any{"state", o.state, "reason", o.reason, "read", o.counts.Read, "accepted", o.counts.Accepted, "rejected", o.counts.Rejected}
	if len(o.reasons) > 0 {
		args = append(args, "first_cause", o.reasons[0].Reason, "example", o.reasons[0].Example)
	}
	s.logger.Error("batch refused; the last good data is kept and the source reads down", args...)
}

// apply makes a committed batch visible to readers and returns the records held.
func (r *Runner) apply(s *sourceRun, p *prepared, at time.Time) int {
	name := s.cfg.Name
	var kept *ticket.Store
	if p.fresh == nil && len(p.deleted) > 0 {
		// The ticket store cannot remove a ticket: copy the others into a new one, under the
		// read lock (only this goroutine writes this source's data), so that readers wait only
		// for the swap below.
		r.mu.RLock()
		kept = without(r.per[name].tickets, p.deleted, s.cfg.Tickets)
		r.mu.RUnlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.fresh != nil {
		r.publish(name, p.fresh)
	} else {
		d := r.per[name]
		if d == nil {
			d = newSourceData(s.cfg.Tickets)
		}
		if kept != nil {
			d = &sourceData{tickets: kept, uptime: d.uptime, events: d.events}
		}
		for i := range p.tickets {
			// prepare ran the same checks, so this cannot fail unless the ticket store
			// changed its rules to depend on other tickets.
			if err := d.tickets.Add(&p.tickets[i]); err != nil {
				s.logger.Error("ticket refused after commit", "ticket", p.tickets[i].ID, "err", err)
			}
		}
		for _, u := range p.uptime {
			if err := d.applyUptime(u.Series, u.Samples, u.Outages, u.Maintenance, coverage(u)); err != nil {
				s.logger.Error("series unusable", "series", u.Series, "err", err)
			}
		}
		for _, e := range p.events {
			if err := d.applyEvents(e.Series, e.Buckets); err != nil {
				s.logger.Error("series unusable", "series", e.Series, "err", err)
			}
		}
		r.publish(name, d)
	}
	r.data.LastSuccess[name] = at
	return r.per[name].records()
}

// logRejections reports a batch's rejected records: one warning with the first of them, and
// each at debug level.
func (r *Runner) logRejections(s *sourceRun, rej []Rejection) {
	if len(rej) == 0 {
		return
	}
	s.logger.Warn("records rejected", "count", len(rej), "first", rej[0].Where, "reason", rej[0].Reason)
	for _, x := range rej {
		s.logger.Debug("record rejected", "where", x.Where, "reason", x.Reason)
	}
}

// SyncOnce syncs every configured source once, concurrently, commits and applies their batches,
// and returns when all are done: for one-shot commands (evaluate) that want the data without the
// schedule. The error joins the failed sources' errors, each named. It is refused once Run has
// started, since the sources' goroutines then own their checkpoints.
func (r *Runner) SyncOnce(ctx context.Context) error {
	r.life.Lock()
	defer r.life.Unlock()
	if r.runCtx != nil || r.stopped {
		return errors.New("sync once: the runner is running")
	}
	errs := make([]error, 0, len(r.sources))
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for name, s := range r.sources {
		wg.Go(func() {
			if err := r.syncOnce(ctx, s, r.clock.Now()); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("source %q: %w", name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}
