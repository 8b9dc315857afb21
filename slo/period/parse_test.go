package period

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	tests := []struct {
		in   string
		want Period
	}{
		{"week", Period{Kind: Week, Location: rome}},
		{"month", Period{Kind: Month, Location: rome}},
		{"quarter", Period{Kind: Quarter, Location: rome}},
		{"year", Period{Kind: Year, Location: rome}},
		{" Month ", Period{Kind: Month, Location: rome}},
		{"rolling:30d", Period{Kind: Rolling, Days: 30}},
		{"30d", Period{Kind: Rolling, Days: 30}},
		{"7d", Period{Kind: Rolling, Days: 7}},
		{"28d", Period{Kind: Rolling, Days: 28}},
		{"ROLLING:1D", Period{Kind: Rolling, Days: 1}},
		{"rolling:3660d", Period{Kind: Rolling, Days: MaxRollingDays}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, rome)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, sameLocation); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseNilLocationIsUTC(t *testing.T) {
	got, err := Parse("month", nil)
	if err != nil {
		t.Fatal(err)
	}
	start, _ := got.Bounds(utc("2026-05-17T10:00:00Z"))
	if want := utc("2026-05-01T00:00:00Z"); !start.Equal(want) {
		t.Errorf("start = %v, want %v", start, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"", "want week, month"},
		{"fortnight", "want week, month"},
		{"rolling", "want week, month"},
		{"rolling:", "want week, month"},
		{"rolling:30", "want week, month"},
		{"30h", "want week, month"},
		{"d", "want week, month"},
		{"-7d", "want week, month"},
		{"+7d", "want week, month"},
		{"1.5d", "want week, month"},
		{"rolling: 30d", "want week, month"},
		{"030d", "leading zero"},
		{"0d", "need 1 to 3660"},
		{"3661d", "need 1 to 3660"},
		{"99999999999999999999d", "over 3660"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, nil)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "parse period ") {
				t.Errorf("Parse(%q) error %q, want it to start with %q and hold %q", tt.in, err, "parse period ", tt.wantErr)
			}
		})
	}
}

func TestStringRoundTrip(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	tests := []struct {
		p    Period
		want string
	}{
		{Period{Kind: Week, Location: rome}, "week"},
		{Period{Kind: Month, Location: rome}, "month"},
		{Period{Kind: Quarter, Location: rome}, "quarter"},
		{Period{Kind: Year, Location: rome}, "year"},
		{Period{Kind: Rolling, Days: 30}, "rolling:30d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			back, err := Parse(tt.p.String(), rome)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.p, back, sameLocation); diff != "" {
				t.Errorf("Parse(String()) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		p       Period
		wantErr string // empty: valid
	}{
		{"month", Period{Kind: Month}, ""},
		{"rolling", Period{Kind: Rolling, Days: 1}, ""},
		{"zero value", Period{}, "unknown period kind 0"},
		{"kind past the end", Period{Kind: Rolling + 1, Days: 1}, "unknown period kind 6"},
		{"rolling without days", Period{Kind: Rolling}, "rolling period of 0 days"},
		{"rolling too long", Period{Kind: Rolling, Days: MaxRollingDays + 1}, "rolling period of 3661 days"},
		{"calendar with days", Period{Kind: Week, Days: 7}, "week period: days must be 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error holding %q", err, tt.wantErr)
			}
			if tt.wantErr != "" && !strings.HasPrefix(tt.p.String(), "invalid(") {
				t.Errorf("String() of an invalid period = %q, want it marked invalid", tt.p.String())
			}
		})
	}
}

func TestInvalidPeriodPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Bounds on the zero Period did not panic")
		}
	}()
	Period{}.Bounds(utc("2026-01-01T00:00:00Z"))
}

func TestCalendar(t *testing.T) {
	for k, want := range map[Kind]bool{Week: true, Month: true, Quarter: true, Year: true, Rolling: false, 0: false} {
		if got := (Period{Kind: k}).Calendar(); got != want {
			t.Errorf("Period{Kind: %v}.Calendar() = %v, want %v", k, got, want)
		}
	}
}
