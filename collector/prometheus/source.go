package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// Kind is the prometheus source kind, for the table in collector/sources.
var Kind = collector.Kind{New: New}

// Source reads availability and event series from a server with Prometheus' HTTP API.
type Source struct {
	s      *settings
	client *client
	logger *slog.Logger
	now    func() time.Time
	// clock measures how long chunks take, against the sync's deadline (tests replace it).
	clock func() time.Time

	// stats are read by the runner's status while a sync runs.
	mu    sync.Mutex
	stats collector.APIStats
}

var (
	_ collector.Source      = (*Source)(nil)
	_ io.Closer             = (*Source)(nil)
	_ apisource.StatsSource = (*Source)(nil)
)

// New decodes a `prometheus:` block strictly and builds the source. It makes no request: a
// configuration can be checked without reaching the server.
func New(node *yaml.Node, opts collector.Options) (collector.Source, error) {
	if node == nil {
		return nil, fmt.Errorf("the prometheus source needs a `prometheus:` block with at least url and availability or events")
	}
	cfg := Config{HTTPClientConfig: config.DefaultHTTPClientConfig}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	s, err := compile(node, &cfg, opts)
	if err != nil {
		return nil, apisource.ScrubConfigError(node, err)
	}
	return newSource(s, opts), nil
}

// NewFromConfig builds the source from a Config made in code (tests, tools); its errors name the
// key without a line. cfg.HTTPClientConfig is used as given: start it from
// config.DefaultHTTPClientConfig for the defaults a configuration file gets.
func NewFromConfig(cfg Config, opts collector.Options) (*Source, error) {
	s, err := compile(nil, &cfg, opts)
	if err != nil {
		return nil, err
	}
	return newSource(s, opts), nil
}

func newSource(s *settings, opts collector.Options) *Source {
	opts = apisource.WithDefaults(opts)
	return &Source{s: s, client: &client{s: s, requests: opts.Requests}, logger: opts.Logger, now: opts.Now, clock: time.Now}
}

// Close drops idle connections.
func (src *Source) Close() error {
	src.client.close()
	return nil
}

// APIStats returns the source's counters: syncs, early stops (a backfill continued by the next
// sync) and the watermark, the end of the last slice read.
func (src *Source) APIStats() collector.APIStats {
	src.mu.Lock()
	defer src.mu.Unlock()
	return src.stats
}

// count records the end of a sync that returned a batch.
func (src *Source) count(reached time.Time, early bool) {
	src.mu.Lock()
	defer src.mu.Unlock()
	src.stats.Syncs++
	if early {
		src.stats.EarlyStops++
	}
	if !reached.IsZero() {
		src.stats.Watermark = reached
	}
}

// checkpoint is what a sync resumes from: the end of the last complete slice read.
type checkpoint struct {
	End time.Time `json:"end"`
}

// settleDelay is how long after a slice ends it is read: the evaluations at its end read the
// scrapes of the last resolution, which must have reached the server. Later data is caught by
// the overlap.
func (s *settings) settleDelay() time.Duration { return s.res }

// floor aligns t down to a multiple of step since the epoch.
func (s *settings) floor(t time.Time) time.Time {
	ms := t.UnixMilli()
	step := s.step.Milliseconds()
	ms -= ((ms % step) + step) % step
	return time.UnixMilli(ms).UTC()
}

// Sync reads the complete slices since the checkpoint (less the overlap), or the backfill on the
// first sync, in chunks; when the sync's time runs short it returns the chunks read with More,
// and the next sync goes on from there.
func (src *Source) Sync(ctx context.Context, cp []byte) (collector.Batch, error) {
	s := src.s
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, src.errorf("%w", err)
	}
	now := src.now()
	end := s.floor(now.Add(-s.settleDelay()))
	var start, denseTo time.Time
	var prev checkpoint
	if len(cp) > 0 {
		if err := json.Unmarshal(cp, &prev); err != nil || prev.End.IsZero() {
			src.logger.Warn("checkpoint unreadable, reading the backfill again", "checkpoint", string(cp))
			prev = checkpoint{}
		}
	}
	if prev.End.IsZero() {
		start = s.floor(s.backfill.start(now))
	} else {
		if !end.After(prev.End) {
			// No slice completed since: nothing to read.
			src.count(time.Time{}, false)
			return collector.Batch{Checkpoint: cp}, nil
		}
		start, denseTo = s.floor(prev.End.Add(-s.overlap)), prev.End
	}
	if !end.After(start) {
		// A backfill shorter than what has settled: nothing complete to read yet.
		return collector.Batch{Checkpoint: encodeCheckpoint(start)}, nil
	}

	b := newBatchBuilder(s)
	chunk := time.Duration(s.chunkSteps) * s.step
	var last time.Duration
	var reached time.Time
	more := false
	for from := start; from.Before(end); from = from.Add(chunk) {
		if !reached.IsZero() && src.short(ctx, last) {
			more = true
			break
		}
		to := from.Add(chunk)
		if to.After(end) {
			to = end
		}
		g := grid{from: from, to: to, step: s.step}
		began := src.clock()
		if err := src.readChunk(ctx, g, denseTo, b); err != nil {
			if !reached.IsZero() && ctx.Err() == context.DeadlineExceeded {
				// The sync's time ran out in this chunk: the chunks before it are complete.
				more = true
				break
			}
			return collector.Batch{}, src.errorf("%w", err)
		}
		last = src.clock().Sub(began)
		reached = g.to
	}
	src.count(reached, more)
	return b.batch(reached, more), nil
}

// short says whether the sync's deadline leaves too little time for another chunk, judged by the
// last one (twice its time, for a margin).
func (src *Source) short(ctx context.Context, last time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return ok && deadline.Sub(src.clock()) < 2*last
}

func (src *Source) errorf(format string, args ...any) error {
	return fmt.Errorf("prometheus source %q: "+format, append([]any{src.s.name}, args...)...)
}

func encodeCheckpoint(end time.Time) []byte {
	b, _ := json.Marshal(checkpoint{End: end.UTC()})
	return b
}

// span words a chunk's range in errors.
func (g grid) String() string {
	return "[" + g.from.UTC().Format(time.RFC3339) + ", " + g.to.UTC().Format(time.RFC3339) + ")"
}

// readChunk runs the queries of every entry over one chunk and adds what they gave to b, once
// all of them have answered: a chunk is added whole or not at all.
func (src *Source) readChunk(ctx context.Context, g grid, denseTo time.Time, b *batchBuilder) error {
	s := src.s
	var pending []func()
	for _, e := range s.avail {
		name := entryName("availability", e.index, e.series, e.label)
		qs := newAvailQueries(e.query, e.label, s.step, s.res)
		r := v1.Range{Start: g.from.Add(s.step), End: g.to, Step: s.step}
		counts := map[string][]sliceCounts{}
		for _, q := range []struct {
			role, query string
			set         func(*sliceCounts, float64)
		}{
			{"count", qs.count, func(c *sliceCounts, v float64) { c.count = v }},
			{"ones", qs.ones, func(c *sliceCounts, v float64) { c.ones = v }},
			{"invalid", qs.invalid, func(c *sliceCounts, v float64) { c.invalid = v }},
		} {
			what := fmt.Sprintf("%s %s query over %s", name, q.role, g)
			m, err := src.client.queryRange(ctx, what, q.query, r)
			if err != nil {
				return err
			}
			unlabelled, err := decodeCounts(m, e.label, e.series, g, counts, q.set)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if unlabelled > 0 && q.role == "count" {
				pending = append(pending, func() { b.unlabelled("availability", e.index, e.label, unlabelled) })
			}
		}
		if e.series != "" && counts[e.series] == nil {
			// The expression gave nothing over the whole chunk: every slice is missing.
			c := make([]sliceCounts, g.slices())
			for i := range c {
				c[i].count = -1
			}
			counts[e.series] = c
		}
		c := sliceSamples(e, g, counts, s.res, denseTo)
		pending = append(pending, func() { b.addAvailability(e, g, c) })
	}
	lookback := s.eventLookback()
	for _, e := range s.events {
		name := entryName("events", e.index, e.series, e.label)
		total, other, unlabelled, err := src.readEvents(ctx, name, e, g, lookback)
		if err != nil {
			return err
		}
		if unlabelled > 0 {
			pending = append(pending, func() { b.unlabelled("events", e.index, e.label, unlabelled) })
		}
		c := eventBuckets(e, g, total, other)
		pending = append(pending, func() { b.addEvents(e, c) })
	}
	for _, add := range pending {
		add()
	}
	b.endChunk(g.to)
	return nil
}

// readEvents reads one chunk of an events entry, in its form: the group's total and good (or bad)
// counts per bucket, and how many result series lacked the fan-out label.
func (src *Source) readEvents(ctx context.Context, name string, e eventEntry, g grid, lookback time.Duration) (total, other map[string]*bucketSums, unlabelled int, err error) {
	if e.form == formLatency {
		return src.readLatency(ctx, name, e, g, lookback)
	}
	var sums [2]map[string]*bucketSums
	for k, q := range []struct{ key, query string }{{e.totalKey, e.total}, {e.otherKey, e.goodSel}} {
		var n int
		switch e.form {
		case formWindowed:
			sums[k], n, err = src.readWindowed(ctx, fmt.Sprintf("%s %s over %s", name, q.key, g), q.query, e, g)
		case formCounter:
			sums[k], n, err = src.readCounter(ctx, fmt.Sprintf("%s %s over %s", name, q.key, g), q.query, e, g)
		default:
			query, at := rawQuery(q.query, g.from.Add(-lookback), g.to)
			var m model.Matrix
			if m, err = src.client.queryAt(ctx, fmt.Sprintf("%s %s samples over %s", name, q.key, g), query, at); err == nil {
				sums[k], n = sumIncreases(m, e.label, e.series, g, lookback)
			}
		}
		if err != nil {
			return nil, nil, 0, err
		}
		if k == 0 {
			unlabelled = n
		}
	}
	return sums[0], sums[1], unlabelled, nil
}

// batchBuilder gathers the chunks of a sync.
type batchBuilder struct {
	s        *settings
	samples  map[string][]availability.Sample
	buckets  map[string][]events.Bucket
	rejected []collector.Rejection
	// owner names the entry each series came from, to refuse a second one giving it.
	availOwner, eventOwner map[string]int
	// touched are the availability series of the current chunk.
	touched map[string]bool
	// warned keeps each conflict and unlabelled rejection to one per sync.
	warned map[string]bool
}

func newBatchBuilder(s *settings) *batchBuilder {
	return &batchBuilder{s: s, samples: map[string][]availability.Sample{}, buckets: map[string][]events.Bucket{},
		availOwner: map[string]int{}, eventOwner: map[string]int{}, touched: map[string]bool{}, warned: map[string]bool{}}
}

// own says whether entry i may give series name (the first entry to give it owns it).
func (b *batchBuilder) own(kind string, owners map[string]int, i int, name string) bool {
	o, ok := owners[name]
	if !ok {
		owners[name] = i
		return true
	}
	if o == i {
		return true
	}
	if key := fmt.Sprintf("%s %d %s", kind, i, name); !b.warned[key] {
		b.warned[key] = true
		b.rejected = append(b.rejected, collector.Rejection{
			Where:   fmt.Sprintf("%s[%d] series %s", kind, i, name),
			Reason:  fmt.Sprintf("%s[%d] gives series %s already: left out", kind, o, name),
			Rule:    "a series comes from one entry",
			Setting: fmt.Sprintf("prometheus.%s[%d]", kind, i),
		})
	}
	return false
}

func (b *batchBuilder) unlabelled(kind string, i int, label string, n int) {
	key := fmt.Sprintf("unlabelled %s %d", kind, i)
	if b.warned[key] {
		return
	}
	b.warned[key] = true
	b.rejected = append(b.rejected, collector.Rejection{
		Where:   fmt.Sprintf("%s[%d]", kind, i),
		Reason:  fmt.Sprintf("%d result series without the label %s: left out", n, label),
		Rule:    "fan-out series need the series_label",
		Setting: fmt.Sprintf("prometheus.%s[%d].series_label", kind, i),
	})
}

func (b *batchBuilder) addAvailability(e availEntry, g grid, c availChunk) {
	b.rejected = append(b.rejected, c.rejected...)
	for _, name := range slices.Sorted(maps.Keys(c.samples)) {
		if !b.own("availability", b.availOwner, e.index, name) {
			continue
		}
		out := b.samples[name]
		for _, x := range c.samples[name] {
			out = appendSample(out, x, false) // the chunk's first sample replaces the last one's closing Unknown
		}
		b.samples[name] = out
		b.touched[name] = true
	}
}

func (b *batchBuilder) addEvents(e eventEntry, c eventChunk) {
	b.rejected = append(b.rejected, c.rejected...)
	for _, name := range slices.Sorted(maps.Keys(c.buckets)) {
		if b.own("events", b.eventOwner, e.index, name) {
			b.buckets[name] = append(b.buckets[name], c.buckets[name]...)
		}
	}
}

// endChunk closes the chunk's availability series with an Unknown sample at its end, so that no
// sample stretches over time not read yet (the next chunk, or the next sync, writes its own
// sample at that instant, which replaces it).
func (b *batchBuilder) endChunk(to time.Time) {
	for name := range b.touched {
		b.samples[name] = appendSample(b.samples[name], availability.Sample{At: to, State: availability.Unknown}, true)
	}
	clear(b.touched)
}

func (b *batchBuilder) batch(reached time.Time, more bool) collector.Batch {
	out := collector.Batch{Rejected: b.rejected, Checkpoint: encodeCheckpoint(reached), More: more}
	for _, name := range slices.Sorted(maps.Keys(b.samples)) {
		out.Uptime = append(out.Uptime, collector.UptimeSeries{Series: name, Samples: b.samples[name]})
	}
	for _, name := range slices.Sorted(maps.Keys(b.buckets)) {
		out.Events = append(out.Events, collector.EventSeries{Series: name, Buckets: b.buckets[name]})
	}
	return out
}
