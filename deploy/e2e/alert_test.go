package e2e

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/rules"
)

// The alert loop's scenario: an availability objective over a rolling day, target 99%, so the
// error budget is 1% of 86,400 s = 864 s of downtime. A tier (long, short, budget) fires when
// the burn rate over both windows exceeds F = budget × 86,400 / long; in a full outage the burn
// rate over a window is 100 × (down time in the window / the window), so the long window needs
// budget × 864 s of downtime, whatever its length, and the short window that × short / long.
//
//	page:   1m/30s, budget 0.02: F = 28.8; fires 17.3 s into the outage (short: 8.6 s);
//	        resolves when the 30s window holds less than 8.6 s down: 21.4 s after recovery.
//	ticket: 2m/10s, budget 0.03, for 10s: F = 21.6; true 25.9 s into the outage (short: 2.2 s),
//	        fires 10 s later, 18.6 s after the page; resolves when the 10s window holds less
//	        than 2.2 s down: 7.8 s after recovery, 13.6 s before the page.
//
// So while the ticket alert fires, the page alert of the same objective fires too and has
// reached Alertmanager well before it: the ticket is inhibited from start to end and never
// notified (inhibition is decided at notification time, so a ticket reaching Alertmanager before
// its page would leak once; the `for` keeps it behind). Its short window is the shorter one so
// that it resolves before the page does: the other way round it would be notified once the page
// resolves, as a real slow-burn ticket is. The sample history written before the start fills
// every window with data, so the timings do not depend on how long the exporter has run.
const alertScenario = `
global:
  evaluation_interval: 1s
  alerting:
    burn_rates:
      - {long: 1m, short: 30s, budget: 0.02, severity: page}
      - {long: 2m, short: 10s, budget: 0.03, severity: ticket, for: 10s}
sources:
  - name: probes
    type: file
    interval: 1s
    timeout: 1s
    file:
      path: uptime.csv
      content: uptime
      columns: {time: time, state: state}
      constants: {series: web}
      time: {layout: unix}
services:
  - name: web
objectives:
  - name: web-availability
    service: web
    kind: availability
    source: probes
    series: web
    target: 0.99
    period: rolling:1d
    availability: {slice: 1s, max_sample_age: 5s}
`

// Labels of the scenario's burn alerts; source is what the SLASourceDown inhibition compares.
var (
	pageBurn   = map[string]string{"alertname": rules.AlertBurn, "objective": "web-availability", "service": "web", "source": "probes", "severity": "page", rules.LabelBurnTier: "1m_30s"}
	ticketBurn = map[string]string{"alertname": rules.AlertBurn, "objective": "web-availability", "service": "web", "source": "probes", "severity": "ticket", rules.LabelBurnTier: "2m_10s"}
)

// sampler appends an uptime sample (unix time, state) to the CSV file every second, in the state
// the test sets.
type sampler struct {
	sampleLoop
	path  string
	state atomic.Value // string
}

func startSampler(t *testing.T, path string, history time.Duration) *sampler {
	t.Helper()
	now := time.Now().Unix()
	var b strings.Builder
	b.WriteString("time,state\n")
	for ts := now - int64(history/time.Second); ts <= now; ts++ {
		fmt.Fprintf(&b, "%d,up\n", ts)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &sampler{path: path}
	s.state.Store("up")
	s.run(t, s.write)
	return s
}

// write appends one sample.
func (s *sampler) write() error {
	return appendFile(s.path, fmt.Sprintf("%d,%s\n", time.Now().Unix(), s.state.Load()))
}

// set switches the state and writes a sample at once, so the change starts now.
func (s *sampler) set(state string) time.Time {
	s.state.Store(state)
	s.sample()
	return time.Now()
}

// generateRules writes the rule files of the configuration at cfgPath (the built-in demo when
// empty) into dir with `sla_exporter rules --out`, checks them with promtool (rule files only)
// and returns their paths.
func generateRules(t *testing.T, exporter, cfgPath, dir string, extra ...string) []string {
	t.Helper()
	var args []string
	if cfgPath != "" {
		args = append(args, "--config.file="+cfgPath)
	}
	args = append(append(args, "rules", "--out="+dir), extra...)
	out, err := run(t, filepath.Dir(dir), exporter, args...)
	if err != nil {
		t.Fatalf("sla_exporter %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	if len(files) == 0 {
		t.Fatalf("sla_exporter rules wrote no .yml file into %s:\n%s", dir, out)
	}
	if slices.Contains(extra, "--operator") {
		return files
	}
	promtool := requireTool(t, "promtool")
	if out, err := run(t, dir, promtool, append([]string{"check", "rules"}, files...)...); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	return files
}

// startExporter runs the exporter on loopback with its own storage folder.
func startExporter(t *testing.T, exporter string, args ...string) *server {
	t.Helper()
	return startServer(t, "sla_exporter", exporter, "/-/ready", 2*time.Minute, func(addr, dir string) []string {
		return append([]string{"--web.listen-address=" + addr, "--storage.path=" + filepath.Join(dir, "data")}, args...)
	})
}

// startPrometheus runs Prometheus on loopback scraping target every second, evaluating the
// rule files every second and sending alerts to the Alertmanager at amAddr (if any).
func startPrometheus(t *testing.T, target, ruleGlob, amAddr string) *server {
	t.Helper()
	bin := requireTool(t, "prometheus")
	return startServer(t, "prometheus", bin, "/-/ready", 2*time.Minute, func(addr, dir string) []string {
		var cfg strings.Builder
		cfg.WriteString("global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n")
		if ruleGlob != "" {
			fmt.Fprintf(&cfg, "rule_files: [%q]\n", ruleGlob)
		}
		if amAddr != "" {
			fmt.Fprintf(&cfg, "alerting: {alertmanagers: [{static_configs: [{targets: [%q]}]}]}\n", amAddr)
		}
		fmt.Fprintf(&cfg, "scrape_configs: [{job_name: sla_exporter, static_configs: [{targets: [%q]}]}]\n", target)
		path := writeFile(t, dir, "prometheus.yml", cfg.String())
		return []string{
			"--config.file=" + path,
			"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"),
			"--web.listen-address=" + addr,
			"--web.external-url=http://" + addr + "/",
		}
	})
}

// promResult is the data of an instant query's answer.
type promResult struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
		} `json:"result"`
	} `json:"data"`
	Warnings []string `json:"warnings"`
}

func promQuery(prom *server, q string) (promResult, error) {
	var r promResult
	err := getJSON(prom.url+"/api/v1/query?query="+url.QueryEscape(q), &r)
	return r, err
}

// TestAlertLoop runs the whole alert path: uptime samples in a CSV file, the exporter reading
// them, the rules `sla_exporter rules` generates loaded by Prometheus, and the shipped
// Alertmanager routing and inhibition notifying a webhook. Samples are up, then down until the
// ticket tier's alert is seen inhibited, then up again. The page burn alert must arrive firing
// at the oncall receiver and later resolved; the ticket burn alert must never arrive, and
// Alertmanager must show it suppressed, inhibited by the page alert.
func TestAlertLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: the alert loop takes about 90 seconds")
	}
	requireTool(t, "prometheus")
	requireTool(t, "alertmanager")
	requireTool(t, "promtool")
	exporter := exporterBinary(t)
	begin := time.Now()
	overall := begin.Add(4 * time.Minute)
	within := func(d time.Duration) time.Time {
		if dl := time.Now().Add(d); dl.Before(overall) {
			return dl
		}
		return overall
	}

	dir := t.TempDir()
	cfgPath := writeFile(t, dir, "sla.yml", alertScenario)
	samples := startSampler(t, filepath.Join(dir, "uptime.csv"), 3*time.Minute)
	rulesDir := filepath.Join(dir, "rules")
	generateRules(t, exporter, cfgPath, rulesDir)

	hook := newWebhook(t)
	am := startAlertmanager(t, hook.srv.URL)
	exp := startExporter(t, exporter, "--config.file="+cfgPath)
	prom := startPrometheus(t, exp.addr, filepath.Join(rulesDir, "*.yml"), am.addr)
	t.Logf("servers ready after %s: exporter %s, prometheus %s, alertmanager %s", time.Since(begin).Round(time.Millisecond), exp.url, prom.url, am.url)

	// Up: Prometheus scrapes the burn rates and evaluates both tiers' rules, and nothing fires.
	waitFor(t, within(time.Minute), 250*time.Millisecond, "Prometheus to hold the burn rates of both tiers' windows", func() (bool, string) {
		r, err := promQuery(prom, `count(sla_burn_rate{objective="web-availability",window=~"1m|30s|2m|10s"})`)
		if err != nil {
			return false, err.Error()
		}
		return len(r.Data.Result) == 1 && fmt.Sprint(r.Data.Result[0].Value[1]) == "4", fmt.Sprintf("%+v", r.Data.Result)
	})
	upUntil := time.Now().Add(20 * time.Second)
	for time.Now().Before(upUntil) {
		time.Sleep(time.Second)
		if _, a, ok := hook.find("firing", map[string]string{"alertname": rules.AlertBurn}); ok {
			t.Fatalf("a burn alert fired while every sample was up: %v", a.Labels)
		}
	}

	// Down: the page tier fires and is notified; the ticket tier fires and is inhibited.
	down := samples.set("down")
	t.Logf("outage starts at %s (+%s)", down.Format(time.TimeOnly), down.Sub(begin).Round(time.Second))
	var page webhookAlert
	waitFor(t, within(75*time.Second), 250*time.Millisecond, "the page burn alert to be notified firing", func() (bool, string) {
		n, a, ok := hook.find("firing", pageBurn)
		if !ok {
			return false, "not yet"
		}
		page = a
		t.Logf("page burn alert notified firing %s into the outage, to %s", n.at.Sub(down).Round(time.Millisecond), n.path)
		if n.path != "/oncall" || n.payload.Receiver != "oncall" {
			t.Errorf("the page alert went to %s (receiver %s), want the oncall receiver", n.path, n.payload.Receiver)
		}
		if !strings.HasPrefix(a.GeneratorURL, prom.url+"/") {
			t.Errorf("generatorURL %q does not start with Prometheus' --web.external-url %s/", a.GeneratorURL, prom.url)
		}
		return true, ""
	})
	waitFor(t, within(90*time.Second), 250*time.Millisecond, "Alertmanager to hold the ticket burn alert, inhibited by the page alert", func() (bool, string) {
		alerts, err := amAlerts(am)
		if err != nil {
			return false, err.Error()
		}
		ticket, ok := findAMAlert(alerts, ticketBurn)
		if !ok {
			return false, fmt.Sprintf("no ticket alert among %d", len(alerts))
		}
		if ticket.Status.State != "suppressed" {
			return false, fmt.Sprintf("ticket alert state %s", ticket.Status.State)
		}
		for _, fp := range ticket.Status.InhibitedBy {
			if fp == page.Fingerprint {
				t.Logf("ticket burn alert suppressed, inhibited by the page alert, %s into the outage", time.Since(down).Round(time.Millisecond))
				return true, ""
			}
		}
		t.Fatalf("the ticket alert is suppressed by %q, not by the page alert %s", ticket.Status.InhibitedBy, page.Fingerprint)
		return false, ""
	})

	// Up again: the page alert resolves (after the ticket alert), and is notified resolved.
	up := samples.set("up")
	t.Logf("outage ends after %s", up.Sub(down).Round(time.Second))
	waitFor(t, within(90*time.Second), 250*time.Millisecond, "the page burn alert to be notified resolved", func() (bool, string) {
		n, _, ok := hook.find("resolved", pageBurn)
		if !ok {
			return false, "not yet"
		}
		t.Logf("page burn alert notified resolved %s after the outage", n.at.Sub(up).Round(time.Millisecond))
		return true, ""
	})
	// Two more group intervals, for a ticket notification that should not be sent.
	time.Sleep(2 * time.Second)
	for _, n := range hook.notifications() {
		for _, a := range n.payload.Alerts {
			if subset(ticketBurn, a.Labels) {
				t.Errorf("the ticket burn alert was notified (%s, to %s at +%s): it should have been inhibited throughout",
					a.Status, n.path, n.at.Sub(down).Round(time.Millisecond))
			}
		}
	}
	t.Logf("alert loop done in %s", time.Since(begin).Round(time.Second))
}
