package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// TestStaffingEndpoint serves the demo's staffing group: 168 hours with the roster, a shortfall
// over lunch, an expected attainment.
func TestStaffingEndpoint(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/api/v1/staffing")
	var got []StaffingJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	if len(got) != 1 {
		t.Fatalf("%d groups, want the demo's one:\n%s", len(got), body)
	}
	g := got[0]
	if g.Group != "desk-p3" || g.State != collector.StaffingOK || g.Model != "workload" || g.Priority != "P3" {
		t.Fatalf("group %+v: want desk-p3, published, workload, P3", g)
	}
	if len(g.Hours) != 168 || g.ExpectedAttainment == nil || g.ShortHours == nil || *g.ShortHours == 0 {
		t.Fatalf("group %+v: want 168 hours, an expected attainment and short hours", g)
	}
	// The workload model's expected attainment is simulated: it comes with its standard error.
	if se := g.ExpectedAttainmentStdErr; se == nil || !(*se > 0 && *se < 0.01) {
		t.Errorf("expected_attainment_stderr %v: want a simulation's standard error", se)
	}
	// Monday 12:00: the demo's roster has two agents over lunch, short of the need.
	h := g.Hours[12]
	if h.Day != "mon" || h.Hour != 12 || h.Roster == nil || *h.Roster != 2 || h.Shortfall == nil || *h.Shortfall >= 0 ||
		*h.Shortfall != *h.Roster-h.AgentsScheduled {
		t.Errorf("Monday 12:00 %+v: want the roster's 2 agents short of the need", h)
	}
	if p := g.Parameters; p.HandleTimeSeconds == nil || *p.HandleTimeSeconds != 2400 || p.HandleTimeSource != collector.HandleTimeConfigured ||
		p.HandleTimeTickets != nil || p.Goal == 0 || p.Timezone != "Europe/Rome" {
		t.Errorf("parameters %+v", g.Parameters)
	}
}

// TestStaffingJSONWithoutFigures: a stale group has null figures, not zeros.
func TestStaffingJSONWithoutFigures(t *testing.T) {
	got := StaffingsJSON(&collector.Snapshot{Staffing: []collector.StaffingResult{{Group: "g", State: collector.StaffingStale, Reason: "stale",
		HandleTimeSource: collector.HandleTimeMeasured}}})
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"hours", "tickets", "expected_attainment", "short_hours"} {
		if v, ok := raw[0][k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
	// A measured handle time not known yet is null too, not 0 seconds.
	params := raw[0]["parameters"].(map[string]any)
	for _, k := range []string{"handle_time_seconds", "handle_time_tickets"} {
		if v, ok := params[k]; !ok || v != nil {
			t.Errorf("parameters.%s = %v, want null", k, v)
		}
	}
	if params["handle_time_source"] != "measured" {
		t.Errorf("parameters.handle_time_source = %v, want measured", params["handle_time_source"])
	}
}

// A measured handle time is published with the tickets it is the mean of, in the API and on
// the page.
func TestStaffingMeasuredHandleTime(t *testing.T) {
	r := collector.StaffingResult{Group: "g", State: collector.StaffingOK, HandleTime: 38 * time.Minute,
		HandleTimeSource: collector.HandleTimeMeasured, HandleTimeTickets: 412}
	p := StaffingsJSON(&collector.Snapshot{Staffing: []collector.StaffingResult{r}})[0].Parameters
	if p.HandleTimeSeconds == nil || *p.HandleTimeSeconds != 2280 || p.HandleTimeTickets == nil || *p.HandleTimeTickets != 412 {
		t.Errorf("parameters %+v: want 2280 s over 412 tickets", p)
	}
	if got, want := handleTimeLine(&r), "Handle time 38m, measured over 412 tickets"; got != want {
		t.Errorf("page line %q, want %q", got, want)
	}
	r.HandleTimeSource, r.HandleTimeTickets = collector.HandleTimeConfigured, 0
	if got, want := handleTimeLine(&r), "Handle time 38m, configured"; got != want {
		t.Errorf("page line %q, want %q", got, want)
	}
}

// TestStaffingHeatMap: the status page shows the demo group's heat map as a table, Monday
// 12:00 marked short.
func TestStaffingHeatMap(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/")
	for _, want := range []string{`<h2 id="staffing-h">Staffing</h2>`, `<table class="heat" data-staffing="desk-p3">`,
		`<th scope="row">Monday</th>`, `class="short" aria-label="2 rostered,`, ` points, simulated)`, `<p class="meta" data-figure="handle-time">Handle time 40m, configured.</p>`} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if strings.Contains(body, "style=") {
		t.Error("status page has an inline style")
	}
}
