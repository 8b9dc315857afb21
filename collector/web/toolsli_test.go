package web

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

// toolAttainment is a comparison with Zabbix's SLA "web SLA" read at evalAt.
func toolAttainment(period string, from, to time.Time, exporter, tool float64) collector.ToolAttainment {
	return collector.ToolAttainment{Period: period, From: from, To: to, Exporter: exporter, Tool: tool, Difference: exporter - tool,
		SLI: collector.ToolSLI{Tool: "Zabbix", Name: "web SLA", Series: "web", From: from, To: to, At: evalAt, SLI: tool, SLO: 0.999}}
}

// TestToolSays words each way a comparison can go, with the decimals that keep the two figures
// apart.
func TestToolSays(t *testing.T) {
	nov, dec := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		exporter, tool float64
		want           string
	}{
		// 99.95% - 99.85% = 0.10 points.
		{0.9995, 0.9985, `Zabbix SLA "web SLA" says 99.85%; the exporter 99.95%, 0.10 points higher`},
		{0.998, 0.998, `Zabbix SLA "web SLA" says 99.80%; the exporter agrees`},
		// 99.000% - 99.004% = -0.004 points: two decimals would show 99.00% twice and 0.00.
		{0.99, 0.99004, `Zabbix SLA "web SLA" says 99.004%; the exporter 99.000%, 0.004 points lower`},
	}
	for _, tc := range tests {
		if got := toolSays(toolAttainment("current", nov, dec, tc.exporter, tc.tool)); got != tc.want {
			t.Errorf("%v vs %v:\n got %s\nwant %s", tc.exporter, tc.tool, got, tc.want)
		}
	}
}

// TestObjectiveToolAttainment shows an availability objective's comparisons with Zabbix on its
// page, as headline figures, and in /api/v1/objectives.
func TestObjectiveToolAttainment(t *testing.T) {
	s := newDemoServer(t, nil)
	snap := s.expo.Snapshot()
	res := objectiveResult(snap, "webshop-availability")
	if len(res.History) == 0 || !res.HasData {
		t.Fatal("the demo objective has no history or no data")
	}
	last := res.History[len(res.History)-1]
	res.ToolAttainments = []collector.ToolAttainment{
		toolAttainment("previous", last.Start, last.End, 0.9995, 0.9985),
		toolAttainment("current", res.PeriodStart, res.PeriodEnd, 0.99, 0.99004),
	}

	_, body := s.get(t, "/objectives/webshop-availability")
	doc := parsePage(t, body)
	dd := map[string][]string{}
	for _, d := range findAll(doc, tag("div")) {
		if dts := findAll(d, tag("dt")); len(dts) == 1 {
			for _, n := range findAll(d, tag("dd")) {
				dd[text(dts[0])] = append(dd[text(dts[0])], text(n))
			}
		}
	}
	// evalAt, 2026-11-15 12:00 UTC, is 13:00 in Rome, the demo's timezone.
	want := map[string][]string{
		"Zabbix says, " + last.Label: {"99.85%", `Zabbix SLA "web SLA" says 99.85%; the exporter 99.95%, 0.10 points higher (read 2026-11-15 13:00 CET)`},
		"Zabbix says, this period":   {"99.004%", `Zabbix SLA "web SLA" says 99.004%; the exporter 99.000%, 0.004 points lower (read 2026-11-15 13:00 CET)`},
	}
	for label, w := range want {
		if diff := gocmp.Diff(w, dd[label]); diff != "" {
			t.Errorf("figure %q (-want +got):\n%s", label, diff)
		}
	}

	_, api := s.get(t, "/api/v1/objectives")
	var objs []struct {
		Name            string               `json:"name"`
		ToolAttainments []ToolAttainmentJSON `json:"tool_attainments"`
	}
	if err := json.Unmarshal([]byte(api), &objs); err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	// Variables, so that the differences are float64 arithmetic as the evaluation's, not exact
	// constant arithmetic.
	hi, lo, even, above := 0.9995, 0.9985, 0.99, 0.99004
	for _, o := range objs {
		if o.Name != "webshop-availability" {
			if o.ToolAttainments != nil {
				t.Errorf("%s: tool attainments %+v", o.Name, o.ToolAttainments)
			}
			continue
		}
		wantJSON := []ToolAttainmentJSON{
			{Period: "previous", Start: last.Start, End: last.End, Tool: "Zabbix", SLA: "web SLA", ReadAt: evalAt,
				Attainment: f(0.9985), Exporter: f(0.9995), Difference: f(hi - lo),
				Display: `Zabbix SLA "web SLA" says 99.85%; the exporter 99.95%, 0.10 points higher`},
			{Period: "current", Start: res.PeriodStart, End: res.PeriodEnd, Tool: "Zabbix", SLA: "web SLA", ReadAt: evalAt,
				Attainment: f(0.99004), Exporter: f(0.99), Difference: f(even - above),
				Display: `Zabbix SLA "web SLA" says 99.004%; the exporter 99.000%, 0.004 points lower`},
		}
		if diff := gocmp.Diff(wantJSON, o.ToolAttainments, gocmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("API (-want +got):\n%s", diff)
		}
	}
	if !strings.Contains(api, `"tool_attainments"`) {
		t.Error("the API lacks tool_attainments")
	}
}
