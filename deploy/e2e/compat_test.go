package e2e

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// peerQuery is a query a peer SLO tool's own dashboards or UI make, copied from its repository.
type peerQuery struct {
	// from is the file the query comes from.
	from string
	expr string
	// perObjective: expr holds $slo (Pyrra's variable) or $id (Sloth's sloth_id), run for each
	// demo objective.
	perObjective bool
}

// slothQueries are the queries Sloth's web UI makes of Prometheus (slok/sloth v0.16,
// internal/http/backend/storage/prometheus/cache.go and prometheus.go), with the constants of
// pkg/common/conventions/slo.go written out.
var slothQueries = []peerQuery{
	{from: "sloth cache.go newSLOsInstantBaseDataHydrater", expr: `sloth_slo_info{sloth_id!=""}`},
	{from: "sloth cache.go newSLOsInstantSLIWindowsHydrater", expr: `count({__name__=~"^slo:sli_error:ratio_rate.*"}) by (__name__, sloth_id)`},
	{from: "sloth cache.go SLO period", expr: `max(slo:time_period:days{sloth_id!=""}) by (sloth_id)`},
	{from: "sloth cache.go newSLOsInstantGroupedSLOsAndCurrentBurnRateRatioHydrater", expr: `slo:current_burn_rate:ratio{sloth_id!=""}`},
	{from: "sloth cache.go budget details", expr: `slo:period_error_budget_remaining:ratio{sloth_id!=""}`},
	{from: "sloth prometheus.go getSLIAvailabilityInRange", expr: `1 - (max(slo:sli_error:ratio_rate5m{sloth_id="$id"}))`, perObjective: true},
}

// pyrraQueries are the queries of Pyrra's Grafana dashboards (pyrra-dev/pyrra
// examples/grafana/list.json and detail.json). detail.json's request panel,
// sum(pyrra_requests:rate5m{slo="$slo"}[$__rate_interval]), aggregates a range vector, which
// PromQL refuses over Pyrra's own rules too: it is left out.
var pyrraQueries = []peerQuery{
	{from: "pyrra list.json", expr: `pyrra_objective`},
	{from: "pyrra list.json", expr: `pyrra_window`},
	{from: "pyrra list.json", expr: `pyrra_availability`},
	{from: "pyrra list.json", expr: `(pyrra_availability - pyrra_objective) / (1 - pyrra_objective)`},
	{from: "pyrra detail.json", expr: `pyrra_objective{slo="$slo"}`, perObjective: true},
	{from: "pyrra detail.json", expr: `pyrra_window{slo="$slo"}`, perObjective: true},
	{from: "pyrra detail.json", expr: `pyrra_availability{slo="$slo"}`, perObjective: true},
	{from: "pyrra detail.json", expr: `((pyrra_availability{slo="$slo"} - pyrra_objective{slo="$slo"})) / (1 - pyrra_objective{slo="$slo"})`, perObjective: true},
	{from: "pyrra detail.json", expr: `sum(pyrra_errors:rate5m{slo="$slo"})`, perObjective: true},
}

// TestCompatSeries runs Sloth's and Pyrra's own queries against the series `rules --compat
// sloth --compat pyrra` records for the built-in demo, in a real Prometheus scraping the
// exporter: every query must succeed and return data, Sloth's UI must see no objective as
// grouped (its labels on slo:current_burn_rate:ratio all on sloth_slo_info), and the figures must
// equal the exporter's own: the budget left Sloth shows is 1 − (1 − attainment)/(1 − target),
// Pyrra's availability the attainment.
func TestCompatSeries(t *testing.T) {
	requireTool(t, "prometheus")
	requireTool(t, "promtool")
	exporter := exporterBinary(t)
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	generateRules(t, exporter, "", rulesDir, "--compat=sloth", "--compat=pyrra")

	exp := startExporter(t, exporter)
	prom := startPrometheus(t, exp.addr, filepath.Join(rulesDir, "*.yml"), "")
	objectives := demoObjectives(t, prom)
	waitFor(t, time.Now().Add(time.Minute), 250*time.Millisecond, "Prometheus to record the compatibility series", func() (bool, string) {
		for _, name := range []string{"sloth_slo_info", "slo:period_error_budget_remaining:ratio", "pyrra_availability", "pyrra_errors:rate5m"} {
			r, err := promQuery(prom, "count("+name+")")
			if err != nil || len(r.Data.Result) == 0 {
				return false, fmt.Sprintf("%s: no data yet (%v)", name, err)
			}
		}
		return true, ""
	})

	run := func(t *testing.T, q peerQuery) {
		exprs := []string{q.expr}
		if q.perObjective {
			exprs = exprs[:0]
			for _, o := range objectives {
				exprs = append(exprs, strings.NewReplacer("$slo", o, "$id", demoService(t, prom, o)+"-"+o).Replace(q.expr))
			}
		}
		withData := 0
		for _, e := range exprs {
			r, err := promQuery(prom, e)
			if err != nil || r.Status != "success" {
				t.Fatalf("%s: %v %s %s", e, err, r.ErrorType, r.Error)
			}
			if len(r.Data.Result) > 0 {
				withData++
			}
		}
		// Request rates exist for calendar periods of event and ticket objectives only.
		if withData == 0 || (!strings.Contains(q.expr, "rate5m") && withData < len(exprs)) {
			t.Errorf("%s (%s): data for %d of %d", q.expr, q.from, withData, len(exprs))
		}
	}
	for _, q := range slices.Concat(slothQueries, pyrraQueries) {
		t.Run(q.from+"/"+q.expr, func(t *testing.T) { run(t, q) })
	}

	t.Run("sloth grouping", func(t *testing.T) {
		info := labelSets(t, prom, `sloth_slo_info{sloth_id!=""}`)
		for _, burn := range labelSets(t, prom, `slo:current_burn_rate:ratio{sloth_id!=""}`) {
			i := slices.IndexFunc(info, func(l map[string]string) bool { return l["sloth_id"] == burn["sloth_id"] })
			if i < 0 {
				t.Errorf("no sloth_slo_info for %v", burn)
				continue
			}
			for k := range burn {
				if _, ok := info[i][k]; !ok && k != "__name__" {
					t.Errorf("%s: label %s of slo:current_burn_rate:ratio is not on sloth_slo_info: Sloth's UI would take the SLO as grouped by it", burn["sloth_id"], k)
				}
			}
		}
	})

	t.Run("figures", func(t *testing.T) {
		compared := 0
		for _, o := range objectives {
			sel := `{objective="` + o + `"}`
			own := fmt.Sprintf(`1 - (1 - max(sla_attainment_ratio%s)) / (1 - max(sla_objective_target_ratio%s))`, sel, sel)
			checks := map[string]string{
				`max(slo:period_error_budget_remaining:ratio{sloth_slo="` + o + `"})`: own,
				`max(pyrra_availability{slo="` + o + `"})`:                            `max(sla_attainment_ratio` + sel + `)`,
				`max(slo:objective:ratio{sloth_slo="` + o + `"})`:                     `max(sla_objective_target_ratio` + sel + `)`,
				`max(slo:current_burn_rate:ratio{sloth_slo="` + o + `"})`:             `max(sla_burn_rate{objective="` + o + `",window="5m"})`,
			}
			for _, compat := range slices.Sorted(maps.Keys(checks)) {
				// The exporter may publish between the rule's evaluation and the query: wait for
				// both to show the same evaluation.
				waitFor(t, time.Now().Add(30*time.Second), 500*time.Millisecond, compat+" to equal "+checks[compat], func() (bool, string) {
					a, aok := scalar(prom, compat)
					b, bok := scalar(prom, checks[compat])
					if !aok || !bok {
						// An objective without data has no attainment: neither side has a value.
						return aok == bok, fmt.Sprintf("one side has no value: %v %v", aok, bok)
					}
					if math.Abs(a-b) > 1e-9 {
						return false, fmt.Sprintf("%v != %v", a, b)
					}
					compared++
					return true, ""
				})
			}
		}
		if compared < len(objectives) {
			t.Errorf("only %d figures compared for %d objectives: the demo's objectives should have data", compared, len(objectives))
		}
	})
}

// demoService returns the service of a demo objective.
func demoService(t *testing.T, prom *server, objective string) string {
	t.Helper()
	sets := labelSets(t, prom, `sla_objective_info{objective="`+objective+`"}`)
	if len(sets) == 0 {
		t.Fatalf("no sla_objective_info for %s", objective)
	}
	return sets[0]["service"]
}

func labelSets(t *testing.T, prom *server, expr string) []map[string]string {
	t.Helper()
	r, err := promQuery(prom, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	var sets []map[string]string
	for _, s := range r.Data.Result {
		sets = append(sets, s.Metric)
	}
	return sets
}

// scalar returns the value of an instant query giving at most one series.
func scalar(prom *server, expr string) (float64, bool) {
	r, err := promQuery(prom, expr)
	if err != nil || len(r.Data.Result) != 1 || len(r.Data.Result[0].Value) != 2 {
		return 0, false
	}
	s, _ := r.Data.Result[0].Value[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v)
}
