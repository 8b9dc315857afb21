package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestTicketsLevelFilter: on the demo, with the default escalation levels on incident-response,
// ?level=N lists the open cycles sla_tickets_escalated counts at level N, each with a used share
// of its target at or above the level's and below the next level's.
func TestTicketsLevelFilter(t *testing.T) {
	s := newDemoServer(t, nil)
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
	// The demo's levels: the default four on incident-response, 75%, 100% and 150% on
	// incident-resolution; none elsewhere.
	levels := map[string][]EscalationJSON{
		"incident-response":   {{1, 0.5, "info", 0}, {2, 0.75, "warning", 0}, {3, 0.9, "critical", 0}, {4, 1, "critical", 0}},
		"incident-resolution": {{1, 0.75, "warning", 0}, {2, 1, "critical", 0}, {3, 1.5, "critical", 0}},
	}
	for _, o := range s.expo.Snapshot().Objectives {
		for i, l := range o.Escalation {
			levels[o.Objective][i].OpenCycles = l.Open
		}
	}
	for _, o := range objs {
		want := levels[o.Name]
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

const escalationConfig = `
global: {timezone: UTC}
sources:
  - {name: desk, type: demo}
objectives:
  - name: resolve
    service: desk
    kind: ticket
    source: desk
    clock: resolution
    targets: {P1: 4h}
    target: 0.9
    escalation:
      - {at: 50%, severity: info, labels: {notify: team}}
      - {at: 100%, severity: critical, labels: {notify: manager, team: desk}}
      - {at: 150%, severity: critical, labels: {notify: manager}}
  - {name: respond, service: desk, kind: ticket, source: desk, clock: response, targets: {P1: 1h}, target: 0.9}
`

// newEscalationServer serves six P1 tickets of a 24x7 desk with 4h to resolve, at evalAt (11-15
// 12:00), whose open cycles have used known shares of their target.
func newEscalationServer(t *testing.T, data func() collector.Data) *testServer {
	t.Helper()
	cfg, err := config.Load([]byte(escalationConfig), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, cfg, fakeReader{data: data()}, nil)
	s.eval.Publish()
	return s
}

// escalationData: open since 11:00 (1h of 4h, 25%: below level 1), 10:00 (2h, exactly 50%:
// level 1), 09:00 (3h, 75%: level 1), 08:00 (4h, exactly 100%: level 2), 06:00 (6h, 150%:
// level 3); and one opened at 02:00 and resolved at 03:00, decided and at no level.
// Hand-counted: levels 1, 2, 3 hold 2, 1, 1 open cycles.
func escalationData(t *testing.T) func() collector.Data {
	return func() collector.Data {
		d := emptyData(true, "desk")
		at := func(h int) time.Time { return time.Date(2026, 11, 15, h, 0, 0, 0, time.UTC) }
		open := func(id string, h int) ticket.Ticket {
			return ticket.Ticket{ID: id, Priority: "P1", Created: at(h), History: []ticket.StatusChange{{At: at(h), Status: "Open", Category: ticket.Open}}}
		}
		done := open("F", 2)
		done.History = append(done.History, ticket.StatusChange{At: at(3), Status: "Resolved", Category: ticket.Resolved})
		for _, tk := range []ticket.Ticket{open("A", 11), open("B", 10), open("C", 9), open("D", 8), open("E", 6), done} {
			if err := d.Tickets["desk"].Add(&tk); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
}

// TestObjectivePageEscalation: the objective page's escalation table shows each level's share,
// severity and labels, and the hand-counted open cycles at it, each count linking to the
// drill-down filtered by its level, which lists exactly those tickets.
func TestObjectivePageEscalation(t *testing.T) {
	s := newEscalationServer(t, escalationData(t))
	_, body := s.get(t, "/objectives/resolve")
	doc := parsePage(t, body)
	sec := one(t, doc, "escalation section", section("escalation-h"))
	type row struct{ Level, From, Below, Severity, Labels, Open, Link string }
	var got []row
	for _, tr := range findAll(sec, hasAttr("data-level")) {
		var cells []string
		for _, c := range findAll(tr, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" }) {
			cells = append(cells, text(c))
		}
		if len(cells) != 6 {
			t.Fatalf("row %v: want 6 cells", cells)
		}
		link := ""
		if l := hrefs(tr); len(l) == 1 {
			link = l[0]
		}
		got = append(got, row{cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], link})
	}
	want := []row{
		{"1", "50%", "100%", "info", "notify=team", "2", "/objectives/resolve/tickets?level=1"},
		{"2", "100%", "150%", "critical", "notify=manager, team=desk", "1", "/objectives/resolve/tickets?level=2"},
		{"3", "150%", "—", "critical", "notify=manager", "1", "/objectives/resolve/tickets?level=3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("escalation table (-want +got):\n%s", diff)
	}
	if !strings.Contains(text(sec), "4 open ticket cycles at an escalation level; the highest with any is level 3 (150%).") {
		t.Errorf("the section's summary: %q", text(sec))
	}
	// Each link lists the tickets counted at its level.
	for level, ids := range map[int][]string{1: {"B", "C"}, 2: {"D"}, 3: {"E"}} {
		var listed []string
		for _, c := range getTicketsJSON(t, s, fmt.Sprintf("/api/v1/objectives/resolve/tickets?level=%d", level)) {
			listed = append(listed, c.Ticket)
		}
		slices.Sort(listed)
		if diff := cmp.Diff(ids, listed); diff != "" {
			t.Errorf("level %d lists (-want +got):\n%s", level, diff)
		}
	}
	// The status page's row says the highest level with open cycles, level 3 (E), linked to them.
	_, body = s.get(t, "/")
	status := parsePage(t, body)
	note := one(t, one(t, status, "resolve's row", withAttr("data-objective", "resolve")), "escalation note", withAttr("data-figure", "escalated"))
	if got, want := text(note), "escalated to level 3 of 3 (150% of the target): 1 open"; got != want || !slices.Equal(hrefs(note), []string{"/objectives/resolve/tickets?level=3"}) {
		t.Errorf("status page: %q linking %v, want %q linking level 3", got, hrefs(note), want)
	}
	if n := findAll(one(t, status, "respond's row", withAttr("data-objective", "respond")), withAttr("data-figure", "escalated")); len(n) != 0 {
		t.Error("an objective without levels has an escalation note on the status page")
	}
	// An objective without levels has no escalation section.
	_, body = s.get(t, "/objectives/respond")
	if len(findAll(parsePage(t, body), section("escalation-h"))) != 0 {
		t.Error("an objective without escalation levels shows the escalation section")
	}
}

// TestObjectivePageEscalationWithheld: while the source is stale the levels are listed but their
// counts are withheld, never shown as zeros.
func TestObjectivePageEscalationWithheld(t *testing.T) {
	s := newEscalationServer(t, func() collector.Data { return emptyData(false, "desk") })
	_, body := s.get(t, "/objectives/resolve")
	sec := one(t, parsePage(t, body), "escalation section", section("escalation-h"))
	cells := findAll(sec, withAttr("data-figure", "escalated"))
	if len(cells) != 3 {
		t.Fatalf("%d level counts, want 3", len(cells))
	}
	for _, c := range cells {
		if got := text(c); got != "withheld" || len(hrefs(c)) != 0 {
			t.Errorf("a stale objective's level count reads %q", got)
		}
	}
	if !strings.Contains(text(sec), "The open cycles per level are withheld") {
		t.Errorf("the section does not say the counts are withheld: %q", text(sec))
	}
}
