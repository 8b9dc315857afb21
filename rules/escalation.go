package rules

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"

	"github.com/sla-exporter/sla_exporter/slo/conventions"
)

// AlertTicketsEscalated: open ticket cycles at an escalation level of a ticket objective, one rule
// per level told apart by LabelEscalationLevel, with the level's severity and labels. The
// Alertmanager example (deploy/alertmanager) routes the levels by their labels and lets a higher
// level of an objective inhibit its lower ones.
const AlertTicketsEscalated = "SLATicketsEscalated"

// LabelEscalationLevel is the 1-based level of an AlertTicketsEscalated alert, as the level label
// of sla_tickets_escalated ("1", "2" ...): inhibition rules compare it.
const LabelEscalationLevel = "escalation_level"

// escalation returns one alert per escalation level of the objective. Each fires while any open
// cycle is at exactly its level (sla_tickets_escalated counts each cycle at one level), without a
// `for`: a cycle reaches a level at a known instant, and the exporter evaluates it then.
func (ob *objectiveRules) escalation() []Rule {
	levels := ob.o.Escalation
	out := make([]Rule, 0, len(levels))
	for i, l := range levels {
		n := strconv.Itoa(i + 1)
		extra := []string{LabelEscalationLevel, n}
		for _, k := range slices.Sorted(maps.Keys(l.Labels)) {
			extra = append(extra, k, l.Labels[k])
		}
		share := ob.nums.percent(l.At) + "%"
		span := "at least " + share + " of their target time"
		if i+1 < len(levels) {
			span += " and less than " + ob.nums.percent(levels[i+1].At) + "%"
		}
		out = append(out, Rule{
			Alert:  AlertTicketsEscalated,
			Expr:   ob.series(conventions.TicketsEscalated, conventions.LabelLevel, n) + " > 0",
			Labels: ob.labels(l.Severity, extra...),
			Annotations: ob.annotations(
				fmt.Sprintf("%s: {{ $value }} open tickets at escalation level %s (%s of their target used)", ob.o.Name, n, share),
				fmt.Sprintf("{{ $value }} open ticket cycles of %s (service %s) have used %s: escalation level %s of %d (severity %s). List them with /api/v1/objectives/%s/tickets?level=%s.",
					ob.o.Name, ob.o.Service, span, n, len(levels), l.Severity, url.PathEscape(ob.o.Name), n)),
		})
	}
	return out
}
