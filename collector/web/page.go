package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
)

// pageTemplate is the status page: what a manager opens to see whether promises are kept. It
// escapes everything (html/template), and shows no source error text: errors go to the log.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"pct":  pct,
	"kpi":  kpiValue,
	"val":  val,
	"when": when,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sla_exporter</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}
th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok,.green{color:#1a7f37}.at_risk,.amber{color:#9a6700}.breached,.red,.credit_due{color:#cf222e}.no_data,.unknown{color:#6e7781}
</style></head><body>
<h1>sla_exporter</h1>
<p>{{if .Demo}}Serving the <strong>built-in demo</strong> configuration. {{end}}Evaluated {{when .Snap.At}}.
<a href="/metrics">Metrics</a> · <a href="/api/v1/objectives">API</a> · version {{.Version}}</p>
<h2>Objectives</h2>
<table><tr><th>Objective</th><th>Service</th><th>Kind</th><th>Period</th><th>Status</th><th>Attainment</th><th>Target</th><th>Budget left</th><th>Forecast</th><th>Open tickets (at risk / breached)</th></tr>
{{range .Snap.Objectives}}<tr><td>{{.Objective}}</td><td>{{.Service}}</td><td>{{.Kind}}</td><td>{{.PeriodLabel}}</td>
{{if .Stale}}<td class="no_data">no_data (stale)</td><td></td>{{else}}<td class="{{.Status}}">{{.Status}}</td><td class="n">{{if .HasData}}{{pct .Attainment}}{{end}}</td>{{end}}
<td class="n">{{pct .Target}}</td><td class="n">{{if and .HasData (not .Stale)}}{{pct .BudgetRemainingRatio}}{{end}}</td>
<td class="n">{{if and .HasForecast (not .Stale)}}{{pct .Forecast}}{{end}}</td>
<td class="n">{{if eq .Kind "ticket"}}{{.Open.AtRisk}} / {{.Open.Breached}} <a href="/api/v1/objectives/{{.Objective}}/tickets?state=open">list</a>{{end}}</td></tr>
{{end}}</table>
{{if .Snap.KPIs}}<h2>KPIs</h2>
<table><tr><th>KPI</th><th>Service</th><th>Status</th><th>Value</th><th>Target</th></tr>
{{range .Snap.KPIs}}<tr><td>{{.Name}}</td><td>{{.Service}}</td><td class="{{.Status}}">{{.Status}}</td><td class="n">{{if .OK}}{{val .Value}}{{end}}</td><td class="n">{{val .Target}}</td></tr>
{{end}}</table>{{end}}
{{template "contracts" .Snap.Contracts}}
<h2>Sources</h2>
<table><tr><th>Source</th><th>Up</th><th>Last success</th><th>Records</th><th>Rejected</th></tr>
{{range .Snap.Sources}}<tr><td>{{.Name}}</td><td class="{{if .Up}}ok{{else}}breached{{end}}">{{if .Up}}up{{else}}down{{end}}</td><td>{{when .LastSuccess}}</td><td class="n">{{.Records}}</td><td class="n">{{.Rejected}}</td></tr>
{{end}}</table>
</body></html>
`))

func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return fmt.Sprintf("%.3f%%", 100*v)
}

// val shows a KPI figure, or nothing for one that is not a number.
func val(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return fmt.Sprintf("%.4g", v)
}

// kpiValue formats a KPI for people: durations as days, hours and minutes, ratios as percentages,
// counts as whole numbers.
func kpiValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return ""
	case unit == "ratio":
		return fmt.Sprintf("%.1f%%", 100*v)
	case unit == "seconds":
		d := time.Duration(math.Round(v)) * time.Second
		days, rest := d/(24*time.Hour), d%(24*time.Hour)
		h, m := rest/time.Hour, rest%time.Hour/time.Minute
		switch {
		case days > 0:
			return fmt.Sprintf("%dd %dh %dm", days, h, m)
		case h > 0:
			return fmt.Sprintf("%dh %dm", h, m)
		}
		return fmt.Sprintf("%dm %ds", m, rest%time.Minute/time.Second)
	}
	return fmt.Sprintf("%.0f", v)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func page(w http.ResponseWriter, o Options) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err := pageTemplate.Execute(w, struct {
		Snap    *collector.Snapshot
		Version string
		Demo    bool
	}{o.Expo.Snapshot(), o.Version, o.Demo})
	if err != nil && o.Logger != nil {
		o.Logger.Error("status page", "err", err)
	}
}
