package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// firstRoundMargin is kept free before the sync's deadline when the first sync waits for the
// first probes, to return what came by then.
const firstRoundMargin = time.Second

// maxPending bounds the outcomes a source keeps while its syncs fail or its batches are not
// committed; past it the oldest go, with a warning. A day of 30-second probes of 40 targets
// fits.
var maxPending = 120_000

// errRestartGap marks the Unknown sample at the slot after the last probe before a restart: the
// probes did not run while the exporter was stopped.
var errRestartGap = errors.New("the exporter was not running")

// Source is a probing source (kinds probe and blackbox): a Scheduler whose outcomes each Sync
// turns into samples, one per probe at its start: Up when it succeeded, Down when it failed,
// Unknown (missing data) when it could not run.
//
// The first Sync starts the probes and waits for each target's first one (within the sync's
// time), so that even a one-off check sees data. When a sync's batch is not committed (the
// runner hands the previous checkpoint back), its samples are sent again with the next, and
// when no probe could run since the last sync, Sync fails with the reasons and keeps the
// outcomes for the next one.
type Source struct {
	sched   *Scheduler
	logger  *slog.Logger
	clock   collector.Clock
	onClose []func()

	mu      sync.Mutex
	started bool
	// sent holds the outcomes of the last batch returned, and sentCheckpoint its checkpoint:
	// until a Sync is given that checkpoint back, the batch was not committed and they are
	// sent again.
	sent           []Outcome
	sentCheckpoint []byte
	// cp is the checkpoint state as of the last batch returned.
	cp checkpoint
}

var (
	_ collector.Source = (*Source)(nil)
	_ io.Closer        = (*Source)(nil)
)

// NewSource returns the source probing targets (with unique series). clock nil is the system
// clock. Nothing runs before the first Sync.
func NewSource(targets []Target, opts collector.Options, clock collector.Clock) *Source {
	if clock == nil {
		clock = collector.SystemClock{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Source{sched: NewScheduler(targets, clock, logger), logger: logger, clock: clock}
}

// checkpoint is what a probing source resumes from: when each target was last probed, so that
// the first sync after a restart marks the time the exporter was stopped as missing, and a
// sequence number telling one batch from the next.
type checkpoint struct {
	Seq  uint64               `json:"seq"`
	Last map[string]time.Time `json:"last,omitempty"`
}

// Scheduler is the source's scheduler.
func (s *Source) Scheduler() *Scheduler { return s.sched }

// ProbeResults returns every target's last result that ran, for sla_probe_*.
func (s *Source) ProbeResults() []collector.ProbeResult { return s.sched.Last() }

// OnClose adds f to what Close does once the probes stopped (a prober's client dropping its
// idle connections).
func (s *Source) OnClose(f func()) { s.onClose = append(s.onClose, f) }

// Close stops the probes.
func (s *Source) Close() error {
	err := s.sched.Close()
	for _, f := range s.onClose {
		f()
	}
	return err
}

// Sync returns the samples of the probes run since the last sync.
func (s *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var resend []Outcome
	switch {
	case !s.started:
		s.started = true
		s.resume(cp)
		s.sched.Start()
		if err := s.waitFirstRound(ctx); err != nil {
			return collector.Batch{}, fmt.Errorf("waiting for the first probes: %w", err)
		}
	case bytes.Equal(cp, s.sentCheckpoint):
		s.sent = nil // committed
	default:
		resend = s.sent // not committed: the runner handed the previous checkpoint back
	}
	got := s.sched.Take()
	if err := noneRan(got); err != nil {
		s.sched.Requeue(s.bound(collapse(got)))
		return collector.Batch{}, err
	}
	// Bounded: a store that cannot write has every batch sent again, growing.
	all := s.bound(collapse(append(slices.Clone(resend), got...)))
	next := checkpoint{Seq: s.cp.Seq + 1, Last: map[string]time.Time{}}
	for k, v := range s.cp.Last {
		next.Last[k] = v
	}
	byKey := map[string][]availability.Sample{}
	for _, o := range all {
		byKey[o.Series] = append(byKey[o.Series], availability.Sample{At: o.At, State: o.state()})
		if o.At.After(next.Last[o.Series]) {
			next.Last[o.Series] = o.At
		}
	}
	data, err := json.Marshal(next)
	if err != nil {
		return collector.Batch{}, err
	}
	b := collector.Batch{Checkpoint: data}
	for _, t := range s.sched.targets {
		if samples := byKey[t.Series]; len(samples) > 0 {
			b.Uptime = append(b.Uptime, collector.UptimeSeries{Series: t.Series, Samples: samples})
		}
	}
	s.cp, s.sent, s.sentCheckpoint = next, all, data
	return b, nil
}

// resume reads the checkpoint of the first sync and queues, for each target probed before, an
// Unknown sample one interval after its last probe: without it the last sample before a
// restart would hold over the time the exporter was stopped (up to the objective's
// max_sample_age). The first probe after the restart comes after it, since probes start now.
func (s *Source) resume(cp []byte) {
	s.cp = checkpoint{}
	if len(cp) > 0 {
		if err := json.Unmarshal(cp, &s.cp); err != nil {
			s.logger.Warn("checkpoint unreadable, resuming without it", "err", err)
			s.cp = checkpoint{}
		}
	}
	now := s.clock.Now()
	var gaps []Outcome
	for _, t := range s.sched.targets {
		last, ok := s.cp.Last[t.Series]
		if gap := last.Add(t.Interval); ok && gap.Before(now) {
			gaps = append(gaps, Outcome{Series: t.Series, At: gap, Err: errRestartGap})
		}
	}
	s.sched.Requeue(gaps)
}

// waitFirstRound waits until every target was probed once, or until shortly before ctx's
// deadline (what came by then is returned, the rest comes with the next sync).
func (s *Source) waitFirstRound(ctx context.Context) error {
	var cut <-chan time.Time
	if dl, ok := ctx.Deadline(); ok {
		d := time.Until(dl) - firstRoundMargin
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		cut = t.C
	}
	select {
	case <-s.sched.FirstRound():
	case <-cut:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// bound drops the oldest outcomes past maxPending.
func (s *Source) bound(o []Outcome) []Outcome {
	if len(o) <= maxPending {
		return o
	}
	s.logger.Warn("outcomes of probes kept while syncs fail: dropping the oldest", "dropped", len(o)-maxPending, "kept", maxPending)
	return o[len(o)-maxPending:]
}

// state is the sample an outcome makes.
func (o *Outcome) state() availability.State {
	switch {
	case o.Err != nil:
		return availability.Unknown
	case o.Success:
		return availability.Up
	default:
		return availability.Down
	}
}

// collapse drops the Unknown outcomes that follow an Unknown one of the same series: Unknown
// holds until the next sample, so they add nothing. Order is kept.
func collapse(o []Outcome) []Outcome {
	lastUnknown := map[string]bool{}
	out := o[:0:0]
	for _, x := range o {
		unknown := x.Err != nil
		if unknown && lastUnknown[x.Series] {
			continue
		}
		lastUnknown[x.Series] = unknown
		out = append(out, x)
	}
	return out
}

// noneRan returns an error naming the reasons when outcomes holds probes and none of them ran:
// the source then reads down with why (a blackbox_exporter that is down), rather than up with
// nothing but missing data.
func noneRan(o []Outcome) error {
	reasons := map[string]string{}
	probes := 0
	for _, x := range o {
		if errors.Is(x.Err, errRestartGap) {
			continue
		}
		probes++
		if x.Err == nil {
			return nil
		}
		if _, ok := reasons[x.Series]; !ok {
			reasons[x.Series] = x.Err.Error()
		}
	}
	if probes == 0 {
		return nil
	}
	series := make([]string, 0, len(reasons))
	for k := range reasons {
		series = append(series, k)
	}
	slices.Sort(series)
	const show = 3
	parts := make([]string, 0, show+1)
	for i, k := range series {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(series)-show))
			break
		}
		parts = append(parts, fmt.Sprintf("%s: %s", k, reasons[k]))
	}
	return fmt.Errorf("no probe could run since the last sync (%d tried): %s", probes, strings.Join(parts, "; "))
}
