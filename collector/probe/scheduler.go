package probe

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// Prober probes one target once.
type Prober interface {
	// Probe probes within ctx's deadline (the target's timeout) and says what it saw. An error
	// means the probe could not run for a reason on the exporter's side (a blackbox_exporter
	// that does not answer, a certificate file that cannot be read, no permission to send
	// ICMP): that is no evidence about the target, which then reads as missing data, not down.
	// A target that fails, whatever the cause on its side or the network's, is a Result with
	// Success false.
	Probe(ctx context.Context) (Result, error)
}

// Result is what one probe saw of its target.
type Result struct {
	Success  bool
	Duration time.Duration
	// StatusCode is the HTTP status of the answer; zero when not HTTP or none came.
	StatusCode int
	// CertExpiry is the earliest expiry of the certificates the target presented; zero
	// without TLS or when none were seen.
	CertExpiry time.Time
	// Detail says why the probe failed, for the log.
	Detail string
}

// Target is one probed target as the Scheduler runs it.
type Target struct {
	// Series is the series of the source the target's samples feed, unique in the source.
	Series string
	// Target and Prober name the target in sla_probe_* (a URL without its query, host:port, a
	// name; the prober or blackbox module).
	Target, Prober string
	// Interval is the time from one probe's start to the next; Timeout bounds each probe and
	// is at most Interval.
	Interval, Timeout time.Duration
	Probe             Prober
}

// Outcome is one run of a target's probe.
type Outcome struct {
	// Series names the target.
	Series string
	// At is when the probe started.
	At time.Time
	Result
	// Err says why the probe could not run (see Prober); Result is then empty.
	Err error
}

// Scheduler runs each target's probe on its own interval, in its own goroutine, and keeps the
// outcomes until they are taken: Start starts it, Take drains the outcomes, Close stops it. A
// target is probed at once on Start, then every Interval after that first probe (a probe
// overrunning its slot skips the slots it missed, so probes of a target never overlap).
type Scheduler struct {
	targets []Target
	clock   collector.Clock
	logger  *slog.Logger

	mu      sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	pending []Outcome
	last    map[string]collector.ProbeResult
	// firstLeft counts the targets without an outcome yet; firstDone is closed when it reaches
	// zero, or on Close.
	firstLeft  int
	firstDone  chan struct{}
	closeFirst func()
	// logged is the last error logged per target, so that a lasting failure logs once.
	logged map[string]string
	// down is the targets whose last probe that ran failed, for the log of changes.
	down map[string]bool
}

// NewScheduler returns a scheduler of targets, not started. clock nil is the system clock,
// logger nil discards.
func NewScheduler(targets []Target, clock collector.Clock, logger *slog.Logger) *Scheduler {
	if clock == nil {
		clock = collector.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{targets: targets, clock: clock, logger: logger, last: map[string]collector.ProbeResult{},
		firstLeft: len(targets), firstDone: make(chan struct{}), logged: map[string]string{}, down: map[string]bool{}}
	s.closeFirst = sync.OnceFunc(func() { close(s.firstDone) })
	return s
}

// Targets returns the scheduler's targets.
func (s *Scheduler) Targets() []Target { return s.targets }

// Start starts the targets' goroutines; it does nothing when started or closed already.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return
	}
	s.started = true
	if len(s.targets) == 0 {
		s.closeFirst()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for i := range s.targets {
		s.wg.Go(func() { s.run(ctx, &s.targets[i]) })
	}
}

// FirstRound is closed once every target has an outcome, or the scheduler is closed.
func (s *Scheduler) FirstRound() <-chan struct{} { return s.firstDone }

// run probes t until ctx is cancelled.
func (s *Scheduler) run(ctx context.Context, t *Target) {
	next := s.clock.Now()
	for {
		at := s.clock.Now()
		pctx, cancel := s.clock.WithTimeout(ctx, t.Timeout)
		res, err := t.Probe.Probe(pctx)
		cancel()
		if ctx.Err() != nil {
			return // closed during the probe: what it saw is the cancellation
		}
		s.record(t, Outcome{Series: t.Series, At: at, Result: res, Err: err})
		now := s.clock.Now()
		for !next.After(now) {
			next = next.Add(t.Interval)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.clock.After(next.Sub(now)):
		}
	}
}

// record keeps an outcome, updates the target's last result and logs changes.
func (s *Scheduler) record(t *Target, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.pending = append(s.pending, o)
	if _, seen := s.last[t.Series]; !seen && s.firstLeft > 0 {
		s.firstLeft--
		if s.firstLeft == 0 {
			s.closeFirst()
		}
	}
	prev, seen := s.last[t.Series]
	if o.Err != nil {
		if !seen {
			s.last[t.Series] = collector.ProbeResult{Series: t.Series, Target: t.Target, Prober: t.Prober}
		}
		if msg := o.Err.Error(); s.logged[t.Series] != msg {
			s.logged[t.Series] = msg
			s.logger.Warn("probe could not run: the target reads as missing data", "series", t.Series, "target", t.Target, "err", msg)
		} else {
			s.logger.Debug("probe could not run", "series", t.Series, "target", t.Target, "err", msg)
		}
		return
	}
	if s.logged[t.Series] != "" {
		s.logger.Info("probe runs again", "series", t.Series, "target", t.Target)
		delete(s.logged, t.Series)
	}
	r := collector.ProbeResult{Series: t.Series, Target: t.Target, Prober: t.Prober, At: o.At, Success: o.Success,
		Duration: o.Duration, StatusCode: o.StatusCode, CertExpiry: o.CertExpiry}
	if r.CertExpiry.IsZero() {
		// A failed handshake shows no certificate: keep the last one seen, so that an expired
		// certificate (which fails every probe) stays visible to the expiry alert.
		r.CertExpiry = prev.CertExpiry
	}
	s.last[t.Series] = r
	switch {
	case !o.Success && !s.down[t.Series]:
		s.down[t.Series] = true
		s.logger.Info("target down", "series", t.Series, "target", t.Target, "detail", o.Detail)
	case o.Success && s.down[t.Series]:
		delete(s.down, t.Series)
		s.logger.Info("target up", "series", t.Series, "target", t.Target)
	case !o.Success:
		s.logger.Debug("target still down", "series", t.Series, "target", t.Target, "detail", o.Detail)
	}
}

// Take returns the outcomes kept since the last Take, in the order they came, and forgets them.
func (s *Scheduler) Take() []Outcome {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

// Requeue puts outcomes taken but not delivered back before those kept since.
func (s *Scheduler) Requeue(o []Outcome) {
	if len(o) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(slices.Clone(o), s.pending...)
}

// Last returns every target's last result that ran, sorted by series and target; a target
// whose probes have not run yet has a zero At.
func (s *Scheduler) Last() []collector.ProbeResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]collector.ProbeResult, 0, len(s.targets))
	for _, t := range s.targets {
		r, ok := s.last[t.Series]
		if !ok {
			r = collector.ProbeResult{Series: t.Series, Target: t.Target, Prober: t.Prober}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b collector.ProbeResult) int {
		return cmp.Or(strings.Compare(a.Series, b.Series), strings.Compare(a.Target, b.Target))
	})
	return out
}

// Close stops the probes, waits for their goroutines to end and drops what was not taken. It
// may be called more than once.
func (s *Scheduler) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.cancel != nil {
		s.cancel()
	}
	s.closeFirst()
	s.pending = nil
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}
