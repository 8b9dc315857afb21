package events

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustNew(t *testing.T, buckets []Bucket) *Series {
	t.Helper()
	s, err := New(buckets)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// fourHours is hourly buckets from 10:00, deliberately out of order.
var fourHours = []Bucket{
	{Start: at("2026-06-01T12:00:00Z"), Good: 290, Total: 300},
	{Start: at("2026-06-01T10:00:00Z"), Good: 98, Total: 100},
	{Start: at("2026-06-01T13:00:00Z"), Good: 400, Total: 400},
	{Start: at("2026-06-01T11:00:00Z"), Good: 150, Total: 200},
}

func TestCounts(t *testing.T) {
	s := mustNew(t, fourHours)
	tests := []struct {
		name     string
		from, to time.Time
		want     Counts
	}{
		{
			// 98+150+290+400 = 938 good of 100+200+300+400 = 1000.
			name: "all", from: at("2026-06-01T00:00:00Z"), to: at("2026-06-02T00:00:00Z"),
			want: Counts{Good: 938, Bad: 62, Total: 1000},
		},
		{
			// A bucket starting on from is in, one starting on to is out: 11:00 and 12:00,
			// 150+290 = 440 good of 200+300 = 500.
			name: "boundaries", from: at("2026-06-01T11:00:00Z"), to: at("2026-06-01T13:00:00Z"),
			want: Counts{Good: 440, Bad: 60, Total: 500},
		},
		{
			// Edges inside buckets take none of them: starts in [10:30, 12:30) are 11:00 and 12:00.
			name: "edges inside buckets", from: at("2026-06-01T10:30:00Z"), to: at("2026-06-01T12:30:00Z"),
			want: Counts{Good: 440, Bad: 60, Total: 500},
		},
		{
			name: "one bucket", from: at("2026-06-01T13:00:00Z"), to: at("2026-06-01T13:00:01Z"),
			want: Counts{Good: 400, Total: 400},
		},
		{name: "empty", from: at("2026-06-01T11:00:00Z"), to: at("2026-06-01T11:00:00Z")},
		{name: "reversed", from: at("2026-06-01T13:00:00Z"), to: at("2026-06-01T10:00:00Z")},
		{name: "before", from: at("2026-05-01T00:00:00Z"), to: at("2026-06-01T10:00:00Z")},
		{name: "after", from: at("2026-06-01T13:00:01Z"), to: at("2027-01-01T00:00:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, s.Counts(tt.from, tt.to)); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeEqualStarts(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no zoneinfo: %v", err)
	}
	s := mustNew(t, []Bucket{
		{Start: at("2026-06-01T10:00:00Z"), Good: 1, Total: 2},
		{Start: at("2026-06-01T11:00:00Z"), Good: 5, Total: 5},
		{Start: at("2026-06-01T10:00:00Z").In(tokyo), Good: 3, Total: 4}, // same instant as the first
		{Start: at("2026-06-01T10:00:00Z"), Good: 0, Total: 10},
	})
	if s.Len() != 2 {
		t.Fatalf("Len() = %d, want the 3 buckets at 10:00 merged into 1, plus 11:00", s.Len())
	}
	// 10:00 holds 1+3+0 = 4 good of 2+4+10 = 16.
	want := Counts{Good: 4, Bad: 12, Total: 16}
	if diff := cmp.Diff(want, s.Counts(at("2026-06-01T10:00:00Z"), at("2026-06-01T11:00:00Z"))); diff != "" {
		t.Errorf("merged bucket (-want +got):\n%s", diff)
	}
}

func TestNewErrors(t *testing.T) {
	t0 := at("2026-06-01T10:00:00Z")
	ok := Bucket{Start: t0, Good: 1, Total: 1}
	tests := []struct {
		name    string
		bad     Bucket
		wantErr string
	}{
		{"good over total", Bucket{Start: t0, Good: 5, Total: 4}, "good 5 exceeds total 4"},
		{"negative good", Bucket{Start: t0, Good: -1, Total: 4}, "good -1 is negative"},
		{"negative total", Bucket{Start: t0, Good: 0, Total: -4}, "total -4 is negative"},
		{"NaN good", Bucket{Start: t0, Good: math.NaN(), Total: 4}, "good NaN is not a finite number"},
		{"NaN total", Bucket{Start: t0, Good: 0, Total: math.NaN()}, "total NaN is not a finite number"},
		{"infinite good", Bucket{Start: t0, Good: math.Inf(1), Total: math.Inf(1)}, "good +Inf is not a finite number"},
		{"infinite total", Bucket{Start: t0, Good: 1, Total: math.Inf(1)}, "total +Inf is not a finite number"},
		{"minus infinity", Bucket{Start: t0, Good: math.Inf(-1), Total: 1}, "good -Inf is not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New([]Bucket{ok, ok, tt.bad, ok})
			if err == nil {
				t.Fatal("New accepted the bucket")
			}
			if !errors.Is(err, ErrInvalidBucket) {
				t.Errorf("error %v does not wrap ErrInvalidBucket", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "bucket 2 at ") || !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q, want it to name bucket 2 and hold %q", msg, tt.wantErr)
			}
		})
	}
}

func TestNewOverflow(t *testing.T) {
	// Each bucket is finite; their sum, 2 × 1e308, is not.
	_, err := New([]Bucket{
		{Start: at("2026-06-01T10:00:00Z"), Good: 1e308, Total: 1e308},
		{Start: at("2026-06-01T11:00:00Z"), Good: 0, Total: 1e308},
	})
	if err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("New() error = %v, want an overflow", err)
	}
}

func TestFirst(t *testing.T) {
	if _, ok := mustNew(t, nil).First(); ok {
		t.Error("First() of an empty series reports a bucket")
	}
	var nilSeries *Series
	if _, ok := nilSeries.First(); ok || nilSeries.Len() != 0 {
		t.Error("nil series reports a bucket")
	}
	if diff := cmp.Diff(Counts{}, nilSeries.Counts(time.Time{}, at("2100-01-01T00:00:00Z"))); diff != "" {
		t.Errorf("nil series counts something:\n%s", diff)
	}
	// fourHours is out of order; its earliest bucket is 10:00, listed second.
	first, ok := mustNew(t, fourHours).First()
	if !ok || !first.Equal(at("2026-06-01T10:00:00Z")) {
		t.Errorf("First() = %v, %v; want 10:00, true", first, ok)
	}
}

func TestNewDoesNotAlias(t *testing.T) {
	in := []Bucket{{Start: at("2026-06-01T11:00:00Z"), Good: 1, Total: 1}, {Start: at("2026-06-01T10:00:00Z"), Good: 2, Total: 2}}
	s := mustNew(t, in)
	if !in[0].Start.Equal(at("2026-06-01T11:00:00Z")) {
		t.Error("New sorted the caller's slice")
	}
	in[1].Good = 0
	if got := s.Counts(at("2026-06-01T10:00:00Z"), at("2026-06-01T11:00:00Z")).Good; got != 2 {
		t.Errorf("changing the input after New changed the series: Good = %v, want 2", got)
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		c      Counts
		want   float64
		wantOK bool
	}{
		{Counts{Good: 938, Bad: 62, Total: 1000}, 0.938, true},
		{Counts{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.c.Ratio()
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%+v.Ratio() = %v, %v; want %v, %v", tt.c, got, ok, tt.want, tt.wantOK)
		}
	}
}

// TestCountsAdditive checks, on whole-number counts where float sums are exact, that a window
// counts what its two halves count, wherever it is split.
func TestCountsAdditive(t *testing.T) {
	var buckets []Bucket
	t0 := at("2026-06-01T00:00:00Z")
	for i := range 500 {
		total := float64(i*7919%1000 + 1)
		buckets = append(buckets, Bucket{Start: t0.Add(time.Duration(i*i%997) * time.Minute), Good: float64(int(total) * (i % 10) / 10), Total: total})
	}
	s := mustNew(t, buckets)
	end := t0.Add(1000 * time.Minute)
	for a := t0.Add(-time.Minute); a.Before(end); a = a.Add(97 * time.Minute) {
		for b := a; b.Before(end); b = b.Add(31*time.Minute + 30*time.Second) {
			for _, z := range []time.Time{b, b.Add(time.Hour), end} {
				whole, left, right := s.Counts(a, z), s.Counts(a, b), s.Counts(b, z)
				sum := Counts{Good: left.Good + right.Good, Bad: left.Bad + right.Bad, Total: left.Total + right.Total}
				if diff := cmp.Diff(whole, sum); diff != "" {
					t.Fatalf("[%v, %v) split at %v (-whole +parts):\n%s", a, z, b, diff)
				}
			}
		}
	}
}
