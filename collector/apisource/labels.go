package apisource

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// LabelPattern maps labels (GitHub's priority/P1, GitLab's scoped severity::1) to a value: a
// regular expression matched against the whole label, whose first group that matched, when it
// has groups, is the value (else the whole label is). Empty matches nothing.
type LabelPattern struct {
	re *regexp.Regexp
}

// CompileLabelPattern compiles a pattern; its error says what is wrong without the regexp
// package's prefix.
func CompileLabelPattern(expr string) (LabelPattern, error) {
	if expr == "" {
		return LabelPattern{}, nil
	}
	re, err := regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		return LabelPattern{}, fmt.Errorf("%q is not a regular expression: %s", expr, msg)
	}
	return LabelPattern{re: re}, nil
}

// Set reports whether the pattern is configured.
func (p LabelPattern) Set() bool { return p.re != nil }

// Match returns the value of the first label (in name order, so that the outcome does not depend
// on the order the API lists labels in) that the pattern matches, and whether one did. A label
// matching with an empty value does not count.
func (p LabelPattern) Match(labels []string) (string, bool) {
	if p.re == nil {
		return "", false
	}
	sorted := slices.Sorted(slices.Values(labels))
	for _, l := range sorted {
		m := p.re.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		v := m[0]
		if len(m) > 1 {
			v = firstGroup(m[1:])
		}
		if v = strings.TrimSpace(v); v != "" {
			return v, true
		}
	}
	return "", false
}

// firstGroup is the first group that matched something.
func firstGroup(groups []string) string {
	for _, g := range groups {
		if g != "" {
			return g
		}
	}
	return ""
}

// MatchesAny reports whether one of labels is in set, compared case-insensitively.
func MatchesAny(labels []string, set []string) (string, bool) {
	for _, l := range labels {
		for _, s := range set {
			if strings.EqualFold(l, s) {
				return l, true
			}
		}
	}
	return "", false
}

// LabelMapping is the block of label-driven attributes shared by the kinds whose tickets carry
// labels (github, gitlab): embed it with `yaml:",inline"`.
type LabelMapping struct {
	// PriorityLabel is the pattern of the labels giving the priority ("priority/(P[1-4])",
	// "severity::(\d)"); the value may be renamed by the source's priorities mapping.
	PriorityLabel string `yaml:"priority_label"`
	// DefaultPriority is the priority of a ticket no label gives one.
	DefaultPriority string `yaml:"default_priority"`
	// TypeLabel and DefaultType give the ticket's type the same way.
	TypeLabel   string `yaml:"type_label"`
	DefaultType string `yaml:"default_type"`
	// GroupLabel and DefaultGroup give its group (team, queue).
	GroupLabel   string `yaml:"group_label"`
	DefaultGroup string `yaml:"default_group"`
	// FieldLabels maps field names to patterns: field_labels: {component: "component/(.+)"}.
	FieldLabels map[string]string `yaml:"field_labels"`
	// PausedLabels are labels that pause the ticket while it carries one of them
	// ("status/waiting"), compared case-insensitively: the history has the label's name as
	// status, in category paused, from when it was added until it was removed.
	PausedLabels []string `yaml:"paused_labels"`
}

// Labels is a LabelMapping compiled.
type Labels struct {
	Priority, Type, Group        LabelPattern
	DefaultPriority, DefaultType string
	DefaultGroup                 string
	Fields                       map[string]LabelPattern
	Paused                       []string
}

// Compile checks the patterns; errors are positioned in node, the kind's block.
func (m *LabelMapping) Compile(node *yaml.Node) (*Labels, error) {
	l := &Labels{DefaultPriority: m.DefaultPriority, DefaultType: m.DefaultType, DefaultGroup: m.DefaultGroup,
		Fields: map[string]LabelPattern{}, Paused: m.PausedLabels}
	for _, p := range []struct {
		key  string
		expr string
		out  *LabelPattern
	}{{"priority_label", m.PriorityLabel, &l.Priority}, {"type_label", m.TypeLabel, &l.Type}, {"group_label", m.GroupLabel, &l.Group}} {
		pat, err := CompileLabelPattern(p.expr)
		if err != nil {
			return nil, Fail(node, []string{p.key}, "%v", err)
		}
		*p.out = pat
	}
	for _, name := range slices.Sorted(maps.Keys(m.FieldLabels)) {
		if strings.TrimSpace(name) == "" {
			return nil, Fail(node, []string{"field_labels"}, "a field needs a name")
		}
		pat, err := CompileLabelPattern(m.FieldLabels[name])
		if err != nil {
			return nil, Fail(node, []string{"field_labels", name}, "%v", err)
		}
		if !pat.Set() {
			return nil, Fail(node, []string{"field_labels", name}, "needs a pattern")
		}
		l.Fields[name] = pat
	}
	for i, p := range m.PausedLabels {
		if strings.TrimSpace(p) == "" {
			return nil, Fail(node, []string{"paused_labels"}, "entry %d is empty", i+1)
		}
	}
	return l, nil
}

// Apply sets a ticket's priority, type, group and label fields from its labels.
func (l *Labels) Apply(t *ticket.Ticket, labels []string) {
	t.Priority = matchOr(l.Priority, labels, l.DefaultPriority)
	t.Type = matchOr(l.Type, labels, t.Type, l.DefaultType)
	t.Group = matchOr(l.Group, labels, l.DefaultGroup)
	for name, p := range l.Fields {
		if v, ok := p.Match(labels); ok {
			if t.Fields == nil {
				t.Fields = map[string]string{}
			}
			t.Fields[name] = v
		}
	}
}

// PausedBy returns the first of labels that pauses, if any.
func (l *Labels) PausedBy(labels []string) (string, bool) { return MatchesAny(labels, l.Paused) }

// IsPaused says whether a label pauses.
func (l *Labels) IsPaused(label string) bool {
	_, ok := MatchesAny([]string{label}, l.Paused)
	return ok
}

func matchOr(p LabelPattern, labels []string, defaults ...string) string {
	if v, ok := p.Match(labels); ok {
		return v
	}
	return cmp.Or(defaults...)
}
