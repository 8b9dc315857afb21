package collector

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/store"
)

// maxBackoffBase is the first retry delay of a source whose interval is longer: a failed sync is
// retried soon, but not hammered.
const maxBackoffBase = 30 * time.Second

// loop syncs s at once, then every interval after a success and after a growing delay after a
// failure, until ctx is cancelled.
func (r *Runner) loop(ctx context.Context, s *sourceRun) {
	failures := 0
	for {
		start := r.clock.Now()
		err := r.syncOnce(ctx, s, start)
		if ctx.Err() != nil {
			return // stopping; a sync cut short by it is not a failure
		}
		delay := s.cfg.Interval - r.clock.Now().Sub(start)
		if err != nil {
			failures++
			delay = max(backoff(failures, s.cfg.Interval, r.rand()), retryAfter(err))
			r.logFailure(s, err, delay)
		} else {
			if failures > 0 {
				s.logger.Info("sync recovered", "failures", failures)
			}
			failures, s.loggedErr = 0, ""
		}
		if delay <= 0 {
			continue // the sync took longer than the interval
		}
		select {
		case <-ctx.Done():
			return
		case <-r.clock.After(delay):
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

// syncOnce runs one sync and, when it succeeds, commits and applies its batch. Its health is
// recorded either way; the returned error is only for scheduling.
func (r *Runner) syncOnce(ctx context.Context, s *sourceRun, start time.Time) error {
	b, err := r.callSync(ctx, s)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var res result
	if err == nil {
		res, err = r.commit(s, &b)
	}
	end := r.clock.Now()
	r.setStatus(s.cfg.Name, func(h *SourceStatus) {
		h.SyncDuration, h.LastAttempt = end.Sub(start), end
		if err != nil {
			h.Up, h.LastError = false, err.Error()
			return
		}
		h.Up, h.LastError = true, ""
		h.LastSuccess, h.Records = res.at, res.records
		h.Rejected += res.rejected
	})
	if err == nil {
		r.notify()
	}
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

// result is what a committed batch changed, for the health.
type result struct {
	at                time.Time
	records, rejected int
}

// commit checks, persists and applies a batch, in that order: once the store has it, a crash
// cannot lose it, and readers never see data the store does not hold.
func (r *Runner) commit(s *sourceRun, b *Batch) (result, error) {
	name := s.cfg.Name
	replace := b.Replace || s.resync
	p, err := prepare(b, s.cfg.Tickets, replace)
	if err != nil {
		return result{}, err
	}
	at := r.clock.Now()
	if r.store != nil {
		err := r.store.Commit(name, store.Batch{
			Tickets:    p.tickets,
			Uptime:     p.uptime,
			Events:     p.events,
			Rejected:   len(p.rejected),
			Checkpoint: b.Checkpoint,
			Replace:    replace,
			Config:     s.id,
		}, at)
		if err != nil {
			return result{}, err
		}
	}
	records := r.apply(s, p, at)
	s.checkpoint, s.resync = b.Checkpoint, false
	r.logRejections(s, p.rejected)
	s.logger.Debug("synced", "tickets", len(p.tickets), "uptime_series", len(p.uptime),
		"event_series", len(p.events), "rejected", len(p.rejected), "replace", replace)
	return result{at: at, records: records, rejected: len(p.rejected)}, nil
}

// apply makes a committed batch visible to readers and returns the records held.
func (r *Runner) apply(s *sourceRun, p *prepared, at time.Time) int {
	name := s.cfg.Name
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.fresh != nil {
		r.publish(name, p.fresh)
	} else {
		d := r.per[name]
		if d == nil {
			d = newSourceData(s.cfg.Tickets)
		}
		for i := range p.tickets {
			// prepare ran the same checks, so this cannot fail unless the ticket store
			// changed its rules to depend on other tickets.
			if err := d.tickets.Add(&p.tickets[i]); err != nil {
				s.logger.Error("ticket refused after commit", "ticket", p.tickets[i].ID, "err", err)
			}
		}
		for _, u := range p.uptime {
			if err := d.applyUptime(u.Series, u.Samples, u.Outages, coverage(u)); err != nil {
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
