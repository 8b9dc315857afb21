package collector_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// expoStaffing is a published group with a roster, one without, and one whose source is stale.
func expoStaffing() []collector.StaffingResult {
	var arrivals, scheduled, roster staffing.Week
	// Wednesday 10:00 and 11:00 (hours 58 and 59 of the week).
	arrivals[58], arrivals[59] = 20, 12.5
	scheduled[58], scheduled[59] = 5, 3
	roster[58], roster[59] = 4, 4
	shortfall := staffing.Shortfall(roster, scheduled)
	return []collector.StaffingResult{
		{Group: "chat-desk", Objective: "incident-response", Model: "erlang", State: collector.StaffingOK,
			Arrivals: arrivals, Scheduled: scheduled, Working: scheduled, Roster: &roster, Shortfall: &shortfall,
			ExpectedAttainment: 0.82, CurrentHour: 58, NextHour: 59, HandleTime: 6 * time.Minute, HandleTimeSource: collector.HandleTimeConfigured},
		{Group: "backlog", Objective: "incident-response", Model: "workload", State: collector.StaffingOK,
			Arrivals: arrivals, Scheduled: scheduled, CurrentHour: 58, NextHour: 59,
			HandleTime: 38*time.Minute + 20*time.Second, HandleTimeSource: collector.HandleTimeMeasured, HandleTimeTickets: 412},
		{Group: "quiet", Objective: "incident-response", Model: "erlang", State: collector.StaffingStale, Reason: "stale",
			Roster: &roster, CurrentHour: 58, NextHour: 59, HandleTime: 5 * time.Minute, HandleTimeSource: collector.HandleTimeConfigured},
		{Group: "unmeasured", Objective: "incident-response", Model: "workload", State: collector.StaffingNoWorkTime, Reason: "too few",
			CurrentHour: 58, NextHour: 59, HandleTimeSource: collector.HandleTimeMeasured},
	}
}

func TestStaffingExposition(t *testing.T) {
	mfs := gather(t, newExpo(&collector.Snapshot{At: expoNow, Staffing: expoStaffing()}))
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += " " + l.GetName() + "=" + l.GetValue()
			}
			got[key] = m.GetGauge().GetValue()
		}
	}
	for k := range got {
		if !strings.HasPrefix(k, "sla_staffing_") {
			delete(got, k)
		}
	}
	// The stale group and the one without work times have none; the group without a roster
	// neither rostered agents nor an expected attainment. The handle times are 6m = 360 s and
	// 38m20s = 2300 s.
	want := map[string]float64{
		"sla_staffing_required_agents group=chat-desk hour=current":   5,
		"sla_staffing_required_agents group=chat-desk hour=next":      3,
		"sla_staffing_arrivals_per_hour group=chat-desk hour=current": 20,
		"sla_staffing_arrivals_per_hour group=chat-desk hour=next":    12.5,
		"sla_staffing_rostered_agents group=chat-desk hour=current":   4,
		"sla_staffing_rostered_agents group=chat-desk hour=next":      4,
		"sla_staffing_expected_attainment_ratio group=chat-desk":      0.82,
		"sla_staffing_required_agents group=backlog hour=current":     5,
		"sla_staffing_required_agents group=backlog hour=next":        3,
		"sla_staffing_arrivals_per_hour group=backlog hour=current":   20,
		"sla_staffing_arrivals_per_hour group=backlog hour=next":      12.5,
		"sla_staffing_handle_time_seconds group=chat-desk":            360,
		"sla_staffing_handle_time_seconds group=backlog":              2300,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
}

func TestStaffingShortHours(t *testing.T) {
	rs := expoStaffing()
	for i, want := range []int{1, 0, 0, 0} {
		if got := rs[i].ShortHours(); got != want {
			t.Errorf("%s: %d short hours, want %d", rs[i].Group, got, want)
		}
	}
}
