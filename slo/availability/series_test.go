package availability

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFromSamplesLastWins(t *testing.T) {
	from, to := at("2026-06-01T00:00:00Z"), at("2026-06-01T00:02:00Z")
	data := mustSamples(t, []Sample{
		{At: from, State: Down},
		{At: from, State: Up}, // corrects the one before
		{At: at("2026-06-01T00:01:00Z"), State: Up},
		{At: at("2026-06-01T00:01:00Z").In(mustLoad(t, "Asia/Tokyo")), State: Down}, // same instant, other zone
	})
	// Minute 0 up, minute 1 down: 1 good, 1 bad.
	want := Counts{Good: time.Minute, Bad: time.Minute, Covered: 2 * time.Minute, Eligible: 2 * time.Minute}
	if diff := cmp.Diff(want, mustBuild(t, Config{}, data, from, to).Counts(from, to)); diff != "" {
		t.Errorf("Counts mismatch (-want +got):\n%s", diff)
	}
}

func TestFromSamplesErrors(t *testing.T) {
	t0 := at("2026-06-01T00:00:00Z")
	tests := []struct {
		name    string
		samples []Sample
		wantErr string
		wantIs  error
	}{
		{
			name:    "out of order",
			samples: []Sample{{At: t0, State: Up}, {At: t0.Add(2 * time.Minute), State: Up}, {At: t0.Add(time.Minute), State: Up}},
			wantErr: "sample 2 at 2026-06-01 00:01:00 +0000 UTC is before sample 1 at 2026-06-01 00:02:00 +0000 UTC",
			wantIs:  ErrOutOfOrder,
		},
		{
			name:    "invalid state",
			samples: []Sample{{At: t0, State: Up}, {At: t0.Add(time.Minute), State: Degraded + 1}},
			wantErr: "sample 1: invalid state 4",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromSamples(tt.samples)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("FromSamples() error = %v, want it to hold %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("FromSamples() error %v does not wrap %v", err, tt.wantIs)
			}
		})
	}
}

func TestFromSamplesDoesNotAlias(t *testing.T) {
	from, to := at("2026-06-01T00:00:00Z"), at("2026-06-01T00:01:00Z")
	in := []Sample{{At: from, State: Up}}
	data := mustSamples(t, in)
	in[0].State = Down
	if got := mustBuild(t, Config{}, data, from, to).Counts(from, to).Good; got != time.Minute {
		t.Errorf("changing the input after FromSamples changed the series: Good = %v, want 1m", got)
	}
}

func TestFromOutagesErrors(t *testing.T) {
	t0 := at("2026-06-01T00:00:00Z")
	tests := []struct {
		name     string
		outages  []Outage
		from, to time.Time
		wantErr  string
	}{
		{"coverage reversed", nil, t0.Add(time.Hour), t0, "coverage ends at"},
		{"up is not an outage", []Outage{{Start: t0, End: t0.Add(time.Minute), State: Up}}, t0, t0, "outage 0: state up, want down or degraded"},
		{"unknown is not an outage", []Outage{{Start: t0, End: t0.Add(time.Minute), State: Down}, {Start: t0, End: t0.Add(time.Minute)}}, t0, t0, "outage 1: state unknown"},
		{"empty outage", []Outage{{Start: t0, End: t0, State: Down}}, t0, t0, "outage 0: end"},
		{"reversed outage", []Outage{{Start: t0, End: t0.Add(-time.Second), State: Down}}, t0, t0, "outage 0: end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromOutages(tt.outages, tt.from, tt.to)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("FromOutages() error = %v, want it to hold %q", err, tt.wantErr)
			}
		})
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Unknown: "unknown", Up: "up", Down: "down", Degraded: "degraded", 9: "state(9)"} {
		if got := s.String(); got != want {
			t.Errorf("State(%d).String() = %q, want %q", s, got, want)
		}
	}
}
