package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Kind is the demo source kind, for the table of kinds in collector/sources.
var Kind = collector.Kind{New: New}

// Config is the `demo:` block of a source. Every field is optional.
type Config struct {
	// Seed chooses the world: the same seed and clock give the same tickets, samples and
	// counts. Default 1.
	Seed uint64 `yaml:"seed"`
	// History is how far back the first sync reaches. Default 100d: the last full calendar
	// month and three before it, so monthly periods and trends have finished data at once.
	History model.Duration `yaml:"history"`
	// Scale multiplies the ticket volume (incidents, requests and changes), in (0, MaxScale].
	// Default 1: about 60 tickets on a business day, 10 on a weekend day.
	Scale float64 `yaml:"scale"`
}

// Defaults and limits of Config.
const (
	DefaultSeed    = 1
	DefaultHistory = model.Duration(100 * 24 * time.Hour)
	DefaultScale   = 1.0
	// MaxHistory keeps the first batch within about 100 MB (three sample series and one event
	// series of a minute each, over a year).
	MaxHistory = model.Duration(366 * 24 * time.Hour)
	// MaxScale is about 6,000 tickets a business day.
	MaxScale = 100.0
)

// DefaultConfig is the configuration of a `demo:` block left empty.
func DefaultConfig() Config {
	return Config{Seed: DefaultSeed, History: DefaultHistory, Scale: DefaultScale}
}

// New builds a demo source from its `demo:` block (nil when absent). It only checks the settings:
// the world is generated as syncs ask for it.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	cfg := DefaultConfig()
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	if err := cfg.validate(node); err != nil {
		return nil, err
	}
	if _, err := location(); err != nil {
		return nil, err
	}
	return newSource(cfg, opts), nil
}

func newSource(cfg Config, opts collector.Options) *Source {
	s := &Source{cfg: cfg, name: opts.Name, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// validate checks the decoded values; errors name the line of the key (when there is one) and
// the field, as DecodeStrict's do.
func (c Config) validate(node *yaml.Node) error {
	fail := func(field, format string, args ...any) error {
		msg := field + ": " + fmt.Sprintf(format, args...)
		if line := collector.LineOf(node, field); line > 0 {
			return fmt.Errorf("line %d: %s", line, msg)
		}
		return errors.New(msg)
	}
	if c.History <= 0 {
		return fail("history", "%s is not positive", c.History)
	}
	if c.History > MaxHistory {
		return fail("history", "%s is longer than the %s allowed", days(c.History), days(MaxHistory))
	}
	if !(c.Scale > 0 && c.Scale <= MaxScale) { // negated: NaN fails too
		return fail("scale", "%g is not in (0, %g]: it multiplies the ticket volume, 1 is about 60 tickets a business day", c.Scale, MaxScale)
	}
	return nil
}

// days writes a duration of whole days in days ("400d", where model.Duration says "1y35d").
func days(d model.Duration) string {
	const day = model.Duration(24 * time.Hour)
	if d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return d.String()
}

// Source generates the demo world. It is safe for concurrent use; syncs are serialized.
type Source struct {
	cfg  Config
	name string
	log  *slog.Logger
	now  func() time.Time

	mu  sync.Mutex
	sim *sim
	// days caches the tickets of the civil days that may still change (a ticket's whole future
	// is generated with it); older days are dropped after each sync.
	days map[int64][]*simTicket
}

// world builds the simulation on first use.
func (s *Source) world() (*sim, error) {
	if s.sim != nil {
		return s.sim, nil
	}
	loc, err := location()
	if err != nil {
		return nil, err
	}
	cal, err := businessCalendar()
	if err != nil {
		return nil, fmt.Errorf("demo: business calendar: %w", err)
	}
	s.sim = &sim{seed: s.cfg.Seed, scale: s.cfg.Scale, loc: loc, cal: cal}
	s.days = map[int64][]*simTicket{}
	return s.sim, nil
}

// Sync returns what happened in the demo world since the checkpoint, up to the clock's now
// (truncated to the second). The first sync (no checkpoint, or one of another seed or scale, or
// unreadable) returns the last History as a full snapshot (Replace):
//   - every ticket with anything happening in that span, as known at now;
//   - one sample per minute and series in it;
//   - the api's request counts of the minutes that ended in it.
//
// A later sync returns the tickets with anything happening after the checkpoint (created, a status
// change, a first response, a hand-over, a rating), as known at now, and the samples and counts
// after the checkpoint. Nothing later than now is ever returned: a ticket's future is decided
// when it is created, and revealed as the clock reaches it.
func (s *Source) Sync(ctx context.Context, checkpoint []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, err := s.world()
	if err != nil {
		return collector.Batch{}, err
	}
	now := s.now()
	if now.Before(minClock) || !now.Before(maxClock) {
		return collector.Batch{}, fmt.Errorf("demo: the clock reads %s, outside the %d-%d the simulation covers",
			now.UTC().Format(time.RFC3339), minClock.Year(), maxClock.Year()-1)
	}
	hi := now.Unix()

	full := true
	lo := hi - int64(time.Duration(s.cfg.History)/time.Second) - 1
	if checkpoint != nil {
		last, err := s.parseCheckpoint(checkpoint)
		switch {
		case err != nil:
			s.log.Warn("Starting the demo world over", "reason", err)
		case hi <= last:
			// Nothing happened yet (or the clock went back): keep the checkpoint.
			return collector.Batch{Checkpoint: append([]byte(nil), checkpoint...)}, nil
		default:
			// After a stop longer than the history, the older part of the gap is not
			// back-filled: no sync returns more than History, which bounds its memory.
			full, lo = false, max(last, lo)
		}
	}

	b := collector.Batch{Replace: full, Checkpoint: s.checkpoint(hi)}
	if b.Tickets, err = s.tickets(ctx, w, lo, hi); err != nil {
		return collector.Batch{}, err
	}
	// Samples of the minutes starting in (lo, hi]; counts of the minutes ending in it (a full
	// sync: starting after lo and ending by hi).
	m0, m1 := floorDiv(lo, 60)+1, floorDiv(hi, 60)+1
	for i, name := range seriesNames {
		if err := ctx.Err(); err != nil {
			return collector.Batch{}, err
		}
		if samples := w.samples(i, m0, m1); len(samples) > 0 {
			b.Uptime = append(b.Uptime, collector.UptimeSeries{Series: name, Samples: samples})
		}
	}
	b0 := floorDiv(lo, 60)
	if full {
		b0++
	}
	if buckets := w.requests(b0, floorDiv(hi, 60)); len(buckets) > 0 {
		b.Events = append(b.Events, collector.EventSeries{Series: SeriesAPIRequests, Buckets: buckets})
	}
	s.log.Debug("Demo sync", "full", full, "now", now.UTC(), "tickets", len(b.Tickets), "minutes", m1-m0)
	return b, nil
}

// tickets returns the tickets with something happening in (lo, hi], as known at hi.
func (s *Source) tickets(ctx context.Context, w *sim, lo, hi int64) ([]ticket.Ticket, error) {
	var out []ticket.Ticket
	last := dayOf(hi, w.loc)
	for day := dayOf(lo-maxLife, w.loc); day <= last; day++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ts, ok := s.days[day]
		if !ok {
			ts = w.day(day)
			s.days[day] = ts
		}
		for _, t := range ts {
			if t.created <= hi && t.changedIn(lo, hi) {
				out = append(out, t.reveal(hi))
			}
		}
	}
	// A ticket of a day before this one is over by hi: the next sync starts after hi.
	keep := dayOf(hi-maxLife, w.loc) - 1
	for day := range s.days {
		if day < keep {
			delete(s.days, day)
		}
	}
	return out, nil
}

// The checkpoint is text: the last instant returned, and the seed and scale of the world it
// belongs to, e.g. "2026-03-01T10:00:00Z seed=1 scale=1".
func (s *Source) checkpoint(hi int64) []byte {
	return fmt.Appendf(nil, "%s seed=%d scale=%s", time.Unix(hi, 0).UTC().Format(time.RFC3339),
		s.cfg.Seed, strconv.FormatFloat(s.cfg.Scale, 'g', -1, 64))
}

// parseCheckpoint returns the checkpoint's instant, or why it cannot be resumed from.
func (s *Source) parseCheckpoint(cp []byte) (int64, error) {
	f := strings.Fields(string(cp))
	if len(f) != 3 || !strings.HasPrefix(f[1], "seed=") || !strings.HasPrefix(f[2], "scale=") {
		return 0, fmt.Errorf("checkpoint %q is not <time> seed=<n> scale=<x>", cp)
	}
	at, err := time.Parse(time.RFC3339, f[0])
	if err != nil {
		return 0, fmt.Errorf("checkpoint %q: %w", cp, err)
	}
	seed, err := strconv.ParseUint(strings.TrimPrefix(f[1], "seed="), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("checkpoint %q: seed: %w", cp, err)
	}
	scale, err := strconv.ParseFloat(strings.TrimPrefix(f[2], "scale="), 64)
	if err != nil || math.IsNaN(scale) {
		return 0, fmt.Errorf("checkpoint %q: scale is not a number", cp)
	}
	if seed != s.cfg.Seed || scale != s.cfg.Scale {
		return 0, fmt.Errorf("checkpoint is of seed %d scale %g, the configuration says seed %d scale %g", seed, scale, s.cfg.Seed, s.cfg.Scale)
	}
	return at.Unix(), nil
}
