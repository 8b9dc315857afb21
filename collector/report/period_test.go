package report

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	now := utc("2026-12-03T09:00:00Z")
	tests := []struct {
		in         string
		label      string
		kind, name string
		start, end string // UTC
		hours      float64
	}{
		// November 2026 in Rome: CET (+01:00) throughout, 30 days.
		{"2026-11", "2026-11", "month", "November 2026", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", 30 * 24},
		// The default is the last month finished at now.
		{"", "2026-11", "month", "November 2026", "2026-10-31T23:00:00Z", "2026-11-30T23:00:00Z", 30 * 24},
		// March 2026: clocks go forward on Sunday 29 March, so the month starts at 00:00 CET
		// (+01:00) and ends at 00:00 CEST (+02:00): 31 days less an hour, 743 hours.
		{"2026-03", "2026-03", "month", "March 2026", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z", 31*24 - 1},
		// October 2026: clocks go back on Sunday 25 October: 31 days and an hour, 745 hours.
		{"2026-10", "2026-10", "month", "October 2026", "2026-09-30T22:00:00Z", "2026-10-31T23:00:00Z", 31*24 + 1},
		// Q4 2026: 1 October 00:00 CEST to 1 January 00:00 CET: 92 days and an hour.
		{"2026-Q4", "2026-Q4", "quarter", "Q4 2026", "2026-09-30T22:00:00Z", "2026-12-31T23:00:00Z", 92*24 + 1},
		// Q1 2026 in lower case: 1 January CET to 1 April CEST: 90 days less an hour.
		{"2026-q1", "2026-Q1", "quarter", "Q1 2026", "2025-12-31T23:00:00Z", "2026-03-31T22:00:00Z", 90*24 - 1},
		{" 2026-01 ", "2026-01", "month", "January 2026", "2025-12-31T23:00:00Z", "2026-01-31T23:00:00Z", 31 * 24},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, err := parsePeriod(tt.in, rome, now)
			if err != nil {
				t.Fatal(err)
			}
			p := w.model(now)
			if p.Label != tt.label || p.Kind != tt.kind || p.Name != tt.name {
				t.Errorf("label %q kind %q name %q, want %q %q %q", p.Label, p.Kind, p.Name, tt.label, tt.kind, tt.name)
			}
			if !p.Start.Equal(utc(tt.start)) || !p.End.Equal(utc(tt.end)) {
				t.Errorf("[%s, %s), want [%s, %s)", p.Start, p.End, tt.start, tt.end)
			}
			if h := p.End.Sub(p.Start).Hours(); h != tt.hours {
				t.Errorf("%v hours, want %v", h, tt.hours)
			}
			if p.Start.Location() != rome {
				t.Errorf("start in %s, want Europe/Rome", p.Start.Location())
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	const want = "; want a month such as 2026-11 or a quarter such as 2026-Q4"
	tests := []struct{ in, want string }{
		{"2026-13", `period "2026-13": there are months 01 to 12` + want},
		{"2026-00", `period "2026-00": there are months 01 to 12` + want},
		{"2026-Q5", `period "2026-Q5": there are quarters 1 to 4` + want},
		{"2026-Q0", `period "2026-Q0": there are quarters 1 to 4` + want},
		{"2026-1", `period "2026-1": not a year and a month or quarter` + want},
		{"2026-W48", `period "2026-W48": not a year and a month or quarter` + want},
		{"2026", `period "2026": not a year and a month or quarter` + want},
		{"November", `period "November": not a year and a month or quarter` + want},
		{"26-11", `period "26-11": not a year and a month or quarter` + want},
		{"1969-12", `period "1969-12": the year is not between 1970 and 2200` + want},
		{"+026-11", `period "+026-11": not a year and a month or quarter` + want},
	}
	for _, tt := range tests {
		_, err := parsePeriod(tt.in, time.UTC, utc("2026-12-03T09:00:00Z"))
		if err == nil || err.Error() != tt.want || !IsInputError(err) {
			t.Errorf("parsePeriod(%q) = %v, want input error %s", tt.in, err, tt.want)
		}
	}
}

// TestWindowTrend: the twelve periods of a trend follow each other without gap or overlap,
// across DST changes.
func TestWindowTrend(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	w, err := parsePeriod("2026-11", rome, utc("2026-12-03T09:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	trend := w.last(12)
	if trend[0].Label != "2025-12" || trend[11].Label != "2026-11" {
		t.Errorf("trend %s to %s, want 2025-12 to 2026-11", trend[0].Label, trend[11].Label)
	}
	for i := 1; i < len(trend); i++ {
		if !trend[i-1].End.Equal(trend[i].Start) {
			t.Errorf("%s ends %s, %s starts %s", trend[i-1].Label, trend[i-1].End, trend[i].Label, trend[i].Start)
		}
	}
}

// FuzzParsePeriod: any text is a period whose label parses back to itself, or an input error.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-11", "2026-Q4", "", "2026-q1", "2026-13", "9999-01", "2026-W48"} {
		f.Add(s)
	}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		f.Fatal(err)
	}
	now := utc("2026-12-03T09:00:00Z")
	f.Fuzz(func(t *testing.T, s string) {
		w, err := parsePeriod(s, rome, now)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("%q: %v is not an input error", s, err)
			}
			return
		}
		if !w.Start.Before(w.End) {
			t.Fatalf("%q: empty period [%s, %s)", s, w.Start, w.End)
		}
		back, err := parsePeriod(w.Label, rome, now)
		if err != nil || !back.Start.Equal(w.Start) || !back.End.Equal(w.End) {
			t.Fatalf("%q → %s → %v, %v", s, w.Label, back, err)
		}
	})
}
