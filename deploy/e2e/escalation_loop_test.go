package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/rules"
)

// escalationScenario: two ticket objectives on a 24x7 calendar with 10h to resolve and the
// default escalation levels (50, 75, 90, 100%), read from a CSV file the test writes. 10h makes
// the shares move by 0.17% a minute, so the tickets stay at their levels while the test runs.
const escalationScenario = `
global:
  evaluation_interval: 1s
sources:
  - name: desk
    type: file
    interval: 1s
    timeout: 1s
    file:
      path: tickets.csv
      content: tickets
      columns: {id: id, created: created, status: status, priority: priority}
      constants: {type: incident}
      time: {layout: unix}
      statuses: {open: [new]}
services:
  - name: service-desk
objectives:
  - {name: p1-resolution, service: service-desk, kind: ticket, source: desk, clock: resolution, targets: {P1: 10h}, target: 0.95, escalation: default}
  - {name: p2-resolution, service: service-desk, kind: ticket, source: desk, clock: resolution, targets: {P2: 10h}, target: 0.95, escalation: default}
`

// TestEscalationLoop runs the escalation path end to end: tickets in a CSV file, the exporter
// counting them per level, the rules `sla_exporter rules` generates loaded by Prometheus, and the
// shipped Alertmanager configuration. p1-resolution has a ticket at 60% of its target (level 1)
// and one at 80% (level 2); p2-resolution one at 60%. The level-2 alert reaches the lead; the
// level-1 alert of p1-resolution is inhibited by it and never notified; p2-resolution's level 1,
// with no higher level, reaches the team.
func TestEscalationLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: the escalation loop starts three servers")
	}
	requireTool(t, "prometheus")
	requireTool(t, "alertmanager")
	requireTool(t, "promtool")
	exporter := exporterBinary(t)
	dir := t.TempDir()
	now := time.Now().Unix()
	var csv strings.Builder
	csv.WriteString("id,created,status,priority\n")
	for _, tk := range []struct {
		id, priority string
		age          time.Duration
	}{{"A", "P1", 6 * time.Hour}, {"B", "P1", 8 * time.Hour}, {"C", "P2", 6 * time.Hour}} {
		fmt.Fprintf(&csv, "%s,%d,new,%s\n", tk.id, now-int64(tk.age/time.Second), tk.priority)
	}
	writeFile(t, dir, "tickets.csv", csv.String())
	cfgPath := writeFile(t, dir, "sla.yml", escalationScenario)
	rulesDir := filepath.Join(dir, "rules")
	generateRules(t, exporter, cfgPath, rulesDir)

	hook := newWebhook(t)
	am := startAlertmanager(t, hook.srv.URL)
	exp := startExporter(t, exporter, "--config.file="+cfgPath)
	prom := startPrometheus(t, exp.addr, filepath.Join(rulesDir, "*.yml"), am.addr)

	level := func(objective string, n int, severity, notify string) map[string]string {
		return map[string]string{"alertname": rules.AlertTicketsEscalated, "objective": objective, "service": "service-desk",
			rules.LabelEscalationLevel: fmt.Sprint(n), "severity": severity, "notify": notify}
	}
	p1l1, p1l2, p2l1 := level("p1-resolution", 1, "info", "team"), level("p1-resolution", 2, "warning", "lead"), level("p2-resolution", 1, "info", "team")

	deadline := time.Now().Add(2 * time.Minute)
	waitFor(t, deadline, 250*time.Millisecond, "Prometheus to scrape the escalation counts", func() (bool, string) {
		r, err := promQuery(prom, `sum by (objective, level) (sla_tickets_escalated) > 0`)
		if err != nil {
			return false, err.Error()
		}
		var got []string
		for _, s := range r.Data.Result {
			got = append(got, s.Metric["objective"]+"/"+s.Metric["level"]+"="+fmt.Sprint(s.Value[1]))
		}
		return len(got) == 3, fmt.Sprint(got)
	})
	for _, w := range []struct {
		name     string
		labels   map[string]string
		receiver string
	}{{"p1-resolution level 2", p1l2, "desk-lead"}, {"p2-resolution level 1", p2l1, "desk-team"}} {
		waitFor(t, deadline, 250*time.Millisecond, w.name+" to be notified", func() (bool, string) {
			n, _, ok := hook.find("firing", w.labels)
			if !ok {
				return false, "not yet"
			}
			if n.path != "/"+w.receiver {
				t.Errorf("%s notified to %s, want /%s", w.name, n.path, w.receiver)
			}
			return true, ""
		})
	}
	waitFor(t, deadline, 250*time.Millisecond, "p1-resolution's level 1 to be inhibited by its level 2", func() (bool, string) {
		alerts, err := amAlerts(am)
		if err != nil {
			return false, err.Error()
		}
		a, ok := findAMAlert(alerts, p1l1)
		src, ok2 := findAMAlert(alerts, p1l2)
		if !ok || !ok2 {
			return false, "not received yet"
		}
		return a.Status.State == "suppressed" && len(a.Status.InhibitedBy) == 1 && a.Status.InhibitedBy[0] == src.Fingerprint,
			fmt.Sprintf("state %s inhibited by %v", a.Status.State, a.Status.InhibitedBy)
	})
	time.Sleep(3 * time.Second) // group intervals: time for a wrong notification to arrive
	if n, _, ok := hook.find("firing", p1l1); ok {
		t.Errorf("p1-resolution's level 1 was inhibited but notified to %s", n.path)
	}
}
