package availability

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	t0 := at("2026-06-01T00:00:00Z")
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // empty: valid
	}{
		{"zero value", Config{}, ""},
		{"full", Config{Slice: 5 * time.Minute, GoodThreshold: 0.9, DegradedWeight: 0.5, MaxSampleAge: time.Hour, Gaps: GapBad}, ""},
		{"slice too short", Config{Slice: time.Millisecond}, "slice 1ms"},
		{"slice negative", Config{Slice: -time.Minute}, "slice -1m0s"},
		{"slice too long", Config{Slice: 25 * time.Hour}, "slice 25h0m0s"},
		{"threshold above 1", Config{GoodThreshold: 1.5}, "good threshold 1.5"},
		{"threshold negative", Config{GoodThreshold: -0.1}, "good threshold -0.1"},
		{"threshold NaN", Config{GoodThreshold: math.NaN()}, "good threshold NaN"},
		{"weight above 1", Config{DegradedWeight: 2}, "degraded weight 2"},
		{"weight NaN", Config{DegradedWeight: math.NaN()}, "degraded weight NaN"},
		{"sample age negative", Config{MaxSampleAge: -time.Second}, "max sample age -1s"},
		{"sample age too long", Config{MaxSampleAge: 32 * 24 * time.Hour}, "max sample age 768h0m0s"},
		{"gap policy", Config{Gaps: 3}, "unknown gap policy 3"},
		{"window reversed", Config{Maintenance: []Window{{Start: t0, End: t0.Add(time.Hour)}, {Start: t0, End: t0}}}, "maintenance window 1: end"},
		{"recurring weekday", Config{Recurring: []Recurring{{Weekdays: []time.Weekday{7}, Duration: time.Hour}}}, "recurring window 0: invalid weekday 7"},
		{"recurring start", Config{Recurring: []Recurring{{Start: 24 * time.Hour, Duration: time.Hour}}}, "recurring window 0: start 24h0m0s"},
		{"recurring start negative", Config{Recurring: []Recurring{{Start: -time.Hour, Duration: time.Hour}}}, "recurring window 0: start -1h0m0s"},
		{"recurring without duration", Config{Recurring: []Recurring{{Start: time.Hour}}}, "recurring window 0: duration 0s"},
		{"recurring too long", Config{Recurring: []Recurring{{Duration: 8 * 24 * time.Hour}}}, "recurring window 0: duration 192h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error holding %q", err, tt.wantErr)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	t0 := at("2026-06-01T00:00:00Z")
	tests := []struct {
		name     string
		cfg      Config
		from, to time.Time
		wantErr  string
	}{
		{"bad config", Config{GoodThreshold: 2}, t0, t0.Add(time.Hour), "availability config: good threshold 2"},
		{"empty range", Config{}, t0, t0, "empty"},
		{"reversed range", Config{}, t0, t0.Add(-time.Hour), "empty"},
		{"before 1900", Config{}, at("1899-12-31T00:00:00Z"), t0, "outside"},
		{"after 2200", Config{}, t0, at("2200-01-01T00:00:01Z"), "outside"},
		// A year of 1s slices: 365 × 86,400 = 31,536,000 is under MaxSlices (33,554,432), two are not.
		{"too many slices", Config{Slice: time.Second}, t0, t0.Add(2 * 365 * 24 * time.Hour), "63072000 slices of 1s, limit 33554432"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.cfg, Series{}, tt.from, tt.to)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Build() error = %v, want it to hold %q", err, tt.wantErr)
			}
		})
	}
}

func TestGapPolicyString(t *testing.T) {
	for g, want := range map[GapPolicy]string{GapExcluded: "excluded", GapGood: "good", GapBad: "bad", 7: "gappolicy(7)"} {
		if got := g.String(); got != want {
			t.Errorf("GapPolicy(%d).String() = %q, want %q", g, got, want)
		}
	}
}
