package migrate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
)

// Sloth imports Sloth specs: prometheus/v1 files, their Kubernetes form (sloth.slok.dev/v1
// PrometheusServiceLevel) and AlertWindows documents, which set the burn-rate tiers of the SLO
// period they name. Every SLO becomes an event_ratio objective over Sloth's rolling period, its
// SLI an events entry of the prometheus source.
func Sloth(inputs []Input, opts Options) (*Result, error) { return single(inputs, opts, "sloth") }

func importSloth(b *builder, inputs []Input, opts Options) error {
	r := b.report
	days := opts.SlothPeriod
	if days == 0 {
		days = 30
	}
	type doc struct {
		file string
		node *yaml.Node
	}
	var specs []doc
	windows := map[int][]BurnTier{}
	var errs []error
	for _, in := range inputs {
		docs, err := documents(in)
		if err != nil {
			return err
		}
		for _, n := range docs {
			f := newFields(in.Name, n, "", &errs)
			switch {
			case f.str("version") == "prometheus/v1":
				specs = append(specs, doc{in.Name, n})
			case f.str("apiVersion") == "sloth.slok.dev/v1" && f.str("kind") == "PrometheusServiceLevel":
				specs = append(specs, doc{in.Name, n})
			case f.str("apiVersion") == "sloth.slok.dev/v1" && f.str("kind") == "AlertWindows":
				d, tiers := slothWindows(f.sub("spec"), r)
				if d > 0 {
					windows[d] = tiers
				}
				f.ignore("spec")
				f.rest(r, "Sloth")
			default:
				r.add(in.Name, n.Line, None, "document", "not a Sloth spec (version: prometheus/v1, or apiVersion: sloth.slok.dev/v1 with kind PrometheusServiceLevel or AlertWindows); ignored")
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	tiers, custom := windows[days]
	for _, d := range specs {
		slothSpec(b, d.file, d.node, days, tiers, custom, &errs)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// slothWindows reads an AlertWindows spec: its period in days and its four tiers.
func slothWindows(f *fields, r *Report) (int, []BurnTier) {
	period, err := model.ParseDuration(f.str("sloPeriod"))
	if err != nil || time.Duration(period)%(24*time.Hour) != 0 || period <= 0 {
		f.fail(f.node, "sloPeriod: want a whole number of days")
		return 0, nil
	}
	var tiers []BurnTier
	for _, sev := range []string{"page", "ticket"} {
		s := f.sub(sev)
		for _, speed := range []string{"quick", "slow"} {
			w := s.sub(speed)
			pct, _ := w.float("errorBudgetPercent")
			short, err1 := model.ParseDuration(w.str("shortWindow"))
			long, err2 := model.ParseDuration(w.str("longWindow"))
			if err1 != nil || err2 != nil || !(pct > 0 && pct <= 100) {
				w.fail(orNode(w.node, f.node), "want errorBudgetPercent in (0, 100], shortWindow and longWindow")
				continue
			}
			tiers = append(tiers, BurnTier{Long: long.String(), Short: short.String(), Budget: pct / 100, Severity: sev})
			r.add(f.file, w.line("errorBudgetPercent"), Exact, w.path, "burn_rates tier: the same threshold (budget × period / long window)")
			w.rest(r, "Sloth")
		}
		s.rest(r, "Sloth")
	}
	f.ignore("sloPeriod")
	f.rest(r, "Sloth")
	return int(time.Duration(period) / (24 * time.Hour)), tiers
}

func orNode(n, def *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return def
}

// slothSpec imports one spec, in either form.
func slothSpec(b *builder, file string, n *yaml.Node, days int, tiers []BurnTier, custom bool, errs *[]error) {
	r := b.report
	root := newFields(file, n, "", errs)
	spec, crd := root, false
	key := func(snake, camel string) string {
		if crd {
			return camel
		}
		return snake
	}
	if root.str("apiVersion") != "" {
		crd = true
		spec = root.sub("spec")
		md := root.sub("metadata")
		md.ignore("name", "namespace")
		if md.has("labels") || md.has("annotations") {
			r.add(file, md.line("labels"), None, "metadata.labels/annotations", "Kubernetes metadata of the resource; not carried over")
			md.ignore("labels", "annotations")
		}
		md.rest(r, "Sloth")
		root.ignore("apiVersion", "kind", "metadata", "spec")
		if root.has("status") {
			root.ignore("status")
		}
	} else {
		root.ignore("version")
	}
	service := spec.str("service")
	if service == "" {
		spec.fail(n, "service is required")
		return
	}
	service = configName(r, file, spec.line("service"), spec.at("service"), service)
	labels := keepLabels(r, file, spec.line("labels"), spec.at("labels"), spec.strMap("labels"), false)
	if len(labels) > 0 {
		r.add(file, spec.line("labels"), Approximate, spec.at("labels"), "services[].labels: on sla_objective_info, not on every series as Sloth writes them")
	}
	b.service(service, "", labels)
	if spec.has(key("slo_plugins", "sloPlugins")) {
		spec.get(key("slo_plugins", "sloPlugins"))
		r.add(file, spec.line(key("slo_plugins", "sloPlugins")), None, spec.at(key("slo_plugins", "sloPlugins")), "Sloth SLO plugins generate rules sla_exporter does not run")
	}
	for i, sn := range spec.list("slos") {
		s := newFields(file, sn, fmt.Sprintf("%s[%d]", spec.at("slos"), i), errs)
		slothSLO(b, s, service, days, tiers, custom, key)
		s.rest(r, "Sloth")
	}
	spec.rest(r, "Sloth")
	if crd {
		root.rest(r, "Sloth")
	}
}

func slothSLO(b *builder, s *fields, service string, days int, tiers []BurnTier, custom bool, key func(string, string) string) {
	r, file := b.report, s.file
	name := s.str("name")
	if name == "" {
		s.fail(orNode(s.node, &yaml.Node{}), "name is required")
		return
	}
	objective, ok := s.float("objective")
	if !ok || !(objective > 0 && objective < 100) {
		s.fail(orNode(s.node, &yaml.Node{}), "objective: want a percentage in (0, 100)")
		return
	}
	sli := s.sub("sli")
	var entry EventsEntry
	switch {
	case sli.has("events"):
		ev := sli.sub("events")
		entry.ErrorQuery, entry.TotalQuery = ev.str(key("error_query", "errorQuery")), ev.str(key("total_query", "totalQuery"))
		if entry.ErrorQuery == "" || entry.TotalQuery == "" {
			ev.fail(orNode(ev.node, s.node), "error_query and total_query are required")
			return
		}
		if err := slothTemplates(entry.ErrorQuery, entry.TotalQuery); err != nil {
			ev.fail(orNode(ev.node, s.node), err.Error())
			return
		}
		r.add(file, ev.line(key("error_query", "errorQuery")), Exact, ev.path, "events error_query/total_query of source "+SourceName)
		ev.rest(r, "Sloth")
	case sli.has("raw"):
		raw := sli.sub("raw")
		entry.ErrorQuery, entry.TotalQuery = raw.str(key("error_ratio_query", "errorRatioQuery")), "vector(1)"
		if entry.ErrorQuery == "" {
			raw.fail(orNode(raw.node, s.node), "error_ratio_query is required")
			return
		}
		if err := slothTemplates(entry.ErrorQuery, ""); err != nil {
			raw.fail(orNode(raw.node, s.node), err.Error())
			return
		}
		r.add(file, raw.line(key("error_ratio_query", "errorRatioQuery")), Approximate, raw.path,
			"error_query: the ratio, total_query: vector(1): the period's ratio is the time average of the error ratio (as Sloth's own period ratio), not a count of events")
		raw.rest(r, "Sloth")
	case sli.has("plugin"):
		sli.get("plugin")
		r.add(file, sli.line("plugin"), None, sli.at("plugin"), "an SLI plugin's queries are code sla_exporter cannot run: SLO "+quote(name)+" not imported")
		s.ignore("alerting", "description", "labels", "plugins")
		sli.rest(r, "Sloth")
		return
	default:
		s.fail(orNode(sli.node, s.node), "sli: want events, raw or plugin")
		return
	}
	sli.rest(r, "Sloth")
	o := Objective{
		Name:        b.uniqueName(configName(r, file, s.line("name"), s.at("name"), name), configName(r, file, s.line("name"), s.at("name"), service+"-"+name)),
		Service:     service,
		Description: s.str("description"),
		Kind:        "event_ratio",
		Source:      SourceName,
		Target:      percent(objective),
		Period:      fmt.Sprintf("rolling:%dd", days),
	}
	o.Series = o.Name
	if o.Name != name {
		r.add(file, s.line("name"), Approximate, s.at("name"), "objective named "+quote(o.Name)+": the name is taken (Sloth's SLO id is <service>-<name>)")
	}
	r.add(file, s.line("objective"), Exact, s.at("objective"), fmt.Sprint("target ", o.Target)+" over period "+o.Period+" (Sloth's rolling window)")
	o.Labels = keepLabels(r, file, s.line("labels"), s.at("labels"), s.strMap("labels"), false)
	if len(o.Labels) > 0 {
		r.add(file, s.line("labels"), Approximate, s.at("labels"), "objective labels: on sla_objective_info, not on every series")
	}
	if s.has("plugins") {
		s.get("plugins")
		r.add(file, s.line("plugins"), None, s.at("plugins"), "Sloth SLO plugins generate rules sla_exporter does not run")
	}
	entry.Series = o.Series
	o.Alerting = slothAlerting(r, s.sub("alerting"), tiers, custom, days, key)
	b.source.Events = append(b.source.Events, entry)
	b.objective(o, fmt.Sprintf("%s:%d (Sloth SLO %s of service %s)", file, orNode(s.node, &yaml.Node{}).Line, quote(name), quote(service)))
}

// alertLinks are the annotations sla_exporter writes on its alerts.
var alertLinks = map[string]string{"runbook": "runbook_url", "runbook_url": "runbook_url", "dashboard": "dashboard_url", "dashboard_url": "dashboard_url"}

func slothAlerting(r *Report, a *fields, tiers []BurnTier, custom bool, days int, key func(string, string) string) *Alerting {
	out := &Alerting{}
	file := a.file
	if n := a.str("name"); n != "" {
		r.add(file, a.line("name"), None, a.at("name"), "the burn-rate alerts are named SLAErrorBudgetBurn (objective label "+"tells them apart), not "+quote(n))
	}
	out.Labels = keepLabels(r, file, a.line("labels"), a.at("labels"), a.strMap("labels"), true)
	if len(out.Labels) > 0 {
		r.add(file, a.line("labels"), Exact, a.at("labels"), "alerting.labels")
	}
	annotations(r, a, a.strMap("annotations"), out)
	switch {
	case custom:
		r.add(file, a.line("name"), Exact, a.path, fmt.Sprintf("burn_rates: the tiers of the AlertWindows for %dd", days))
	case days == 28 || days == 30:
		tiers = nil // Sloth's built-in windows for 28d and 30d are sla_exporter's default tiers
		r.add(file, a.line("name"), Exact, a.path, "Sloth's default page and ticket windows are sla_exporter's default burn-rate tiers")
	default:
		r.add(file, a.line("name"), Approximate, a.path, fmt.Sprintf("Sloth has no built-in alert windows for %dd: sla_exporter's default tiers", days))
	}
	disabled := map[string]bool{}
	for _, sev := range []struct{ key, name string }{{key("page_alert", "pageAlert"), "page"}, {key("ticket_alert", "ticketAlert"), "ticket"}} {
		p := a.sub(sev.key)
		disabled[sev.name] = p.boolean("disable")
		labels := p.strMap("labels")
		for _, k := range sortedKeys(labels) {
			if k != "severity" {
				r.add(file, p.line("labels"), None, p.at("labels."+k), "labels of the "+sev.name+" alerts alone: alerting.labels apply to all of the objective's alerts")
				continue
			}
			if sev.name == "page" {
				out.PageSeverity = labels[k]
			} else {
				out.TicketSeverity = labels[k]
			}
			r.add(file, p.line("labels"), Exact, p.at("labels.severity"), sev.name+"_severity")
		}
		for _, k := range sortedKeys(p.strMap("annotations")) {
			r.add(file, p.line("annotations"), None, p.at("annotations."+k), "annotations of the "+sev.name+" alerts alone")
		}
		p.rest(r, "Sloth")
	}
	if out.PageSeverity != "" && out.PageSeverity == out.TicketSeverity {
		r.add(file, a.line(key("ticket_alert", "ticketAlert")), None, a.at(key("ticket_alert", "ticketAlert")+".labels.severity"),
			"page and ticket alerts with one severity: sla_exporter needs two to inhibit the ticket by the page; ticket_severity left at its default")
		out.TicketSeverity = ""
	}
	switch {
	case disabled["page"] && disabled["ticket"]:
		out = &Alerting{Disabled: true}
		r.add(file, a.line(key("page_alert", "pageAlert")), Exact, a.path, "alerting.disabled: true")
	case disabled["page"] || disabled["ticket"]:
		if tiers == nil {
			tiers = []BurnTier{{"1h", "5m", 0.02, "page", ""}, {"6h", "30m", 0.05, "page", ""}, {"1d", "2h", 0.1, "ticket", ""}, {"3d", "6h", 0.1, "ticket", ""}}
		}
		for _, t := range tiers {
			if !disabled[t.Severity] {
				out.BurnRates = append(out.BurnRates, t)
			}
		}
		r.add(file, a.line("name"), Exact, a.path, "burn_rates without the disabled alert's tiers")
	default:
		out.BurnRates = tiers
	}
	a.rest(r, "Sloth")
	return out
}

// annotations maps alert annotations: runbook and dashboard links; the others have no
// equivalent (sla_exporter writes its own summary and description).
func annotations(r *Report, a *fields, ann map[string]string, out *Alerting) {
	for _, k := range sortedKeys(ann) {
		switch alertLinks[k] {
		case "runbook_url":
			out.RunbookURL = ann[k]
			r.add(a.file, a.line("annotations"), Exact, a.at("annotations."+k), "alerting.runbook_url")
		case "dashboard_url":
			out.DashboardURL = ann[k]
			r.add(a.file, a.line("annotations"), Exact, a.at("annotations."+k), "alerting.dashboard_url")
		default:
			r.add(a.file, a.line("annotations"), None, a.at("annotations."+k), "sla_exporter's alerts carry their own summary and description")
		}
	}
}

// windowTemplate is Sloth's one template key.
var windowTemplate = regexp.MustCompile(`\{\{\s*\.window\s*\}\}`)

// slothTemplates checks the queries as Sloth renders them: {{.window}} is the only template
// key, and an events SLI's two queries are both rates over the window or neither, so that their
// ratio compares like with like (total "" for a raw SLI, whose ratio needs no total).
func slothTemplates(errorQ, totalQ string) error {
	for _, q := range []string{errorQ, totalQ} {
		if rest := windowTemplate.ReplaceAllString(q, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
			return fmt.Errorf("%q: only {{.window}} is a template key in Sloth's queries", q)
		}
	}
	if totalQ != "" && windowTemplate.MatchString(errorQ) != windowTemplate.MatchString(totalQ) {
		return fmt.Errorf("error_query and total_query must both use {{.window}} or neither")
	}
	return nil
}
