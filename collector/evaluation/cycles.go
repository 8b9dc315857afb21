package evaluation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// CycleRow is one ticket clock cycle as the drill-down shows it: the answer to "which tickets
// breached?".
type CycleRow struct {
	Ticket     string     `json:"ticket"`
	Cycle      int        `json:"cycle"`
	Priority   string     `json:"priority"`
	Group      string     `json:"group"`
	State      string     `json:"state"`
	AtRisk     bool       `json:"at_risk"`
	Start      time.Time  `json:"start"`
	Stop       *time.Time `json:"stop,omitempty"`
	Deadline   *time.Time `json:"deadline,omitempty"`
	BreachedAt *time.Time `json:"breached_at,omitempty"`
	Target     float64    `json:"target_seconds"`
	Elapsed    float64    `json:"elapsed_seconds"`
	Remaining  float64    `json:"remaining_seconds"`
	// ToolDeadline is the ticket tool's own deadline for an open cycle, and DeadlineAgrees
	// whether it is the exporter's in working time, when the objective names the field.
	ToolDeadline   *time.Time `json:"tool_deadline,omitempty"`
	DeadlineAgrees *bool      `json:"deadline_agrees,omitempty"`
	// Native holds the ticket tool's records of the cycle (one per SLA of the tool measuring
	// the clock), compared with it, when the objective's source imports them; current period
	// only.
	Native []NativeRow `json:"native,omitempty"`
}

// DeadlineFilters are the values the deadline filter takes: the open cycles whose deadline the
// ticket tool agrees, or disagrees, with.
var DeadlineFilters = []string{"agrees", "disagrees"}

// DrillStates are the values the state filter takes: the open states of sla_tickets_open, the
// decided ones, and "open" for every running or paused cycle.
var DrillStates = []string{"within", "at_risk", "breached", "paused", "met", "cancelled", "open"}

// ErrNotFound is returned for an objective that is not configured or not a ticket SLA.
var ErrNotFound = errors.New("no such ticket objective")

// Cycles lists an objective's cycles at now that belong to its current period: open cycles and
// those decided within the period. state filters them ("" for all).
func (e *Evaluator) Cycles(objective, state string, now time.Time) ([]CycleRow, error) {
	return e.CyclesWhere(objective, CycleFilter{State: state}, now)
}

// CycleFilter selects cycles of the drill-down; an empty field selects all.
type CycleFilter struct {
	// State is one of DrillStates.
	State string
	// Deadline is one of DeadlineFilters: the open cycles whose deadline the ticket tool agrees
	// or disagrees with (objectives with a tool_deadline_field only).
	Deadline string
	// Period is the period whose cycles are listed (see ResolvePeriod): "" or "current",
	// "previous", or a finished period's label ("2026-10").
	Period string
	// Native is one of NativeFilters: the cycles the metric sla_native_disagreements counts
	// on which the tool's records agree, or disagree, with the engine (current period only).
	// "disagrees" also lists the cycles only the tool has (state NativeOnlyState).
	Native string
	// Level is an escalation level of the objective, 1-based: the open cycles at exactly that
	// level, as sla_tickets_escalated counts them (current period only); 0 for every cycle.
	Level int
}

// Drill is a drill-down: the cycles of one objective in one period.
type Drill struct {
	Period DrillPeriod
	Rows   []CycleRow
	// Native says the cycles were compared with the ticket tool's records (CycleRow.Native).
	Native bool
}

// CyclesWhere is Cycles with every filter.
func (e *Evaluator) CyclesWhere(objective string, f CycleFilter, now time.Time) ([]CycleRow, error) {
	d, err := e.Drill(objective, f, now)
	return d.Rows, err
}

// Drill lists an objective's cycles in the period f names. The current period lists its open
// cycles and those decided in it, as of now. A finished period lists the cycles decided in it
// as of its end, the instant its figure was frozen at: its met and breached rows are the good and
// bad cycles of that figure.
func (e *Evaluator) Drill(objective string, f CycleFilter, now time.Time) (Drill, error) {
	state := f.State
	cfg := e.cfg.Load()
	var co *config.Objective
	for j := range cfg.Objectives {
		if cfg.Objectives[j].Name == objective && cfg.Objectives[j].Kind == slo.TicketSLA {
			co = &cfg.Objectives[j]
		}
	}
	if co == nil {
		return Drill{}, fmt.Errorf("%w: %q", ErrNotFound, objective)
	}
	if state != "" && !slices.Contains(DrillStates, state) {
		return Drill{}, fmt.Errorf("state %q is not one of %s", state, strings.Join(DrillStates, ", "))
	}
	if f.Deadline != "" && !slices.Contains(DeadlineFilters, f.Deadline) {
		return Drill{}, fmt.Errorf("deadline %q is not one of %s", f.Deadline, strings.Join(DeadlineFilters, ", "))
	}
	o, toolField := co.Objective, co.ToolDeadlineField
	if f.Deadline != "" && toolField == "" {
		return Drill{}, fmt.Errorf("deadline: objective %q names no tool_deadline_field to compare with", objective)
	}
	if f.Native != "" && !slices.Contains(NativeFilters, f.Native) {
		return Drill{}, fmt.Errorf("native %q is not one of %s", f.Native, strings.Join(NativeFilters, ", "))
	}
	p, err := ResolvePeriod(objective, o.Period, f.Period, now)
	if err != nil {
		return Drill{}, err
	}
	if f.Native != "" && !p.Current {
		return Drill{}, errors.New("native: only the current period is compared with the ticket tool's records")
	}
	if err := checkLevelFilter(co, f.Level, p.Current); err != nil {
		return Drill{}, err
	}
	var rows []CycleRow
	compare := false
	e.data.Read(func(d collector.Data) {
		st := d.Tickets[co.Source]
		if st == nil {
			return
		}
		m := o.Select.Compile(st)
		nowU, startU, endU, cal := p.At.Unix(), p.Start.Unix(), p.End.Unix(), o.Clock.Calendar()
		compare = p.Current && st.HasNative(o.Clock.Kind())
		ns := nativeScan{o: co, st: st, now: nowU, start: startU}
		var buf []ticket.Cycle
		var cmps []ticket.NativeComparison
		for i := range st.Len() {
			v := st.View(i)
			if !m.Match(v) {
				continue
			}
			buf = o.Clock.Cycles(st, i, nowU, buf[:0])
			var natives [][]NativeRow
			if compare && v.NativeLen() > 0 {
				var only []CycleRow
				natives, only, cmps = ns.drillNatives(v, buf, cmps)
				if f.Native == "disagrees" && state == "" {
					rows = append(rows, only...)
				}
			}
			for j, c := range buf {
				row, outcome, ok := cycleRow(v, &c, startU, cal)
				if natives != nil {
					row.Native = natives[j]
				}
				if f.Native != "" {
					// The rows the metric counts: a cycle whose tool's record is open or
					// decided in the period is compared even if the engine decided it before.
					if len(row.Native) == 0 || nativeAgrees(row.Native) != (f.Native == "agrees") {
						continue
					}
					if !ok {
						row, ok = newCycleRow(v, &c), true
						row.Native = natives[j]
					}
				}
				// A finished period holds what was decided in it, up to and including its
				// end, as the engine counted it when freezing the period.
				if !ok || !p.Current && (outcome == 0 || outcome < startU || outcome > endU) || !matchState(row, &c, state) {
					continue
				}
				if f.Level > 0 && cycleLevel(co.Escalation, &c) != f.Level {
					continue
				}
				if toolField != "" && p.Current {
					if tool, agrees, ok := toolDeadline(v, &c, toolField, cal); ok {
						tool = tool.UTC()
						row.ToolDeadline, row.DeadlineAgrees = &tool, &agrees
					}
				}
				if f.Deadline != "" && (row.DeadlineAgrees == nil || *row.DeadlineAgrees != (f.Deadline == "agrees")) {
					continue
				}
				rows = append(rows, row)
			}
		}
	})
	slices.SortFunc(rows, func(a, b CycleRow) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Ticket, b.Ticket)
	})
	if f.Native != "" && !compare {
		return Drill{}, fmt.Errorf("native: the tickets of objective %q carry no native SLA records of its %s clock to compare with", objective, o.Clock.Kind())
	}
	return Drill{Period: p, Rows: rows, Native: compare}, nil
}

// cycleRow turns a cycle into a row with the instant its outcome counts at (0 while undecided),
// or reports that it does not belong to the period starting at periodStart: it is decided, and
// its outcome came before the period.
func cycleRow(v ticket.View, c *ticket.Cycle, periodStart int64, cal *calendar.Calendar) (CycleRow, int64, bool) {
	open := c.Stop == 0 && (c.State == ticket.InProgress || c.State == ticket.PausedState || c.State == ticket.Breached)
	var outcome int64
	switch c.State {
	case ticket.Met, ticket.CancelledState:
		outcome = c.Stop
	case ticket.Breached:
		// As the engine counts it: a breach is a fact at the first working instant after the
		// deadline, so a deadline at the close of the last working day of a month is a breach
		// of the next month, and must be listed there.
		outcome = ticket.BreachCounts(c.BreachedAt, cal)
	}
	if !open && outcome < periodStart {
		return CycleRow{}, 0, false
	}
	return newCycleRow(v, c), outcome, true
}

// newCycleRow is the row of a cycle, whatever period it belongs to.
func newCycleRow(v ticket.View, c *ticket.Cycle) CycleRow {
	row := CycleRow{
		Ticket: v.ID(), Cycle: c.N, Priority: v.Priority(), Group: v.Group(),
		State: c.State.String(), AtRisk: c.AtRisk,
		Start:  time.Unix(c.Start, 0).UTC(),
		Target: float64(c.Target), Elapsed: float64(c.Elapsed), Remaining: float64(c.Target - c.Elapsed),
	}
	if c.Stop != 0 {
		row.Stop = unixPtr(c.Stop)
	}
	if c.Deadline != 0 && c.Deadline != calendar.Never {
		row.Deadline = unixPtr(c.Deadline)
	}
	if c.BreachedAt != 0 {
		row.BreachedAt = unixPtr(c.BreachedAt)
	}
	return row
}

func matchState(row CycleRow, c *ticket.Cycle, state string) bool {
	open := row.Stop == nil && c.State != ticket.CancelledState && c.State != ticket.Met
	switch state {
	case "":
		return true
	case "open":
		return open
	case "within":
		return c.State == ticket.InProgress && !c.AtRisk
	case "at_risk":
		return c.State == ticket.InProgress && c.AtRisk
	case "paused":
		return c.State == ticket.PausedState
	default:
		return c.State.String() == state
	}
}

func unixPtr(u int64) *time.Time {
	t := time.Unix(u, 0).UTC()
	return &t
}
