package e2e

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/dashboards"
)

// prometheusOwnMetrics are series Prometheus makes itself, which a dashboard may read.
var prometheusOwnMetrics = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS", "ALERTS_FOR_STATE"}

// TestDashboardQueries runs every dashboard query against live data: the exporter serving the
// built-in demo, scraped every second by Prometheus, which also evaluates the rules generated
// for the demo (the dashboards read some recording rules). Every query must succeed and return
// data, and every metric it reads must be one the exporter exposes or a recording rule records.
//
// Template variables take Grafana's defaults (the "All" value), except a single-value objective
// variable, which takes each demo objective in turn: each must succeed, and at least one must
// return data (a panel may be about one kind of objective only).
func TestDashboardQueries(t *testing.T) {
	requireTool(t, "prometheus")
	requireTool(t, "promtool")
	exporter := exporterBinary(t)
	queries, err := dashboards.Queries()
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) == 0 {
		t.Fatal("dashboards.Queries() returned no query")
	}
	begin := time.Now()

	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	ruleFiles := generateRules(t, exporter, "", rulesDir)
	recorded := recordedNames(t, ruleFiles)

	exp := startExporter(t, exporter) // no --config.file: the built-in demo
	prom := startPrometheus(t, exp.addr, filepath.Join(rulesDir, "*.yml"), "")

	// The first evaluation may come before the demo source's first sync: wait for the figures.
	waitFor(t, time.Now().Add(time.Minute), 250*time.Millisecond, "the exporter to publish the demo's figures", func() (bool, string) {
		body, err := getText(exp.url + "/metrics")
		if err != nil {
			return false, err.Error()
		}
		for _, want := range []string{`sla_source_up{source="demo"} 1`, "sla_attainment_ratio{", "sla_kpi_value{", "sla_contract_status{"} {
			if !strings.Contains(body, want) {
				return false, "no " + want
			}
		}
		return true, ""
	})
	objectives := demoObjectives(t, prom)
	// The rules have run a few times and rate() has samples to work with.
	waitFor(t, time.Now().Add(time.Minute), 250*time.Millisecond, "Prometheus to evaluate the recording rules", func() (bool, string) {
		for _, name := range recorded {
			r, err := promQuery(prom, "count("+name+")")
			if err != nil || len(r.Data.Result) == 0 {
				return false, fmt.Sprintf("%s: no data yet (%v)", name, err)
			}
		}
		return true, ""
	})
	time.Sleep(3 * time.Second)
	exposed := exposedNames(t, exp)
	t.Logf("%d queries, %d demo objectives, ready after %s", len(queries), len(objectives), time.Since(begin).Round(time.Millisecond))

	allowed := append(append(append(slices.Clone(exposed), recorded...), prometheusOwnMetrics...), conditionalMetrics...)
	for _, q := range queries {
		name := q.Dashboard + "/"
		if q.Variable != "" {
			name += "var:" + q.Variable
		} else {
			name += fmt.Sprintf("panel%d:%s/%s", q.PanelID, q.Panel, q.RefID)
		}
		t.Run(name, func(t *testing.T) {
			metrics, err := q.Metrics()
			if err != nil {
				t.Fatalf("%s: %v", q.Expr, err)
			}
			for _, m := range metrics {
				if !slices.Contains(allowed, m) {
					t.Errorf("reads %s, which neither the exporter exposes nor a generated recording rule records", m)
				}
			}
			_, allValue := q.Defaults["objective"]
			if !slices.Contains(q.Variables(), "objective") || allValue {
				expr := q.Expand(nil)
				n := runDashboardQuery(t, prom, q, expr)
				switch {
				case n == 0 && readsConditional(metrics):
					t.Logf("no data for %s: it reads a series published only in some states, absent in the demo now", expr)
				case n == 0:
					t.Errorf("no data for %s", expr)
				}
				if q.Variable != "" {
					checkLabelValues(t, prom, q, expr)
				}
				return
			}
			var empty []string
			for _, o := range objectives {
				if runDashboardQuery(t, prom, q, q.Expand(map[string]string{"objective": o})) == 0 {
					empty = append(empty, o)
				}
			}
			if len(empty) == len(objectives) && readsConditional(metrics) {
				t.Logf("no data for any objective: %s: it reads a series published only in some states, absent in the demo now", q.Expr)
			} else if len(empty) == len(objectives) {
				t.Errorf("no data for any objective: %s", q.Expr)
			} else if len(empty) > 0 {
				t.Logf("no data for %s (a panel about other kinds of objective?)", strings.Join(empty, ", "))
			}
		})
	}
}

// conditionalMetrics are published only in some states: the time an error budget runs out
// exists only while some objective burns fast enough to exhaust it before its period ends, which
// the demo, moving with the wall clock, does on some days and not on others.
var conditionalMetrics = []string{"sla_budget_exhaustion_timestamp_seconds"}

func readsConditional(metrics []string) bool {
	return slices.ContainsFunc(metrics, func(m string) bool { return slices.Contains(conditionalMetrics, m) })
}

// runDashboardQuery runs expr as an instant query (and, for a range panel, as a range query over
// the last 30 seconds), fails the test on any error, and returns the number of series.
func runDashboardQuery(t *testing.T, prom *server, q dashboards.Query, expr string) int {
	t.Helper()
	r, err := promQuery(prom, expr)
	if err != nil {
		t.Errorf("%s: %v", expr, err)
		return 0
	}
	if r.Status != "success" {
		t.Errorf("%s: status %s: %s %s", expr, r.Status, r.ErrorType, r.Error)
		return 0
	}
	if len(r.Warnings) > 0 {
		t.Logf("%s: warnings %q", expr, r.Warnings)
	}
	if !q.Instant {
		end := time.Now()
		v := url.Values{"query": {expr}, "start": {unix(end.Add(-30 * time.Second))}, "end": {unix(end)}, "step": {"1"}}
		var rr struct {
			Status string `json:"status"`
			Error  string `json:"error"`
		}
		if err := getJSON(prom.url+"/api/v1/query_range?"+v.Encode(), &rr); err != nil || rr.Status != "success" {
			t.Errorf("%s as a range query: %v %s", expr, err, rr.Error)
		}
	}
	return len(r.Data.Result)
}

func unix(t time.Time) string { return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64) }

// checkLabelValues checks that a variable's selector gives series carrying its label.
func checkLabelValues(t *testing.T, prom *server, q dashboards.Query, expr string) {
	t.Helper()
	r, err := promQuery(prom, expr)
	if err != nil {
		return // reported by runDashboardQuery
	}
	for _, s := range r.Data.Result {
		if s.Metric[q.Label] != "" {
			return
		}
	}
	t.Errorf("variable %s: no series of %s has the label %s", q.Variable, expr, q.Label)
}

// exposedNames lists the metric names on the exporter's /metrics.
func exposedNames(t *testing.T, exp *server) []string {
	t.Helper()
	body, err := getText(exp.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name := line
		if i := strings.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		seen[name] = true
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// recordedNames lists the names the recording rules of the rule files record.
func recordedNames(t *testing.T, files []string) []string {
	t.Helper()
	var names []string
	for _, f := range files {
		var rf struct {
			Groups []struct {
				Rules []struct {
					Record string `yaml:"record"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		decodeYAMLFile(t, f, &rf)
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Record != "" && !slices.Contains(names, r.Record) {
					names = append(names, r.Record)
				}
			}
		}
	}
	return names
}

// demoObjectives waits until Prometheus has scraped the demo's objectives and returns their
// names.
func demoObjectives(t *testing.T, prom *server) []string {
	t.Helper()
	var names []string
	waitFor(t, time.Now().Add(time.Minute), 250*time.Millisecond, "Prometheus to scrape the demo's objectives", func() (bool, string) {
		r, err := promQuery(prom, "sla_objective_info")
		if err != nil {
			return false, err.Error()
		}
		names = names[:0]
		for _, s := range r.Data.Result {
			names = append(names, s.Metric["objective"])
		}
		sort.Strings(names)
		return len(names) > 0, "no sla_objective_info yet"
	})
	return names
}
