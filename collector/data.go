package collector

import (
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Data is what the sources collected, as an evaluation reads it (see Runner.Read). Everything in
// it is shared with the runner and valid only during the Read call: read it, never modify or
// keep it.
type Data struct {
	// Tickets holds each source's tickets, by source name. Sources without tickets have an empty
	// store, so a configured source never reads as nil.
	Tickets map[string]*ticket.Store
	// Uptime holds availability series by qualified name (SeriesName).
	Uptime map[string]*Uptime
	// Events holds event series by qualified name (SeriesName).
	Events map[string]*EventCounts
	// LastSuccess is when each source last synced successfully (zero when it never did), by
	// source name: the evaluation marks objectives no_data when it is older than the staleness
	// limit, and it survives restarts.
	LastSuccess map[string]time.Time
	// Gen grows with every sync outcome applied (data committed, a sync failed or refused), so
	// a reader can tell whether what it read reflects a given outcome.
	Gen uint64
}

// SeriesName qualifies a source's series name with the source's, as Data's maps are keyed:
// "source/series". Source names cannot contain "/", so the first one separates them.
func SeriesName(source, series string) string { return source + "/" + series }

// Uptime is one availability series. The slices are in time order without duplicate instants.
type Uptime struct {
	Samples []availability.Sample
	Outages []availability.Outage
	// Maintenance is what the source reported as maintenance, in start order.
	Maintenance []availability.Window
	// Covered is the time the outages describe, merged.
	Covered []Span
	// Series is the data as the engine takes it, built once per change: from the samples when
	// there are any, else from the outages over the spans of Covered, the time between them
	// missing (a source that restarted without its checkpoint cannot vouch for it).
	Series *availability.Series
}

// Span is the time range [From, To).
type Span = store.Span

// EventCounts is one event series.
type EventCounts struct {
	// Buckets are in start order, one per start.
	Buckets []events.Bucket
	// Series is the data as the engine takes it, built once per change.
	Series *events.Series
}

// sourceData is one source's part of Data.
type sourceData struct {
	tickets *ticket.Store
	uptime  map[string]*Uptime
	events  map[string]*EventCounts
}

func newSourceData(opts ticket.StoreOptions) *sourceData {
	return &sourceData{tickets: ticket.NewStore(opts), uptime: map[string]*Uptime{}, events: map[string]*EventCounts{}}
}

// records is what sla_source_records counts.
func (d *sourceData) records() int {
	n := d.tickets.Len()
	for _, u := range d.uptime {
		n += len(u.Samples) + len(u.Outages) + len(u.Maintenance)
	}
	for _, e := range d.events {
		n += len(e.Buckets)
	}
	return n
}

// applyUptime merges a series' new samples, outages, maintenance and coverage and rebuilds its
// Series.
func (d *sourceData) applyUptime(name string, samples []availability.Sample, outages []availability.Outage, maint []availability.Window, covered []Span) error {
	u := d.uptime[name]
	if u == nil {
		u = &Uptime{}
		d.uptime[name] = u
	}
	u.Samples = mergeByTime(u.Samples, samples, func(s availability.Sample) time.Time { return s.At })
	u.Outages = mergeByTime(u.Outages, outages, func(o availability.Outage) time.Time { return o.Start })
	u.Maintenance = mergeByTime(u.Maintenance, maint, func(w availability.Window) time.Time { return w.Start })
	if len(covered) > 0 {
		u.Covered = store.MergeSpans(append(u.Covered, covered...))
	}
	return u.build()
}

func (u *Uptime) build() error {
	var (
		s   availability.Series
		err error
	)
	switch {
	case len(u.Samples) > 0:
		s, err = availability.FromSamples(u.Samples)
	case len(u.Outages) > 0 || len(u.Covered) > 0 || len(u.Maintenance) > 0:
		covered := make([]availability.Window, len(u.Covered))
		for i, c := range u.Covered {
			covered[i] = availability.Window{Start: c.From, End: c.To}
		}
		s, err = availability.FromOutagesCovered(u.Outages, covered)
	}
	if err == nil && len(u.Maintenance) > 0 {
		s, err = s.WithMaintenance(u.Maintenance)
	}
	if err != nil {
		u.Series = nil
		return err
	}
	u.Series = &s
	return nil
}

// applyEvents merges a series' new buckets (a bucket replaces the one with the same start) and
// rebuilds its Series.
func (d *sourceData) applyEvents(name string, buckets []events.Bucket) error {
	e := d.events[name]
	if e == nil {
		e = &EventCounts{}
		d.events[name] = e
	}
	e.Buckets = mergeByTime(e.Buckets, buckets, func(b events.Bucket) time.Time { return b.Start })
	s, err := events.New(e.Buckets)
	e.Series = s
	return err
}

// mergeByTime merges add into have (both keyed by the instant key returns; have sorted and
// without duplicates) and returns the result, sorted and without duplicates: an element of add
// replaces one of have at the same instant, and within add the last one wins. The common case
// of an incremental sync, new data after the old, appends in place.
func mergeByTime[T any](have, add []T, key func(T) time.Time) []T {
	if len(add) == 0 {
		return have
	}
	add = slices.Clone(add)
	slices.SortStableFunc(add, func(a, b T) int { return key(a).Compare(key(b)) })
	// Keep the last of equal instants within add.
	j := 0
	for i := range add {
		if j > 0 && key(add[j-1]).Equal(key(add[i])) {
			add[j-1] = add[i]
			continue
		}
		add[j] = add[i]
		j++
	}
	add = add[:j]
	if len(have) == 0 || key(have[len(have)-1]).Before(key(add[0])) {
		return append(have, add...)
	}
	out := make([]T, 0, len(have)+len(add))
	i, k := 0, 0
	for i < len(have) && k < len(add) {
		switch c := key(have[i]).Compare(key(add[k])); {
		case c < 0:
			out = append(out, have[i])
			i++
		case c > 0:
			out = append(out, add[k])
			k++
		default:
			out = append(out, add[k])
			i++
			k++
		}
	}
	out = append(out, have[i:]...)
	return append(out, add[k:]...)
}
