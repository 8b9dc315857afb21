package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

// TestTicketsLevelFilter: on the demo, with the default escalation levels on incident-response,
// ?level=N lists the open cycles sla_tickets_escalated counts at level N, each with a used share
// of its target at or above the level's and below the next level's.
func TestTicketsLevelFilter(t *testing.T) {
	yml := strings.Replace(string(demo.ConfigYAML), "    targets: {P1: 15m, P2: 30m, P3: 4h, P4: 8h}\n",
		"    targets: {P1: 15m, P2: 30m, P3: 4h, P4: 8h}\n    escalation: default\n", 1)
	if yml == string(demo.ConfigYAML) {
		t.Fatal("the demo's incident-response objective changed: update the test")
	}
	cfg, err := config.Load([]byte(yml), "demo.yml", ".")
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, cfg, demoFor(t).runner, nil)
	s.eval.Publish()
	var counts []int
	for _, o := range s.expo.Snapshot().Objectives {
		if o.Objective == "incident-response" {
			for _, l := range o.Escalation {
				counts = append(counts, l.Open)
			}
		}
	}
	if len(counts) != 4 {
		t.Fatalf("escalation counts %v, want 4 levels", counts)
	}
	shares := []float64{0.5, 0.75, 0.9, 1}
	listed := 0
	for i, want := range counts {
		level := i + 1
		resp, body := s.get(t, fmt.Sprintf("/api/v1/objectives/incident-response/tickets?level=%d", level))
		if resp.StatusCode != 200 {
			t.Fatalf("level %d: %d %s", level, resp.StatusCode, body)
		}
		var j ticketsJSON
		if err := json.Unmarshal([]byte(body), &j); err != nil {
			t.Fatal(err)
		}
		if len(j.Cycles) != want {
			t.Errorf("level %d: %d cycles listed, sla_tickets_escalated counts %d", level, len(j.Cycles), want)
		}
		for _, c := range j.Cycles {
			share := c.Elapsed / c.Target
			if c.Stop != nil || share < shares[i] || i+1 < len(shares) && share >= shares[i+1] {
				t.Errorf("level %d lists %s (%s, share %v)", level, c.Ticket, c.State, share)
			}
		}
		listed += len(j.Cycles)
	}
	// The demo has open cycles at the levels, or the test would prove nothing.
	t.Logf("levels: %v", counts)
	if listed == 0 {
		t.Fatal("no open cycle at any level in the demo")
	}
	// /api/v1/objectives gives the same counts.
	_, body := s.get(t, "/api/v1/objectives")
	var objs []struct {
		Name       string           `json:"name"`
		Escalation []EscalationJSON `json:"escalation"`
	}
	if err := json.Unmarshal([]byte(body), &objs); err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		var want []EscalationJSON
		if o.Name == "incident-response" {
			for i, n := range counts {
				want = append(want, EscalationJSON{Level: i + 1, At: shares[i], Severity: []string{"info", "warning", "critical", "critical"}[i], OpenCycles: n})
			}
		}
		if diff := cmp.Diff(want, o.Escalation); diff != "" {
			t.Errorf("%s: escalation in /api/v1/objectives (-want +got):\n%s", o.Name, diff)
		}
	}
	// The tickets page filters the same way, offers the levels, and its CSV link keeps the level.
	resp, page := s.get(t, "/objectives/incident-response/tickets?level=2")
	if resp.StatusCode != 200 {
		t.Fatalf("page: %d %s", resp.StatusCode, page)
	}
	for _, want := range []string{
		`<option value="2" selected>2: from 75%, warning</option>`,
		`<option value="4">4: from 100%, critical</option>`,
		fmt.Sprintf("%d ticket cycles.", counts[1]),
		`/api/v1/objectives/incident-response/tickets?format=csv&amp;level=2`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the tickets page lacks %s", want)
		}
	}
	for _, tc := range []struct{ query, want string }{
		{"level=0", `level "0": want an escalation level, 1 or more`},
		{"level=two", `level "two": want an escalation level, 1 or more`},
		{"level=5", `level 5: objective "incident-response" has levels 1 to 4`},
		{"level=1&period=previous", "level: only the current period has open cycles to escalate"},
	} {
		resp, body := s.get(t, "/api/v1/objectives/incident-response/tickets?"+tc.query)
		if resp.StatusCode != 400 || strings.TrimSpace(body) != tc.want {
			t.Errorf("%s: %d %q, want 400 %q", tc.query, resp.StatusCode, body, tc.want)
		}
	}
}
