package zabbix

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestOutages cuts overlapping problems into disjoint outages, down over degraded.
func TestOutages(t *testing.T) {
	var deg [6]bool
	deg[2], deg[3] = true, true // warning, average
	pr := func(from, to string, sev int) problem {
		p := problem{start: at(from), severity: sev}
		if to != "" {
			p.end = at(to)
		}
		return p
	}
	tests := []struct {
		name string
		ps   []problem
		want []availability.Outage
	}{
		{"none", nil, nil},
		{
			// Two triggers fired by one value: high 10:00-10:15 and average 10:00-10:30.
			name: "same start", ps: []problem{pr("10:00", "10:30", 3), pr("10:00", "10:15", 4)},
			want: []availability.Outage{down(at("10:00"), at("10:15")), degraded(at("10:15"), at("10:30"))},
		},
		{
			// Degraded 09:00-11:00 around a down 09:30-10:00: degraded, down, degraded.
			name: "down inside degraded", ps: []problem{pr("09:00", "11:00", 2), pr("09:30", "10:00", 5)},
			want: []availability.Outage{degraded(at("09:00"), at("09:30")), down(at("09:30"), at("10:00")), degraded(at("10:00"), at("11:00"))},
		},
		{
			// Two downs that touch make one outage; an ongoing one lasts to 12:00.
			name: "touching and ongoing", ps: []problem{pr("09:00", "09:30", 4), pr("09:30", "10:00", 4), pr("11:00", "", 4)},
			want: []availability.Outage{down(at("09:00"), at("10:00")), down(at("11:00"), at("12:00"))},
		},
		{
			// Recovered at its start, or started after to: nothing.
			name: "empty spans", ps: []problem{pr("09:00", "09:00", 4), pr("12:30", "", 4)},
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := outages(tc.ps, deg, at("12:00"))
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("outages (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServiceTimeline turns a service's status timeline into problems: the status at the
// period's start, then each change; -1 is OK.
func TestServiceTimeline(t *testing.T) {
	clock := func(hhmm string) num { return num(fmt.Sprint(at(hhmm).Unix())) }
	svc := service{Timeline: []timeline{{StartValue: "3", Alarms: []alarm{
		{Clock: clock("09:00"), Value: "-1"}, {Clock: clock("10:00"), Value: "5"}, {Clock: clock("10:30"), Value: "2"},
		{Clock: clock("11:00"), Value: "-1"}, {Clock: clock("11:30"), Value: "4"},
	}}}}
	ps, err := svc.problems(at("08:00"), at("12:00"))
	if err != nil {
		t.Fatal(err)
	}
	// Average from the period's start to 09:00; disaster 10:00-10:30; warning to 11:00; high
	// from 11:30, ongoing.
	want := []problem{{start: at("08:00"), end: at("09:00"), severity: 3}, {start: at("10:00"), end: at("10:30"), severity: 5},
		{start: at("10:30"), end: at("11:00"), severity: 2}, {start: at("11:30"), severity: 4}}
	if diff := cmp.Diff(want, ps, cmp.AllowUnexported(problem{}), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	var deg [6]bool
	deg[2] = true
	got := outages(bySeverity(ps, []int{2, 4, 5}), deg, at("12:00"))
	wantOut := []availability.Outage{down(at("10:00"), at("10:30")), degraded(at("10:30"), at("11:00")), down(at("11:30"), at("12:00"))}
	if diff := cmp.Diff(wantOut, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("outages (-want +got):\n%s", diff)
	}
	svc.Timeline[0].Alarms[1].Value = "7"
	if _, err := svc.problems(at("08:00"), at("12:00")); err == nil || err.Error() != "alarm 1: status 7 is not -1 to 5" {
		t.Errorf("error %v", err)
	}
}
