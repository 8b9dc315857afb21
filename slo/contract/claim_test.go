package contract

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseClaimWindow(t *testing.T) {
	tests := []struct {
		in   string
		want ClaimWindow
		text string
	}{
		{"2 months", ClaimWindow{Months: 2}, "2 months"},
		{"1 month", ClaimWindow{Months: 1}, "1 month"},
		{"2mo", ClaimWindow{Months: 2}, "2 months"},
		{" 30 Days ", ClaimWindow{Days: 30}, "30 days"},
		{"30d", ClaimWindow{Days: 30}, "30 days"},
		{"6 weeks", ClaimWindow{Days: 42}, "42 days"}, // 6 × 7
		{"1w", ClaimWindow{Days: 7}, "7 days"},
		{"1 year", ClaimWindow{Months: 12}, "12 months"},
		{"10y", ClaimWindow{Months: 120}, "120 months"},
		{"0 days", ClaimWindow{}, ""}, // no deadline, as if unset
	}
	for _, tt := range tests {
		got, err := ParseClaimWindow(tt.in)
		if err != nil {
			t.Errorf("ParseClaimWindow(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want || got.String() != tt.text {
			t.Errorf("ParseClaimWindow(%q) = %+v (%q), want %+v (%q)", tt.in, got, got.String(), tt.want, tt.text)
		}
	}
}

func TestParseClaimWindowErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2m", `"2m": write months as "2 months" (m is minutes in a duration)`},
		{"2 minutes", `"2 minutes": write months as "2 months" (m is minutes in a duration)`},
		{"two months", `"two months" is not a claim window such as "2 months", "30 days", "6 weeks" or "1 year"`},
		{"2", `"2" is not a claim window such as "2 months", "30 days", "6 weeks" or "1 year"`},
		{"months", `"months" is not a claim window such as "2 months", "30 days", "6 weeks" or "1 year"`},
		{"-1 months", `"-1 months" is not a claim window such as "2 months", "30 days", "6 weeks" or "1 year"`},
		{"2 fortnights", `"2 fortnights" is not a claim window such as "2 months", "30 days", "6 weeks" or "1 year"`},
		{"02 months", `"02 months" has a leading zero`},
		{"121 months", `"121 months": a claim window is at most ten years`},
		{"11 years", `"11 years": a claim window is at most ten years`},
		{"999999 days", `"999999 days" is longer than ten years`},
	}
	for _, tt := range tests {
		_, err := ParseClaimWindow(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseClaimWindow(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
}

// TestClaimWindowDeadline checks the deadline arithmetic by hand, in Europe/Rome (CET +01:00 in
// winter, CEST +02:00 from the last Sunday of March to the last Sunday of October).
func TestClaimWindowDeadline(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.In(rome)
	}
	tests := []struct {
		name   string
		window ClaimWindow
		end    time.Time
		want   time.Time
	}{
		// November 2026 ends 2026-12-01 00:00 CET (23:00 UTC the day before). Two months on, the
		// clocks read 2027-02-01 00:00 CET: claims are due before February, by 31 January.
		{"november, 2 months", ClaimWindow{Months: 2}, at("2026-11-30T23:00:00Z"), at("2027-01-31T23:00:00Z")},
		// March 2026 ends 2026-04-01 00:00 CEST (22:00 UTC on 31 March); 30 calendar days later
		// is 2026-05-01 00:00 CEST, 22:00 UTC on 30 April: no DST change between.
		{"march, 30 days", ClaimWindow{Days: 30}, at("2026-03-31T22:00:00Z"), at("2026-04-30T22:00:00Z")},
		// September 2026 ends 2026-10-01 00:00 CEST (22:00 UTC); one month later is 2026-11-01
		// 00:00, by then CET (23:00 UTC on 31 October): 31 days and one hour of elapsed time,
		// because clocks went back on 25 October. The deadline stays at midnight.
		{"september, 1 month across DST", ClaimWindow{Months: 1}, at("2026-09-30T22:00:00Z"), at("2026-10-31T23:00:00Z")},
		// February 2026 ends 2026-03-01 00:00 CET; 30 days later is 2026-03-31 00:00, by then
		// CEST (clocks went forward on 29 March): 22:00 UTC on 30 March, 29 days and 23 hours on.
		{"february, 30 days across DST", ClaimWindow{Days: 30}, at("2026-02-28T23:00:00Z"), at("2026-03-30T22:00:00Z")},
		// A week ending on Monday 31 August 2026 00:00 CEST: plus one month has no 31 September,
		// so the day is clamped to the 30th, 2026-09-30 00:00 CEST (22:00 UTC on 29 September).
		{"clamped to the month's last day", ClaimWindow{Months: 1}, at("2026-08-30T22:00:00Z"), at("2026-09-29T22:00:00Z")},
		// Q4 2026 ends 2027-01-01 00:00 CET; a year later, 2028-01-01 00:00 CET.
		{"quarter, 1 year", ClaimWindow{Months: 12}, at("2026-12-31T23:00:00Z"), at("2027-12-31T23:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.window.Deadline(tt.end)
			if !got.Equal(tt.want) {
				t.Errorf("Deadline(%s) = %s, want %s", tt.end, got, tt.want.In(rome))
			}
			if got.Location() != rome {
				t.Errorf("Deadline is in %s, want Europe/Rome", got.Location())
			}
		})
	}
	if got := (ClaimWindow{}).Deadline(at("2026-11-30T23:00:00Z")); !got.IsZero() {
		t.Errorf("no window: Deadline = %s, want the zero time", got)
	}
}

func TestClaimWindowValidate(t *testing.T) {
	for _, w := range []ClaimWindow{{Months: -1}, {Days: -1}, {Months: 1, Days: 1}, {Months: 121}, {Days: 3661}} {
		if w.Validate() == nil {
			t.Errorf("%+v validates", w)
		}
	}
	if diff := cmp.Diff(ClaimWindow{Months: 2}, ClaimWindow{Months: 2}); diff != "" {
		t.Error(diff)
	}
}

// FuzzParseClaimWindow: any text parses to a valid window that prints back to itself, or fails
// with an error; and the deadline is never before the period's end.
func FuzzParseClaimWindow(f *testing.F) {
	for _, s := range []string{"2 months", "30d", "6 weeks", "1y", "2m", "0 days", "999999 days", "02mo"} {
		f.Add(s)
	}
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseClaimWindow(s)
		if err != nil {
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("%q parsed to invalid %+v: %v", s, w, err)
		}
		if w.IsZero() {
			return
		}
		back, err := ParseClaimWindow(w.String())
		if err != nil || back != w {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, w, w.String(), back, err)
		}
		if d := w.Deadline(end); !d.After(end) {
			t.Fatalf("%q: deadline %s is not after %s", s, d, end)
		}
	})
}
