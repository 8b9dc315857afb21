package period

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// span is what a test checks about one period: its bounds, its real length and its label.
type span struct {
	Start, End time.Time
	Length     time.Duration
	Label      string
}

func spanOf(p Period, now time.Time) span {
	s, e := p.Bounds(now)
	return span{Start: s, End: e, Length: e.Sub(s), Label: p.Label(s)}
}

func TestBounds(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	newYork := mustLoad(t, "America/New_York")
	asuncion := mustLoad(t, "America/Asuncion")
	stJohns := mustLoad(t, "America/St_Johns")

	tests := []struct {
		name string
		p    Period
		now  time.Time
		want span
	}{
		{
			// Spring forward on Sunday 29 March 02:00 CET: 31 days × 24h - 1h = 743h.
			name: "Rome March 2026 loses an hour",
			p:    Period{Kind: Month, Location: rome},
			now:  utc("2026-03-15T12:00:00+01:00"),
			want: span{utc("2026-03-01T00:00:00+01:00"), utc("2026-04-01T00:00:00+02:00"), 743 * time.Hour, "2026-03"},
		},
		{
			// Fall back on Sunday 25 October 03:00 CEST: 31 × 24h + 1h = 745h.
			name: "Rome October 2026 gains an hour",
			p:    Period{Kind: Month, Location: rome},
			now:  utc("2026-10-25T02:30:00+01:00"), // the second 02:30 of the night
			want: span{utc("2026-10-01T00:00:00+02:00"), utc("2026-11-01T00:00:00+01:00"), 745 * time.Hour, "2026-10"},
		},
		{
			// Spring forward on Sunday 8 March: 31 × 24h - 1h = 743h.
			name: "New York March 2026 loses an hour",
			p:    Period{Kind: Month, Location: newYork},
			now:  utc("2026-03-08T03:00:00-04:00"),
			want: span{utc("2026-03-01T00:00:00-05:00"), utc("2026-04-01T00:00:00-04:00"), 743 * time.Hour, "2026-03"},
		},
		{
			// Fall back on Sunday 1 November 02:00 EDT, after the month began: 30 × 24h + 1h = 721h.
			name: "New York November 2026 gains an hour",
			p:    Period{Kind: Month, Location: newYork},
			now:  utc("2026-11-30T23:59:59-05:00"),
			want: span{utc("2026-11-01T00:00:00-04:00"), utc("2026-12-01T00:00:00-05:00"), 721 * time.Hour, "2026-11"},
		},
		{
			// Leap year: 29 × 24h = 696h.
			name: "February 2024 has 29 days",
			p:    Period{Kind: Month},
			now:  utc("2024-02-29T23:59:59Z"),
			want: span{utc("2024-02-01T00:00:00Z"), utc("2024-03-01T00:00:00Z"), 696 * time.Hour, "2024-02"},
		},
		{
			// 28 × 24h = 672h.
			name: "February 2026 has 28 days",
			p:    Period{Kind: Month},
			now:  utc("2026-02-14T00:00:00Z"),
			want: span{utc("2026-02-01T00:00:00Z"), utc("2026-03-01T00:00:00Z"), 672 * time.Hour, "2026-02"},
		},
		{
			// Midnight of 1 October 2023 never happened in Asunción: at 00:00 -04 clocks jumped to
			// 01:00 -03, both 04:00Z, so October starts at 04:00Z, not at time.Date's
			// 2023-09-30 23:00 -04. Ends 1 November 00:00 -03 = 03:00Z: 31 × 24h - 1h = 743h.
			name: "Asuncion October 2023 starts at the jump",
			p:    Period{Kind: Month, Location: asuncion},
			now:  utc("2023-10-01T04:00:00Z"),
			want: span{utc("2023-10-01T04:00:00Z"), utc("2023-11-01T03:00:00Z"), 743 * time.Hour, "2023-10"},
		},
		{
			// One second before the jump is still September, which is then a plain
			// 30 × 24h = 720h: 1 September 00:00 -04 = 04:00Z to 1 October 04:00Z.
			name: "Asuncion September 2023 ends at the jump",
			p:    Period{Kind: Month, Location: asuncion},
			now:  utc("2023-10-01T03:59:59Z"),
			want: span{utc("2023-09-01T04:00:00Z"), utc("2023-10-01T04:00:00Z"), 720 * time.Hour, "2023-09"},
		},
		{
			// St. John's fell back at 00:01 NDT on 1 November 2009 to 23:01 NST of 31 October:
			// November began at its first midnight, 00:00 NDT = 02:30Z, and at 03:00Z clocks read
			// 31 October 23:30 NST again. That hour still belongs to November. Ends 1 December
			// 00:00 NST = 03:30Z: 30 × 24h + 1h = 721h.
			name: "St Johns clocks step back across midnight",
			p:    Period{Kind: Month, Location: stJohns},
			now:  utc("2009-11-01T03:00:00Z"),
			want: span{utc("2009-11-01T02:30:00Z"), utc("2009-12-01T03:30:00Z"), 721 * time.Hour, "2009-11"},
		},
		{
			// Monday 23 March 00:00 CET to Monday 30 March 00:00 CEST: 7 × 24h - 1h = 167h.
			name: "Rome week with spring forward",
			p:    Period{Kind: Week, Location: rome},
			now:  utc("2026-03-29T12:00:00+02:00"), // Sunday, last day of the week
			want: span{utc("2026-03-23T00:00:00+01:00"), utc("2026-03-30T00:00:00+02:00"), 167 * time.Hour, "2026-W13"},
		},
		{
			// Monday 19 October to Monday 26 October: 7 × 24h + 1h = 169h.
			name: "Rome week with fall back",
			p:    Period{Kind: Week, Location: rome},
			now:  utc("2026-10-19T00:00:00+02:00"), // exactly on the Monday boundary
			want: span{utc("2026-10-19T00:00:00+02:00"), utc("2026-10-26T00:00:00+01:00"), 169 * time.Hour, "2026-W43"},
		},
		{
			// 1 January 2026 is a Thursday, so 2026 has 53 ISO weeks and Thursday 31 December 2026
			// is in 2026-W53: Monday 28 December 2026 to Monday 4 January 2027, 7 × 24h = 168h.
			name: "31 December 2026 is in 2026-W53",
			p:    Period{Kind: Week},
			now:  utc("2026-12-31T12:00:00Z"),
			want: span{utc("2026-12-28T00:00:00Z"), utc("2027-01-04T00:00:00Z"), 168 * time.Hour, "2026-W53"},
		},
		{
			// Sunday 3 January 2027 is the last day of that same week.
			name: "3 January 2027 is still in 2026-W53",
			p:    Period{Kind: Week},
			now:  utc("2027-01-03T23:59:59Z"),
			want: span{utc("2026-12-28T00:00:00Z"), utc("2027-01-04T00:00:00Z"), 168 * time.Hour, "2026-W53"},
		},
		{
			// Week 1 of 2026 holds its first Thursday, 1 January, so it starts Monday 29 December 2025.
			name: "29 December 2025 is in 2026-W01",
			p:    Period{Kind: Week},
			now:  utc("2025-12-29T00:00:00Z"),
			want: span{utc("2025-12-29T00:00:00Z"), utc("2026-01-05T00:00:00Z"), 168 * time.Hour, "2026-W01"},
		},
		{
			// January 31 + February 28 + March 31 = 90 days; 90 × 24h - 1h (29 March) = 2159h.
			name: "Rome Q1 2026",
			p:    Period{Kind: Quarter, Location: rome},
			now:  utc("2026-02-10T08:00:00+01:00"),
			want: span{utc("2026-01-01T00:00:00+01:00"), utc("2026-04-01T00:00:00+02:00"), 2159 * time.Hour, "2026-Q1"},
		},
		{
			// July 31 + August 31 + September 30 = 92 days; 92 × 24h = 2208h.
			name: "UTC Q3 2026",
			p:    Period{Kind: Quarter},
			now:  utc("2026-09-30T23:59:59.999999999Z"),
			want: span{utc("2026-07-01T00:00:00Z"), utc("2026-10-01T00:00:00Z"), 2208 * time.Hour, "2026-Q3"},
		},
		{
			// October 31 + November 30 + December 31 = 92 days; 92 × 24h + 1h (25 October) = 2209h.
			name: "Rome Q4 2026",
			p:    Period{Kind: Quarter, Location: rome},
			now:  utc("2026-10-01T00:00:00+02:00"),
			want: span{utc("2026-10-01T00:00:00+02:00"), utc("2027-01-01T00:00:00+01:00"), 2209 * time.Hour, "2026-Q4"},
		},
		{
			// 365 × 24h = 8760h; the spring and autumn hours cancel out.
			name: "Rome year 2026",
			p:    Period{Kind: Year, Location: rome},
			now:  utc("2026-07-14T12:00:00+02:00"),
			want: span{utc("2026-01-01T00:00:00+01:00"), utc("2027-01-01T00:00:00+01:00"), 8760 * time.Hour, "2026"},
		},
		{
			// Leap year: 366 × 24h = 8784h.
			name: "UTC year 2024",
			p:    Period{Kind: Year},
			now:  utc("2024-12-31T23:59:59Z"),
			want: span{utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z"), 8784 * time.Hour, "2024"},
		},
		{
			// 30 × 24h = 720h straight back from now.
			name: "rolling 30d",
			p:    Period{Kind: Rolling, Days: 30},
			now:  utc("2026-10-15T12:34:56Z"),
			want: span{utc("2026-09-15T12:34:56Z"), utc("2026-10-15T12:34:56Z"), 720 * time.Hour, "rolling_30d"},
		},
		{
			// Rolling periods count real hours: across the fall back the start reads 13:00 CEST,
			// not the 12:00 of the end: 7 × 24h = 168h.
			name: "rolling 7d across fall back",
			p:    Period{Kind: Rolling, Days: 7, Location: rome},
			now:  utc("2026-10-28T12:00:00+01:00"),
			want: span{utc("2026-10-21T13:00:00+02:00"), utc("2026-10-28T12:00:00+01:00"), 168 * time.Hour, "rolling_7d"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, spanOf(tt.p, tt.now)); diff != "" {
				t.Errorf("Bounds(%v) mismatch (-want +got):\n%s", tt.now, diff)
			}
		})
	}
}

func TestBoundsOnBoundary(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	p := Period{Kind: Month, Location: rome}
	boundary := utc("2026-11-01T00:00:00+01:00")

	// Exactly on the boundary: November, 30 × 24h = 720h.
	want := span{boundary, utc("2026-12-01T00:00:00+01:00"), 720 * time.Hour, "2026-11"}
	if diff := cmp.Diff(want, spanOf(p, boundary)); diff != "" {
		t.Errorf("on the boundary (-want +got):\n%s", diff)
	}
	// One nanosecond earlier: October, 745h (see TestBounds).
	want = span{utc("2026-10-01T00:00:00+02:00"), boundary, 745 * time.Hour, "2026-10"}
	if diff := cmp.Diff(want, spanOf(p, boundary.Add(-time.Nanosecond))); diff != "" {
		t.Errorf("just before the boundary (-want +got):\n%s", diff)
	}
}

func TestPrevious(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	tests := []struct {
		name  string
		p     Period
		start time.Time
		want  span
	}{
		{
			// The month before November 2026 is October: 745h.
			name:  "month",
			p:     Period{Kind: Month, Location: rome},
			start: utc("2026-11-01T00:00:00+01:00"),
			want:  span{utc("2026-10-01T00:00:00+02:00"), utc("2026-11-01T00:00:00+01:00"), 745 * time.Hour, "2026-10"},
		},
		{
			// From inside March 2024 (not a boundary) the previous month is still February: 696h.
			name:  "month from a non-boundary instant",
			p:     Period{Kind: Month},
			start: utc("2024-03-10T10:00:00Z"),
			want:  span{utc("2024-02-01T00:00:00Z"), utc("2024-03-01T00:00:00Z"), 696 * time.Hour, "2024-02"},
		},
		{
			// The week before 2027-W01 is 2026-W53: 168h.
			name:  "week across the year end",
			p:     Period{Kind: Week},
			start: utc("2027-01-04T00:00:00Z"),
			want:  span{utc("2026-12-28T00:00:00Z"), utc("2027-01-04T00:00:00Z"), 168 * time.Hour, "2026-W53"},
		},
		{
			// The quarter before Q1 2027 is Q4 2026: 2209h.
			name:  "quarter across the year end",
			p:     Period{Kind: Quarter, Location: rome},
			start: utc("2027-01-01T00:00:00+01:00"),
			want:  span{utc("2026-10-01T00:00:00+02:00"), utc("2027-01-01T00:00:00+01:00"), 2209 * time.Hour, "2026-Q4"},
		},
		{
			// 2024 is the year before 2025: 8784h.
			name:  "year",
			p:     Period{Kind: Year},
			start: utc("2025-01-01T00:00:00Z"),
			want:  span{utc("2024-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z"), 8784 * time.Hour, "2024"},
		},
		{
			// Rolling: the 28 × 24h = 672h before start.
			name:  "rolling",
			p:     Period{Kind: Rolling, Days: 28},
			start: utc("2026-03-01T06:00:00Z"),
			want:  span{utc("2026-02-01T06:00:00Z"), utc("2026-03-01T06:00:00Z"), 672 * time.Hour, "rolling_28d"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := tt.p.Previous(tt.start)
			got := span{Start: s, End: e, Length: e.Sub(s), Label: tt.p.Label(s)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Previous(%v) mismatch (-want +got):\n%s", tt.start, diff)
			}
		})
	}
}
