package zabbix

import (
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
