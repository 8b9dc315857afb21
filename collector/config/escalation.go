package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo"
)

// EscalationLevel is one level of a ticket objective's escalation: the open cycles that have
// used at least At of their target (and less than the next level's) are counted at it
// (sla_tickets_escalated) and alerted on with its severity and labels (SLATicketsEscalated).
type EscalationLevel struct {
	// At is the share of the target used, 0.5 for 50%; above 1 for cycles past their target.
	At float64
	// Severity is the severity label of the level's alert and metric.
	Severity string
	// Labels are added to the level's alert, to route it (notify: lead).
	Labels map[string]string
}

// DefaultEscalation is what `escalation: default` stands for: 50%, 75%, 90% and 100% of the
// target, told to the team, its lead and (twice) its manager.
var DefaultEscalation = []EscalationLevel{
	{At: 0.5, Severity: "info", Labels: map[string]string{"notify": "team"}},
	{At: 0.75, Severity: "warning", Labels: map[string]string{"notify": "lead"}},
	{At: 0.9, Severity: "critical", Labels: map[string]string{"notify": "manager"}},
	{At: 1, Severity: "critical", Labels: map[string]string{"notify": "manager"}},
}

// MaxEscalationShare bounds a level's share: ten times the target is far past any deadline
// someone still escalates, and a bigger figure is most likely a slip (5000% for 50%).
const MaxEscalationShare = 10

// MaxEscalationLevels bounds an objective's levels: the Alertmanager example's inhibition, a
// level silencing the ones below it, is written for levels 1 to 9.
const MaxEscalationLevels = 9

// escalationLabels are the labels a level's alert gets from the rules or from the series it
// fires on (besides the objective's alerting labels): a level's labels may not set them.
var escalationLabels = []string{"alertname", "objective", "service", "source", "severity", "level", "escalation_level",
	"kind", "period", "unit", "state", "status", "window", "burn_tier", "kpi", "series", "target", "prober"}

// rawEscalation is an objective's escalation key: the word default, or a list of levels.
type rawEscalation []rawEscalationLevel

// rawEscalationLevel is one listed level.
type rawEscalationLevel struct {
	At       escalationShare   `yaml:"at"`
	Severity string            `yaml:"severity"`
	Labels   map[string]string `yaml:"labels"`
}

// UnmarshalYAML takes the scalar default as DefaultEscalation and a list as its levels; the
// list's mappings are checked strictly by DecodeStrict like any other.
func (e *rawEscalation) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "default" {
			return fmt.Errorf("line %d: escalation is default or a list of levels {at, severity, labels}, not %q", n.Line, n.Value)
		}
		*e = make(rawEscalation, len(DefaultEscalation))
		for i, l := range DefaultEscalation {
			(*e)[i] = rawEscalationLevel{At: escalationShare(l.At), Severity: l.Severity, Labels: maps.Clone(l.Labels)}
		}
		return nil
	case yaml.SequenceNode:
		var list []rawEscalationLevel
		if err := n.Decode(&list); err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("line %d: an empty escalation list: leave the key out for no levels", n.Line)
		}
		*e = list
		return nil
	}
	return fmt.Errorf("line %d: escalation is default or a list of levels {at, severity, labels}", n.Line)
}

// escalationShare is a level's share of the target: a percentage ("50%", "150%"), or a number
// up to 1 (0.5). A number above 1 is refused, as for ratios: 50 for 50% is the usual slip.
type escalationShare float64

// UnmarshalYAML reads a percentage, which may exceed 100%, or a ratio.
func (s *escalationShare) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if num, ok := strings.CutSuffix(strings.TrimSpace(n.Value), "%"); ok {
			// As parsePercent reads it (90% is the float64 nearest 0.9), but past 100% too.
			num = strings.TrimSpace(num)
			v, err := strconv.ParseFloat(num+"e-2", 64)
			if !decimal.MatchString(num) || err != nil {
				return fmt.Errorf("%q is not a percentage such as 50%% or 150%%", n.Value)
			}
			*s = escalationShare(v)
			return nil
		}
	}
	v, err := parseRatio(n)
	*s = escalationShare(v)
	return err
}

// escalation checks an objective's escalation levels and sets them on o: ticket objectives only,
// at most MaxEscalationLevels, shares strictly increasing in (0, MaxEscalationShare], a severity each, label names that are
// Prometheus label names and clash neither with the labels the alert carries anyway nor with the
// objective's alerting labels.
func (b *builder) escalation(ro *rawObjective, o *Objective, at []any) error {
	if ro.Escalation == nil {
		return nil
	}
	field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
	if o.Kind != slo.TicketSLA {
		return b.fail(fmt.Errorf("escalation applies to ticket objectives, not %s", o.Kind), field("escalation")...)
	}
	if len(ro.Escalation) > MaxEscalationLevels {
		return b.fail(fmt.Errorf("%d levels: at most %d", len(ro.Escalation), MaxEscalationLevels), field("escalation")...)
	}
	levels := make([]EscalationLevel, len(ro.Escalation))
	shares := make([]float64, len(ro.Escalation))
	for i, rl := range ro.Escalation {
		l := EscalationLevel{At: float64(rl.At), Severity: rl.Severity, Labels: maps.Clone(rl.Labels)}
		switch {
		case !(l.At > 0) || math.IsNaN(l.At):
			return b.fail(fmt.Errorf("%v is not a share of the target above 0%%", l.At), field("escalation", i, "at")...)
		case l.At > MaxEscalationShare:
			return b.fail(fmt.Errorf("%v%% is more than %d%% of the target", percentOf(l.At), MaxEscalationShare*100), field("escalation", i, "at")...)
		case i > 0 && !(l.At > levels[i-1].At):
			return b.fail(fmt.Errorf("%v%% is not above the previous level's %v%%: levels go up strictly", percentOf(l.At), percentOf(levels[i-1].At)), field("escalation", i, "at")...)
		case strings.TrimSpace(l.Severity) == "":
			return b.fail(errors.New("severity is required (the level's alert and metric carry it)"), field("escalation", i, "severity")...)
		}
		for _, k := range slices.Sorted(maps.Keys(l.Labels)) {
			var err error
			switch {
			case !labelName.MatchString(k) || strings.HasPrefix(k, "__"):
				err = fmt.Errorf("%q is not a label name", k)
			case slices.Contains(escalationLabels, k):
				err = fmt.Errorf("%q is set on the alert already and cannot be a level's label", k)
			case o.Alerting.Labels[k] != "":
				err = fmt.Errorf("%q is one of the objective's alerting labels: a level's labels add to them", k)
			}
			if err != nil {
				return b.fail(err, field("escalation", i, "labels")...)
			}
		}
		levels[i], shares[i] = l, l.At
	}
	o.Escalation, o.Objective.Escalation = levels, shares
	return nil
}

// percentOf writes a share as the percentage it was most likely written as.
func percentOf(v float64) float64 { return math.Round(v*1e8) / 1e6 }
