package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// Compat names a peer SLO tool whose series `rules --compat` records from sla_exporter's own,
// so that dashboards, alerts and tools written for it keep working after a switch.
type Compat string

// The peers whose series can be recorded.
const (
	// CompatSloth records Sloth's slo:* series and sloth_slo_info (Sloth's Grafana dashboards,
	// its web UI and anything querying slo:period_error_budget_remaining:ratio).
	CompatSloth Compat = "sloth"
	// CompatPyrra records Pyrra's generic series (pyrra_objective, pyrra_window,
	// pyrra_availability, pyrra_requests:rate5m, pyrra_errors:rate5m), which Pyrra's Grafana
	// dashboards read.
	CompatPyrra Compat = "pyrra"
)

// Compats are the peers Options.Compat accepts, in the order their groups are written.
var Compats = []Compat{CompatSloth, CompatPyrra}

// Group name prefixes of the compatibility groups; the objective's name follows.
const (
	groupCompatSloth = "sla-compat-sloth-"
	groupCompatPyrra = "sla-compat-pyrra-"
)

// Label names and values the peers' series carry (Sloth: pkg/common/conventions; Pyrra:
// slo/rules.go's generic rules).
const (
	slothLabelID        = "sloth_id"
	slothLabelService   = "sloth_service"
	slothLabelSLO       = "sloth_slo"
	slothLabelWindow    = "sloth_window"
	slothLabelObjective = "sloth_objective"
	slothLabelMode      = "sloth_mode"
	slothLabelSpec      = "sloth_spec"
	slothMode           = "sla_exporter"
	slothSpec           = "prometheus/v1"
	pyrraLabelSLO       = "slo"
)

func validateCompat(cs []Compat) error {
	for _, c := range cs {
		if !slices.Contains(Compats, c) {
			return fmt.Errorf("compatibility series of %q: only %s are known", c, compatNames())
		}
	}
	return nil
}

func compatNames() string {
	names := make([]string, len(Compats))
	for i, c := range Compats {
		names[i] = string(c)
	}
	return strings.Join(names, " and ")
}

// compat adds the objective's compatibility groups, one per requested peer. They are recording
// rules only: an objective whose alerting is disabled still gets them.
func (g *generator) compat(o *config.Objective) error {
	for _, c := range Compats {
		if !slices.Contains(g.opts.Compat, c) {
			continue
		}
		cr := compatRules{o: o, nums: &g.nums, sel: conventions.LabelObjective + "=" + quote(o.Name)}
		var grp Group
		switch c {
		case CompatSloth:
			grp = cr.sloth()
		case CompatPyrra:
			grp = cr.pyrra()
		}
		if err := g.add(&grp); err != nil {
			return err
		}
	}
	return nil
}

// compatRules builds one objective's compatibility series. Every series is aggregated with
// max by (objective, service): two replicas of a shard publish the same figures, and an
// aggregation gives every series of an objective the same label set, which the peers' queries
// need (Sloth's UI takes any label of slo:current_burn_rate:ratio missing from sloth_slo_info as
// a grouping label; Pyrra's dashboards subtract pyrra_objective from pyrra_availability on all
// labels).
type compatRules struct {
	o    *config.Objective
	nums *numbers
	sel  string
}

func (cr *compatRules) series(metric string, extra ...string) string {
	ob := objectiveRules{o: cr.o, sel: cr.sel}
	return ob.series(metric, extra...)
}

// max returns max by (objective, service) (expr).
func (cr *compatRules) max(expr string) string {
	return "max by (" + conventions.LabelObjective + ", " + conventions.LabelService + ") (" + expr + ")"
}

// periodWindow names the objective's period as a window: a rolling period's length ("30d"), and
// for a calendar period the nominal length of a rolling one (a month is "30d"), since the peers
// know rolling windows only. The series so named holds the calendar period's figure so far.
func periodWindow(p period.Period) string {
	switch p.Kind {
	case period.Week:
		return "7d"
	case period.Month:
		return "30d"
	case period.Quarter:
		return "90d"
	case period.Year:
		return "365d"
	}
	return window(time.Duration(p.Days) * 24 * time.Hour)
}

// sloth returns the objective's Sloth series, as Sloth's generator names and labels them
// (slok/sloth examples/_gen/getting-started.yml shows a generated set):
//
//	slo:sli_error:ratio_rate<w>   the error ratio over each burn window the exporter publishes:
//	                              sla_burn_rate{window=w} × (1 − target), Sloth's definition of
//	                              the burn rate read backwards
//	slo:sli_error:ratio_rate<p>   the error ratio of the period so far: 1 − sla_attainment_ratio
//	slo:objective:ratio, slo:error_budget:ratio, slo:time_period:days
//	slo:current_burn_rate:ratio   the shortest window's burn rate
//	slo:period_burn_rate:ratio    slo:sli_error:ratio_rate<p> / slo:error_budget:ratio
//	slo:period_error_budget_remaining:ratio   1 − slo:period_burn_rate:ratio
//	sloth_slo_info
//
// The period figures use Sloth's formulas over sla_exporter's period, so for a calendar period
// they describe the calendar period so far, not the last 30 days.
func (cr *compatRules) sloth() Group {
	o := cr.o
	labels := func(extra ...string) map[string]string {
		l := make(map[string]string, len(o.Labels)+4+len(extra)/2)
		for k, v := range o.Labels {
			if v != "" {
				l[k] = v
			}
		}
		l[slothLabelID] = o.Service + "-" + o.Name
		l[slothLabelService] = o.Service
		l[slothLabelSLO] = o.Name
		for i := 0; i+1 < len(extra); i += 2 {
			l[extra[i]] = extra[i+1]
		}
		return l
	}
	own := func(metric string) string {
		return metric + "{" + slothLabelID + "=" + quote(o.Service+"-"+o.Name) + "}"
	}
	windows := slices.Clone(o.BurnWindows)
	slices.Sort(windows)
	windows = slices.Compact(windows)
	pw := periodWindow(o.Period)
	target := cr.max(cr.series(conventions.ObjectiveTarget))

	grp := Group{Name: groupCompatSloth + o.Name}
	grp.Rules = make([]Rule, 0, len(windows)+8)
	for _, w := range windows {
		grp.Rules = append(grp.Rules, Rule{
			Record: "slo:sli_error:ratio_rate" + window(w),
			Expr:   cr.max(cr.series(conventions.BurnRate, conventions.LabelWindow, window(w))) + " * (1 - " + target + ")",
			Labels: labels(slothLabelWindow, window(w)),
		})
	}
	periodRatio := "slo:sli_error:ratio_rate" + pw
	grp.Rules = append(grp.Rules,
		Rule{Record: periodRatio, Expr: "1 - " + cr.max(cr.series(conventions.Attainment)), Labels: labels(slothLabelWindow, pw)},
		Rule{Record: "slo:objective:ratio", Expr: target, Labels: labels()},
		Rule{Record: "slo:error_budget:ratio", Expr: "1 - " + target, Labels: labels()},
		Rule{Record: "slo:time_period:days", Expr: cr.max(cr.series(conventions.PeriodEnd)+" - "+cr.series(conventions.PeriodStart)) + " / 86400", Labels: labels()},
	)
	if len(windows) > 0 {
		// The shortest window, as Sloth takes 5m.
		grp.Rules = append(grp.Rules, Rule{Record: "slo:current_burn_rate:ratio",
			Expr: cr.max(cr.series(conventions.BurnRate, conventions.LabelWindow, window(windows[0]))), Labels: labels()})
	}
	grp.Rules = append(grp.Rules,
		// ignoring(sloth_window): the period ratio carries it, the budget does not.
		Rule{Record: "slo:period_burn_rate:ratio", Expr: own(periodRatio) + " / ignoring(" + slothLabelWindow + ") " + own("slo:error_budget:ratio"), Labels: labels()},
		Rule{Record: "slo:period_error_budget_remaining:ratio", Expr: "1 - " + own("slo:period_burn_rate:ratio"), Labels: labels()},
		Rule{Record: "sloth_slo_info", Expr: cr.max(cr.series(conventions.ObjectiveInfo)),
			Labels: labels(slothLabelObjective, cr.nums.percent(o.Target), slothLabelMode, slothMode, slothLabelSpec, slothSpec)},
	)
	return grp
}

// pyrra returns the objective's Pyrra generic series (pyrra-dev/pyrra slo/rules.go,
// GenericRules), labelled slo=<objective>:
//
//	pyrra_objective      the target
//	pyrra_window         the period's length in seconds (a calendar period's current one)
//	pyrra_availability   sla_attainment_ratio
//	pyrra_requests:rate5m, pyrra_errors:rate5m   the rate of the period's units (all decided,
//	                     bad) from sla_period_events, for calendar periods only: a rolling
//	                     period's count falls as old units leave it, which rate() would take for
//	                     counter resets
func (cr *compatRules) pyrra() Group {
	o := cr.o
	labels := func() map[string]string { return map[string]string{pyrraLabelSLO: o.Name} }
	grp := Group{Name: groupCompatPyrra + o.Name}
	grp.Rules = append(grp.Rules,
		Rule{Record: "pyrra_objective", Expr: cr.max(cr.series(conventions.ObjectiveTarget)), Labels: labels()},
		Rule{Record: "pyrra_window", Expr: cr.max(cr.series(conventions.PeriodEnd) + " - " + cr.series(conventions.PeriodStart)), Labels: labels()},
		Rule{Record: "pyrra_availability", Expr: cr.max(cr.series(conventions.Attainment)), Labels: labels()},
	)
	if o.Period.Calendar() && o.Kind != slo.Availability {
		rate := func(outcomes string) string {
			sel := conventions.PeriodEvents + "{" + cr.sel + "," + conventions.LabelOutcome + "=~" + quote(outcomes) + "}"
			return cr.max("sum without (" + conventions.LabelOutcome + ") (rate(" + sel + "[5m]))")
		}
		grp.Rules = append(grp.Rules,
			Rule{Record: "pyrra_requests:rate5m", Expr: rate(conventions.OutcomeGood + "|" + conventions.OutcomeBad), Labels: labels()},
			Rule{Record: "pyrra_errors:rate5m", Expr: rate(conventions.OutcomeBad), Labels: labels()},
		)
	}
	return grp
}
