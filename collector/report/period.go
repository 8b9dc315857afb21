package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

// window is a span of time the report measures: a report period, one of its trend's periods,
// or a contract's billing period. Period says how time is cut, so that a frozen period of an
// objective cut the same way can stand for it.
type window struct {
	Label      string
	Start, End time.Time
	Period     period.Period
}

// minYear and maxYear bound the years a report period may name: the engine's calendars and
// timelines work within them.
const (
	minYear = 1970
	maxYear = 2200
)

// parsePeriod reads a report period: a month "2026-11" or a quarter "2026-Q4" (q in either
// case), in loc. The empty string is the last month finished at now.
func parsePeriod(s string, loc *time.Location, now time.Time) (window, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		p := period.Period{Kind: period.Month, Location: loc}
		start, _ := p.Bounds(now)
		ps, _ := p.Previous(start)
		return windowOf(p, ps), nil
	}
	bad := func(why string) error {
		return inputErrorf("period %q: %s; want a month such as 2026-11 or a quarter such as 2026-Q4", s, why)
	}
	year, rest, ok := strings.Cut(in, "-")
	if !ok || len(year) != 4 || !digits(year) {
		return window{}, bad("not a year and a month or quarter")
	}
	y, _ := strconv.Atoi(year)
	if y < minYear || y > maxYear {
		return window{}, bad(fmt.Sprintf("the year is not between %d and %d", minYear, maxYear))
	}
	var (
		kind  period.Kind
		month int
	)
	switch {
	case len(rest) == 2 && (rest[0] == 'Q' || rest[0] == 'q') && digits(rest[1:]):
		q := int(rest[1] - '0')
		if q < 1 || q > 4 {
			return window{}, bad("there are quarters 1 to 4")
		}
		kind, month = period.Quarter, 3*(q-1)+1
	case len(rest) == 2 && digits(rest):
		month, _ = strconv.Atoi(rest)
		if month < 1 || month > 12 {
			return window{}, bad("there are months 01 to 12")
		}
		kind = period.Month
	default:
		return window{}, bad("not a year and a month or quarter")
	}
	p := period.Period{Kind: kind, Location: loc}
	return windowOf(p, period.WallClock(y, time.Month(month), 1, 0, loc)), nil
}

func digits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// windowOf is the period of p holding t.
func windowOf(p period.Period, t time.Time) window {
	start, end := p.Bounds(t)
	return window{Label: p.Label(start), Start: start, End: end, Period: p}
}

// previous is the window before w, cut the same way.
func (w window) previous() window {
	if !w.Period.Calendar() {
		return window{Label: w.Label, Start: w.Start.Add(-w.End.Sub(w.Start)), End: w.Start, Period: w.Period}
	}
	start, _ := w.Period.Previous(w.Start)
	return windowOf(w.Period, start)
}

// last returns the n windows ending with w, oldest first.
func (w window) last(n int) []window {
	out := make([]window, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = w
		w = w.previous()
	}
	return out
}

// name is the period for people: "November 2026", "Q4 2026", "week 2026-W48".
func (w window) name() string {
	mid := w.Start.Add(w.End.Sub(w.Start) / 2).In(w.Start.Location())
	switch w.Period.Kind {
	case period.Month:
		return mid.Format("January 2006")
	case period.Quarter:
		return fmt.Sprintf("Q%d %d", (int(mid.Month())-1)/3+1, mid.Year())
	case period.Year:
		return strconv.Itoa(mid.Year())
	case period.Week:
		return "week " + w.Label
	}
	return w.Label
}

// model is the window as the report shows it; now marks a period in progress.
func (w window) model(now time.Time) Period {
	return Period{Label: w.Label, Kind: w.Period.Kind.String(), Name: w.name(), Start: w.Start, End: w.End,
		InProgress: !now.Before(w.Start) && now.Before(w.End)}
}

// CheckPeriod reports whether s is a period a report can be asked for (a month, a quarter or
// empty), without building one: a command can refuse a typo before it syncs its sources.
func CheckPeriod(s string) error {
	_, err := parsePeriod(s, time.UTC, time.Now())
	return err
}
