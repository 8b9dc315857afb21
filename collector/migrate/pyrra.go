package migrate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo/period"
)

// Pyrra imports Pyrra's ServiceLevelObjective resources (pyrra.dev/v1alpha1). A resource
// becomes an objective over Pyrra's rolling window in the service named by its namespace: ratio
// and classic latency indicators as counter selectors (exact counts), latencyNative as a latency
// entry, bool_gauge as an availability series; Pyrra's burn-rate windows, which scale with the
// window, as the objective's tiers.
func Pyrra(inputs []Input, opts Options) (*Result, error) { return single(inputs, opts, "pyrra") }

func importPyrra(b *builder, inputs []Input, _ Options) error {
	r := b.report
	var errs []error
	for _, in := range inputs {
		docs, err := documents(in)
		if err != nil {
			return err
		}
		for _, n := range docs {
			f := newFields(in.Name, n, "", &errs)
			if f.str("apiVersion") != "pyrra.dev/v1alpha1" || f.str("kind") != "ServiceLevelObjective" {
				r.add(in.Name, n.Line, None, "document", "not a Pyrra ServiceLevelObjective (apiVersion: pyrra.dev/v1alpha1); ignored")
				continue
			}
			pyrraSLO(b, f)
			f.ignore("status")
			f.rest(r, "Pyrra")
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

func pyrraSLO(b *builder, f *fields) {
	r, file := b.report, f.file
	md, spec := f.sub("metadata"), f.sub("spec")
	name := md.str("name")
	if name == "" {
		f.fail(f.node, "metadata.name is required")
		return
	}
	service, ns := "default", md.str("namespace")
	if ns != "" {
		service = ns
	}
	service = configName(r, file, md.line("namespace"), md.at("namespace"), service)
	r.add(file, md.line("namespace"), Approximate, md.at("namespace"), "Pyrra has no services: the namespace ("+quote(service)+") is the objective's service")
	var labels map[string]string
	mdLabels := md.strMap("labels")
	for _, k := range sortedKeys(mdLabels) {
		v := mdLabels[k]
		if l, ok := strings.CutPrefix(k, "pyrra.dev/"); ok {
			if labels == nil {
				labels = map[string]string{}
			}
			labels[l] = v
			continue
		}
		r.add(file, md.line("labels"), None, md.at("labels."+k), "a Kubernetes label of the resource (only pyrra.dev/ labels reach Pyrra's series)")
	}
	if md.has("annotations") {
		md.get("annotations")
		r.add(file, md.line("annotations"), None, md.at("annotations"), "Kubernetes annotations of the resource")
	}
	md.rest(r, "Pyrra")
	b.service(service, "", nil)
	target, err := strconv.ParseFloat(strings.TrimSpace(spec.str("target")), 64)
	if err != nil || !(target > 0 && target < 100) {
		spec.fail(orNode(spec.node, f.node), "target: want a percentage in (0, 100), e.g. \"99.9\"")
		return
	}
	w, err := model.ParseDuration(spec.str("window"))
	if err != nil || w <= 0 {
		spec.fail(orNode(spec.node, f.node), "window: want a duration, e.g. 28d")
		return
	}
	window := time.Duration(w)
	days := int((window + 24*time.Hour - 1) / (24 * time.Hour))
	if days > period.MaxRollingDays {
		spec.fail(spec.node, fmt.Sprintf("window: over %d days", period.MaxRollingDays))
		return
	}
	o := Objective{
		Name:        b.uniqueName(configName(r, file, md.line("name"), md.at("name"), name), configName(r, file, md.line("name"), md.at("name"), service+"-"+name)),
		Service:     service,
		Description: spec.str("description"),
		Source:      SourceName,
		Target:      percent(target),
		Period:      fmt.Sprintf("rolling:%dd", days),
		Labels:      keepLabels(r, file, md.line("labels"), md.at("labels"), labels, false),
	}
	o.Series = o.Name
	if window%(24*time.Hour) == 0 {
		r.add(file, spec.line("window"), Exact, spec.at("window"), "period "+o.Period)
	} else {
		r.add(file, spec.line("window"), Approximate, spec.at("window"), "period "+o.Period+": rolling periods are whole days, "+model.Duration(window).String()+" rounded up")
	}
	r.add(file, spec.line("target"), Exact, spec.at("target"), fmt.Sprint("target ", o.Target))
	ind := spec.sub("indicator")
	var grouping []*yaml.Node
	switch {
	case ind.has("ratio"):
		ratio := ind.sub("ratio")
		bad, total, ok := pyrraCounters(ratio, f, "errors")
		if !ok {
			return
		}
		e := EventsEntry{Series: o.Series, Bad: bad, Total: total}
		o.Kind = "event_ratio"
		b.source.Events = append(b.source.Events, e)
		r.add(file, ind.line("ratio"), Exact, ind.at("ratio"), "events bad/total: exact counts of the counters")
		grouping = ratio.list("grouping")
		ratio.rest(r, "Pyrra")
	case ind.has("latency"):
		lat := ind.sub("latency")
		good, total, ok := pyrraCounters(lat, f, "success")
		if !ok {
			return
		}
		e := EventsEntry{Series: o.Series, Good: good, Total: total}
		o.Kind = "event_ratio"
		b.source.Events = append(b.source.Events, e)
		r.add(file, ind.line("latency"), Exact, ind.at("latency"), "events good/total: the bucket and _count counters, counted exactly")
		grouping = lat.list("grouping")
		lat.rest(r, "Pyrra")
	case ind.has("latencyNative"):
		lat := ind.sub("latencyNative")
		metric, le := lat.sub("total").str("metric"), lat.str("latency")
		v, err := strconv.ParseFloat(strings.TrimSpace(le), 64)
		if metric == "" || err != nil || v <= 0 {
			lat.fail(orNode(lat.node, f.node), "total.metric and latency (seconds) are required")
			return
		}
		o.Kind = "event_ratio"
		b.source.Events = append(b.source.Events, EventsEntry{Series: o.Series, Latency: &Latency{Metric: metric, LE: v}})
		r.add(file, ind.line("latencyNative"), Exact, ind.at("latencyNative"), "events latency: observations of the native histogram at or below "+le+"s")
		grouping = lat.list("grouping")
		lat.rest(r, "Pyrra")
	case ind.has("bool_gauge"):
		g := ind.sub("bool_gauge")
		metric := g.str("metric")
		if metric == "" {
			g.fail(orNode(g.node, f.node), "metric is required")
			return
		}
		o.Kind = "availability"
		b.source.Availability = append(b.source.Availability, AvailabilityEntry{Series: o.Series, Query: metric})
		r.add(file, ind.line("bool_gauge"), Approximate, ind.at("bool_gauge"),
			"availability query: the share of good 1-minute slices, where Pyrra counts the gauge's samples; equal when no slice is partly down")
		grouping = g.list("grouping")
		g.rest(r, "Pyrra")
	default:
		ind.fail(orNode(ind.node, f.node), "want ratio, latency, latencyNative or bool_gauge")
		return
	}
	ind.rest(r, "Pyrra")
	if len(grouping) > 0 {
		r.add(file, grouping[0].Line, Approximate, ind.path+".grouping",
			"one objective over every group together: sla_exporter has no objective per group (a series_label entry needs the values named)")
	}
	o.Alerting = pyrraAlerting(r, spec.sub("alerting"), window)
	for _, k := range []string{"partial_response_strategy", "performanceOverAccuracy", "ruleOutput"} {
		if spec.has(k) {
			spec.get(k)
			r.add(file, spec.line(k), None, spec.at(k), "settings of Pyrra's generated rules")
		}
	}
	spec.rest(r, "Pyrra")
	b.objective(o, fmt.Sprintf("%s:%d (Pyrra SLO %s)", file, f.node.Line, quote(name)))
}

// pyrraWindows are Pyrra's burn-rate windows (slo.Windows in pyrra-dev/pyrra slo/rules.go):
// fractions of the SLO window, rounded to the minute, with a burn-rate factor.
var pyrraWindows = []struct {
	long, short, forDur time.Duration // for a 28-day window
	factor              float64
	severity            string
}{
	{time.Hour, 5 * time.Minute, 2 * time.Minute, 14, "page"},
	{6 * time.Hour, 30 * time.Minute, 15 * time.Minute, 7, "page"},
	{24 * time.Hour, 2 * time.Hour, time.Hour, 2, "ticket"},
	{4 * 24 * time.Hour, 6 * time.Hour, 3 * time.Hour, 1, "ticket"},
}

func pyrraAlerting(r *Report, a *fields, window time.Duration) *Alerting {
	file := a.file
	out := &Alerting{PageSeverity: "critical", TicketSeverity: "warning"}
	disabled := a.has("disabled") && a.boolean("disabled")
	if a.has("burnrates") && !a.boolean("burnrates") {
		disabled = true
	}
	if disabled {
		r.add(file, a.line("burnrates"), Exact, a.path, "alerting.disabled: true")
		a.ignore("absent", "name", "absentName", "severities")
		a.rest(r, "Pyrra")
		return &Alerting{Disabled: true}
	}
	for _, k := range []string{"name", "absentName"} {
		if n := a.str(k); n != "" {
			r.add(file, a.line(k), None, a.at(k), "sla_exporter's alerts have their own names, not "+quote(n))
		}
	}
	if !a.has("absent") || a.boolean("absent") {
		r.add(file, a.line("absent"), Approximate, a.at("absent"),
			"Pyrra's absent alert: sla_exporter alerts on a stale source (SLASourceStale) and publishes no_data, not per metric")
	}
	sev := a.sub("severities")
	for _, k := range []struct{ key, tier string }{{"fastBurn", "page"}, {"mediumBurn", "page"}, {"slowBurn", "ticket"}, {"longTermBurn", "ticket"}} {
		v := sev.str(k.key)
		if v == "" {
			continue
		}
		cur := &out.PageSeverity
		if k.tier == "ticket" {
			cur = &out.TicketSeverity
		}
		if k.key == "fastBurn" || k.key == "slowBurn" || *cur == v {
			*cur = v
			r.add(file, sev.line(k.key), Exact, sev.at(k.key), k.tier+"_severity")
		} else {
			r.add(file, sev.line(k.key), None, sev.at(k.key), "one severity per tier kind: the "+k.tier+" tiers are labelled "+quote(*cur))
		}
	}
	if sev.has("absent") {
		sev.get("absent")
		r.add(file, sev.line("absent"), None, sev.at("absent"), "no absent alert per objective")
	}
	sev.rest(r, "Pyrra")
	if out.PageSeverity == out.TicketSeverity {
		r.add(file, sev.line("slowBurn"), None, sev.path, "page and ticket tiers with one severity: sla_exporter needs two; ticket_severity left at its default")
		out.TicketSeverity = ""
	}
	// Pyrra's windows scale with the SLO window; a tier fires above factor × the budget rate,
	// sla_exporter's above budget × period / long: budget = factor × long / period.
	for _, pw := range pyrraWindows {
		long, short, forDur := scale(window, pw.long), scale(window, pw.short), scale(window, pw.forDur)
		budget := pw.factor * float64(long) / float64(window)
		if short <= 0 || short >= long || budget > 1 {
			r.add(file, a.line("burnrates"), None, a.path, fmt.Sprintf("Pyrra's %s tier for a %s window (long %s, short %s): not a valid tier", pw.severity, model.Duration(window), model.Duration(long), model.Duration(short)))
			continue
		}
		t := BurnTier{Long: model.Duration(long).String(), Short: model.Duration(short).String(), Budget: budget, Severity: pw.severity}
		if forDur > 0 {
			t.For = model.Duration(forDur).String()
		}
		out.BurnRates = append(out.BurnRates, t)
	}
	r.add(file, a.line("burnrates"), Exact, a.path, "burn_rates: Pyrra's four multi-window tiers for the window, with their factors and for durations")
	a.rest(r, "Pyrra")
	return out
}

// scale is Pyrra's window arithmetic: d is for a 28-day SLO window; the result for window,
// rounded to the minute. Floats, since window × d overflows nanoseconds.
func scale(window, d time.Duration) time.Duration {
	return time.Duration(float64(window) / float64(28*24*time.Hour) * float64(d)).Round(time.Minute)
}

// pyrraCounters reads an indicator's <key>.metric and total.metric, which Pyrra reads as series
// selectors; a missing or other one fails the indicator (ind, else the resource f) with its place.
func pyrraCounters(ind, f *fields, key string) (counter, total string, ok bool) {
	counter, total = ind.sub(key).str("metric"), ind.sub("total").str("metric")
	switch {
	case counter == "" || total == "":
		ind.fail(orNode(ind.node, f.node), key+".metric and total.metric are required")
	case !isSelector(counter) || !isSelector(total):
		ind.fail(orNode(ind.node, f.node), fmt.Sprintf("%s.metric %q and total.metric %q must be series selectors (a metric name with optional {matchers}), as Pyrra reads them", key, counter, total))
	default:
		return counter, total, true
	}
	return "", "", false
}
