package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/version"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/sources"
)

func demoConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(demo.ConfigYAML, demoName, ".")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCheckDemo(t *testing.T) {
	const head = "built-in demo configuration: configuration OK: 1 sources, 7 objectives, 11 KPIs, 1 contracts\n"
	for _, args := range [][]string{{"check"}, {"serve", "--config.check"}, {"--config.check"}} {
		stdout, stderr, err := runCmd(t, args...)
		// The demo's data is read too: a line for its one source, then the verdict.
		if err != nil || !strings.HasPrefix(stdout, head) || !strings.Contains(stdout, `built-in demo configuration:18: sources[0] "demo": read `) ||
			!strings.HasSuffix(stdout, "built-in demo configuration: data OK\n") {
			t.Errorf("%v: %v, printed %q (stderr %q)", args, err, stdout, stderr)
		}
	}
	// 3 ticket objectives of 43 series plus one per escalation level (incident-response's 4 and
	// incident-resolution's 3), 3 availability and 1 event_ratio of 37 (docs/configuration.md,
	// "Series budget"); 11 KPIs of 7; the contract's 4 statuses, 2+2 credits and 12 periods of 2; 3
	// cost figures (the desk's breached tickets, the web shop's downtime, hostco's credits earned) × 2;
	// the staffing group's required, arrivals and rostered agents for 2 hours and its expected
	// attainment: 7.
	want := head + `built-in demo configuration: series at most 407: objectives 284 (ticket 136, availability 111, event_ratio 37), KPIs 77, contracts 32, costs 6, staffing 8; plus each source's and the exporter's own (docs/configuration.md, "Series budget")` + "\n"
	if stdout, _, err := runCmd(t, "check", "--syntax-only"); err != nil || stdout != want {
		t.Errorf("check --syntax-only: %v, printed %q, want %q", err, stdout, want)
	}
}

// knownKinds is how errors list the source kinds compiled in.
var knownKinds = strings.Join(sources.Names(), ", ")

// apiExamples are the shipped examples of the API source kinds, checked for syntax only.
var apiExamples = map[string]bool{"github.yml": true, "gitlab.yml": true, "servicenow-api.yml": true, "zendesk.yml": true}

// TestCheckShippedConfigs checks every configuration the project ships: the examples under
// deploy/config and the test configurations here.
func TestCheckShippedConfigs(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../deploy/config/*.yml", "../../deploy/config/*.yaml", "../../deploy/config/teams/*.yml", "testdata/*.yml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no configuration files shipped yet")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			// Several times: a check that depends on map order (YAML mappings decoded into Go
			// maps) passes or fails by chance.
			outcomes := map[string]int{}
			for range 50 {
				stdout, _, err := runCmd(t, "check", "--syntax-only", "--config.file="+f)
				if err != nil {
					stdout = "error: " + err.Error()
				}
				outcomes[stdout]++
			}
			for out, n := range outcomes {
				if !strings.HasPrefix(out, f+": configuration OK: ") || len(outcomes) > 1 {
					t.Errorf("check %s, %d times in 50: %s", f, n, strings.TrimSpace(out))
				}
			}
			// The examples of the API source kinds point at servers a test cannot reach (and
			// need their tokens): like the complete example's URL sources they are placeholders,
			// so only their syntax is checked, above. Their kinds' own tests sync them against
			// simulators of the vendors' APIs.
			if apiExamples[filepath.Base(f)] {
				return
			}
			// Then once with the data: every shipped configuration reads its data, but the
			// complete example, whose two URL sources are placeholders and whose desk source
			// reads a file of deliberately broken rows.
			stdout, _, err := runCmd(t, "check", "--config.file="+f)
			if filepath.Base(f) != "example.yml" {
				if err != nil || !strings.HasSuffix(stdout, f+": data OK\n") {
					t.Errorf("check %s with its data: %v\n%s", f, err, stdout)
				}
				return
			}
			for _, want := range []string{`sources[0] "desk": the daemon would refuse this data: 13 of 17 records read were rejected`,
				`"status-page": GET https://status.example.com/exports/outages.csv`, `"itsm-api": GET https://itsm.example.com/api/now/table/incident`} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("check %s with its data: %v, want an error saying %s", f, err, want)
				}
			}
		})
	}
}

// badBase is a valid configuration the bad ones below change one thing of; the line numbers of
// the expected messages count in it.
const badBase = `global:
  evaluation_interval: 30s
sources:
  - name: demo
    type: demo
    demo: {seed: 1}
services:
  - name: desk
objectives:
  - name: response
    service: desk
    kind: ticket
    source: demo
    clock: response
    targets: {P1: 15m, "*": 4h}
    target: 0.95
  - name: web
    service: desk
    kind: availability
    source: demo
    series: webshop
    target: 0.999
`

// TestCheckBadConfigs pins the message of each kind of mistake: the file, the line and the field
// at fault, and what is wrong. FILE stands for the file's path; a message ending in "..." is
// compared up to there (the lists of known keys grow with the configuration).
func TestCheckBadConfigs(t *testing.T) {
	if _, _, err := runCmd(t, "check", "--config.file="+writeFile(t, t.TempDir(), "ok.yml", badBase)); err != nil {
		t.Fatalf("the base of the bad configurations is bad itself: %v", err)
	}
	for _, tc := range []struct {
		name     string
		old, new string // the change made to badBase
		want     string
	}{
		{"unknown key", "global:\n", "global:\n  colour: blue\n",
			`FILE:2: global.colour: unknown field (known: evaluation_interval, staleness, timezone, history_periods, ...`},
		{"unknown objective key", "    clock: response\n", "    clock: response\n    colour: red\n",
			`FILE:15: objectives[0].colour: unknown field (known: name, service, description, kind, target, period, ...`},
		{"unknown source setting", "{seed: 1}", "{seed: 1, colour: red}",
			`FILE:6: sources[0].demo.colour: unknown field (known: seed, history, scale)`},
		{"target above 1", "target: 0.95", "target: 1.5",
			`FILE:16: objectives[0].target: 1.5 is not a ratio between 0 and 1 (write 0.015 or 1.5%)`},
		{"unknown timezone", "global:\n", "global:\n  timezone: Mars/Olympus\n",
			`FILE:2: global.timezone: unknown timezone "Mars/Olympus" (want an IANA name such as Europe/Rome)`},
		{"unknown source type", "    type: demo\n    demo: {seed: 1}\n", "    type: otrs\n",
			`FILE:5: sources[0].type: unknown source type "otrs" (known: ` + knownKinds + `)`},
		// The type is wrong, but the message is about the block under the right type's name.
		// The type is the mistake to report, not the settings block named after the old type.
		{"unknown source type with settings", "type: demo", "type: otrs",
			`FILE:5: sources[0].type: unknown source type "otrs" (known: ` + knownKinds + `)`},
		{"duplicate objective", "  - name: web\n", "  - name: response\n",
			`FILE:17: objectives[1].name: "response" is used twice: first at FILE:10`},
		{"bad duration", "evaluation_interval: 30s", "evaluation_interval: 30 seconds",
			`FILE:2: global.evaluation_interval: unknown unit " seconds" in duration "30 seconds"`},
		{"bad target duration", "P1: 15m", "P1: 15 minutes",
			`FILE:15: objectives[0].targets.P1: "15 minutes" is neither a duration (e.g. 30m, 4h) nor working days (e.g. 5bd)`},
		{"duplicate key", "  evaluation_interval: 30s\n", "  evaluation_interval: 30s\n  evaluation_interval: 1m\n",
			`FILE:3: mapping key "evaluation_interval" already defined at line 2`},
		{"source not configured", "    source: demo\n    clock", "    source: desk\n    clock",
			`FILE:13: objectives[0].source: no source named "desk" (sources: demo)`},
		{"no document", badBase, "", `FILE: the configuration is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := strings.Replace(badBase, tc.old, tc.new, 1)
			if content == badBase && tc.new != tc.old {
				t.Fatalf("%q is not in the base configuration", tc.old)
			}
			file := writeFile(t, t.TempDir(), "sla.yml", content)
			stdout, _, err := runCmd(t, "check", "--config.file="+file)
			if err == nil {
				t.Fatalf("accepted; printed %q", stdout)
			}
			got := strings.ReplaceAll(err.Error(), file, "FILE")
			if prefix, ok := strings.CutSuffix(tc.want, "..."); ok && strings.HasPrefix(got, prefix) {
				got = tc.want
			}
			if got != tc.want {
				t.Errorf("error\n  %s\nwant\n  %s", got, tc.want)
			}
			if stdout != "" {
				t.Errorf("printed %q on stdout for a bad configuration", stdout)
			}
		})
	}
	_, _, err := runCmd(t, "check", "--config.file="+filepath.Join(t.TempDir(), "missing.yml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yml: no such file or directory") {
		t.Errorf("missing file: %v", err)
	}
}

func TestEvaluateDemo(t *testing.T) {
	stdout, stderr, err := runCmd(t, "evaluate", "--at", "2026-11-15T12:00:00Z")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var report struct {
		At         time.Time `json:"at"`
		Objectives []struct {
			Name        string   `json:"name"`
			Status      string   `json:"status"`
			Attainment  *float64 `json:"attainment"`
			PeriodLabel string   `json:"period_label"`
		} `json:"objectives"`
		KPIs []struct {
			Name  string   `json:"name"`
			Value *float64 `json:"value"`
		} `json:"kpis"`
		Contracts []struct {
			Name        string  `json:"name"`
			CreditRatio float64 `json:"credit_ratio"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("not JSON: %v\n%.2000s", err, stdout)
	}
	objs := report.Objectives
	if !report.At.Equal(time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("at %s, want the --at instant", report.At)
	}
	if len(report.KPIs) != len(demoConfig(t).KPIs) || len(report.Contracts) != len(demoConfig(t).Contracts) {
		t.Errorf("%d KPIs and %d contracts, want those of the demo", len(report.KPIs), len(report.Contracts))
	}
	var got, want []string
	for _, o := range objs {
		got = append(got, o.Name)
		if o.Attainment == nil || o.Status == "no_data" {
			t.Errorf("%s: %s, attainment %v: the demo has data", o.Name, o.Status, o.Attainment)
		}
	}
	for _, o := range demoConfig(t).Objectives {
		want = append(want, o.Name)
	}
	if !slices.Equal(got, want) {
		t.Errorf("objectives %v, want %v", got, want)
	}
	if len(objs) > 0 && objs[0].PeriodLabel != "2026-11" {
		t.Errorf("period %s, want 2026-11", objs[0].PeriodLabel)
	}
}

func TestEvaluateTickets(t *testing.T) {
	stdout, stderr, err := runCmd(t, "evaluate", "--at", "2026-11-15T12:00:00Z", "--tickets", "incident-response", "--state", "breached", "--format", "csv")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, stdout)
	}
	header := []string{"ticket", "cycle", "priority", "group", "state", "at_risk", "start", "stop", "deadline",
		"breached_at", "target_seconds", "elapsed_seconds", "remaining_seconds", "tool_deadline", "deadline_agrees",
		"native_name", "native_stop", "native_deadline", "native_verdict", "native_comparison"}
	if len(recs) < 2 || !slices.Equal(recs[0], header) {
		t.Fatalf("want a header and rows, got:\n%s", stdout)
	}
	for _, r := range recs[1:] {
		if r[4] != "breached" || r[9] == "" {
			t.Errorf("row %v is not a breached cycle", r)
		}
	}

	// JSON is the default.
	stdout, _, err = runCmd(t, "evaluate", "--at", "2026-11-15T12:00:00Z", "--tickets", "incident-response", "--state", "breached")
	var rows []map[string]any
	if err != nil || json.Unmarshal([]byte(stdout), &rows) != nil || len(rows) != len(recs)-1 {
		t.Errorf("JSON: %v, %d rows, want %d:\n%.1000s", err, len(rows), len(recs)-1, stdout)
	}
}

func TestEvaluateErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"evaluate", "--at", "yesterday"}, `--at: "yesterday" is not an RFC 3339 time such as 2026-11-01T00:00:00Z`},
		{[]string{"evaluate", "--format", "csv"}, "--format csv applies to --tickets output"},
		{[]string{"evaluate", "--format", "xml"}, "enum value must be one of json,csv, got 'xml'"},
		{[]string{"evaluate", "--at", "2026-11-15T12:00:00Z", "--tickets", "nope"}, `no such ticket objective: "nope"`},
		{[]string{"evaluate", "--at", "2026-11-15T12:00:00Z", "--tickets", "webshop-availability"}, `no such ticket objective: "webshop-availability"`},
		{[]string{"evaluate", "--at", "2026-11-15T12:00:00Z", "--tickets", "incident-response", "--state", "late"},
			`state "late" is not one of within, at_risk, breached, paused, met, cancelled, open`},
	} {
		stdout, _, err := runCmd(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
		if stdout != "" {
			t.Errorf("%v: printed %q", tc.args, stdout)
		}
	}
}

var versionRE = regexp.MustCompile(`^sla_exporter, version (\S+) \(branch: (\S+), revision: (\S+)\)\n`)

func TestVersion(t *testing.T) {
	stdout, _, err := runCmd(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	if m := versionRE.FindStringSubmatch(stdout); m == nil {
		t.Errorf("version printed %q", stdout)
	}
	if !strings.Contains(stdout, "go version:") {
		t.Errorf("version does not say the Go version:\n%s", stdout)
	}
	// --version prints the same and does not go on to serve.
	_, stderr, err := runCmd(t, "--version")
	if err != nil || !versionRE.MatchString(stderr) {
		t.Errorf("--version: %v, printed %q", err, stderr)
	}
}

func TestSetVersion(t *testing.T) {
	saved, savedBranch := version.Version, version.Branch
	t.Cleanup(func() { version.Version, version.Branch = saved, savedBranch })
	for _, tc := range []struct {
		ldflags, module, want string
	}{
		{"", "v1.2.3", "1.2.3"},
		{"", "v0.0.0-20261121124131-e659990b04c0+dirty", "0.0.0-20261121124131-e659990b04c0+dirty"},
		{"", "(devel)", "unknown"},
		{"", "", "unknown"},
		{"2.0.0", "v1.2.3", "2.0.0"}, // -ldflags -X wins
	} {
		version.Version, version.Branch = tc.ldflags, ""
		setVersion(func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/sla-exporter/sla_exporter", Version: tc.module}}, true
		})
		if version.Version != tc.want || version.Branch != "unknown" {
			t.Errorf("ldflags %q, module %q: version %q branch %q, want %q", tc.ldflags, tc.module, version.Version, version.Branch, tc.want)
		}
	}
	version.Version = ""
	setVersion(func() (*debug.BuildInfo, bool) { return nil, false })
	if version.Version != "unknown" {
		t.Errorf("without build information: %q", version.Version)
	}
}

func TestHelpDoesNotServe(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"help", "evaluate"}, {"evaluate", "--help"}, {"serve", "--help"}} {
		stdout, stderr, err := runCmd(t, args...)
		if err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(stderr, "usage: sla_exporter") || strings.Contains(stderr, "starting sla_exporter") {
			t.Errorf("%v: stderr\n%s", args, stderr)
		}
		if stdout != "" {
			t.Errorf("%v: stdout %q", args, stdout)
		}
	}
}

func TestBadCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "unknown long flag '--bogus'"},
		{[]string{"frobnicate"}, "unexpected frobnicate"},
		{[]string{"--log.level=loud", "version"}, "unrecognized log level loud"},
		{[]string{"check", "a.yml", "extra"}, "unexpected extra"},
	} {
		_, _, err := runCmd(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
