package evaluation

import (
	"fmt"
	"regexp"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

// DrillPeriod is the period a drill-down lists.
type DrillPeriod struct {
	// Label names it as the history does ("2026-10"; "rolling_30d" for a rolling period).
	Label      string
	Start, End time.Time
	// At is the instant the cycles are computed at: now for the current period, the end of a
	// finished one.
	At time.Time
	// Current is true for the period holding now.
	Current bool
}

// maxPeriodsBack bounds how far back a label is looked for: ten years of weeks.
const maxPeriodsBack = 530

// labelPatterns are the shapes of the labels of each calendar kind, with an example for errors.
var labelPatterns = map[period.Kind]struct {
	re      *regexp.Regexp
	example string
}{
	period.Week:    {regexp.MustCompile(`^\d{4}-W\d{2}$`), "a week such as 2026-W43"},
	period.Month:   {regexp.MustCompile(`^\d{4}-\d{2}$`), "a month such as 2026-10"},
	period.Quarter: {regexp.MustCompile(`^\d{4}-Q[1-4]$`), "a quarter such as 2026-Q3"},
	period.Year:    {regexp.MustCompile(`^\d{4}$`), "a year such as 2025"},
}

// ResolvePeriod finds the period a drill-down asks for: "" or "current" is the period holding
// now, "previous" the one before it, and a label ("2026-10", "2026-Q3", "2026-W43", "2025", in
// the shape of the objective's period) a finished calendar period. Errors name the objective and
// say what is accepted.
func ResolvePeriod(objective string, p period.Period, spec string, now time.Time) (DrillPeriod, error) {
	start, end := p.Bounds(now)
	cur := DrillPeriod{Label: p.Label(start), Start: start, End: end, At: now, Current: true}
	switch spec {
	case "", "current":
		return cur, nil
	case "previous":
		ps, pe := p.Previous(start)
		return DrillPeriod{Label: p.Label(ps), Start: ps, End: pe, At: pe}, nil
	}
	if !p.Calendar() {
		return DrillPeriod{}, fmt.Errorf("period %q: objective %q has a rolling period: give current or previous", spec, objective)
	}
	shape := labelPatterns[p.Kind]
	if !shape.re.MatchString(spec) {
		return DrillPeriod{}, fmt.Errorf("period %q: objective %q has %s periods: give current, previous or %s", spec, objective, p.Kind, shape.example)
	}
	if spec == cur.Label {
		return cur, nil
	}
	if spec > cur.Label {
		// Labels of one kind sort as their periods do.
		return DrillPeriod{}, fmt.Errorf("period %q of objective %q has not begun: the current period is %s", spec, objective, cur.Label)
	}
	ps := start
	for range maxPeriodsBack {
		var pe time.Time
		ps, pe = p.Previous(ps)
		switch l := p.Label(ps); {
		case l == spec:
			return DrillPeriod{Label: l, Start: ps, End: pe, At: pe}, nil
		case l < spec:
			// Passed over: a label of the right shape naming no period, as 2026-13 or 2026-W54.
			return DrillPeriod{}, fmt.Errorf("period %q of objective %q: no such %s", spec, objective, p.Kind)
		}
	}
	return DrillPeriod{}, fmt.Errorf("period %q of objective %q is more than %d periods back", spec, objective, maxPeriodsBack)
}
