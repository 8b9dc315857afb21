package rules

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// generatedLabels are set by the rules or come from the series an alert fires on; an alerting
// block's labels may not reuse them.
var generatedLabels = []string{LabelBurnTier, conventions.LabelSource, conventions.LabelWindow,
	conventions.LabelStatus, conventions.LabelState, conventions.LabelKPI, conventions.LabelSeries,
	conventions.LabelTarget, conventions.LabelProber}

// objective adds the objective's group: the burn-rate thresholds, then its alerts.
func (g *generator) objective(o *config.Objective) error {
	a := &o.Alerting
	if a.Disabled {
		return nil
	}
	if err := g.checkAlerting(a); err != nil {
		return fmt.Errorf("objective %q: %w", o.Name, err)
	}
	ob := objectiveRules{o: o, a: a, opts: &g.opts, nums: &g.nums, sel: conventions.LabelObjective + "=" + quote(o.Name)}
	ob.goal = g.nums.percent(o.Target) + "% " + periodText(o.Period)
	grp := Group{Name: groupObjective + o.Name}
	grp.Rules = make([]Rule, 0, 2*len(a.BurnRates)+7)
	factors := make([]string, len(a.BurnRates))
	for i, t := range a.BurnRates {
		factors[i] = ob.factor(t)
		grp.Rules = append(grp.Rules, ob.threshold(t, factors[i]))
	}
	for i, t := range a.BurnRates {
		grp.Rules = append(grp.Rules, ob.burn(t, factors[i]))
	}
	grp.Rules = append(grp.Rules, ob.breached(), ob.forecast())
	if o.Kind == slo.TicketSLA {
		grp.Rules = append(grp.Rules, ob.ticketsAtRisk(), ob.ticketsBreached())
		grp.Rules = append(grp.Rules, ob.escalation()...)
	}
	grp.Rules = append(grp.Rules, ob.noData())
	if !g.opts.NoAbsent {
		grp.Rules = append(grp.Rules, ob.absent())
	}
	return g.add(&grp)
}

// checkAlerting refuses alerting labels the rules set themselves and templates that would not
// parse. Objectives mostly share their links: each is parsed once.
func (g *generator) checkAlerting(a *config.Alerting) error {
	for _, l := range generatedLabels {
		if _, ok := a.Labels[l]; ok {
			return fmt.Errorf("alerting label %q is set by the generated rules", l)
		}
	}
	for _, link := range []struct{ name, text string }{{"runbook_url", a.RunbookURL}, {"dashboard_url", a.DashboardURL}} {
		if link.text == "" || g.goodTemplates[link.text] {
			continue
		}
		if err := checkTemplate(link.text); err != nil {
			return fmt.Errorf("%s: %w", link.name, err)
		}
		if g.goodTemplates == nil {
			g.goodTemplates = map[string]bool{}
		}
		g.goodTemplates[link.text] = true
	}
	return nil
}

// objectiveRules builds one objective's rules.
type objectiveRules struct {
	o    *config.Objective
	a    *config.Alerting
	opts *Options
	nums *numbers
	sel  string // objective="name"
	goal string // what the objective promises: "99.9% per calendar month"
}

// series returns metric{objective="name",extra...}.
func (ob *objectiveRules) series(metric string, extra ...string) string {
	var b strings.Builder
	b.Grow(len(metric) + len(ob.sel) + 32)
	b.WriteString(metric)
	b.WriteByte('{')
	b.WriteString(ob.sel)
	for i := 0; i+1 < len(extra); i += 2 {
		b.WriteByte(',')
		b.WriteString(extra[i])
		b.WriteByte('=')
		b.WriteString(quote(extra[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

// labels returns the alert labels: objective, service, source, severity, the alerting block's
// labels, then extra name/value pairs. The source label lets one inhibition rule (source
// SLASourceDown, equal: [source]) hold back the alerts of every objective a failing source feeds.
func (ob *objectiveRules) labels(severity string, extra ...string) map[string]string {
	l := make(map[string]string, 4+len(ob.a.Labels)+len(extra)/2)
	for k, v := range ob.a.Labels {
		l[k] = v
	}
	l[conventions.LabelObjective] = ob.o.Name
	l[conventions.LabelService] = ob.o.Service
	if ob.o.Source != "" {
		l[conventions.LabelSource] = ob.o.Source
	}
	l[LabelSeverity] = severity
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

// annotations returns summary, description and the alerting block's links.
func (ob *objectiveRules) annotations(summary, description string) map[string]string {
	return annotations(ob.a, summary, description)
}

func annotations(a *config.Alerting, summary, description string) map[string]string {
	m := make(map[string]string, 4)
	m["summary"] = summary
	m["description"] = description
	if a.RunbookURL != "" {
		m["runbook_url"] = a.RunbookURL
	}
	if a.DashboardURL != "" {
		m["dashboard_url"] = a.DashboardURL
	}
	return m
}

func (ob *objectiveRules) severity(t config.BurnTier) string {
	if t.Severity == "page" {
		return ob.a.PageSeverity
	}
	return ob.a.TicketSeverity
}

// periodLength returns a rolling period's length; calendar periods have none.
func (ob *objectiveRules) periodLength() (time.Duration, bool) {
	p := ob.o.Period
	if p.Calendar() {
		return 0, false
	}
	return time.Duration(p.Days) * 24 * time.Hour, true
}

// factor returns the PromQL of the tier's threshold F = budget × period / long: a number for
// rolling periods; for calendar periods, whose length varies (28 to 31 days a month, a 23- or
// 25-hour day at a DST change), computed from the current period's bounds as the exporter
// publishes them, so that a tier means the same share of the budget in February and in March.
func (ob *objectiveRules) factor(t config.BurnTier) string {
	if length, ok := ob.periodLength(); ok {
		return ob.nums.factor(t.Budget, length, t.Long)
	}
	return "(" + ob.nums.decimal(t.Budget) + " * (" + ob.series(conventions.PeriodEnd) + " - " +
		ob.series(conventions.PeriodStart) + ") / " + seconds(t.Long) + ")"
}

// seconds prints d in seconds as a PromQL number.
func seconds(d time.Duration) string {
	return decimal(big.NewRat(int64(d), int64(time.Second)))
}

func window(d time.Duration) string { return model.Duration(d).String() }

func (ob *objectiveRules) tierName(t config.BurnTier) string {
	return ob.nums.window(t.Long) + "_" + ob.nums.window(t.Short)
}

// threshold records the tier's threshold, so that dashboards can draw it next to the burn rate
// of the long window: objective:sla_burn_rate:threshold{objective,service,window,burn_tier,severity}.
func (ob *objectiveRules) threshold(t config.BurnTier, f string) Rule {
	// A calendar threshold is computed from the series of each scraped replica: one value each.
	expr := "vector(" + f + ")"
	if ob.o.Period.Calendar() {
		expr = "max by (" + conventions.LabelObjective + ", " + conventions.LabelService + ") " + f
	}
	return Rule{
		Record: RecordBurnThreshold,
		Expr:   expr,
		Labels: map[string]string{
			conventions.LabelObjective: ob.o.Name,
			conventions.LabelService:   ob.o.Service,
			conventions.LabelWindow:    ob.nums.window(t.Long),
			LabelBurnTier:              ob.tierName(t),
			LabelSeverity:              ob.severity(t),
		},
	}
}

// burn is the multi-window burn-rate alert of one tier. The two windows' series differ in their
// window label, hence "and ignoring(window)"; matching on all other labels (rather than
// on(objective, service)) keeps the rule working when two exporter replicas are scraped, where
// on(objective, service) would find two series per side and fail the evaluation.
// f is the tier's threshold, from factor.
func (ob *objectiveRules) burn(t config.BurnTier, f string) Rule {
	long, short := ob.nums.window(t.Long), ob.nums.window(t.Short)
	longSel := ob.series(conventions.BurnRate, conventions.LabelWindow, long)
	shortSel := ob.series(conventions.BurnRate, conventions.LabelWindow, short)
	var expr string
	if ob.o.Period.Calendar() {
		// group_left keeps the burn rate's window label, as in the rolling case: a one-to-one
		// match would drop the ignored label.
		expr = longSel + "\n  > ignoring(window) group_left() " + f + "\nand ignoring(window)\n" + shortSel + "\n  > ignoring(window) group_left() " + f
	} else {
		expr = longSel + " > " + f + "\nand ignoring(window)\n" + shortSel + " > " + f
	}
	share := ob.nums.percent(t.Budget)
	lasts := fmtDuration(time.Duration(float64(t.Long) / t.Budget))
	var threshold string
	if _, ok := ob.periodLength(); ok {
		threshold = fmt.Sprintf("A burn rate above %s spends %s%% of the period's error budget within %s", f, share, long)
	} else {
		example := exampleLength(ob.o.Period.Kind)
		threshold = fmt.Sprintf("A burn rate above %s * the period's length / %s (%s for a %s) spends %s%% of the period's error budget within %s",
			ob.nums.decimal(t.Budget), long, ob.nums.factor(t.Budget, example.length, t.Long), example.name, share, long)
	}
	return Rule{
		Alert: AlertBurn,
		Expr:  expr,
		For:   forDuration(t.For),
		Labels: ob.labels(ob.severity(t),
			LabelBurnTier, ob.tierName(t)),
		Annotations: ob.annotations(
			fmt.Sprintf(`%s is spending its error budget {{ printf "%%.1f" $value }} times too fast (%s tier)`, ob.o.Name, ob.tierName(t)),
			fmt.Sprintf(`Over the last %s, %s (service %s, target %s) spent its error budget at {{ printf "%%.2f" $value }} times the rate that would use it up exactly by the end of the period, and it still does over the last %s. %s: at that rate the whole budget lasts %s.`,
				long, ob.o.Name, ob.o.Service, ob.goal, short, threshold, lasts)),
	}
}

type lengthExample struct {
	name   string
	length time.Duration
}

// exampleLength is a typical length of a calendar period, for the alert text.
func exampleLength(k period.Kind) lengthExample {
	const day = 24 * time.Hour
	switch k {
	case period.Week:
		return lengthExample{"7-day week", 7 * day}
	case period.Quarter:
		return lengthExample{"91-day quarter", 91 * day}
	case period.Year:
		return lengthExample{"365-day year", 365 * day}
	}
	return lengthExample{"30-day month", 30 * day}
}

func periodText(p period.Period) string {
	if p.Calendar() {
		return "per calendar " + p.Kind.String()
	}
	return "over a rolling " + strconv.Itoa(p.Days) + " days"
}

func forDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return model.Duration(d).String()
}

func (ob *objectiveRules) statusIs(status slo.Status) string {
	return ob.series(conventions.Status, conventions.LabelStatus, status.String()) + " == 1"
}

func (ob *objectiveRules) breached() Rule {
	return Rule{
		Alert:  AlertBreached,
		Expr:   ob.statusIs(slo.Breached),
		For:    forDuration(ob.opts.BreachedFor),
		Labels: ob.labels(ob.a.TicketSeverity),
		Annotations: ob.annotations(
			fmt.Sprintf("%s is breached (target %s)", ob.o.Name, ob.goal),
			fmt.Sprintf("%s (service %s) is below its target of %s in the current period: its attainment so far is below target or, for availability, the period's error budget is spent. See %s for the figures.",
				ob.o.Name, ob.o.Service, ob.goal, conventions.Attainment)),
	}
}

// forecast fires while the forecast stays below target, but not once the objective is breached:
// SLABreached says it then.
func (ob *objectiveRules) forecast() Rule {
	return Rule{
		Alert: AlertForecast,
		Expr: ob.series(conventions.ForecastAttainment) + " < " + ob.series(conventions.ObjectiveTarget) +
			"\nunless ignoring(status) " + ob.statusIs(slo.Breached),
		For:    forDuration(ob.a.ForecastFor),
		Labels: ob.labels(ob.a.TicketSeverity),
		Annotations: ob.annotations(
			fmt.Sprintf("%s is forecast to miss its target of %s%%", ob.o.Name, ob.nums.percent(ob.o.Target)),
			fmt.Sprintf("If the recent burn continues, %s (service %s) ends the current period at {{ $value | humanizePercentage }}, below its target of %s; the forecast has stayed below target for %s.",
				ob.o.Name, ob.o.Service, ob.goal, fmtDuration(ob.a.ForecastFor))),
	}
}

func (ob *objectiveRules) ticketsAtRisk() Rule {
	return Rule{
		Alert:  AlertTicketsAtRisk,
		Expr:   ob.series(conventions.TicketsOpen, conventions.LabelState, conventions.StateAtRisk) + " > 0",
		Labels: ob.labels(ob.a.TicketSeverity),
		Annotations: ob.annotations(
			fmt.Sprintf("%s: {{ $value }} open tickets near their deadline", ob.o.Name),
			fmt.Sprintf("{{ $value }} open ticket cycles of %s (service %s) have used the objective's warning share of their target time (warn_at) and will breach unless worked on.",
				ob.o.Name, ob.o.Service)),
	}
}

func (ob *objectiveRules) ticketsBreached() Rule {
	return Rule{
		Alert:  AlertTicketsBreached,
		Expr:   ob.series(conventions.TicketsOpen, conventions.LabelState, conventions.StateBreached) + " > 0",
		Labels: ob.labels(ob.a.TicketSeverity),
		Annotations: ob.annotations(
			fmt.Sprintf("%s: {{ $value }} open tickets past their deadline", ob.o.Name),
			fmt.Sprintf("{{ $value }} open ticket cycles of %s (service %s) are past their target time: each counts as breached against the target of %s.",
				ob.o.Name, ob.o.Service, ob.goal)),
	}
}

func (ob *objectiveRules) noData() Rule {
	return Rule{
		Alert:  AlertNoData,
		Expr:   ob.statusIs(slo.NoData),
		For:    forDuration(ob.opts.NoDataFor),
		Labels: ob.labels(ob.a.TicketSeverity),
		Annotations: ob.annotations(
			fmt.Sprintf("%s has no data", ob.o.Name),
			fmt.Sprintf("%s (service %s) has been no_data for %s: nothing to measure in the period yet, or source %s has not synced within the staleness limit, so its figures are withheld.",
				ob.o.Name, ob.o.Service, fmtDuration(ob.opts.NoDataFor), ob.o.Source)),
	}
}

// absent fires when the objective's status series are missing altogether. It names the objective
// and service in its matchers, so absent() returns them as labels; it needs no job name (unlike
// up{job=...}) and tells which objectives a down exporter or shard leaves unwatched.
func (ob *objectiveRules) absent() Rule {
	return Rule{
		Alert:  AlertAbsent,
		Expr:   "absent(" + ob.series(conventions.Status, conventions.LabelService, ob.o.Service) + ")",
		For:    forDuration(ob.opts.AbsentFor),
		Labels: ob.labels(ob.a.TicketSeverity),
		Annotations: ob.annotations(
			fmt.Sprintf("%s is missing from the exporter's metrics", ob.o.Name),
			fmt.Sprintf("No %s series for %s (service %s) for %s: sla_exporter is down or not scraped, or its configuration no longer holds the objective while these rules do (regenerate them with sla_exporter rules).",
				conventions.Status, ob.o.Name, ob.o.Service, fmtDuration(ob.opts.AbsentFor))),
	}
}

// quote returns s as a PromQL string literal (Go's escapes are PromQL's).
func quote(s string) string { return strconv.Quote(s) }
