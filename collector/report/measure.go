package report

import (
	"fmt"
	"math"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// Where an attainment comes from.
const (
	basisFrozen     = "frozen"
	basisRecomputed = "recomputed"
)

// Verdicts of a promise over a period.
const (
	verdictKept   = "kept"
	verdictMissed = "missed"
	verdictNoData = "no_data"
)

// measurement is an objective over a window: its attainment, where it comes from, the engine's
// result when the records are held, and why the figure is not final (nothing when it is).
type measurement struct {
	att     float64
	has     bool
	basis   string
	result  *slo.Result
	reasons []string
}

func (m measurement) complete() bool { return len(m.reasons) == 0 }

func (m measurement) attainment() *float64 { return ptr(m.att, m.has) }

func (m measurement) verdict(target float64) string {
	switch {
	case !m.has:
		return verdictNoData
	case m.att < target:
		return verdictMissed
	}
	return verdictKept
}

// measure evaluates an objective over a window. A frozen period cut as the window is is final
// and wins over the records, which may have changed since (a reopened ticket, a back-filled
// probe). Otherwise the records still held are evaluated with the engine at the window's end
// (or now, for a period in progress). The figure is not final when the period is in progress,
// the source has not synced since it ended, the records held begin after it began, there is no
// data, or probes cover less than all of its time. Without detail (a trend's older periods), a
// frozen period is taken as it is, without evaluating the records behind it: only its attainment
// is shown.
func (b *builder) measure(o *config.Objective, w window, detail bool) measurement {
	var m measurement
	end, inProgress := w.End, b.now.Before(w.End)
	if inProgress {
		end = b.now
	}
	fp, frozen := b.frozenFor(o, w)
	from, held := b.heldFrom(o)
	if held && from.Before(end) && w.Start.Before(end) && (detail || !frozen) {
		r, err := slo.EvaluatePeriod(o.Objective, evaluation.DataFor(o, b.data), w.Start, end)
		if err == nil {
			m.result = &r
		} else {
			m.reasons = append(m.reasons, "could not be evaluated: "+err.Error())
		}
	}
	switch {
	case frozen:
		m.basis, m.has, m.att = basisFrozen, fp.HasData, fp.Attainment
	case m.result != nil && m.result.HasData:
		m.basis, m.has, m.att = basisRecomputed, true, m.result.Attainment
	}
	if !frozen {
		last := b.data.LastSuccess[o.Source]
		switch {
		case inProgress:
			m.reasons = append(m.reasons, "the period is in progress: figures up to "+display.Time(b.now, b.loc))
		case last.IsZero():
			m.reasons = append(m.reasons, fmt.Sprintf("source %q has not synced yet", o.Source))
		case last.Before(w.End):
			m.reasons = append(m.reasons, fmt.Sprintf("source %q last synced at %s, before the period ended", o.Source, display.Time(last, b.loc)))
		}
		if held && from.After(w.Start) && from.Before(w.End) {
			m.reasons = append(m.reasons, "the oldest record held is from "+display.Time(from, b.loc)+", after the period began")
		}
	}
	if r := m.result; r != nil && r.HasData && o.Kind == slo.Availability && r.Coverage < 1 && !from.After(w.Start) {
		m.reasons = append(m.reasons, fmt.Sprintf("probe data covers %s of the time outside maintenance", display.PercentVs(r.Coverage, 1)))
	}
	if !m.has && len(m.reasons) == 0 {
		if frozen {
			m.reasons = append(m.reasons, "the period was frozen without data")
		} else {
			m.reasons = append(m.reasons, "no data for the period")
		}
	}
	return m
}

// budgetUsed is the share of the window's error budget spent. The engine's figure is used when
// it measured the attainment shown; a frozen attainment the records no longer give is turned
// into one the way the engine defines it for cycles and events, (1 - attainment) / (1 - target).
func budgetUsed(o *config.Objective, m measurement) *float64 {
	if !m.has {
		return nil
	}
	if r := m.result; r != nil && r.HasData && r.Attainment == m.att && r.BudgetTotal > 0 {
		v := r.BudgetConsumed / r.BudgetTotal
		return &v
	}
	v := (1 - m.att) / (1 - o.Target)
	return &v
}

// frozenFor returns the objective's frozen result for the window, when its periods are cut as
// the window is (same kind, and for calendar periods the same timezone).
func (b *builder) frozenFor(o *config.Objective, w window) (collector.FrozenPeriod, bool) {
	if !samePeriod(o.Period, w.Period) {
		return collector.FrozenPeriod{}, false
	}
	all, ok := b.frozen[o.Name]
	if !ok {
		all = b.in.Source.FrozenPeriods(o.Name)
		b.frozen[o.Name] = all
	}
	fp, ok := all[w.Label]
	if ok && (!fp.Start.Equal(w.Start) || !fp.End.Equal(w.End)) {
		return collector.FrozenPeriod{}, false // frozen under another timezone or period
	}
	return fp, ok
}

// samePeriod reports whether two periods cut time the same way.
func samePeriod(p, q period.Period) bool {
	if p.Kind != q.Kind || p.Days != q.Days || !p.Calendar() {
		return false
	}
	return zoneName(p.Location) == zoneName(q.Location)
}

func zoneName(l *time.Location) string {
	if l == nil {
		return "UTC"
	}
	return l.String()
}

// heldFrom is the oldest instant the objective's records reach back to, and false when none are
// held at all.
func (b *builder) heldFrom(o *config.Objective) (time.Time, bool) {
	key := o.Source + "\x00" + o.Series + "\x00" + string(o.Kind)
	if h, ok := b.held[key]; ok {
		return h.from, h.ok
	}
	var h heldSpan
	switch o.Kind {
	case slo.TicketSLA:
		h.from, h.ok = b.oldestTicket(o.Source)
	case slo.Availability:
		if u := b.data.Uptime[collector.SeriesName(o.Source, o.Series)]; u != nil && u.Series != nil {
			h.from, h.ok = oldestUptime(u)
		}
	case slo.EventRatio:
		if e := b.data.Events[collector.SeriesName(o.Source, o.Series)]; e != nil && len(e.Buckets) > 0 {
			h.from, h.ok = e.Buckets[0].Start, true
		}
	}
	b.held[key] = h
	return h.from, h.ok
}

type heldSpan struct {
	from time.Time
	ok   bool
}

// oldestTicket is the creation of a source's oldest ticket, found once per report.
func (b *builder) oldestTicket(source string) (time.Time, bool) {
	if h, ok := b.oldest[source]; ok {
		return h.from, h.ok
	}
	var h heldSpan
	if st := b.data.Tickets[source]; st != nil && st.Len() > 0 {
		oldest := int64(math.MaxInt64)
		for i := range st.Len() {
			oldest = min(oldest, st.View(i).Created())
		}
		h = heldSpan{time.Unix(oldest, 0).In(b.loc), true}
	}
	b.oldest[source] = h
	return h.from, h.ok
}

func oldestUptime(u *collector.Uptime) (time.Time, bool) {
	var from time.Time
	consider := func(t time.Time) {
		if from.IsZero() || t.Before(from) {
			from = t
		}
	}
	if len(u.Samples) > 0 {
		consider(u.Samples[0].At)
	}
	if len(u.Outages) > 0 {
		consider(u.Outages[0].Start)
	}
	if len(u.Covered) > 0 {
		consider(u.Covered[0].From)
	}
	return from, !from.IsZero()
}

// ptr is v when ok and a number, nil otherwise: absent figures are null, never a made-up 0.
func ptr(v float64, ok bool) *float64 {
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
