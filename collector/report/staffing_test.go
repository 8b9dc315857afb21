package report

import "testing"

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
}
