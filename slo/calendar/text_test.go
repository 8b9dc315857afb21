package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseInterval(t *testing.T) {
	tests := []struct {
		in   string
		want Interval
		err  string // part of the error; "" for success
	}{
		{in: "09:00-17:30", want: Interval{9 * hour, 17*hour + 30*minute}},
		{in: "00:00-24:00", want: Interval{0, 86400}},
		{in: "9:00-17:00", want: Interval{9 * hour, 17 * hour}},
		{in: " 08:15 - 12:45 ", want: Interval{8*hour + 15*minute, 12*hour + 45*minute}},
		{in: "08:00:30-23:59:59", want: Interval{8*hour + 30, 86399}},
		{in: "23:00-24:00:00", want: Interval{23 * hour, 86400}},
		{in: "17:00-09:00", err: `working hours "17:00-09:00": the start is not before the end`},
		{in: "09:00-09:00", err: "the start is not before the end"},
		{in: "24:00-24:00", err: "the start is not before the end"},
		{in: "09:00", err: `working hours "09:00": want HH:MM-HH:MM`},
		{in: "", err: `working hours "": want HH:MM-HH:MM`},
		{in: "25:00-26:00", err: `working hours "25:00-26:00": "25:00" is not a time of day between 00:00 and 24:00`},
		{in: "09:60-10:00", err: `"09:60" is not a time of day between 00:00 and 24:00`},
		{in: "23:00-24:01", err: `"24:01" is not a time of day between 00:00 and 24:00`},
		{in: "9-17", err: `"9" is not a time of day HH:MM`},
		{in: "09:0-17:00", err: `"09:0" is not a time of day HH:MM`},
		{in: "+9:00-17:00", err: `"+9:00" is not a time of day HH:MM`},
		{in: "09:00-17:00-18:00", err: `"17:00-18:00" is not a time of day HH:MM`},
		{in: "09:00:00:00-17:00", err: `"09:00:00:00" is not a time of day HH:MM`},
		{in: "０9:00-17:00", err: "is not a time of day HH:MM"}, // a full-width digit
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseInterval(tt.in)
			checkParse(t, got, err, tt.want, tt.err)
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		err  string
	}{
		{in: "2026-12-25", want: Date{2026, time.December, 25}},
		{in: "2024-02-29", want: Date{2024, time.February, 29}},
		{in: " 0001-01-01 ", want: Date{1, time.January, 1}},
		{in: "2026-02-29", err: `holiday "2026-02-29" is not a date YYYY-MM-DD`}, // 2026 is not a leap year
		{in: "2026-13-01", err: `holiday "2026-13-01" is not a date`},
		{in: "2026-04-31", err: "is not a date"},
		{in: "0000-01-01", err: "is not a date"},
		{in: "2026-1-5", err: "is not a date"},
		{in: "26-01-05", err: "is not a date"},
		{in: "2026/12/25", err: "is not a date"},
		{in: "2026-12-25T00:00", err: "is not a date"},
		{in: "12-25", err: "is not a date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			checkParse(t, got, err, tt.want, tt.err)
		})
	}
}

func TestParseMonthDay(t *testing.T) {
	tests := []struct {
		in   string
		want MonthDay
		err  string
	}{
		{in: "12-25", want: MonthDay{time.December, 25}},
		{in: "02-29", want: MonthDay{time.February, 29}}, // a holiday in leap years only
		{in: "01-01", want: MonthDay{time.January, 1}},
		{in: "02-30", err: `recurring holiday "02-30" is not a day of the year MM-DD`},
		{in: "00-10", err: "is not a day of the year"},
		{in: "12-00", err: "is not a day of the year"},
		{in: "1-5", err: "is not a day of the year"},
		{in: "2026-12-25", err: "is not a day of the year"},
		{in: "12/25", err: "is not a day of the year"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseMonthDay(tt.in)
			checkParse(t, got, err, tt.want, tt.err)
		})
	}
}

func TestParseWeekday(t *testing.T) {
	tests := []struct {
		in   string
		want time.Weekday
		err  string
	}{
		{in: "mon", want: time.Monday},
		{in: "Mon", want: time.Monday},
		{in: "MONDAY", want: time.Monday},
		{in: "monday", want: time.Monday},
		{in: "sun", want: time.Sunday},
		{in: " Saturday ", want: time.Saturday},
		{in: "thu", want: time.Thursday},
		{in: "thurs", err: `weekday "thurs" is not a day name such as mon or monday`},
		{in: "mo", err: "is not a day name"},
		{in: "", err: "is not a day name"},
		{in: "lunedì", err: "is not a day name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWeekday(tt.in)
			checkParse(t, got, err, tt.want, tt.err)
		})
	}
}

func checkParse[V any](t *testing.T, got V, err error, want V, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want one containing %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
}

func TestFormat(t *testing.T) {
	got := []string{
		Interval{9 * hour, 17*hour + 30*minute}.String(),
		Interval{0, 86400}.String(),
		Interval{8*hour + 5, 9 * hour}.String(),
		Date{2026, time.December, 8}.String(),
		Date{800, time.January, 1}.String(),
		MonthDay{time.February, 29}.String(),
	}
	want := []string{"09:00-17:30", "00:00-24:00", "08:00:05-09:00", "2026-12-08", "0800-01-01", "02-29"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("formatted (-want +got):\n%s", diff)
	}
}

// Each parser fuzz test checks that nothing panics and that an accepted text formats back to a
// canonical text that parses to the same value and formats to itself.

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"09:00-17:30", "00:00-24:00", "9:00 - 17:00", "08:00:30-23:59:59", "25:00-26:00", "-", "::-::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := ParseInterval(s)
		if err != nil {
			if !strings.Contains(err.Error(), "working hours") {
				t.Fatalf("error %q does not say what was being parsed", err)
			}
			return
		}
		if iv.Start < 0 || iv.End > secondsPerDay || iv.Start >= iv.End {
			t.Fatalf("ParseInterval(%q) = %+v, not a span within one day", s, iv)
		}
		roundTrip(t, iv, iv.String(), ParseInterval)
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-25", "2024-02-29", "2026-02-29", "0001-01-01", "9999-12-31", "2026-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !validDate(d.Year, d.Month, d.Day) {
			t.Fatalf("ParseDate(%q) = %+v, not a date", s, d)
		}
		roundTrip(t, d, d.String(), ParseDate)
	})
}

func FuzzParseMonthDay(f *testing.F) {
	for _, s := range []string{"12-25", "02-29", "02-30", "1-1", "13-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		md, err := ParseMonthDay(s)
		if err != nil {
			return
		}
		roundTrip(t, md, md.String(), ParseMonthDay)
	})
}

func FuzzParseWeekday(f *testing.F) {
	for _, s := range []string{"mon", "Monday", "SUN", "thurs", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseWeekday(s)
		if err != nil {
			return
		}
		if d < time.Sunday || d > time.Saturday {
			t.Fatalf("ParseWeekday(%q) = %d, not a weekday", s, d)
		}
		roundTrip(t, d, d.String(), ParseWeekday)
	})
}

func roundTrip[V interface {
	comparable
	String() string
}](t *testing.T, v V, text string, parse func(string) (V, error)) {
	t.Helper()
	again, err := parse(text)
	if err != nil {
		t.Fatalf("%v formats to %q, which does not parse: %v", v, text, err)
	}
	if again != v || again.String() != text {
		t.Fatalf("%v formats to %q, which parses to %v", v, text, again)
	}
}
