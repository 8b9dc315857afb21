package web

import (
	"html/template"
	"net/http"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/explain"
)

// pageTemplate is the status page: what a manager opens to see whether promises are kept. It
// escapes everything (html/template), and shows no source error text: errors go to the log.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"pct":    explain.Percent,
	"pctVs":  explain.PercentVs,
	"qty":    explain.Quantity,
	"qtyVs":  explain.QuantityVs,
	"budget": explain.Budget,
	"when":   explain.Time,
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sla_exporter</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}
th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok,.green{color:#1a7f37}.at_risk,.amber{color:#9a6700}.breached,.red,.credit_due{color:#cf222e}.no_data,.unknown{color:#6e7781}
.demo{background:#fff8c5;border:1px solid #d4a72c;padding:.6em 1em}
</style></head><body>
<h1>sla_exporter</h1>
{{if .Demo}}<p class="demo" role="alert"><strong>DEMO:</strong> these figures are simulated by the built-in demo configuration, not read from your systems. Start sla_exporter with <code>--config.file</code> to serve your own.</p>
{{end}}<p>Evaluated {{when .Snap.At .Snap.Location}}.
<a href="/metrics">Metrics</a> · <a href="/api/v1/objectives">API</a> · version {{.Version}}</p>
<h2>Objectives</h2>
<table><tr><th>Objective</th><th>Service</th><th>Kind</th><th>Period</th><th>Status</th><th>Attainment</th><th>Target</th><th>Budget left</th><th>Forecast</th><th>Budget runs out</th><th>Open tickets (at risk / breached)</th></tr>
{{range .Snap.Objectives}}<tr><td>{{.Objective}}</td><td>{{.Service}}</td><td>{{.Kind}}</td><td>{{.PeriodLabel}}</td>
{{if .Stale}}<td class="no_data">no_data <small>(source down or stale: see Sources)</small></td><td></td>{{else}}<td class="{{.Status}}">{{.Status}}</td><td class="n">{{if .HasData}}{{pctVs .Attainment .Target}}{{end}}</td>{{end}}
<td class="n">{{pct .Target}}</td><td class="n">{{if and .HasData (not .Stale)}}{{budget .BudgetRemaining .BudgetRemainingRatio (print .Unit)}}{{end}}</td>
<td class="n">{{if and .HasForecast (not .Stale)}}{{pctVs .Forecast .Target}}{{end}}</td>
<td>{{if and (not .Exhaustion.IsZero) (not .Stale)}}{{when .Exhaustion .Location}}{{end}}</td>
<td class="n">{{if and (eq .Kind "ticket") (not .Stale)}}{{.Open.AtRisk}} / {{.Open.Breached}} <a href="/api/v1/objectives/{{.Objective}}/tickets?state=open">list</a>{{end}}</td></tr>
{{end}}</table>
{{if .Snap.KPIs}}<h2>KPIs</h2>
<table><tr><th>KPI</th><th>Service</th><th>Kind</th><th>Status</th><th>Value</th><th>Target</th></tr>
{{range .Snap.KPIs}}<tr><td>{{.Name}}</td><td>{{.Service}}</td><td>{{.Kind}}</td><td class="{{.Status}}">{{.Status}}</td><td class="n">{{if .OK}}{{qtyVs .Value .Target .Unit}}{{end}}</td><td class="n">{{qty .Target .Unit}}</td></tr>
{{end}}</table>{{end}}
{{template "contracts" .Snap.Contracts}}
<h2>Sources</h2>
<table><tr><th>Source</th><th>State</th><th>Last success</th><th>Records</th><th>Last sync: accepted / rejected</th><th>Why rejected (last sync)</th></tr>
{{range .Snap.Sources}}<tr><td>{{.Name}}</td><td class="{{if .Up}}ok{{else}}breached{{end}}">{{if .Up}}up{{else}}down: {{.State}}{{end}}{{with .Refusal}}<br><small>{{.}}</small>{{end}}</td><td>{{when .LastSuccess $.Snap.Location}}</td><td class="n">{{.Records}}</td>
<td class="n">{{if .LastSync.Read}}{{.LastSync.Accepted}} / {{.LastSync.Rejected}}{{end}}</td>
<td>{{range .Reasons}}{{.Count}} × {{.Reason}} <small>(e.g. {{.Example}})</small><br>{{end}}</td></tr>
{{end}}</table>
{{if and .Snap.Store.Configured (not .Snap.Store.OK)}}<p class="breached">The database could not be written ({{.Snap.Store.Failures}} failed writes): new data is not being kept, and figures will turn no_data. Check the disk under --storage.path.</p>{{end}}
</body></html>
`))

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
