package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
)

// wantUIDs pins each file's uid: links, bookmarks and the table links to the objective detail
// depend on them, so a uid changes here on purpose or not at all.
var wantUIDs = map[string]string{
	"sla-contracts.json":    "sla-contracts",
	"sla-objective.json":    "sla-objective",
	"sla-overview.json":     "sla-overview",
	"sla-service-desk.json": "sla-service-desk",
}

func loadAll(t *testing.T) map[string]*dashboard {
	t.Helper()
	out := map[string]*dashboard{}
	for _, name := range Names() {
		d, err := load(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = d
	}
	return out
}

func TestNames(t *testing.T) {
	names := Names()
	var files []string
	for name := range wantUIDs {
		files = append(files, name)
	}
	slices.Sort(files)
	if !slices.Equal(names, files) {
		t.Fatalf("Names() = %v, want %v", names, files)
	}
}

// TestStrictParse checks that the model refuses what Grafana's JSON schema or provisioning
// refuses: __inputs and __requires, an id, and the required fields missing.
func TestStrictParse(t *testing.T) {
	const valid = `{
	  "uid": "x", "title": "x", "schemaVersion": 39,
	  "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
	  "annotations": {"list": []},
	  "panels": [{
	    "id": 1, "type": "stat", "title": "t",
	    "datasource": {"type": "prometheus", "uid": "${datasource}"},
	    "gridPos": {"h": 1, "w": 1, "x": 0, "y": 0},
	    "fieldConfig": {"defaults": {"unit": "short"}, "overrides": []},
	    "targets": [{"refId": "A", "expr": "sla_status"}]
	  }]
	}`
	if _, err := parse([]byte(valid)); err != nil {
		t.Fatalf("the valid dashboard: %v", err)
	}
	for name, mutate := range map[string]func(d map[string]any){
		"__inputs":                   func(d map[string]any) { d["__inputs"] = []any{} },
		"__requires":                 func(d map[string]any) { d["__requires"] = []any{} },
		"id":                         func(d map[string]any) { d["id"] = nil },
		"no schemaVersion":           func(d map[string]any) { delete(d, "schemaVersion") },
		"no templating":              func(d map[string]any) { delete(d, "templating") },
		"no annotations":             func(d map[string]any) { delete(d, "annotations") },
		"panel without type":         func(d map[string]any) { delete(panel0(d), "type") },
		"no fieldConfig.overrides":   func(d map[string]any) { delete(panel0(d)["fieldConfig"].(map[string]any), "overrides") },
		"no fieldConfig.defaults":    func(d map[string]any) { delete(panel0(d)["fieldConfig"].(map[string]any), "defaults") },
		"gridPos without y":          func(d map[string]any) { delete(panel0(d)["gridPos"].(map[string]any), "y") },
		"unknown panel field":        func(d map[string]any) { panel0(d)["repeatPanelId"] = 2 },
		"unknown target field":       func(d map[string]any) { panel0(d)["targets"].([]any)[0].(map[string]any)["hide"] = true },
		"variable query object form": setVariableQueryObject,
	} {
		t.Run(name, func(t *testing.T) {
			var d map[string]any
			if err := json.Unmarshal([]byte(valid), &d); err != nil {
				t.Fatal(err)
			}
			mutate(d)
			b, _ := json.Marshal(d)
			if _, err := parse(b); err == nil {
				t.Errorf("parse accepted the dashboard with %s", name)
			}
		})
	}
}

func panel0(d map[string]any) map[string]any { return d["panels"].([]any)[0].(map[string]any) }

func setVariableQueryObject(d map[string]any) {
	d["templating"].(map[string]any)["list"].([]any)[0].(map[string]any)["query"] = map[string]any{"query": "x"}
}

func TestDashboards(t *testing.T) {
	uids, titles := map[string]string{}, map[string]string{}
	for name, d := range loadAll(t) {
		if d.UID != wantUIDs[name] {
			t.Errorf("%s: uid %q, want %q", name, d.UID, wantUIDs[name])
		}
		if prev, ok := uids[d.UID]; ok {
			t.Errorf("%s and %s share the uid %s", prev, name, d.UID)
		}
		uids[d.UID] = name
		if prev, ok := titles[d.Title]; ok || d.Title == "" {
			t.Errorf("%s: title %q empty or shared with %s", name, d.Title, prev)
		}
		titles[d.Title] = name
		if d.Description == "" {
			t.Errorf("%s: no description", name)
		}
		if !slices.Contains(d.Tags, "sla_exporter") {
			t.Errorf("%s: tags %v lack sla_exporter", name, d.Tags)
		}
		if *d.SchemaVersion < 36 || *d.SchemaVersion > 41 {
			t.Errorf("%s: schemaVersion %d, want a classic-model version (36-41)", name, *d.SchemaVersion)
		}
		if d.Editable {
			t.Errorf("%s: editable; provisioned dashboards are edited in the repository", name)
		}
		// Grafana runs instant queries at the end of the time range: a range ending in the
		// future (now/M) would leave every stat and table empty.
		if d.Time == nil || d.Time.From == "" || d.Time.To != "now" {
			t.Errorf("%s: default time range %+v, want one ending now", name, d.Time)
		}
		for _, l := range d.Links {
			if l.Type != "dashboards" || !slices.Contains(l.Tags, "sla_exporter") {
				t.Errorf("%s: link %q should list the sla_exporter dashboards", name, l.Title)
			}
		}
	}
}

var promDS = datasourceRef{Type: "prometheus", UID: "${datasource}"}

func TestDatasourceVariable(t *testing.T) {
	for name, d := range loadAll(t) {
		var dsVars []variable
		for _, v := range d.Templating.List {
			if v.Type == "datasource" {
				dsVars = append(dsVars, v)
			}
			if v.Type == "query" && (v.Datasource == nil || *v.Datasource != promDS) {
				t.Errorf("%s: variable %s does not query ${datasource}: %+v", name, v.Name, v.Datasource)
			}
		}
		if len(dsVars) != 1 || dsVars[0].Name != "datasource" || dsVars[0].Query != "prometheus" || dsVars[0].Label != "Data source" {
			t.Errorf("%s: want one datasource variable named datasource, labelled Data source, of type prometheus; have %+v", name, dsVars)
		}
		for _, p := range d.Panels {
			if p.Datasource == nil || *p.Datasource != promDS {
				t.Errorf("%s: panel %q: datasource %+v, want %+v", name, p.Title, p.Datasource, promDS)
			}
			for _, tg := range p.Targets {
				if tg.Datasource == nil || *tg.Datasource != promDS {
					t.Errorf("%s: panel %q target %s: datasource %+v, want %+v", name, p.Title, tg.RefID, tg.Datasource, promDS)
				}
			}
		}
		raw, _ := fs.ReadFile(FS, name)
		for _, bad := range []string{"__inputs", "__requires", "DS_PROMETHEUS"} {
			if bytes.Contains(raw, []byte(bad)) {
				t.Errorf("%s mentions %s: only the UI import resolves it, provisioning fails on it", name, bad)
			}
		}
	}
}

func TestTemplateVariables(t *testing.T) {
	for name, d := range loadAll(t) {
		seen := map[string]bool{}
		used := map[string]bool{}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				for _, v := range (Query{Expr: tg.Expr}).Variables() {
					used[v] = true
				}
			}
		}
		for _, v := range d.Templating.List {
			for _, ref := range (Query{Expr: v.Query}).Variables() {
				used[ref] = true
			}
		}
		for _, v := range d.Templating.List {
			if seen[v.Name] {
				t.Errorf("%s: variable %s defined twice", name, v.Name)
			}
			seen[v.Name] = true
			if v.Description == "" {
				t.Errorf("%s: variable %s has no description", name, v.Name)
			}
			if v.Type != "datasource" && !used[v.Name] {
				t.Errorf("%s: variable %s is not used", name, v.Name)
			}
			switch v.Type {
			case "datasource":
			case "query":
				if v.Refresh != 2 {
					t.Errorf("%s: variable %s: refresh %d, want 2 (on time range change)", name, v.Name, v.Refresh)
				}
				if !labelValues.MatchString(v.Query) {
					t.Errorf("%s: variable %s: query %q is not label_values(selector, label)", name, v.Name, v.Query)
				}
				if v.IncludeAll && v.AllValue != ".+" && v.AllValue != ".*" {
					t.Errorf("%s: variable %s: allValue %q; without .+ or .* Grafana sends every value in one regex", name, v.Name, v.AllValue)
				}
			case "textbox":
				if _, err := regexp.Compile(v.Query); err != nil {
					t.Errorf("%s: variable %s: default %q is not a regular expression: %v", name, v.Name, v.Query, err)
				}
			default:
				t.Errorf("%s: variable %s has type %s; the tests know datasource, query and textbox", name, v.Name, v.Type)
			}
		}
		for ref := range used {
			if !seen[ref] && builtins[ref] == "" {
				t.Errorf("%s: $%s is not a variable of the dashboard", name, ref)
			}
		}
		// dashboard-linter's template rules: Job and Instance variables, multi-value, .+ for all.
		for _, want := range []struct{ name, label string }{{"job", "Job"}, {"instance", "Instance"}} {
			i := slices.IndexFunc(d.Templating.List, func(v variable) bool { return v.Name == want.name })
			if i < 0 {
				t.Errorf("%s: no %s variable", name, want.name)
				continue
			}
			v := d.Templating.List[i]
			if v.Type != "query" || v.Label != want.label || !v.Multi || !v.IncludeAll || v.AllValue != ".+" {
				t.Errorf("%s: variable %s: want a multi-value query labelled %s with allValue .+, have %+v", name, want.name, want.label, v)
			}
		}
	}
}

// validUnits are the Grafana units the dashboards may use.
var validUnits = []string{"percentunit", "s", "dateTimeAsIso", "short"}

var panelTypes = []string{"stat", "table", "timeseries", "barchart"}

func TestPanels(t *testing.T) {
	for name, d := range loadAll(t) {
		ids := map[int]string{}
		grid := map[[2]int]string{}
		for _, p := range d.Panels {
			where := fmt.Sprintf("%s: panel %q", name, p.Title)
			if p.ID == nil || *p.ID <= 0 {
				t.Errorf("%s: no positive id", where)
			} else if prev, ok := ids[*p.ID]; ok {
				t.Errorf("%s: id %d already used by %q", where, *p.ID, prev)
			} else {
				ids[*p.ID] = p.Title
			}
			if !slices.Contains(panelTypes, p.Type) {
				t.Errorf("%s: type %s; the tests know %v", where, p.Type, panelTypes)
			}
			if strings.TrimSpace(p.Title) == "" || strings.TrimSpace(p.Description) == "" {
				t.Errorf("%s: needs a title and a description", where)
			}
			if u := p.FieldConfig.Defaults.Unit; !slices.Contains(validUnits, u) {
				t.Errorf("%s: unit %q, want one of %v", where, u, validUnits)
			}
			for _, o := range p.FieldConfig.Overrides {
				for _, prop := range o.Properties {
					if u, ok := prop.Value.(string); prop.ID == "unit" && (!ok || !slices.Contains(validUnits, u)) {
						t.Errorf("%s: override unit %v, want one of %v", where, prop.Value, validUnits)
					}
				}
			}
			g := p.GridPos
			if *g.W < 1 || *g.W > 24 || *g.X < 0 || *g.X+*g.W > 24 || *g.H < 1 || *g.Y < 0 {
				t.Errorf("%s: gridPos x=%d w=%d y=%d h=%d outside the 24-column grid", where, *g.X, *g.W, *g.Y, *g.H)
			}
			for x := *g.X; x < *g.X+*g.W; x++ {
				for y := *g.Y; y < *g.Y+*g.H; y++ {
					if prev, ok := grid[[2]int{x, y}]; ok {
						t.Errorf("%s overlaps %q at x=%d y=%d", where, prev, x, y)
						x, y = 24, 1<<30 // one report per pair is enough
						continue
					}
					grid[[2]int{x, y}] = p.Title
				}
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: no targets", where)
			}
			refs := map[string]bool{}
			for _, tg := range p.Targets {
				if tg.RefID == "" || refs[tg.RefID] {
					t.Errorf("%s: refId %q empty or repeated", where, tg.RefID)
				}
				refs[tg.RefID] = true
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("%s: target %s has no expr", where, tg.RefID)
				}
				if tg.Instant == tg.Range {
					t.Errorf("%s: target %s: want exactly one of instant and range", where, tg.RefID)
				}
				// Tables and bar charts merge or pivot instant results in table format; a
				// table-format target of a time series panel would lose its time axis.
				tabular := p.Type == "table" || p.Type == "barchart"
				if tabular != (tg.Format == "table") || tabular && !tg.Instant {
					t.Errorf("%s: target %s: format %q instant %v for a %s panel", where, tg.RefID, tg.Format, tg.Instant, p.Type)
				}
				if p.Type == "timeseries" && tg.Instant {
					t.Errorf("%s: target %s: a time series needs a range query", where, tg.RefID)
				}
			}
		}
	}
}

// kpiUnits maps a KPI kind's unit (kpi.Kind.Unit) to the Grafana unit of its values.
var kpiUnits = map[string]string{"seconds": "s", "ratio": "percentunit", "tickets": "short"}

// kpiKinds returns the KPI kinds a query selects through sla_kpi_info{kind="..."}; the kind
// label of sla_objective_info holds objective kinds, which are not KPI kinds.
func kpiKinds(a *analysis) []kpi.Kind {
	var kinds []kpi.Kind
	for _, s := range a.selectors {
		if s.metric != c.KPIInfo {
			continue
		}
		for _, m := range s.matchers {
			v, err := strconv.Unquote(m.value)
			if m.label != c.LabelKind || m.op != "=" || err != nil {
				continue
			}
			if k, err := kpi.ParseKind(v); err == nil && !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	return kinds
}

// wantUnit derives the unit a query's values need from the metrics it reads, and for KPIs from
// the kinds it selects.
func wantUnit(expr string, a *analysis) (string, bool) {
	metrics := a.metrics
	has := func(m string) bool { return slices.Contains(metrics, m) }
	switch {
	case has(c.Status) || has(c.KPIStatus) || has(c.ContractStatus) || has(c.SourceUp):
		return "short", true // a state shown through value mappings, or a count of states
	case strings.Contains(expr, "_timestamp_seconds") && strings.Contains(expr, "* 1000"):
		return "dateTimeAsIso", true // Grafana's date units take milliseconds
	case strings.HasPrefix(expr, "time() -"):
		return "s", true
	case strings.HasPrefix(expr, "count("):
		return "short", true
	}
	if kinds := kpiKinds(a); len(kinds) > 0 {
		// One unit for every kind the query selects, or no unit fits.
		units := map[string]bool{}
		for _, k := range kinds {
			units[kpiUnits[k.Unit()]] = true
		}
		if len(units) != 1 {
			return "", false
		}
		return kpiUnits[kinds[0].Unit()], true
	}
	if has(c.KPIValue) && has(c.KPITarget) && strings.Contains(expr, "/") {
		return "percentunit", true
	}
	var quantities []string
	for _, m := range metrics {
		if m != c.ObjectiveInfo && m != c.KPIInfo { // joined for their labels only
			quantities = append(quantities, m)
		}
	}
	if len(quantities) == 0 {
		return "", false
	}
	ratios := 0
	for _, m := range quantities {
		if strings.HasSuffix(m, "_ratio") || m == c.BreachProbability {
			ratios++
		}
	}
	switch {
	case ratios == len(quantities):
		return "percentunit", true
	case ratios > 0:
		return "", false // mixed: a test would have to know the expression
	case slices.Equal(quantities, []string{c.BudgetRemainingSeconds}):
		return "s", true
	}
	return "short", true // counts: tickets, events, cycles, burn rate multiples, money
}

// unitOf returns the unit Grafana applies to a target's values: the panel default, or an
// override matching the target by its refId or by the table field name of its value.
func unitOf(p panel, refID string) string {
	u := p.FieldConfig.Defaults.Unit
	for _, o := range p.FieldConfig.Overrides {
		opt, _ := o.Matcher.Options.(string)
		if o.Matcher.ID == "byFrameRefID" && opt == refID || o.Matcher.ID == "byName" && opt == "Value #"+refID {
			for _, prop := range o.Properties {
				if s, ok := prop.Value.(string); ok && prop.ID == "unit" {
					u = s
				}
			}
		}
	}
	return u
}

func TestUnits(t *testing.T) {
	for name, d := range loadAll(t) {
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				a, err := analyze(tg.Expr)
				if err != nil {
					continue // TestQueries reports it
				}
				want, ok := wantUnit(tg.Expr, a)
				if got := unitOf(p, tg.RefID); ok && got != want {
					t.Errorf("%s: panel %q target %s: unit %s, want %s for %s", name, p.Title, tg.RefID, got, want, tg.Expr)
				}
			}
		}
	}
}
