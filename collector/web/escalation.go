package web

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/display"
)

// escalationTable is a ticket objective's escalation levels on its page: per level where it
// starts, whom it tells and how many open cycles are at it now (sla_tickets_escalated), each
// count a link to those cycles (the drill-down's level filter).
type escalationTable struct {
	Levels []escalationRow
	// Withheld: the objective's figures are withheld (its source is stale), so the counts are
	// not shown rather than shown as zeros.
	Withheld bool
	// Open is the open cycles at any level; Highest names the highest level with any ("3 (90%)").
	Open    string
	Highest string
}

// escalationRow is one level of the table.
type escalationRow struct {
	Level    int
	At       string
	Until    string
	Severity string
	Labels   string
	Open     string
	URL      string
	// Hot marks a level with open cycles at or past the target (At of 100% or more).
	Hot bool
}

// escalationView builds the table from the objective's configured levels (their labels are
// the configuration's only) and the latest evaluation's counts; nil for an objective without
// levels.
func escalationView(levels []config.EscalationLevel, res *collector.ObjectiveResult) *escalationTable {
	if len(levels) == 0 {
		return nil
	}
	t := &escalationTable{Withheld: res.Stale || len(res.Escalation) != len(levels)}
	total := 0
	for i, l := range levels {
		r := escalationRow{Level: i + 1, At: sharePercent(l.At), Severity: l.Severity, Labels: labelList(l.Labels)}
		if i+1 < len(levels) {
			r.Until = sharePercent(levels[i+1].At)
		}
		if !t.Withheld {
			n := res.Escalation[i].Open
			total += n
			r.Open = display.Count(float64(n))
			r.URL = ticketsURL(res.Objective, url.Values{"level": {strconv.Itoa(i + 1)}})
			r.Hot = n > 0 && l.At >= 1
			if n > 0 {
				t.Highest = fmt.Sprintf("%d (%s)", i+1, r.At)
			}
		}
		t.Levels = append(t.Levels, r)
	}
	if !t.Withheld {
		t.Open = display.Count(float64(total))
	}
	return t
}

// objectiveLevels is the configured escalation of the named objective; nil without a
// configuration or levels.
func objectiveLevels(cfg *config.Config, name string) []config.EscalationLevel {
	if cfg == nil {
		return nil
	}
	for i := range cfg.Objectives {
		if cfg.Objectives[i].Name == name {
			return cfg.Objectives[i].Escalation
		}
	}
	return nil
}

// sharePercent writes a level's share as configured: "50%", "150%", "12.5%".
func sharePercent(at float64) string {
	return strconv.FormatFloat(math.Round(at*1e6)/1e4, 'f', -1, 64) + "%"
}

// labelList writes a level's labels sorted by name: "notify=lead, team=desk".
func labelList(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ", ")
}

// escalatedNote is the status page's hint of a ticket objective's escalation: its highest level
// with open cycles, how many, and the link to them.
type escalatedNote struct {
	Level, Levels int
	At, Open, URL string
}

// highestEscalated is the highest level of o with open cycles; nil when none has any, or o has
// no levels (or its figures are withheld: the evaluation gives no counts then).
func highestEscalated(o *collector.ObjectiveResult) *escalatedNote {
	for i := len(o.Escalation) - 1; i >= 0; i-- {
		if l := o.Escalation[i]; l.Open > 0 {
			return &escalatedNote{Level: l.Level, Levels: len(o.Escalation), At: sharePercent(l.At), Open: display.Count(float64(l.Open)),
				URL: ticketsURL(o.Objective, url.Values{"level": {strconv.Itoa(l.Level)}})}
		}
	}
	return nil
}
