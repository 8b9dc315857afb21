package report

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Escalation is a ticket objective's open cycles per escalation level at the report's instant:
// the latest evaluation's sla_tickets_escalated, for the objectives in scope that have levels.
// Like the summary's risks and costs, it is the state of the periods in progress, whatever the
// period reported on.
type Escalation struct {
	Objective string `json:"objective"`
	Service   string `json:"service"`
	// Period is the label of the objective's period in progress, which the open cycles belong to.
	Period string `json:"period"`
	// At is the instant of the evaluation counted.
	At     time.Time         `json:"at"`
	Levels []EscalationLevel `json:"levels"`
	// Withheld says why the counts are missing (the objective's figures are withheld); empty
	// when they are given.
	Withheld string `json:"withheld,omitempty"`
}

// EscalationLevel is one level with its open cycles.
type EscalationLevel struct {
	// Level is 1-based, lowest first, as the metric's level label.
	Level int `json:"level"`
	// At is the share of the target the level starts at (0.5 for 50%; above 1 past the target).
	At       float64           `json:"at"`
	Severity string            `json:"severity"`
	Labels   map[string]string `json:"labels"`
	// OpenCycles counts the open cycles at this level and no higher one; null when withheld.
	OpenCycles *int `json:"open_cycles"`
}

// withheldStale is why an objective's counts are missing: its source is stale or it has no
// figures, and a zero would claim nothing is escalated.
const withheldStale = "the objective's figures are withheld (its source is down or stale)"

// escalations lists the objectives in scope with escalation levels, in the configuration's
// order, with the latest evaluation's open cycles per level; empty without an evaluation.
func (b *builder) escalations() []Escalation {
	out := []Escalation{}
	if b.in.Current == nil {
		return out
	}
	for _, o := range b.scope.objectives {
		if len(o.Escalation) == 0 {
			continue
		}
		e := Escalation{Objective: o.Name, Service: o.Service, At: b.in.Current.At.In(b.loc), Levels: []EscalationLevel{}}
		var counts []int
		for i := range b.in.Current.Objectives {
			r := &b.in.Current.Objectives[i]
			if r.Objective != o.Name {
				continue
			}
			e.Period = r.PeriodLabel
			if !r.Stale && len(r.Escalation) == len(o.Escalation) {
				for _, l := range r.Escalation {
					counts = append(counts, l.Open)
				}
			}
		}
		if counts == nil {
			e.Withheld = withheldStale
		}
		for i, l := range o.Escalation {
			lv := EscalationLevel{Level: i + 1, At: l.At, Severity: l.Severity, Labels: maps.Clone(l.Labels)}
			if lv.Labels == nil {
				lv.Labels = map[string]string{}
			}
			if counts != nil {
				n := counts[i]
				lv.OpenCycles = &n
			}
			e.Levels = append(e.Levels, lv)
		}
		out = append(out, e)
	}
	return out
}

// escalationsTable is escalations.csv: a row per objective and level.
func escalationsTable(rep *Report) Table {
	t := Table{Name: "escalations", Header: []string{"objective", "service", "period", "at", "level", "level_at", "severity", "labels", "open_cycles", "withheld"}}
	for _, e := range rep.Escalations {
		for _, l := range e.Levels {
			open := ""
			if l.OpenCycles != nil {
				open = strconv.Itoa(*l.OpenCycles)
			}
			var labels []string
			for _, k := range slices.Sorted(maps.Keys(l.Labels)) {
				labels = append(labels, k+"="+l.Labels[k])
			}
			t.Rows = append(t.Rows, []string{e.Objective, e.Service, e.Period, stamp(e.At), strconv.Itoa(l.Level), flt(l.At), l.Severity,
				strings.Join(labels, "; "), open, e.Withheld})
		}
	}
	return t
}
