package availability

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMonthWithMaintenanceAndOutage is a whole compliance month worked by hand: October 2026 in
// Europe/Rome, 745h long because of the fall back on the 25th, with maintenance every Sunday
// 02:00-04:00 and one outage.
func TestMonthWithMaintenanceAndOutage(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	from, to := at("2026-10-01T00:00:00+02:00"), at("2026-11-01T00:00:00+01:00")
	cfg := Config{Recurring: []Recurring{{
		Weekdays: []time.Weekday{time.Sunday}, Start: 2 * time.Hour, Duration: 2 * time.Hour, Location: rome,
	}}}
	// Down for 12m30s: 12 whole slices and half of a 13th, which is bad at threshold 1.
	data := mustOutages(t, []Outage{{
		Start: at("2026-10-13T10:00:00+02:00"), End: at("2026-10-13T10:12:30+02:00"), State: Down,
	}}, from, to)
	tl := mustBuild(t, cfg, data, from, to)

	// 31 days × 24h + 1h = 745h = 44,700 one-minute slices.
	if tl.Len() != 44700 {
		t.Fatalf("Len() = %d, want 44700", tl.Len())
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     Counts
	}{
		{
			// Sundays 4, 11, 18, 25: 4 × 2h = 8h = 480 slices excluded; 13 bad;
			// good = 44,700 - 480 - 13 = 44,207 minutes. Eligible = 745h - 8h = 737h, all covered.
			name: "month",
			from: from, to: to,
			want: Counts{Good: 44207 * time.Minute, Bad: 13 * time.Minute, Excluded: 8 * time.Hour,
				Covered: 737 * time.Hour, Eligible: 737 * time.Hour},
		},
		{
			// The 25th lasts 25h = 1,500 slices; 120 in maintenance; good = 1,500 - 120 = 1,380
			// minutes = 23h.
			name: "the 25-hour day",
			from: at("2026-10-25T00:00:00+02:00"), to: at("2026-10-26T00:00:00+01:00"),
			want: Counts{Good: 23 * time.Hour, Excluded: 2 * time.Hour, Covered: 23 * time.Hour, Eligible: 23 * time.Hour},
		},
		{
			// 02:00 happens twice on the 25th; the window opens at the first, 02:00 CEST =
			// 00:00Z, and lasts 2h of real time, to 02:00Z = 03:00 CET.
			name: "the window on the 25th",
			from: at("2026-10-25T00:00:00Z"), to: at("2026-10-25T02:00:00Z"),
			want: Counts{Excluded: 2 * time.Hour},
		},
		{
			name: "the hour after it",
			from: at("2026-10-25T02:00:00Z"), to: at("2026-10-25T03:00:00Z"),
			want: Counts{Good: time.Hour, Covered: time.Hour, Eligible: time.Hour},
		},
		{
			// 10:00-10:15 on the 13th: slices 10:00-10:12 are bad (13), 10:13 and 10:14 good (2).
			// Covered: all 15 minutes had data, even the bad ones.
			name: "around the outage",
			from: at("2026-10-13T10:00:00+02:00"), to: at("2026-10-13T10:15:00+02:00"),
			want: Counts{Good: 2 * time.Minute, Bad: 13 * time.Minute, Covered: 15 * time.Minute, Eligible: 15 * time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tl.Counts(tt.from, tt.to)); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// 44,207 / (44,207 + 13) = 44,207 / 44,220.
	if got, ok := tl.Counts(from, to).Attainment(); !ok || got != 44207.0/44220.0 {
		t.Errorf("Attainment() = %v, %v; want %v", got, ok, 44207.0/44220.0)
	}
}

// TestGapPolicies feeds a day of 1-minute probes with an hour of silence: the last sample
// before it, at 10:00, holds for MaxSampleAge (5m) and the next arrives at 11:05, so exactly
// [10:05, 11:05) is missing.
func TestGapPolicies(t *testing.T) {
	from, to := at("2026-06-01T00:00:00Z"), at("2026-06-02T00:00:00Z")
	samples := append(everyMinute(from, at("2026-06-01T10:00:01Z")), everyMinute(at("2026-06-01T11:05:00Z"), to)...)
	data := mustSamples(t, samples)
	tests := []struct {
		gaps GapPolicy
		want Counts
	}{
		// 1,440 slices, 60 of them without data. Covered 24h - 1h = 23h of Eligible 24h.
		{GapExcluded, Counts{Good: 23 * time.Hour, Excluded: time.Hour, Covered: 23 * time.Hour, Eligible: 24 * time.Hour}},
		{GapGood, Counts{Good: 24 * time.Hour, Covered: 23 * time.Hour, Eligible: 24 * time.Hour}},
		{GapBad, Counts{Good: 23 * time.Hour, Bad: time.Hour, Covered: 23 * time.Hour, Eligible: 24 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.gaps.String(), func(t *testing.T) {
			tl := mustBuild(t, Config{Gaps: tt.gaps}, data, from, to)
			got := tl.Counts(from, to)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
			// 23h / 24h of the time had data, whatever the policy says about the rest.
			if cov, _ := got.Coverage(); cov != 23.0/24.0 {
				t.Errorf("Coverage() = %v, want 23/24", cov)
			}
		})
	}
}

// TestDegradedWeight judges one slice, 12:00-12:01, holding 30s degraded then 30s up.
func TestDegradedWeight(t *testing.T) {
	from, to := at("2026-06-01T12:00:00Z"), at("2026-06-01T13:00:00Z")
	data := mustOutages(t, []Outage{{Start: from, End: at("2026-06-01T12:00:30Z"), State: Degraded}}, from, to)
	tests := []struct {
		name      string
		weight    float64
		threshold float64
		good      bool
	}{
		{"weight 0: 30/60 = 0.5 < 1", 0, 1, false},
		{"weight 0: 30/60 = 0.5 >= 0.5", 0, 0.5, true},
		{"weight 1: 60/60 = 1 >= 1", 1, 1, true},
		{"weight 0.5: (30 + 15)/60 = 0.75 >= 0.75", 0.5, 0.75, true},
		{"weight 0.5: (30 + 15)/60 = 0.75 < 0.76", 0.5, 0.76, false},
		// 0.1 × 30e9 and 0.55 are not exact in binary; the epsilon keeps 33/60 = 0.55 good.
		{"weight 0.1: (30 + 3)/60 = 0.55 >= 0.55", 0.1, 0.55, true},
		{"weight 0.1: (30 + 3)/60 = 0.55 < 0.5501", 0.1, 0.5501, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := mustBuild(t, Config{DegradedWeight: tt.weight, GoodThreshold: tt.threshold}, data, from, to)
			want := Counts{Bad: time.Minute, Covered: time.Minute, Eligible: time.Minute}
			if tt.good {
				want = Counts{Good: time.Minute, Covered: time.Minute, Eligible: time.Minute}
			}
			if diff := cmp.Diff(want, tl.Counts(from, from.Add(time.Minute))); diff != "" {
				t.Errorf("slice 12:00 (-want +got):\n%s", diff)
			}
			// The other 59 slices are fully up whatever the weight.
			if got := tl.Counts(from.Add(time.Minute), to).Good; got != 59*time.Minute {
				t.Errorf("rest of the hour: Good = %v, want 59m", got)
			}
		})
	}
}

// TestSlicePartlyInMaintenance puts maintenance over [12:00:30, 12:05:00): slice 12:00 keeps
// only its first 30s, slices 12:01-12:04 are wholly excluded.
func TestSlicePartlyInMaintenance(t *testing.T) {
	from, to := at("2026-06-01T12:00:00Z"), at("2026-06-01T13:00:00Z")
	maint := []Window{{Start: at("2026-06-01T12:00:30Z"), End: at("2026-06-01T12:05:00Z")}}
	// Eligible: 60m - 4m30s = 55m30s, all of it covered.
	const eligible = 55*time.Minute + 30*time.Second
	tests := []struct {
		name      string
		down      Outage
		threshold float64
		want      Counts
	}{
		{
			// Slice 12:00: 10s down of 30s eligible, up-fraction 20/30 < 1: bad.
			// Good = 60 - 4 excluded - 1 bad = 55.
			name:      "down outside the maintenance part",
			down:      Outage{Start: at("2026-06-01T12:00:00Z"), End: at("2026-06-01T12:00:10Z"), State: Down},
			threshold: 1,
			want:      Counts{Good: 55 * time.Minute, Bad: time.Minute, Excluded: 4 * time.Minute, Covered: eligible, Eligible: eligible},
		},
		{
			// Same slice against threshold 0.6: 20/30 = 0.67 >= 0.6: good, 56 in all.
			name:      "down outside the maintenance part, lenient threshold",
			down:      Outage{Start: at("2026-06-01T12:00:00Z"), End: at("2026-06-01T12:00:10Z"), State: Down},
			threshold: 0.6,
			want:      Counts{Good: 56 * time.Minute, Excluded: 4 * time.Minute, Covered: eligible, Eligible: eligible},
		},
		{
			// Down only during maintenance: the 30s left are up, 30/30 = 1: good.
			name:      "down inside the maintenance part",
			down:      Outage{Start: at("2026-06-01T12:00:40Z"), End: at("2026-06-01T12:00:50Z"), State: Down},
			threshold: 1,
			want:      Counts{Good: 56 * time.Minute, Excluded: 4 * time.Minute, Covered: eligible, Eligible: eligible},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := mustOutages(t, []Outage{tt.down}, from, to)
			tl := mustBuild(t, Config{Maintenance: maint, GoodThreshold: tt.threshold}, data, from, to)
			if diff := cmp.Diff(tt.want, tl.Counts(from, to)); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStaleSamples checks that a sample stops counting MaxSampleAge after it was taken.
func TestStaleSamples(t *testing.T) {
	from, to := at("2026-06-01T00:00:00Z"), at("2026-06-01T00:20:00Z")
	data := mustSamples(t, []Sample{
		{At: at("2026-06-01T00:00:00Z"), State: Up},   // holds [00:00, 00:05) with 5m, [00:00, 07:30) with 10m
		{At: at("2026-06-01T00:07:30Z"), State: Up},   // holds [07:30, 12:30)
		{At: at("2026-06-01T00:12:30Z"), State: Down}, // holds [12:30, 13:00)
		{At: at("2026-06-01T00:13:00Z"), State: Up},   // holds [13:00, 18:00) with 5m, to the end with 10m
	})
	tests := []struct {
		name string
		cfg  Config
		want Counts
	}{
		{
			// Minutes 0-4 good (5), 5-6 missing: excluded (2), 7 half missing and half up:
			// judged on its 30s, good (1), 8-11 good (4), 12 half down: bad (1), 13-17 good (5),
			// 18-19 missing: excluded (2). Good 5+1+4+5 = 15, Bad 1, Excluded 4.
			// Covered 5m + 30s + 5m (minutes 8-12) + 5m = 15m30s.
			name: "5m, gaps excluded",
			cfg:  Config{},
			want: Counts{Good: 15 * time.Minute, Bad: time.Minute, Excluded: 4 * time.Minute,
				Covered: 15*time.Minute + 30*time.Second, Eligible: 20 * time.Minute},
		},
		{
			// Missing counts down: minute 7 is 30/60 up, bad; 5, 6, 18, 19 are bad.
			// Good 15 - 1 = 14, Bad 1 + 1 + 4 = 6.
			name: "5m, gaps bad",
			cfg:  Config{Gaps: GapBad},
			want: Counts{Good: 14 * time.Minute, Bad: 6 * time.Minute,
				Covered: 15*time.Minute + 30*time.Second, Eligible: 20 * time.Minute},
		},
		{
			// With 10m every instant is covered; only minute 12 is bad: Good 19, Bad 1.
			name: "10m",
			cfg:  Config{MaxSampleAge: 10 * time.Minute},
			want: Counts{Good: 19 * time.Minute, Bad: time.Minute, Covered: 20 * time.Minute, Eligible: 20 * time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := mustBuild(t, tt.cfg, data, from, to)
			if diff := cmp.Diff(tt.want, tl.Counts(from, to)); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnknownSample checks that a sample saying Unknown opens a gap like no sample at all.
func TestUnknownSample(t *testing.T) {
	from, to := at("2026-06-01T00:00:00Z"), at("2026-06-01T00:03:00Z")
	data := mustSamples(t, []Sample{
		{At: from, State: Up},
		{At: at("2026-06-01T00:01:00Z"), State: Unknown},
		{At: at("2026-06-01T00:02:00Z"), State: Up},
	})
	// Minute 1 is missing: excluded; 2 good minutes, 2m covered of 3m.
	want := Counts{Good: 2 * time.Minute, Excluded: time.Minute, Covered: 2 * time.Minute, Eligible: 3 * time.Minute}
	if diff := cmp.Diff(want, mustBuild(t, Config{}, data, from, to).Counts(from, to)); diff != "" {
		t.Errorf("Counts mismatch (-want +got):\n%s", diff)
	}
}

// TestOutageMode covers [12:00, 12:10) with overlapping outages and one outside coverage.
func TestOutageMode(t *testing.T) {
	from, to := at("2026-06-01T12:00:00Z"), at("2026-06-01T12:15:00Z")
	data := mustOutages(t, []Outage{
		{Start: at("2026-06-01T12:12:00Z"), End: at("2026-06-01T12:13:00Z"), State: Down}, // outside coverage
		{Start: at("2026-06-01T12:02:00Z"), End: at("2026-06-01T12:05:00Z"), State: Degraded},
		{Start: at("2026-06-01T12:03:00Z"), End: at("2026-06-01T12:04:00Z"), State: Down}, // beats Degraded
	}, from, at("2026-06-01T12:10:00Z"))
	// With DegradedWeight 1 only Down hurts. Minutes: 0-1 up, 2 degraded, 3 down, 4 degraded,
	// 5-9 up, 10-11 missing, 12 down, 13-14 missing.
	// Good 2+1+1+5 = 9, Bad 2 (3 and 12), Excluded 4. Covered 10m + the 1m outage = 11m.
	want := Counts{Good: 9 * time.Minute, Bad: 2 * time.Minute, Excluded: 4 * time.Minute,
		Covered: 11 * time.Minute, Eligible: 15 * time.Minute}
	tl := mustBuild(t, Config{DegradedWeight: 1}, data, from, to)
	if diff := cmp.Diff(want, tl.Counts(from, to)); diff != "" {
		t.Errorf("Counts mismatch (-want +got):\n%s", diff)
	}
}

func TestNoData(t *testing.T) {
	from, to := at("2026-06-01T12:00:00Z"), at("2026-06-01T13:00:00Z")
	tests := []struct {
		gaps GapPolicy
		want Counts
	}{
		// 60 slices, none with data.
		{GapExcluded, Counts{Excluded: time.Hour, Eligible: time.Hour}},
		{GapGood, Counts{Good: time.Hour, Eligible: time.Hour}},
		{GapBad, Counts{Bad: time.Hour, Eligible: time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.gaps.String(), func(t *testing.T) {
			got := mustBuild(t, Config{Gaps: tt.gaps}, Series{}, from, to).Counts(from, to)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
			if _, ok := got.Attainment(); ok != (tt.gaps != GapExcluded) {
				t.Errorf("Attainment ok = %v with %v", ok, tt.gaps)
			}
		})
	}
}

// TestRecurringWindows checks where recurring windows fall, DST days included.
func TestRecurringWindows(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	tests := []struct {
		name     string
		r        Recurring
		from, to time.Time
		excluded time.Duration
	}{
		{
			// 02:30 never happens on 29 March 2026 in Rome: the window opens at the jump,
			// 02:00 CET = 01:00Z, and lasts 1h, to 02:00Z. Counted over [00:00Z, 03:00Z).
			name:     "wall time skipped by spring forward",
			r:        Recurring{Weekdays: []time.Weekday{time.Sunday}, Start: 2*time.Hour + 30*time.Minute, Duration: time.Hour, Location: rome},
			from:     at("2026-03-29T00:00:00Z"),
			to:       at("2026-03-29T03:00:00Z"),
			excluded: time.Hour,
		},
		{
			// Same window, but only the hour from the jump: all of it excluded, which shows it
			// did open at 01:00Z.
			name:     "spring forward window position",
			r:        Recurring{Weekdays: []time.Weekday{time.Sunday}, Start: 2*time.Hour + 30*time.Minute, Duration: time.Hour, Location: rome},
			from:     at("2026-03-29T01:00:00Z"),
			to:       at("2026-03-29T02:00:00Z"),
			excluded: time.Hour,
		},
		{
			// Saturday 23:30 for 1h reaches into Sunday: a Sunday-only count sees 30m.
			name:     "across midnight",
			r:        Recurring{Weekdays: []time.Weekday{time.Saturday}, Start: 23*time.Hour + 30*time.Minute, Duration: time.Hour},
			from:     at("2026-06-07T00:00:00Z"),
			to:       at("2026-06-08T00:00:00Z"),
			excluded: 30 * time.Minute,
		},
		{
			// No weekdays: every day. 7 days × 15m = 105m.
			name:     "every day",
			r:        Recurring{Start: 3 * time.Hour, Duration: 15 * time.Minute},
			from:     at("2026-06-01T00:00:00Z"),
			to:       at("2026-06-08T00:00:00Z"),
			excluded: 105 * time.Minute,
		},
		{
			// Monday and Thursday 22:00 Rome (20:00Z in June) for 3h, over two weeks:
			// 4 × 3h = 12h.
			name:     "two weekdays",
			r:        Recurring{Weekdays: []time.Weekday{time.Monday, time.Thursday}, Start: 22 * time.Hour, Duration: 3 * time.Hour, Location: rome},
			from:     at("2026-06-01T00:00:00+02:00"),
			to:       at("2026-06-15T00:00:00+02:00"),
			excluded: 12 * time.Hour,
		},
		{
			// The occurrence of Sunday 31 May 22:00 Rome runs to 01:00 on Monday 1 June and
			// began before the range: its last hour still counts.
			name:     "started before the range",
			r:        Recurring{Weekdays: []time.Weekday{time.Sunday}, Start: 22 * time.Hour, Duration: 3 * time.Hour, Location: rome},
			from:     at("2026-06-01T00:00:00+02:00"),
			to:       at("2026-06-01T12:00:00+02:00"),
			excluded: time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := mustOutages(t, nil, tt.from, tt.to)
			tl := mustBuild(t, Config{Recurring: []Recurring{tt.r}}, data, tt.from, tt.to)
			total := tt.to.Sub(tt.from)
			want := Counts{Good: total - tt.excluded, Excluded: tt.excluded, Covered: total - tt.excluded, Eligible: total - tt.excluded}
			if diff := cmp.Diff(want, tl.Counts(tt.from, tt.to)); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCountsWindowEdges builds [12:00:30, 12:10:30) with 1m slices: it widens to the 11 slices
// 12:00-12:10, and Counts rounds window ends down to a slice start.
func TestCountsWindowEdges(t *testing.T) {
	from, to := at("2026-06-01T12:00:30Z"), at("2026-06-01T12:10:30Z")
	data := mustOutages(t, nil, at("2026-06-01T00:00:00Z"), at("2026-06-02T00:00:00Z"))
	tl := mustBuild(t, Config{}, data, from, to)
	if !tl.From().Equal(at("2026-06-01T12:00:00Z")) || !tl.To().Equal(at("2026-06-01T12:11:00Z")) || tl.Len() != 11 {
		t.Fatalf("timeline [%v, %v) with %d slices, want [12:00, 12:11) with 11", tl.From(), tl.To(), tl.Len())
	}
	minutes := func(n time.Duration) Counts {
		return Counts{Good: n * time.Minute, Covered: n * time.Minute, Eligible: n * time.Minute}
	}
	tests := []struct {
		name     string
		from, to time.Time
		want     Counts
	}{
		{"Build's own range is all 11 slices", from, to, minutes(11)},
		{"the aligned range too", tl.From(), tl.To(), minutes(11)},
		{"beyond both ends is clipped", at("2026-06-01T00:00:00Z"), at("2026-06-02T00:00:00Z"), minutes(11)},
		// Slices starting in [12:05:59, 12:07:00) once rounded down: 12:05 and 12:06.
		{"ends round down", at("2026-06-01T12:05:59Z"), at("2026-06-01T12:07:00Z"), minutes(2)},
		// [12:05:10, 12:05:50) rounds to [12:05, 12:05): nothing.
		{"inside one slice", at("2026-06-01T12:05:10Z"), at("2026-06-01T12:05:50Z"), Counts{}},
		{"reversed", to, from, Counts{}},
		{"entirely before", at("2026-06-01T10:00:00Z"), at("2026-06-01T11:00:00Z"), Counts{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tl.Counts(tt.from, tt.to)); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
	var nilTimeline *Timeline
	if diff := cmp.Diff(Counts{}, nilTimeline.Counts(from, to)); diff != "" {
		t.Errorf("nil Timeline counts something:\n%s", diff)
	}
}

// TestSlicesAlignToEpoch checks that 7-minute slices start on multiples of 7 minutes since
// 1970, not at from.
func TestSlicesAlignToEpoch(t *testing.T) {
	// 2026-06-01T00:00:00Z is 1,780,272,000s = 29,671,200 minutes since the epoch;
	// 29,671,200 = 7 × 4,238,742 + 6, so the slice holding it starts 6 minutes earlier.
	from := at("2026-06-01T00:00:00Z")
	tl := mustBuild(t, Config{Slice: 7 * time.Minute}, Series{}, from, from.Add(time.Hour))
	if want := at("2026-05-31T23:54:00Z"); !tl.From().Equal(want) {
		t.Errorf("From() = %v, want %v", tl.From(), want)
	}
	// Slices start 23:54, 00:01, ..., 00:57 (the last start before 01:00: 23:54 + 9 × 7m),
	// so 10 slices ending at 23:54 + 70m = 01:04.
	if want := at("2026-06-01T01:04:00Z"); !tl.To().Equal(want) || tl.Len() != 10 {
		t.Errorf("To() = %v with %d slices, want %v with 10", tl.To(), tl.Len(), want)
	}
}

// TestMemoryPerSlice checks the promise of under a byte per slice on the month of
// TestMonthWithMaintenanceAndOutage.
func TestMemoryPerSlice(t *testing.T) {
	from, to := at("2026-10-01T00:00:00+02:00"), at("2026-11-01T00:00:00+01:00")
	tl := mustBuild(t, benchConfig(mustLoad(t, "Europe/Rome")), mustSamples(t, benchSamples(from, to)), from, to)
	if perSlice := float64(tl.bytes()) / float64(tl.Len()); perSlice > 1 {
		t.Errorf("%d bytes for %d slices: %.3f per slice, want at most 1", tl.bytes(), tl.Len(), perSlice)
	}
}

// TestMaintenanceFromData checks that maintenance a source reports with its data counts exactly
// like configured maintenance, and adds to it.
func TestMaintenanceFromData(t *testing.T) {
	from, to := at("2026-06-01T12:00:00Z"), at("2026-06-01T13:00:00Z")
	down := []Outage{{Start: at("2026-06-01T12:10:00Z"), End: at("2026-06-01T12:20:00Z"), State: Down}}
	reported := []Window{{Start: at("2026-06-01T12:05:00Z"), End: at("2026-06-01T12:25:00Z")}}
	configured := []Window{{Start: at("2026-06-01T12:50:00Z"), End: at("2026-06-01T13:00:00Z")}}
	data, err := mustOutages(t, down, from, to).WithMaintenance(reported)
	if err != nil {
		t.Fatal(err)
	}
	// The 10m outage lies inside the 20m reported window: 20m excluded, 40m good.
	if diff := cmp.Diff(Counts{Good: 40 * time.Minute, Excluded: 20 * time.Minute, Covered: 40 * time.Minute, Eligible: 40 * time.Minute},
		mustBuild(t, Config{}, data, from, to).Counts(from, to)); diff != "" {
		t.Errorf("reported only (-want +got):\n%s", diff)
	}
	// With 10m more configured: 30m excluded, 30m good.
	if diff := cmp.Diff(Counts{Good: 30 * time.Minute, Excluded: 30 * time.Minute, Covered: 30 * time.Minute, Eligible: 30 * time.Minute},
		mustBuild(t, Config{Maintenance: configured}, data, from, to).Counts(from, to)); diff != "" {
		t.Errorf("reported and configured (-want +got):\n%s", diff)
	}
	if _, err := data.WithMaintenance([]Window{{Start: from, End: from}}); err == nil || !strings.Contains(err.Error(), "maintenance window 0: end") {
		t.Errorf("empty window: err = %v", err)
	}
}

// TestOutagesCoveredWithGap checks that the time between two coverage spans is missing, not up:
// a source that stopped reading its system cannot vouch for that time.
func TestOutagesCoveredWithGap(t *testing.T) {
	from, to := at("2026-06-01T12:00:00Z"), at("2026-06-01T13:00:00Z")
	data, err := FromOutagesCovered(
		[]Outage{{Start: at("2026-06-01T12:05:00Z"), End: at("2026-06-01T12:10:00Z"), State: Down}},
		[]Window{{Start: from, End: at("2026-06-01T12:20:00Z")}, {Start: at("2026-06-01T12:40:00Z"), End: to}})
	if err != nil {
		t.Fatal(err)
	}
	// Covered 20m + 20m = 40m, 5m of it down; the 20m gap is missing. Gaps excluded: good 35m,
	// bad 5m, excluded 20m, eligible all 60m.
	want := Counts{Good: 35 * time.Minute, Bad: 5 * time.Minute, Excluded: 20 * time.Minute, Covered: 40 * time.Minute, Eligible: time.Hour}
	if diff := cmp.Diff(want, mustBuild(t, Config{}, data, from, to).Counts(from, to)); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
	// Gaps bad: the 20m gap is bad too, 25m in all.
	want = Counts{Good: 35 * time.Minute, Bad: 25 * time.Minute, Covered: 40 * time.Minute, Eligible: time.Hour}
	if diff := cmp.Diff(want, mustBuild(t, Config{Gaps: GapBad}, data, from, to).Counts(from, to)); diff != "" {
		t.Errorf("Counts, gaps bad (-want +got):\n%s", diff)
	}
	if _, err := FromOutagesCovered(nil, []Window{{Start: to, End: from}}); err == nil || !strings.Contains(err.Error(), "coverage span 0 ends") {
		t.Errorf("reversed span: err = %v", err)
	}
}
