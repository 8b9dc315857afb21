package migrate

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	v1 "github.com/OpenSLO/go-sdk/pkg/openslo/v1"
)

// prometheusTypes are the metric source types whose queries are PromQL against Prometheus' HTTP
// API, which the prometheus source reads.
var prometheusTypes = map[string]bool{"prometheus": true, "thanos": true, "mimir": true, "cortex": true, "victoriametrics": true}

// selector matches a plain series selector, which the source counts exactly from raw samples.
var selector = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^{}]*\})?$`)

// isSelector reports whether s, trimmed, is a plain series selector.
func isSelector(s string) bool { return selector.MatchString(strings.TrimSpace(s)) }

// query returns a metric spec's PromQL; ok is false when it is not PromQL (reported).
func (set *openSLOSet) query(b *builder, ind sli, m *v1.SLIMetricSpec, path ...string) (string, bool) {
	r := b.report
	at := append(append(append([]string{}, ind.path...), path...), "metricSource")
	construct := fmt.Sprintf("SLI %s %s", ind.name, strings.Join(path, "."))
	typ := m.MetricSource.Type
	if ref := m.MetricSource.MetricSourceRef; ref != "" {
		if ds, ok := set.dataSources[ref]; ok && typ == "" {
			typ = ds.obj.Spec.Type
		}
	}
	if !prometheusTypes[strings.ToLower(typ)] {
		r.add(ind.loc.file, ind.loc.line(at...), None, construct, "metric source type "+quote(typ)+": sla_exporter reads PromQL from Prometheus' HTTP API (Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics)")
		return "", false
	}
	for _, k := range []string{"query", "promql"} {
		if q, ok := m.MetricSource.Spec[k].(string); ok && strings.TrimSpace(q) != "" {
			for other := range m.MetricSource.Spec {
				if other != k {
					r.add(ind.loc.file, ind.loc.line(append(at, "spec", other)...), None, construct+" metricSource.spec."+other, "only the query is read")
				}
			}
			return strings.TrimSpace(q), true
		}
	}
	r.add(ind.loc.file, ind.loc.line(at...), None, construct, "a Prometheus metric source without spec.query (or promql)")
	return "", false
}

// indicator adds the SLI's series to the source and returns the objectives' kind, and for a
// threshold metric its query (one availability entry per objective follows); ok is false when
// the SLI has no equivalent (reported).
func (set *openSLOSet) indicator(b *builder, s located[v1.SLO], ind sli, series string) (kind, threshold string, ok bool) {
	r, name := b.report, s.obj.Metadata.Name
	notImported := " : SLO " + quote(name) + " not imported"
	if tm := ind.spec.ThresholdMetric; tm != nil {
		q, ok := set.query(b, ind, tm, "thresholdMetric")
		if !ok {
			r.add(s.file, s.line(), None, "SLO "+name, "its indicator has no equivalent"+notImported)
			return "", "", false
		}
		return "availability", q, true
	}
	rm := ind.spec.RatioMetric
	if rm == nil {
		r.add(s.file, s.line(), None, "SLO "+name, "an indicator without ratioMetric or thresholdMetric"+notImported)
		return "", "", false
	}
	e := EventsEntry{Series: series}
	line := ind.loc.line(append(ind.path, "ratioMetric")...)
	construct := "SLI " + ind.name + " ratioMetric"
	if rm.Raw != nil {
		q, ok := set.query(b, ind, rm.Raw, "ratioMetric", "raw")
		if !ok {
			r.add(s.file, s.line(), None, "SLO "+name, "its indicator has no equivalent"+notImported)
			return "", "", false
		}
		if rm.RawType == v1.SLIRawMetricTypeFailure {
			e.ErrorQuery = q
		} else {
			e.GoodQuery = q
		}
		e.TotalQuery = "vector(1)"
		r.add(ind.loc.file, line, Approximate, construct+" raw",
			"the ratio as "+map[bool]string{true: "error_query", false: "good_query"}[e.ErrorQuery != ""]+" over total_query vector(1): the period's ratio is the ratio's time average, not a count of events")
		b.source.Events = append(b.source.Events, e)
		return "event_ratio", "", true
	}
	var good, bad, total string
	for _, p := range []struct {
		m    *v1.SLIMetricSpec
		key  string
		dest *string
	}{{rm.Good, "good", &good}, {rm.Bad, "bad", &bad}, {rm.Total, "total", &total}} {
		if p.m == nil {
			continue
		}
		q, ok := set.query(b, ind, p.m, "ratioMetric", p.key)
		if !ok {
			r.add(s.file, s.line(), None, "SLO "+name, "its indicator has no equivalent"+notImported)
			return "", "", false
		}
		*p.dest = q
	}
	if total == "" || (good == "") == (bad == "") {
		r.add(ind.loc.file, line, None, construct, "want total and one of good and bad"+notImported)
		return "", "", false
	}
	window := windowTemplate.MatchString(good + bad + total)
	if err := slothTemplates(good+bad, total); err != nil {
		// The source reads {{.window}} as Sloth does: one key, in both queries or neither.
		r.add(ind.loc.file, line, None, construct, err.Error()+notImported)
		return "", "", false
	}
	switch {
	case rm.Counter && !window && selector.MatchString(total) && selector.MatchString(good+bad):
		e.Good, e.Bad, e.Total = good, bad, total
		r.add(ind.loc.file, line, Exact, construct, "events good|bad/total selectors: the counters' increases counted exactly")
	case rm.Counter && !window:
		e.GoodQuery, e.ErrorQuery, e.TotalQuery = good, bad, total
		r.add(ind.loc.file, line, Exact, construct, "events good_query|error_query/total_query: increases of the counter-valued expressions, resets handled")
	case window:
		e.GoodQuery, e.ErrorQuery, e.TotalQuery = good, bad, total
		r.add(ind.loc.file, line, Exact, construct, "events good_query|error_query/total_query with {{.window}}: per-second rates over each step")
	default:
		r.add(ind.loc.file, line, None, construct, "counter: false without {{.window}}: gauge-valued counts per data point have no equivalent"+notImported)
		return "", "", false
	}
	b.source.Events = append(b.source.Events, e)
	return "event_ratio", "", true
}

// alerting maps the SLO's alert policies' burn-rate conditions onto tiers. OpenSLO names one
// lookback window; the tier's short window is a twelfth of it (the SRE workbook's ratio), so that
// the alert resolves soon after the burn stops.
func (set *openSLOSet) alerting(r *Report, s located[v1.SLO], per string) *Alerting {
	name := s.obj.Metadata.Name
	if len(s.obj.Spec.AlertPolicies) == 0 {
		return nil
	}
	out := &Alerting{}
	periodLen := nominal(per)
	for i, ap := range s.obj.Spec.AlertPolicies {
		at := []string{"spec", "alertPolicies", fmt.Sprint(i)}
		var spec v1.AlertPolicySpec
		pl := located[v1.AlertPolicy]{file: s.file, node: s.node}
		ppath := append(at, "spec")
		switch {
		case ap.SLOAlertPolicyInline != nil:
			spec = ap.SLOAlertPolicyInline.Spec
		case ap.SLOAlertPolicyRef != nil:
			ref, ok := set.policies[ap.AlertPolicyRef]
			if !ok {
				r.add(s.file, s.line(at...), None, "SLO "+name+" alertPolicyRef "+ap.AlertPolicyRef, "no AlertPolicy of that name in the files given")
				continue
			}
			spec, pl, ppath = ref.obj.Spec, ref, []string{"spec"}
			set.used["AlertPolicy/"+ref.obj.Metadata.Name] = true
		default:
			continue
		}
		if spec.AlertWhenNoData {
			r.add(pl.file, pl.line(append(ppath, "alertWhenNoData")...), Approximate, "AlertPolicy alertWhenNoData", "sla_exporter alerts on a stale source (SLASourceStale), not per objective")
		}
		if spec.AlertWhenResolved {
			r.add(pl.file, pl.line(append(ppath, "alertWhenResolved")...), None, "AlertPolicy alertWhenResolved", "resolved notifications are Alertmanager's send_resolved")
		}
		if len(spec.NotificationTargets) > 0 {
			r.add(pl.file, pl.line(append(ppath, "notificationTargets")...), None, "AlertPolicy notificationTargets", "notification routing is Alertmanager's")
		}
		for j, c := range spec.Conditions {
			cpath := append(append([]string{}, ppath...), "conditions", fmt.Sprint(j))
			var cs v1.AlertConditionSpec
			cl := pl
			switch {
			case c.AlertPolicyConditionInline != nil:
				cs = c.AlertPolicyConditionInline.Spec
			case c.AlertPolicyConditionRef != nil:
				ref, ok := set.conditions[c.ConditionRef]
				if !ok {
					r.add(pl.file, pl.line(cpath...), None, "AlertPolicy conditionRef "+c.ConditionRef, "no AlertCondition of that name in the files given")
					continue
				}
				set.used["AlertCondition/"+ref.obj.Metadata.Name] = true
				cs, cl, cpath = ref.obj.Spec, located[v1.AlertPolicy]{file: ref.file, node: ref.node}, []string{}
			default:
				continue
			}
			cond := cs.Condition
			construct := fmt.Sprintf("SLO %s alert condition %s %s %v over %s", name, cond.Kind, cond.Operator, derefOr(cond.Threshold), cond.LookbackWindow.String())
			long := cond.LookbackWindow.Duration()
			if cond.Kind != v1.AlertConditionKindBurnRate || (cond.Operator != v1.OperatorGT && cond.Operator != v1.OperatorGTE) || cond.Threshold == nil || long < 2*time.Minute {
				r.add(cl.file, cl.line(cpath...), None, construct, "only burn rates above a threshold over a window of 2m or more are tiers")
				continue
			}
			budget := *cond.Threshold * float64(long) / float64(periodLen)
			if !(budget > 0 && budget <= 1) {
				r.add(cl.file, cl.line(cpath...), None, construct, "the threshold spends more than the period's budget within the window")
				continue
			}
			sev := "ticket"
			if cs.Severity == "page" || cs.Severity == "critical" {
				sev = "page"
				if cs.Severity != "page" {
					out.PageSeverity = cs.Severity
				}
			} else if cs.Severity != "ticket" {
				out.TicketSeverity = cs.Severity
			}
			t := BurnTier{Long: durationText(long), Short: durationText(long / 12), Budget: budget, Severity: sev}
			if cond.AlertAfter != nil {
				t.For = cond.AlertAfter.String()
			}
			out.BurnRates = append(out.BurnRates, t)
			r.add(cl.file, cl.line(cpath...), Approximate, construct,
				fmt.Sprintf("burn_rates tier long %s, short %s (OpenSLO has one window), budget %.4g (threshold × window / %s)", t.Long, t.Short, budget, per))
		}
	}
	if out.PageSeverity != "" && out.PageSeverity == out.TicketSeverity {
		out.TicketSeverity = ""
	}
	if len(out.BurnRates) == 0 {
		return &Alerting{PageSeverity: out.PageSeverity, TicketSeverity: out.TicketSeverity}
	}
	return out
}

func derefOr(f *float64) any {
	if f == nil {
		return "?"
	}
	return *f
}

// nominal is a period's length for a burn-rate budget: a calendar period's usual length.
func nominal(per string) time.Duration {
	day := 24 * time.Hour
	switch per {
	case "week":
		return 7 * day
	case "month":
		return 30 * day
	case "quarter":
		return 91 * day
	case "year":
		return 365 * day
	}
	var n int
	fmt.Sscanf(per, "rolling:%dd", &n)
	return time.Duration(n) * day
}

// durationText writes a duration in Prometheus' syntax, which the configuration reads.
func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		d = time.Second
	}
	return modelDuration(d)
}
