package ticket

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Rome without relying on the system zoneinfo

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

var rome = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err)
	}
	return loc
}()

// tm reads a Europe/Rome wall-clock time "2006-01-02 15:04" or "2006-01-02 15:04:05".
func tm(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, rome); err == nil {
			return t
		}
	}
	panic("bad time " + s)
}

// ts is tm as Unix seconds.
func ts(s string) int64 { return tm(s).Unix() }

// italianHolidays are the national holidays of Italy; Easter Monday is dated.
var italianHolidays = []calendar.MonthDay{
	{Month: 1, Day: 1}, {Month: 1, Day: 6}, {Month: 4, Day: 25}, {Month: 5, Day: 1}, {Month: 6, Day: 2},
	{Month: 8, Day: 15}, {Month: 11, Day: 1}, {Month: 12, Day: 8}, {Month: 12, Day: 25}, {Month: 12, Day: 26},
}

var easterMondays = []calendar.Date{{Year: 2024, Month: 4, Day: 1}, {Year: 2025, Month: 4, Day: 21}, {Year: 2026, Month: 4, Day: 6}}

func officeSpec(first, last int) calendar.Spec {
	day := []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	return calendar.Spec{
		Name:     "rome-office",
		Location: rome,
		Week:     [7][]calendar.Interval{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day},
		Holidays: easterMondays, Recurring: italianHolidays,
		FirstYear: first, LastYear: last,
	}
}

var (
	officeOnce, officeFullOnce sync.Once
	officeCal, officeFullCal   *calendar.Calendar
)

// office is Mon-Fri 09:00-17:00 Europe/Rome with the Italian holidays, over 2020-2030.
func office(tb testing.TB) *calendar.Calendar {
	officeOnce.Do(func() { officeCal = mustCalendar(officeSpec(2020, 2030)) })
	return officeCal
}

// officeFull is office over the default span of years (2000-2100), as production builds it.
func officeFull(tb testing.TB) *calendar.Calendar {
	officeFullOnce.Do(func() { officeFullCal = mustCalendar(officeSpec(0, 0)) })
	return officeFullCal
}

func mustCalendar(s calendar.Spec) *calendar.Calendar {
	c, err := calendar.New(s)
	if err != nil {
		panic(err)
	}
	return c
}

func mustClock(tb testing.TB, spec ClockSpec) *Clock {
	tb.Helper()
	c, err := NewClock(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// ch is a status change at a Rome wall-clock time.
func ch(at string, cat Category) StatusChange {
	return StatusChange{At: tm(at), Status: cat.String(), Category: cat}
}

var (
	priorities = []string{"P1", "P2", "P3", "P4"}
	types      = []string{"incident", "request", "change"}
	groups     = []string{"service-desk", "network", "database", "apps-erp", "apps-web", "unix", "windows", "storage"}
	customers  = []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"}
	services   = []string{"mail", "erp", "vpn", "web", "print", "wifi"}
	categories = []string{"hardware", "software", "access", "network"}
)

// genTicket makes a realistic ticket created at most 90 days before now: status names from a
// small vocabulary, about 10% with a pause, about 5% reopened, about 15% still open, most with a
// first response. Some changes fall after now, as in a feed read later than the evaluation.
func genTicket(rng *rand.Rand, i int, now time.Time) Ticket {
	created := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Second)
	t := Ticket{
		ID:       fmt.Sprintf("INC%07d", i),
		Created:  created,
		Priority: priorities[rng.IntN(len(priorities))],
		Type:     types[rng.IntN(len(types))],
		Group:    groups[rng.IntN(len(groups))],
		Fields: map[string]string{
			"customer": customers[rng.IntN(len(customers))],
			"service":  services[rng.IntN(len(services))],
			"category": categories[rng.IntN(len(categories))],
		},
		Rating: Rating(rng.IntN(3)),
	}
	step := func() time.Duration { return time.Duration(rng.Int64N(int64(30*time.Hour))) + time.Minute }
	at := created
	t.History = append(t.History, StatusChange{At: at, Status: "New", Category: Open})
	if rng.IntN(10) > 0 {
		t.FirstResponse = created.Add(time.Duration(rng.Int64N(int64(8 * time.Hour))))
	}
	at = at.Add(step())
	t.History = append(t.History, StatusChange{At: at, Status: "In Progress", Category: Open})
	if rng.IntN(10) == 0 {
		at = at.Add(step())
		t.History = append(t.History, StatusChange{At: at, Status: "Awaiting Customer", Category: Paused})
		at = at.Add(step())
		t.History = append(t.History, StatusChange{At: at, Status: "In Progress", Category: Open})
	}
	if rng.IntN(100) < 85 {
		at = at.Add(step())
		t.History = append(t.History, StatusChange{At: at, Status: "Resolved", Category: Resolved})
		if rng.IntN(20) == 0 {
			at = at.Add(step())
			t.History = append(t.History, StatusChange{At: at, Status: "Reopened", Category: Open})
			at = at.Add(step())
			t.History = append(t.History, StatusChange{At: at, Status: "Resolved", Category: Resolved})
		}
		if rng.IntN(2) == 0 {
			at = at.Add(72 * time.Hour)
			t.History = append(t.History, StatusChange{At: at, Status: "Closed", Category: Closed})
		}
	} else if rng.IntN(20) == 0 {
		at = at.Add(step())
		t.History = append(t.History, StatusChange{At: at, Status: "Cancelled", Category: Cancelled})
	}
	return t
}

// benchClocks are the response and resolution clocks of an office-hours contract.
func benchClocks(tb testing.TB, cal *calendar.Calendar) (*Clock, *Clock) {
	resp := mustClock(tb, ClockSpec{Kind: Response, Calendar: cal, Targets: map[string]time.Duration{
		"P1": 15 * time.Minute, "P2": time.Hour, "P3": 4 * time.Hour, "P4": 8 * time.Hour,
	}})
	res := mustClock(tb, ClockSpec{Kind: Resolution, Calendar: cal, Targets: map[string]time.Duration{
		"P1": 4 * time.Hour, "P2": 8 * time.Hour, "P3": 24 * time.Hour, "P4": 40 * time.Hour,
	}})
	return resp, res
}
