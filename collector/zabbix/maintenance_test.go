package zabbix

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMaintenanceRuns expands maintenance periods as the Zabbix server runs them, each case's
// windows worked out by hand (times in UTC unless said).
func TestMaintenanceRuns(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	type tp = timeperiod
	n := func(v int64) num { return num(strconv.FormatInt(v, 10)) }
	u := func(s string) int64 { return utc(s).Unix() }
	tests := []struct {
		name    string
		loc     *time.Location
		since   string
		till    string
		period  tp
		lo, hi  string
		want    [][2]string
		wantErr string
	}{
		{
			// Days counted from active_since's day (03-01): 03-01's 02:00 is before
			// active_since (10:00), so none; then every second day: 03-03, 05, 07.
			name: "daily every 2 days", loc: time.UTC, since: "2025-03-01 10:00", till: "2025-03-08 00:00",
			period: tp{Type: "2", Every: "2", StartTime: n(2 * 3600), Period: "3600"},
			lo:     "2025-03-01 00:00", hi: "2025-03-10 00:00",
			want: [][2]string{{"2025-03-03 02:00", "2025-03-03 03:00"}, {"2025-03-05 02:00", "2025-03-05 03:00"}, {"2025-03-07 02:00", "2025-03-07 03:00"}},
		},
		{
			// Weeks counted from the Monday of active_since's week (03-03): weeks 0 and 2, on
			// Tuesday and Thursday (bits 2 and 8), 22:00 for 4h, past midnight.
			name: "weekly every 2 weeks across midnight", loc: time.UTC, since: "2025-03-03 00:00", till: "2025-03-31 00:00",
			period: tp{Type: "3", Every: "2", DayOfWeek: "10", StartTime: n(22 * 3600), Period: n(4 * 3600)},
			lo:     "2025-03-01 00:00", hi: "2025-03-31 00:00",
			want: [][2]string{{"2025-03-04 22:00", "2025-03-05 02:00"}, {"2025-03-06 22:00", "2025-03-07 02:00"},
				{"2025-03-18 22:00", "2025-03-19 02:00"}, {"2025-03-20 22:00", "2025-03-21 02:00"}},
		},
		{
			// The 31st of every month: January, March and May have one.
			name: "monthly on a day", loc: time.UTC, since: "2025-01-01 00:00", till: "2025-06-01 00:00",
			period: tp{Type: "4", Day: "31", Month: "4095", StartTime: "0", Period: "3600"},
			lo:     "2025-01-01 00:00", hi: "2025-07-01 00:00",
			want: [][2]string{{"2025-01-31 00:00", "2025-01-31 01:00"}, {"2025-03-31 00:00", "2025-03-31 01:00"}, {"2025-05-31 00:00", "2025-05-31 01:00"}},
		},
		{
			// The first Monday of February and March (month bits 2 and 4): 02-03 and 03-03.
			name: "monthly first Monday", loc: time.UTC, since: "2025-01-01 00:00", till: "2025-12-31 00:00",
			period: tp{Type: "4", Every: "1", DayOfWeek: "1", Month: "6", StartTime: n(9 * 3600), Period: "1800"},
			lo:     "2025-01-01 00:00", hi: "2025-04-30 00:00",
			want: [][2]string{{"2025-02-03 09:00", "2025-02-03 09:30"}, {"2025-03-03 09:00", "2025-03-03 09:30"}},
		},
		{
			// The last Friday (every 5, bit 16): 01-31, 02-28, 03-28, 04-25.
			name: "monthly last Friday", loc: time.UTC, since: "2025-01-01 00:00", till: "2025-12-31 00:00",
			period: tp{Type: "4", Every: "5", DayOfWeek: "16", Month: "4095", StartTime: n(12 * 3600), Period: "3600"},
			lo:     "2025-01-01 00:00", hi: "2025-04-30 00:00",
			want: [][2]string{{"2025-01-31 12:00", "2025-01-31 13:00"}, {"2025-02-28 12:00", "2025-02-28 13:00"},
				{"2025-03-28 12:00", "2025-03-28 13:00"}, {"2025-04-25 12:00", "2025-04-25 13:00"}},
		},
		{
			// 10:00 for 10h, but the maintenance is active 12:00-15:00 only.
			name: "one time, cut by the active range", loc: time.UTC, since: "2025-03-01 12:00", till: "2025-03-01 15:00",
			period: tp{Type: "0", StartDate: n(u("2025-03-01 10:00")), Period: n(10 * 3600)},
			lo:     "2025-02-01 00:00", hi: "2025-04-01 00:00",
			want: [][2]string{{"2025-03-01 12:00", "2025-03-01 15:00"}},
		},
		{
			// Cut at hi, the sync's now: an ongoing window.
			name: "one time, ongoing", loc: time.UTC, since: "2025-03-01 00:00", till: "2025-03-02 00:00",
			period: tp{Type: "0", StartDate: n(u("2025-03-01 10:00")), Period: n(2 * 3600)},
			lo:     "2025-02-01 00:00", hi: "2025-03-01 11:15",
			want: [][2]string{{"2025-03-01 10:00", "2025-03-01 11:15"}},
		},
		{
			// Rome springs forward on 03-30 at 02:00 CET: 02:30 does not exist that day, so
			// the server runs none; CET is UTC+1 before, CEST UTC+2 after.
			name: "daily across spring DST", loc: rome, since: "2025-03-01 00:00", till: "2025-12-31 00:00",
			period: tp{Type: "2", Every: "1", StartTime: n(2*3600 + 1800), Period: "3600"},
			lo:     "2025-03-28 00:00", hi: "2025-04-02 00:00",
			want: [][2]string{{"2025-03-28 01:30", "2025-03-28 02:30"}, {"2025-03-29 01:30", "2025-03-29 02:30"},
				{"2025-03-31 00:30", "2025-03-31 01:30"}, {"2025-04-01 00:30", "2025-04-01 01:30"}},
		},
		{
			// Rome falls back on 10-26 at 03:00 CEST: 02:30 comes twice; the server takes the
			// first (CEST, 00:30 UTC), and 02:30 CET (01:30 UTC) from 10-27.
			name: "daily across autumn DST", loc: rome, since: "2025-03-01 00:00", till: "2025-12-31 00:00",
			period: tp{Type: "2", Every: "1", StartTime: n(2*3600 + 1800), Period: "3600"},
			lo:     "2025-10-25 00:00", hi: "2025-10-28 00:00",
			want: [][2]string{{"2025-10-25 00:30", "2025-10-25 01:30"}, {"2025-10-26 00:30", "2025-10-26 01:30"}, {"2025-10-27 01:30", "2025-10-27 02:30"}},
		},
		{
			// Every day 06:00 for 36h: the runs overlap, one window.
			name: "daily, longer than a day", loc: time.UTC, since: "2025-03-01 00:00", till: "2025-03-04 00:00",
			period: tp{Type: "2", Every: "1", StartTime: n(6 * 3600), Period: n(36 * 3600)},
			lo:     "2025-02-01 00:00", hi: "2025-04-01 00:00",
			want: [][2]string{{"2025-03-01 06:00", "2025-03-04 00:00"}},
		},
		{
			name: "unknown period type", loc: time.UTC, since: "2025-03-01 00:00", till: "2025-03-04 00:00",
			period: tp{Type: "1", Period: "3600"}, lo: "2025-02-01 00:00", hi: "2025-04-01 00:00",
			wantErr: "timeperiods[0]: timeperiod_type 1 is not one of 0, 2, 3, 4",
		},
		{
			name: "not a number", loc: time.UTC, since: "2025-03-01 00:00", till: "2025-03-04 00:00",
			period: tp{Type: "2", Every: "x", Period: "3600"}, lo: "2025-02-01 00:00", hi: "2025-04-01 00:00",
			wantErr: `timeperiods[0]: every "x" is not an integer`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := maintenance{ActiveSince: n(u(tc.since)), ActiveTill: n(u(tc.till)), Timeperiods: []timeperiod{tc.period}}
			spans, err := m.runs(zone{tc.loc}, u(tc.lo), u(tc.hi))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][2]string
			for _, s := range spans {
				got = append(got, [2]string{time.Unix(s.from, 0).UTC().Format("2006-01-02 15:04"), time.Unix(s.to, 0).UTC().Format("2006-01-02 15:04")})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("windows (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunsFromKeepsTheStart: a window running at lo keeps its true start, found by reading
// further back, so that the store replaces it rather than adding a copy cut at lo.
func TestRunsFromKeepsTheStart(t *testing.T) {
	m := maintenance{ActiveSince: num(strconv.FormatInt(utc("2025-01-01 00:00").Unix(), 10)), ActiveTill: "4102444800",
		Timeperiods: []timeperiod{{Type: "0", StartDate: num(strconv.FormatInt(utc("2025-02-01 00:00").Unix(), 10)), Period: num(strconv.Itoa(40 * 24 * 3600))}}}
	spans, err := m.runsFrom(zone{time.UTC}, utc("2025-03-01 00:00").Unix(), utc("2025-03-02 00:00").Unix())
	if err != nil {
		t.Fatal(err)
	}
	want := []span{{utc("2025-02-01 00:00").Unix(), utc("2025-03-02 00:00").Unix()}}
	if diff := cmp.Diff(want, spans, cmp.AllowUnexported(span{})); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}
