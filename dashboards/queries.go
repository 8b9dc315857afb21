package dashboards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Query is one PromQL expression of a dashboard: a panel's target, or the series selector of a
// template variable's label_values(selector, label) query.
type Query struct {
	// Dashboard is the dashboard's uid, DashboardTitle its title.
	Dashboard      string
	DashboardTitle string
	// PanelID and Panel (its title) name the panel; both are empty for a variable's query.
	PanelID int
	Panel   string
	// RefID is the target's refId ("A", "B" ...); empty for a variable's query.
	RefID string
	// Variable and Label are set for a template variable's query: Grafana lists the values of
	// Label among the series Expr selects (label_values). Expr is then a plain series selector,
	// which also runs as an instant query.
	Variable string
	Label    string
	// Expr is the expression as written in the dashboard, with Grafana variables ($job ...).
	Expr string
	// Instant is set for targets Grafana runs as instant queries (stats, tables, bar charts);
	// the others are range queries.
	Instant bool
	// Defaults holds the value each of the dashboard's variables takes in Grafana before the user
	// picks one: the "All" value of a variable that has one, a text box's default.
	Defaults map[string]string
}

// builtins are Grafana's global variables the dashboards may use, with values for running a
// query outside Grafana.
var builtins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "1m",
	"__range":         "1h",
}

var varRef = regexp.MustCompile(`\$(?:\{([A-Za-z0-9_]+)(?::[^}]*)?\}|([A-Za-z0-9_]+))`)

// Expand returns Expr with Grafana's variables substituted: from vars first, then from Defaults,
// then Grafana's global variables ($__rate_interval → 1m ...), and ".+" for any other variable
// (the dashboards use every template variable inside a regular-expression matcher, =~"$name", so
// ".+" selects everything). Pass {"objective": "incident-response"} to pick one objective.
func (q Query) Expand(vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(q.Expr, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2]
		if v, ok := vars[name]; ok {
			return v
		}
		if v, ok := q.Defaults[name]; ok {
			return v
		}
		if v, ok := builtins[name]; ok {
			return v
		}
		return ".+"
	})
}

// Variables returns the names of the Grafana variables Expr refers to, sorted, without repeats.
func (q Query) Variables() []string {
	var names []string
	for _, m := range varRef.FindAllStringSubmatch(q.Expr, -1) {
		if name := m[1] + m[2]; !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Metrics returns the metric names Expr reads (sla_attainment_ratio ...), sorted, without
// repeats; functions, keywords and label names are not metrics.
func (q Query) Metrics() ([]string, error) {
	a, err := analyze(q.Expr)
	if err != nil {
		return nil, err
	}
	return a.metrics, nil
}

var labelValues = regexp.MustCompile(`^\s*label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$`)

// Queries returns every query of every dashboard: each panel target, then each template
// variable's label_values selector, in file and panel order.
func Queries() ([]Query, error) {
	var out []Query
	for _, name := range Names() {
		d, err := load(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		defaults, err := variableDefaults(d)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		base := Query{Dashboard: d.UID, DashboardTitle: d.Title, Defaults: defaults}
		for _, p := range d.Panels {
			for _, t := range p.Targets {
				q := base
				q.PanelID, q.Panel, q.RefID, q.Expr, q.Instant = *p.ID, p.Title, t.RefID, t.Expr, t.Instant
				out = append(out, q)
			}
		}
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			m := labelValues.FindStringSubmatch(v.Query)
			if m == nil {
				return nil, fmt.Errorf("%s: variable %s: query %q is not label_values(selector, label)", name, v.Name, v.Query)
			}
			q := base
			q.Variable, q.Expr, q.Label, q.Instant = v.Name, strings.TrimSpace(m[1]), m[2], true
			out = append(out, q)
		}
	}
	return out, nil
}

// variableDefaults returns the value each variable starts with in Grafana, where there is one.
func variableDefaults(d *dashboard) (map[string]string, error) {
	defaults := map[string]string{}
	for _, v := range d.Templating.List {
		switch {
		case v.Type == "query" && v.IncludeAll:
			defaults[v.Name] = v.AllValue
		case v.Type == "textbox" || v.Type == "constant":
			value := v.Query
			if v.Current != nil {
				var s string
				if err := json.Unmarshal(v.Current.Value, &s); err != nil {
					return nil, fmt.Errorf("variable %s: current value: %w", v.Name, err)
				}
				value = s
			}
			defaults[v.Name] = value
		}
	}
	return defaults, nil
}
