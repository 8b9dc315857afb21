package dashboards

import (
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
)

// contractMetrics returns every metric name declared in slo/conventions, read from its source so
// that a metric added there is known here without a second list.
func contractMetrics(t *testing.T) (metrics, labels []string) {
	t.Helper()
	files, err := filepath.Glob("../slo/conventions/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != gotoken.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != gotoken.STRING {
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					switch {
					case strings.HasPrefix(v, c.Namespace+"_"):
						metrics = append(metrics, v)
					case strings.HasPrefix(name.Name, "Label"):
						labels = append(labels, v)
					}
				}
			}
		}
	}
	// Spot checks that the source was read, with the compiler checking the names.
	for _, m := range []string{c.Attainment, c.ObjectiveInfo, c.KPIValue, c.ContractPeriodFinalCreditAmount} {
		if !slices.Contains(metrics, m) {
			t.Fatalf("metric %s not found in slo/conventions", m)
		}
	}
	if !slices.Contains(labels, c.LabelCompliancePeriod) {
		t.Fatalf("label %s not found in slo/conventions", c.LabelCompliancePeriod)
	}
	return metrics, labels
}

// labelValuesKnown lists, for labels with a closed set of values, the values matchers may use.
func labelValuesKnown() map[string][]string {
	var statuses, kinds []string
	for _, s := range slo.Statuses {
		statuses = append(statuses, s.String())
	}
	for _, s := range contract.Statuses {
		statuses = append(statuses, s.String())
	}
	for _, k := range []slo.Kind{slo.TicketSLA, slo.Availability, slo.EventRatio} {
		kinds = append(kinds, string(k))
	}
	// sla_objective_info and sla_kpi_info share the kind label.
	for _, k := range kpi.Kinds() {
		kinds = append(kinds, k.String())
	}
	return map[string][]string{
		// sla_status, sla_kpi_status and sla_contract_status share the label name.
		c.LabelStatus:  append(statuses, collector.KPIStatuses...),
		c.LabelState:   {c.StateWithin, c.StateAtRisk, c.StateBreached, c.StatePaused},
		c.LabelOutcome: {c.OutcomeGood, c.OutcomeBad, c.OutcomeExcluded},
		c.LabelKind:    kinds,
	}
}

// configLabels are label names of sla_objective_info that come from the configuration (service
// and objective labels); the dashboards use those the configuration reference suggests, and
// work without them.
var configLabels = []string{"supplier", "customer"}

func TestQueries(t *testing.T) {
	metrics, labels := contractMetrics(t)
	labels = append(labels, "job", "instance")
	labels = append(labels, configLabels...)
	known := labelValuesKnown()
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	usedRules := map[string]bool{}
	for _, q := range qs {
		where := fmt.Sprintf("%s: panel %q %s", q.Dashboard, q.Panel, q.RefID)
		if q.Variable != "" {
			where = fmt.Sprintf("%s: variable %s", q.Dashboard, q.Variable)
		}
		a, err := analyze(q.Expr)
		if err != nil {
			t.Errorf("%s: %v in %s", where, err, q.Expr)
			continue
		}
		if len(a.metrics) == 0 {
			t.Errorf("%s: reads no metric: %s", where, q.Expr)
		}
		for _, m := range a.metrics {
			switch {
			case strings.HasPrefix(m, c.Namespace+":"):
				usedRules[m] = true
				if !slices.Contains(RecordingRules, m) {
					t.Errorf("%s: recording rule %s is not in RecordingRules", where, m)
				}
			case !slices.Contains(metrics, m):
				t.Errorf("%s: %s is not a metric of slo/conventions", where, m)
			}
		}
		for _, l := range a.labels {
			if !slices.Contains(labels, l) {
				t.Errorf("%s: label %s is neither in slo/conventions nor job, instance or %v", where, l, configLabels)
			}
		}
		dollars := len(a.vars)
		for _, s := range a.selectors {
			// dashboard-linter's target rules: every selector narrows to the chosen job and
			// instance. The job and instance variables list them, so they cannot.
			if q.Variable != "job" && q.Variable != "instance" {
				for _, want := range []string{"job", "instance"} {
					if !slices.Contains(s.matchers, matcher{want, "=~", `"$` + want + `"`}) {
						t.Errorf("%s: selector of %s lacks %s=~\"$%s\": %s", where, s.metric, want, want, q.Expr)
					}
				}
			}
			for _, m := range s.matchers {
				if n := strings.Count(m.value, "$"); n > 0 {
					dollars += n
					if m.op != "=~" {
						t.Errorf("%s: %s%s%s: a variable needs =~ (All, multiple values, and Expand's .+)", where, m.label, m.op, m.value)
					}
				}
				if values, ok := known[m.label]; ok && (m.op == "=" || m.op == "!=") {
					if v, _ := strconv.Unquote(m.value); !slices.Contains(values, v) {
						t.Errorf("%s: %s=%s is not a value the exporter emits (%v)", where, m.label, m.value, values)
					}
				}
			}
		}
		if n := strings.Count(q.Expr, "$"); n != dollars {
			t.Errorf("%s: %d variables outside label matchers and ranges: %s", where, n-dollars, q.Expr)
		}
		for _, v := range a.vars {
			if name := strings.Trim(v, "${}"); builtins[name] == "" {
				t.Errorf("%s: %s outside a label matcher", where, v)
			}
		}
		for _, r := range a.ranges {
			if !strings.Contains(r, "$__rate_interval") {
				t.Errorf("%s: range [%s]: use $__rate_interval", where, r)
			}
		}
		if e := q.Expand(nil); strings.Contains(e, "$") {
			t.Errorf("%s: Expand(nil) left a variable: %s", where, e)
		}
	}
	for _, r := range RecordingRules {
		if !usedRules[r] {
			t.Errorf("RecordingRules lists %s, which no dashboard uses", r)
		}
	}
}

func TestQueriesAPI(t *testing.T) {
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	targets, variables := 0, 0
	for _, d := range loadAll(t) {
		for _, p := range d.Panels {
			targets += len(p.Targets)
		}
		for _, v := range d.Templating.List {
			if v.Type == "query" {
				variables++
			}
		}
	}
	panelQueries := slices.DeleteFunc(slices.Clone(qs), func(q Query) bool { return q.Variable != "" })
	if len(panelQueries) != targets || len(qs) != targets+variables {
		t.Errorf("Queries() returned %d panel and %d variable queries, want %d and %d", len(panelQueries), len(qs)-len(panelQueries), targets, variables)
	}
	for _, q := range qs {
		if q.Variable == "" && (q.Panel == "" || q.PanelID == 0 || q.RefID == "") || q.Variable != "" && q.Label == "" {
			t.Errorf("incomplete query %+v", q)
		}
	}

	// One objective of the detail dashboard, a text box default and an All value.
	i := slices.IndexFunc(qs, func(q Query) bool { return q.Dashboard == "sla-objective" && q.Panel == "Attainment" })
	if i < 0 {
		t.Fatal("no Attainment panel in sla-objective")
	}
	q := qs[i]
	if !slices.Equal(q.Variables(), []string{"instance", "job", "objective"}) {
		t.Errorf("Variables() = %v", q.Variables())
	}
	if !q.Instant {
		t.Errorf("the Attainment stat is an instant query")
	}
	want := `max by (objective) (sla_attainment_ratio{job=~".+",instance=~"i1",objective=~"incident-response"})`
	if got := q.Expand(map[string]string{"objective": "incident-response", "instance": "i1"}); got != want {
		t.Errorf("Expand = %s\nwant      %s", got, want)
	}
	i = slices.IndexFunc(qs, func(q Query) bool { return q.Dashboard == "sla-service-desk" && q.Panel == "MTTA" })
	if i < 0 {
		t.Fatal("no MTTA panel in sla-service-desk")
	}
	if got := qs[i].Expand(nil); !strings.Contains(got, `sla_kpi_info{job=~".+",instance=~".+",kind="mtta"}`) || !strings.Contains(got, `service=~".+"`) {
		t.Errorf("Expand(nil) = %s, want the MTTA kind and the All value", got)
	}
	i = slices.IndexFunc(qs, func(q Query) bool { return q.Dashboard == "sla-overview" && q.Variable == "objective" })
	if i < 0 || qs[i].Label != "objective" || !strings.HasPrefix(qs[i].Expr, "sla_objective_info{") {
		t.Errorf("the overview's objective variable: %+v", qs[i])
	}
}

func TestExpand(t *testing.T) {
	q := Query{Defaults: map[string]string{"kpi": "k.*", "kpi_mtta": "mtta"}}
	for expr, want := range map[string]string{
		`x{a=~"$kpi"}`:               `x{a=~"k.*"}`,
		`x{a=~"$kpi_mtta"}`:          `x{a=~"mtta"}`,
		`x{a=~"${kpi}"}`:             `x{a=~"k.*"}`,
		`x{a=~"${kpi:regex}"}`:       `x{a=~"k.*"}`,
		`x{a=~"$objective"}`:         `x{a=~"given"}`,
		`x{a=~"$other"}`:             `x{a=~".+"}`,
		`rate(x[$__rate_interval])`:  `rate(x[1m])`,
		`x{a=~"$kpi|$kpi_mtta"} * 2`: `x{a=~"k.*|mtta"} * 2`,
	} {
		q.Expr = expr
		if got := q.Expand(map[string]string{"objective": "given"}); got != want {
			t.Errorf("Expand(%s) = %s, want %s", expr, got, want)
		}
	}
}

func TestAnalyze(t *testing.T) {
	for _, tc := range []struct {
		expr    string
		metrics []string
		labels  []string
		ranges  []string
		err     bool
	}{
		{expr: `sla_status`, metrics: []string{"sla_status"}},
		{expr: `max by (objective, service) (sla_attainment_ratio{job=~"$job"} - on(objective) group_left sla_objective_target_ratio{a="sla_not_a_metric"})`,
			metrics: []string{"sla_attainment_ratio", "sla_objective_target_ratio"}, labels: []string{"a", "job", "objective", "service"}},
		{expr: `count((sla_a < sla_b) and on(job, instance, objective) sla_c{kind!=""}) or vector(0)`,
			metrics: []string{"sla_a", "sla_b", "sla_c"}, labels: []string{"instance", "job", "kind", "objective"}},
		{expr: `time() - min(sla:rule:ratio)`, metrics: []string{"sla:rule:ratio"}},
		{expr: `sum(rate(sla_source_requests_total{code!~"2.."}[$__rate_interval])) * 1e3`,
			metrics: []string{"sla_source_requests_total"}, labels: []string{"code"}, ranges: []string{"$__rate_interval"}},
		{expr: `x * on(objective) group_left(unit, team) y{a='b', c=~"d",}`,
			metrics: []string{"x", "y"}, labels: []string{"a", "c", "objective", "team", "unit"}},
		{expr: `{__name__="sla_status"}`, err: true},
		{expr: `sum(sla_status`, err: true},
		{expr: `sla_status{status="ok"`, err: true},
		{expr: `sla_status{status=ok}`, err: true},
		{expr: `sla_status{status="ok}`, err: true},
		{expr: `max by (objective sla_status`, err: true},
	} {
		a, err := analyze(tc.expr)
		if tc.err {
			if err == nil {
				t.Errorf("analyze(%s) accepted it", tc.expr)
			}
			continue
		}
		if err != nil {
			t.Errorf("analyze(%s): %v", tc.expr, err)
			continue
		}
		if !slices.Equal(a.metrics, tc.metrics) || !slices.Equal(a.labels, tc.labels) || !slices.Equal(a.ranges, tc.ranges) {
			t.Errorf("analyze(%s) = metrics %v labels %v ranges %v, want %v %v %v", tc.expr, a.metrics, a.labels, a.ranges, tc.metrics, tc.labels, tc.ranges)
		}
	}
}

// TestKPIKinds checks that the service desk dashboard selects KPIs by kind through
// sla_kpi_info, never by name: every KPI kind has a panel, and the built-in demo (which the
// end-to-end test runs the queries against) has a KPI of every kind the dashboard shows.
func TestKPIKinds(t *testing.T) {
	d, err := load("sla-service-desk.json")
	if err != nil {
		t.Fatal(err)
	}
	shown := map[kpi.Kind]bool{}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			a, err := analyze(tg.Expr)
			if err != nil {
				continue // TestQueries reports it
			}
			for _, k := range kpiKinds(a) {
				shown[k] = true
			}
			for _, sel := range a.selectors {
				for _, m := range sel.matchers {
					// The status table's $kpi lists names the user picks; anything else
					// matching the kpi label would be a guess at how KPIs are named.
					if m.label == c.LabelKPI && m.value != `"$kpi"` {
						t.Errorf("panel %q %s: selects KPIs by name with %s%s%s: select them by kind on %s", p.Title, tg.RefID, m.label, m.op, m.value, c.KPIInfo)
					}
				}
			}
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "textbox" || v.Type == "constant" {
			t.Errorf("variable %s (%s): KPI panels need no name patterns", v.Name, v.Type)
		}
	}
	for _, k := range kpi.Kinds() {
		if !shown[k] {
			t.Errorf("no panel shows KPIs of kind %s", k)
		}
	}

	var cfg struct {
		KPIs []struct {
			Kind string `yaml:"kind"`
		} `yaml:"kpis"`
	}
	b, err := os.ReadFile("../collector/demo/demo.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	inDemo := map[string]bool{}
	for _, k := range cfg.KPIs {
		inDemo[k.Kind] = true
	}
	for k := range shown {
		if !inDemo[k.String()] {
			t.Errorf("the demo has no KPI of kind %s, which the dashboard shows", k)
		}
	}
}
