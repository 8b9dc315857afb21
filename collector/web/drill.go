package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
)

// drillParams are the parameters of the ticket drill-down, for the API and the page alike.
var drillParams = []string{"state", "deadline", "native", "period", "level", "format"}

// drillQuery is a checked drill-down request.
type drillQuery struct {
	filter evaluation.CycleFilter
	format string
}

// parseDrillQuery checks the drill-down's query string: an unknown, repeated or malformed
// parameter is an error, never every cycle.
func parseDrillQuery(r *http.Request) (drillQuery, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return drillQuery{}, fmt.Errorf("bad query string: %w", err)
	}
	for key, vs := range q {
		switch {
		case !slices.Contains(drillParams, key):
			return drillQuery{}, fmt.Errorf("unknown parameter %q: the parameters are state, deadline, native, period, level and format", key)
		case len(vs) > 1:
			return drillQuery{}, fmt.Errorf("parameter %q given %d times: give it once", key, len(vs))
		}
	}
	d := drillQuery{format: q.Get("format"),
		filter: evaluation.CycleFilter{State: q.Get("state"), Deadline: q.Get("deadline"), Native: q.Get("native"), Period: q.Get("period")}}
	if v := q.Get("level"); v != "" {
		// An escalation level (1-based): the open cycles sla_tickets_escalated counts at it.
		if d.filter.Level, err = strconv.Atoi(v); err != nil || d.filter.Level < 1 {
			return drillQuery{}, fmt.Errorf("level %q: want an escalation level, 1 or more", v)
		}
	}
	if d.format != "" && d.format != "json" && d.format != "csv" {
		return drillQuery{}, fmt.Errorf("format %q: want json or csv", d.format)
	}
	return d, nil
}

// drill runs a drill-down at the snapshot's instant, answering the error itself when there is one.
func drill(w http.ResponseWriter, o Options, name string, f evaluation.CycleFilter) (evaluation.Drill, bool) {
	at := o.Expo.Snapshot().At
	if at.IsZero() {
		at = time.Now()
	}
	d, err := o.Evaluator.Drill(name, f, at)
	switch {
	case errors.Is(err, evaluation.ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
		return d, false
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return d, false
	}
	return d, true
}

// tickets serves /api/v1/objectives/{name}/tickets: JSON, or CSV for a spreadsheet.
func tickets(w http.ResponseWriter, r *http.Request, o Options) {
	q, err := parseDrillQuery(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name := r.PathValue("name")
	d, ok := drill(w, o, name, q.filter)
	if !ok {
		return
	}
	loc := objectiveLocation(o, name)
	if q.format == "csv" || q.format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+csvFilename(name, d.Period.Label, q.filter.State)+`"`)
		WriteCSVIn(w, d.Rows, loc)
		return
	}
	rows := d.Rows
	if rows == nil {
		rows = []evaluation.CycleRow{}
	}
	at := o.Expo.Snapshot().At
	if at.IsZero() {
		at = d.Period.At
	}
	writeJSON(w, o.Logger, map[string]any{"objective": name, "at": at.UTC(), "timezone": zoneOf(loc),
		"period": periodJSON{Label: d.Period.Label, Start: d.Period.Start.UTC(), End: d.Period.End.UTC(), AsOf: d.Period.At.UTC(), Current: d.Period.Current},
		"cycles": rows})
}

// periodJSON is the period a drill-down listed; as_of is the instant its cycles were computed
// at (now for the current period, a finished period's end).
type periodJSON struct {
	Label   string    `json:"label"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	AsOf    time.Time `json:"as_of"`
	Current bool      `json:"current"`
}

// objectiveLocation is the objective's timezone, UTC when unknown.
func objectiveLocation(o Options, name string) *time.Location {
	if cfg := o.config(); cfg != nil {
		for i := range cfg.Objectives {
			if cfg.Objectives[i].Name == name && cfg.Objectives[i].Location != nil {
				return cfg.Objectives[i].Location
			}
		}
	}
	return time.UTC
}

// csvFilename names a download after what it holds: "incident-response_2026-11_breached.csv".
// Only letters, digits, '.', '_' and '-' are kept, so the header needs no quoting rules.
func csvFilename(objective, period, state string) string {
	parts := []string{objective, period}
	if state != "" {
		parts = append(parts, state)
	}
	name := strings.Join(parts, "_")
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, name)
	return safe + ".csv"
}

// WriteCSV writes cycle rows as CSV with a header line, times in UTC.
func WriteCSV(w interface{ Write([]byte) (int, error) }, rows []evaluation.CycleRow) error {
	return WriteCSVIn(w, rows, time.UTC)
}

// WriteCSVIn writes cycle rows as CSV with a header line, times in loc as RFC 3339 with their
// offset ("2026-11-19T17:00:59+01:00"): what a spreadsheet in the objective's office reads, and
// still an instant. The native_ columns hold the ticket tool's records of the cycle; a cycle
// two of the tool's SLAs measure has both, separated by "; ".
func WriteCSVIn(w interface{ Write([]byte) (int, error) }, rows []evaluation.CycleRow, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"ticket", "cycle", "priority", "group", "state", "at_risk", "start", "stop", "deadline", "breached_at", "target_seconds", "elapsed_seconds", "remaining_seconds", "tool_deadline", "deadline_agrees",
		"native_name", "native_stop", "native_deadline", "native_verdict", "native_comparison"})
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		cw.Write([]string{cell(r.Ticket), strconv.Itoa(r.Cycle), cell(r.Priority), cell(r.Group), r.State, strconv.FormatBool(r.AtRisk),
			r.Start.In(loc).Format(time.RFC3339), ts(r.Stop), ts(r.Deadline), ts(r.BreachedAt), f(r.Target), f(r.Elapsed), f(r.Remaining),
			ts(r.ToolDeadline), agrees(r.DeadlineAgrees),
			natives(r.Native, func(n evaluation.NativeRow) string { return cell(n.Name) }),
			natives(r.Native, func(n evaluation.NativeRow) string { return ts(n.Stop) }),
			natives(r.Native, func(n evaluation.NativeRow) string { return ts(n.Deadline) }),
			natives(r.Native, func(n evaluation.NativeRow) string { return n.Verdict }),
			natives(r.Native, func(n evaluation.NativeRow) string { return n.Comparison })})
	}
	cw.Flush()
	return cw.Error()
}

// natives is one column of a cycle's native records, "; " between records.
func natives(rows []evaluation.NativeRow, col func(evaluation.NativeRow) string) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = col(r)
	}
	return strings.Join(out, "; ")
}

// agrees writes an optional verdict: empty when there is none to give.
func agrees(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// cell neutralizes text that a spreadsheet would run as a formula (=, +, -, @, tab or carriage
// return first): ticket ids and groups come from the ITSM tool, and the CSV goes to a manager's
// spreadsheet. A leading apostrophe makes the cell plain text, as OWASP recommends.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// ticketRef is a ticket id with its link in the ticket tool, if one is configured.
type ticketRef struct {
	ID, Link string
}

// cycleView is a ticket cycle as the pages show it, times in the objective's timezone.
type cycleView struct {
	Ticket                               ticketRef
	Cycle                                int
	Priority, Group                      string
	State                                badge
	Started, Deadline, Stopped, Breached string
	Target, Elapsed                      string
	// Left is the working time left before the deadline, or how far past it the cycle ran;
	// Overrun is that last figure alone, for a table of breaches.
	Left    string
	Overrun string
	Overdue bool
	AtRisk  bool
	// Native are the ticket tool's records of the cycle, when the drill-down compared them.
	Native []nativeView
}

// nativeView is one of the ticket tool's records of a cycle, as the tickets page shows it.
type nativeView struct {
	Name, Deadline string
	Verdict        badge
	// Comparison is "agrees", or what differs, in words.
	Comparison string
	Disagrees  bool
}

// comparisonWords say a comparison's outcome for people.
var comparisonWords = map[string]string{
	"agree": "agrees", "verdict": "verdicts differ", "deadline": "deadlines differ",
	"native_only": "only the tool has this cycle", "engine_only": "the tool has no record of this cycle",
}

// cycleStates name the cycle states for people.
var cycleStates = map[string]badge{
	"in_progress": {Class: "ok", Word: "running"},
	"paused":      {Class: "no_data", Word: "paused"},
	"met":         {Class: "ok", Symbol: "●", Word: "met"},
	"breached":    {Class: "breached", Symbol: "✕", Word: "breached"},
	"cancelled":   {Class: "no_data", Word: "cancelled"},
	// A cycle only the ticket tool has.
	evaluation.NativeOnlyState: {Class: "no_data", Word: "no cycle"},
}

// nativeVerdicts name the ticket tool's verdicts for people.
var nativeVerdicts = map[string]badge{
	"within":   {Class: "ok", Word: "running"},
	"paused":   {Class: "no_data", Word: "paused"},
	"met":      {Class: "ok", Symbol: "●", Word: "met"},
	"breached": {Class: "breached", Symbol: "✕", Word: "breached"},
}

func (x explainer) cycleViews(objective string, rows []evaluation.CycleRow, loc *time.Location) []cycleView {
	out := make([]cycleView, 0, len(rows))
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return display.Time(*t, loc)
	}
	for _, r := range rows {
		v := cycleView{Ticket: ticketRef{ID: r.Ticket, Link: x.ticketLink(objective, r.Ticket)}, Cycle: r.Cycle, Priority: r.Priority, Group: r.Group,
			State: cycleStates[r.State], Started: display.Time(r.Start, loc), Deadline: when(r.Deadline), Stopped: when(r.Stop), Breached: when(r.BreachedAt),
			Target: display.Duration(r.Target), Elapsed: display.Duration(r.Elapsed), AtRisk: r.AtRisk}
		if v.State.Word == "" {
			v.State = badge{Class: r.State, Word: r.State}
		}
		if r.State == "in_progress" && r.AtRisk {
			v.State = badge{Class: "at_risk", Symbol: "▲", Word: "at risk"}
		}
		switch {
		case r.Remaining < 0:
			v.Overrun = display.Duration(-r.Remaining)
			v.Left, v.Overdue = v.Overrun+" overdue", true
		case r.State == "in_progress" || r.State == "paused":
			v.Left = display.Duration(r.Remaining)
		}
		for _, n := range r.Native {
			v.Native = append(v.Native, nativeView{Name: n.Name, Deadline: when(n.Deadline), Verdict: nativeVerdicts[n.Verdict],
				Comparison: comparisonWords[n.Comparison], Disagrees: n.Comparison != "agree"})
		}
		out = append(out, v)
	}
	return out
}

// levelOptions are the choices of the tickets page's escalation level filter: every cycle, or
// the open cycles at one level ("2: from 75%, warning"); nil for an objective without levels.
func levelOptions(levels []collector.EscalationCount, selected int) []periodOption {
	if len(levels) == 0 {
		return nil
	}
	out := []periodOption{{Value: "", Label: "all", Selected: selected == 0}}
	for _, l := range levels {
		out = append(out, periodOption{Value: strconv.Itoa(l.Level), Selected: l.Level == selected,
			Label: fmt.Sprintf("%d: from %s%%, %s", l.Level, strconv.FormatFloat(math.Round(l.At*1e6)/1e4, 'f', -1, 64), l.Severity)})
	}
	return out
}

// EscalationJSON is one escalation level of an objective in /api/v1/objectives: where it starts
// (a share of the target), its severity, and the open cycles at it (sla_tickets_escalated).
type EscalationJSON struct {
	Level      int     `json:"level"`
	At         float64 `json:"at"`
	Severity   string  `json:"severity"`
	OpenCycles int     `json:"open_cycles"`
}

func escalationJSON(levels []collector.EscalationCount) []EscalationJSON {
	var out []EscalationJSON
	for _, l := range levels {
		out = append(out, EscalationJSON{Level: l.Level, At: l.At, Severity: l.Severity, OpenCycles: l.Open})
	}
	return out
}
