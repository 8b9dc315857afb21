package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestReportStaffing: the demo's report carries its staffing group, Monday 12:00 short (the
// roster's one agent over lunch); a report filtered to a supplier, whose objectives the group
// does not plan for, has none.
func TestReportStaffing(t *testing.T) {
	rep := mustDemoReport(t, Request{})
	if len(rep.Staffing) != 1 {
		t.Fatalf("%d staffing groups, want the demo's 1", len(rep.Staffing))
	}
	s := rep.Staffing[0]
	if s.Group != "desk-p3" || s.State != "ok" || len(s.Days) != 7 || len(s.Hours) != 24 || s.ExpectedAttainment == nil || s.ShortHours == nil {
		t.Fatalf("group %+v: want desk-p3 with a week of figures and the roster's", s)
	}
	short := 0
	for _, d := range s.Days {
		for _, c := range d.Cells {
			if c.Rostered == nil {
				t.Fatalf("%s: a cell without the roster's agents", d.Day)
			}
			if c.Short != (*c.Rostered < c.Needed) {
				t.Errorf("%s: rostered %v, needed %v, short %v", d.Day, *c.Rostered, c.Needed, c.Short)
			}
			if c.Short {
				short++
			}
		}
	}
	if short != *s.ShortHours || !s.Days[0].Cells[12].Short {
		t.Errorf("%d short cells, %d short hours, Monday 12:00 short %v", short, *s.ShortHours, s.Days[0].Cells[12].Short)
	}
	if got := mustDemoReport(t, Request{Filter: Filter{Supplier: "hostco"}}).Staffing; len(got) != 0 {
		t.Errorf("supplier report has staffing %+v", got)
	}
	if s.HandleTimeSeconds == nil || *s.HandleTimeSeconds != 2400 || s.HandleTimeSource != "configured" || s.HandleTimeTickets != nil {
		t.Errorf("handle time %v s, %s, over %v: want 2400 s, configured, no ticket count", s.HandleTimeSeconds, s.HandleTimeSource, s.HandleTimeTickets)
	}
	html := func() string {
		var buf bytes.Buffer
		if err := Render(context.Background(), &buf, rep, HTML); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if h := html(); !strings.Contains(h, "Handle time") || !strings.Contains(h, ">40m</") || !strings.Contains(h, ", configured.</p>") {
		t.Error("the report's staffing section does not say the handle time is 40m, configured")
	}
	// Measured: 2280 s over 412 tickets reads "38m, measured over 412 tickets".
	sec, n := 2280.0, 412
	rep.Staffing[0].HandleTimeSeconds, rep.Staffing[0].HandleTimeSource, rep.Staffing[0].HandleTimeTickets = &sec, "measured", &n
	if h := html(); !strings.Contains(h, ">38m</") || !strings.Contains(h, ">412</") || !strings.Contains(h, "tickets.</p>") {
		t.Error("the report's staffing section does not say the handle time is 38m, measured over 412 tickets")
	}
}
