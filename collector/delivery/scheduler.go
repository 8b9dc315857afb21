package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

// Retry and timing defaults.
const (
	// DefaultAttempts bounds the attempts to deliver one period's report.
	DefaultAttempts = 6
	// DefaultBackoff is the wait after the first failed attempt, doubled after each: 5, 10, 20,
	// 40 and 80 minutes, so the sixth and last attempt comes 2h35m after the first, time for an
	// SMTP server restarted or a password fixed in the meantime.
	DefaultBackoff = 5 * time.Minute
	// DefaultTimeout bounds one attempt: rendering and sending to every destination.
	DefaultTimeout = 10 * time.Minute
	// maxIdle is the longest the scheduler sleeps before it reads the clock again, so that a
	// clock set forward (or a machine resumed) is noticed within the hour, not a month late.
	maxIdle = time.Hour
)

// The destinations, as the persisted state and the errors name them.
const (
	destEmail  = "email"
	destFolder = "folder"
)

// State keeps what was delivered between runs; *store.DB is one.
type State interface {
	Delivery(report string) (store.Delivery, bool, error)
	SetDelivery(report string, d store.Delivery) error
}

// Options are the scheduler's collaborators.
type Options struct {
	// Render makes a report's files. Required.
	Render Renderer
	// State persists what was delivered. Required.
	State State
	// Clock is time as the scheduler sees it; default collector.SystemClock.
	Clock  collector.Clock
	Logger *slog.Logger
	// Attempts, Backoff and Timeout default to DefaultAttempts, DefaultBackoff, DefaultTimeout.
	Attempts int
	Backoff  time.Duration
	Timeout  time.Duration
}

// Scheduler runs the configured deliveries, each in a goroutine of its own, so that rendering
// and sending never hold up an evaluation. It is a prometheus.Collector of the deliveries'
// metrics.
type Scheduler struct {
	opts Options

	mu      sync.Mutex
	specs   []Spec
	updates chan struct{}
	metrics map[string]*reportMetrics
}

// New returns a scheduler of specs; Run starts it. It panics without a renderer or a state,
// a mistake in the program rather than in the configuration.
func New(specs []Spec, opts Options) *Scheduler {
	if opts.Render == nil || opts.State == nil {
		panic("delivery.New: Options.Render and Options.State are required")
	}
	if opts.Clock == nil {
		opts.Clock = collector.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Attempts = cmpOr(opts.Attempts, DefaultAttempts)
	opts.Backoff = cmpOr(opts.Backoff, DefaultBackoff)
	opts.Timeout = cmpOr(opts.Timeout, DefaultTimeout)
	s := &Scheduler{opts: opts, updates: make(chan struct{}, 1), metrics: map[string]*reportMetrics{}}
	s.setSpecs(specs)
	return s
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Update replaces the deliveries (a configuration reload). The running ones stop, an attempt
// under way included, and the new ones start from the persisted state: a delivery already made
// is not made again, one under way starts over at its first attempt.
func (s *Scheduler) Update(specs []Spec) {
	s.setSpecs(specs)
	select {
	case s.updates <- struct{}{}:
	default: // an update is pending already; it will read the latest specs
	}
}

func (s *Scheduler) setSpecs(specs []Spec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.specs = specs
	for _, sp := range specs {
		if s.metrics[sp.Name] == nil {
			s.metrics[sp.Name] = &reportMetrics{}
		}
	}
}

// Run runs the deliveries until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	for {
		s.mu.Lock()
		specs := s.specs
		s.mu.Unlock()
		runCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := range specs {
			wg.Go(func() { s.run(runCtx, &specs[i]) })
		}
		select {
		case <-ctx.Done():
		case <-s.updates:
		}
		cancel()
		wg.Wait()
		if ctx.Err() != nil {
			return
		}
	}
}

// run delivers one report on its schedule until ctx ends.
func (s *Scheduler) run(ctx context.Context, spec *Spec) {
	log := s.opts.Logger.With("report", spec.Name)
	st := s.load(log, spec)
	warned := false
	for {
		now := s.opts.Clock.Now()
		if due := spec.Schedule.Last(now); !due.IsZero() && !due.Before(st.Since) {
			if req := spec.request(due); !handled(spec, &st, req.Period) {
				s.deliver(ctx, log, spec, &st, req)
				if ctx.Err() != nil {
					return
				}
				continue
			}
		}
		wait := maxIdle
		if next := spec.Schedule.Next(now); next.IsZero() {
			if !warned {
				log.Warn("report has no due date within two years: is its calendar without working days?", "schedule", spec.Schedule.String())
				warned = true
			}
		} else if d := next.Sub(now); d < wait {
			wait = d
		}
		select {
		case <-ctx.Done():
			return
		case <-s.opts.Clock.After(wait):
		}
	}
}

// load reads the report's persisted state. A report not seen before starts now: one due
// before it was configured is not owed. A changed schedule keeps the state, whose period
// labels say what was delivered whatever the schedule.
func (s *Scheduler) load(log *slog.Logger, spec *Spec) store.Delivery {
	st, found, err := s.opts.State.Delivery(spec.Name)
	if err != nil {
		// Delivering without the record risks sending again what was sent; the error is logged
		// and the record written afresh.
		log.Error("report delivery state unreadable; starting afresh", "err", err)
	}
	if !found || err != nil {
		st = store.Delivery{Since: s.opts.Clock.Now()}
		s.save(log, spec, &st)
	}
	if !st.LastAttempt.IsZero() {
		s.mu.Lock()
		m := s.metrics[spec.Name]
		m.known, m.last, m.ok = true, st.LastAttempt, st.LastSuccessful
		s.mu.Unlock()
	}
	return st
}

func (s *Scheduler) save(log *slog.Logger, spec *Spec, st *store.Delivery) {
	if err := s.opts.State.SetDelivery(spec.Name, *st); err != nil {
		log.Error("could not record the report's delivery: a restart may send it again", "err", err)
	}
}

// destinations are the spec's ways of delivering, by name.
func destinations(spec *Spec) []string {
	var d []string
	if spec.Email != nil {
		d = append(d, destEmail)
	}
	if spec.Folder != "" {
		d = append(d, destFolder)
	}
	return d
}

// handled reports whether the period's report is done with: delivered everywhere, or given up.
func handled(spec *Spec, st *store.Delivery, label string) bool {
	if st.Abandoned == label {
		return true
	}
	for _, d := range destinations(spec) {
		if st.Delivered[d] != label {
			return false
		}
	}
	return true
}

// deliver makes up to Attempts attempts at the period's report, with backoff between them. A
// destination that took the report is not sent it again by the next attempt, and the files are
// rendered once, so that the e-mail and the folder hold the same report.
func (s *Scheduler) deliver(ctx context.Context, log *slog.Logger, spec *Spec, st *store.Delivery, req Request) {
	log = log.With("period", req.Period)
	var atts []Attachment
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, log, spec, st, req, &atts)
		if ctx.Err() != nil {
			return // stopped (shutdown or reload), not failed: the next run starts over
		}
		now := s.opts.Clock.Now()
		st.LastAttempt, st.LastSuccessful = now, err == nil
		s.count(spec.Name, now, err == nil)
		if err == nil {
			s.save(log, spec, st)
			log.Info("report delivered", "attempt", attempt, "destinations", destinations(spec))
			return
		}
		if attempt >= s.opts.Attempts {
			st.Abandoned = req.Period
			s.save(log, spec, st)
			log.Error("report delivery failed; giving up on this period", "attempt", attempt, "err", err)
			return
		}
		s.save(log, spec, st)
		wait := s.opts.Backoff << (attempt - 1)
		log.Warn("report delivery failed; retrying", "attempt", attempt, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-s.opts.Clock.After(wait):
		}
	}
}

// attempt renders the report unless an earlier attempt did, and sends it to every destination
// that does not have it yet.
func (s *Scheduler) attempt(ctx context.Context, log *slog.Logger, spec *Spec, st *store.Delivery, req Request, atts *[]Attachment) error {
	ctx, cancel := s.opts.Clock.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if *atts == nil {
		rendered, err := s.render(ctx, req)
		if err != nil {
			return err
		}
		*atts = rendered
	}
	var errs []error
	for _, d := range destinations(spec) {
		if st.Delivered[d] == req.Period {
			continue
		}
		var err error
		switch d {
		case destEmail:
			err = spec.Email.send(ctx, req, *atts, s.opts.Clock.Now())
		case destFolder:
			err = writeFolder(spec.Folder, req.Period, *atts)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d, err))
			continue
		}
		if st.Delivered == nil {
			st.Delivered = map[string]string{}
		}
		st.Delivered[d] = req.Period
		// Recorded at once: if the next destination fails and the exporter stops before a
		// retry, this one is not sent the report again.
		s.save(log, spec, st)
	}
	return errors.Join(errs...)
}

// render calls the renderer, turning a panic into an error: the renderer is another package's
// code running in this goroutine, and its bug must not stop the exporter.
func (s *Scheduler) render(ctx context.Context, req Request) (atts []Attachment, err error) {
	defer func() {
		if r := recover(); r != nil {
			atts, err = nil, fmt.Errorf("render: the renderer panicked: %v", r)
		}
	}()
	atts, err = s.opts.Render(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	if err := checkAttachments(atts); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return atts, nil
}
