package file

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
)

// seriesName is a row's series: its column, else the constant, else the source's name.
func (rd *reading) seriesName(rw *row) string {
	if c := rw.cells[sSeries]; c.ok {
		return rd.intern(c.v)
	}
	if s := rd.plan.constants.Series; s != "" {
		return s
	}
	return rd.plan.seriesDef
}

// seriesRow rejects an uptime or event row that did not read or whose cells are not plain values;
// ok says the row can be parsed further, collecting its problems in ps.
func (rd *reading) seriesRow(rw *row) (ps problems, ok bool) {
	if rw.err != "" {
		rd.reject(rw.file, rw.line, rw.err)
		return nil, false
	}
	if ps = rd.cellProblems(rw); len(ps) > 0 {
		rd.rejectRow(rw.file, rw.line, ps)
		return nil, false
	}
	return ps, true
}

// cellProblems reports the cells a JSON record holds objects or arrays in.
func (rd *reading) cellProblems(rw *row) problems {
	var ps problems
	for s, c := range rw.cells {
		if c.bad != "" {
			ps.add(rd.plan, slot(s), "%s", c.bad)
		}
	}
	return ps
}

// timeCell parses a time slot, adding a problem when it is absent (and required) or malformed.
func (rd *reading) timeCell(rw *row, s slot, required bool, ps *problems) time.Time {
	p := rd.plan
	c := rw.cells[s]
	if !c.ok {
		if required {
			ps.add(p, s, "no time")
		}
		return time.Time{}
	}
	t, err := p.times.parse(c.v)
	if err != nil {
		ps.addSetting(p, s, "file.time.layout", "does not match "+p.times.describe(), "%v", err)
	}
	return t
}

// state maps a state value.
func (rd *reading) state(rw *row, ps *problems) (availability.State, bool) {
	p := rd.plan
	c := rw.cells[sState]
	if !c.ok {
		return 0, false
	}
	st, ok := p.states[strings.ToLower(c.v)]
	if !ok {
		ps.add(p, sState, "state %s is not listed under states (up, down, degraded, unknown)", quote(c.v))
	}
	return st, ok
}

// series keeps per-series records in the order series first appear.
type series[T any] struct {
	byName map[string]int
	names  []string
	data   [][]T
}

func (s *series[T]) add(name string, v T) {
	i, ok := s.byName[name]
	if !ok {
		if s.byName == nil {
			s.byName = map[string]int{}
		}
		i = len(s.names)
		s.byName[name] = i
		s.names = append(s.names, name)
		s.data = append(s.data, nil)
	}
	s.data[i] = append(s.data[i], v)
}

// uptimeRows builds uptime series from samples or outage rows.
type uptimeRows struct {
	rd      *reading
	samples series[availability.Sample]
	outages series[outageRow]
}

type outageRow struct {
	availability.Outage
	place
}

func (b *uptimeRows) add(rw *row) {
	rd, p := b.rd, b.rd.plan
	ps, ok := rd.seriesRow(rw)
	if !ok {
		return
	}
	name := rd.seriesName(rw)
	if !p.outages {
		at := rd.timeCell(rw, sTime, true, &ps)
		st, ok := rd.state(rw, &ps)
		if !ok && !rw.cells[sState].ok {
			ps.add(p, sState, "no state")
		}
		if len(ps) > 0 {
			rd.rejectRow(rw.file, rw.line, ps)
			return
		}
		b.samples.add(name, availability.Sample{At: at, State: st})
		return
	}
	o := outageRow{place: place{rw.file, rw.line}}
	o.Start = rd.timeCell(rw, sStart, true, &ps)
	o.End = rd.timeCell(rw, sEnd, false, &ps)
	o.State = availability.Down
	if st, ok := rd.state(rw, &ps); ok {
		if st != availability.Down && st != availability.Degraded {
			ps.add(p, sState, "an outage is down or degraded, not %s", st)
		}
		o.State = st
	}
	if len(ps) == 0 && !o.End.IsZero() && !o.End.After(o.Start) {
		ps.add(p, sEnd, "the outage ends at %s, not after its start %s", p.times.format(o.End), p.times.format(o.Start))
	}
	if len(ps) > 0 {
		rd.rejectRow(rw.file, rw.line, ps)
		return
	}
	b.outages.add(name, o)
}

// finish returns the series. lastWrite is the files' latest modification time, the default end of
// the coverage of outage rows.
func (b *uptimeRows) finish(lastWrite time.Time) []collector.UptimeSeries {
	rd, p := b.rd, b.rd.plan
	var out []collector.UptimeSeries
	if !p.outages {
		for i, name := range b.samples.names {
			s := b.samples.data[i]
			slices.SortStableFunc(s, func(a, b availability.Sample) int { return a.At.Compare(b.At) })
			out = append(out, collector.UptimeSeries{Series: name, Samples: s})
		}
		return out
	}
	from, to := p.coverFrom, p.coverTo
	if to.IsZero() {
		to = lastWrite.UTC()
	}
	for _, name := range p.coverSeries {
		if _, ok := b.outages.byName[name]; !ok {
			b.outages.names = append(b.outages.names, name)
			b.outages.data = append(b.outages.data, nil)
		}
	}
	for i, name := range b.outages.names {
		us := collector.UptimeSeries{Series: name, CoveredFrom: from, CoveredTo: to, Outages: []availability.Outage{}}
		for _, o := range b.outages.data[i] {
			if o.End.IsZero() {
				// Still going on: it lasts as long as the record vouches for.
				if !to.After(o.Start) {
					rd.reject(o.file, o.line, fmt.Sprintf("column %q: the outage has no end and starts at %s, not before the coverage ends at %s", p.cols[sStart], p.times.format(o.Start), to.Format(time.RFC3339)))
					continue
				}
				o.End = to
			}
			us.Outages = append(us.Outages, o.Outage)
		}
		slices.SortStableFunc(us.Outages, func(a, b availability.Outage) int { return a.Start.Compare(b.Start) })
		out = append(out, us)
	}
	return out
}

// eventRows builds event series.
type eventRows struct {
	rd      *reading
	buckets series[events.Bucket]
}

func (b *eventRows) add(rw *row) {
	rd, p := b.rd, b.rd.plan
	ps, ok := rd.seriesRow(rw)
	if !ok {
		return
	}
	at := rd.timeCell(rw, sTime, true, &ps)
	count := func(s slot) float64 {
		c := rw.cells[s]
		if !c.ok {
			ps.add(p, s, "no count")
			return 0
		}
		f, err := parseAmount(c.v)
		if err != nil {
			ps.add(p, s, "%v", err)
		}
		return f
	}
	total := count(sTotal)
	var good float64
	if p.mapped(sGood) {
		good = count(sGood)
		if len(ps) == 0 && good > total {
			ps.add(p, sGood, "%g good events is more than the total %g", good, total)
		}
	} else {
		bad := count(sBad)
		if len(ps) == 0 && bad > total {
			ps.add(p, sBad, "%g bad events is more than the total %g", bad, total)
		}
		good = total - bad
	}
	if len(ps) > 0 {
		rd.rejectRow(rw.file, rw.line, ps)
		return
	}
	name := rd.seriesName(rw)
	b.buckets.add(name, events.Bucket{Start: at, Good: good, Total: total})
}

func (b *eventRows) finish() []collector.EventSeries {
	var out []collector.EventSeries
	for i, name := range b.buckets.names {
		s := b.buckets.data[i]
		slices.SortStableFunc(s, func(a, b events.Bucket) int { return a.Start.Compare(b.Start) })
		// Rows sharing a start add up, as the engine adds them: a file with one row per region
		// and minute, mapped to one series per endpoint, gives each minute's totals.
		merged := s[:0]
		for _, bk := range s {
			if n := len(merged); n > 0 && merged[n-1].Start.Equal(bk.Start) {
				merged[n-1].Good += bk.Good
				merged[n-1].Total += bk.Total
				continue
			}
			merged = append(merged, bk)
		}
		out = append(out, collector.EventSeries{Series: name, Buckets: merged})
	}
	return out
}
