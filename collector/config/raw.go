package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sources"
)

// The raw types mirror the YAML file one to one. They are decoded strictly (an unknown key is an
// error with its line) and then checked and turned into engine types in build.go, where errors
// get the line of the field at fault.

type rawConfig struct {
	// Include names the files whose lists are appended to this file's (include.go).
	Include    includeList    `yaml:"include"`
	Global     rawGlobal      `yaml:"global"`
	Calendars  []rawCalendar  `yaml:"calendars"`
	Sources    []rawSource    `yaml:"sources"`
	Services   []rawService   `yaml:"services"`
	Objectives []rawObjective `yaml:"objectives"`
	KPIs       []rawKPI       `yaml:"kpis"`
	Contracts  []rawContract  `yaml:"contracts"`
	// Reports are scheduled deliveries of the report (reports.go).
	Reports []rawReport `yaml:"reports"`
	// Staffing are the service desk groups planned against ticket objectives (staffing.go).
	Staffing []rawStaffing `yaml:"staffing"`
}

type rawGlobal struct {
	EvaluationInterval model.Duration `yaml:"evaluation_interval"`
	Staleness          model.Duration `yaml:"staleness"`
	Timezone           string         `yaml:"timezone"`
	HistoryPeriods     *int           `yaml:"history_periods"`
	// BurnWindows and PublishedHistoryPeriods trim the series published (budget.go).
	BurnWindows             []model.Duration  `yaml:"burn_windows"`
	PublishedHistoryPeriods *int              `yaml:"published_history_periods"`
	Alerting                rawAlerting       `yaml:"alerting"`
	Report                  rawReportContents `yaml:"report"`
}

// rawReportContents is global.report: what every service report shows. Pointers and nil lists tell an
// absent key (the default) from an explicit 0 or empty list.
type rawReportContents struct {
	Top                *int     `yaml:"top"`
	RecurringIncidents *int     `yaml:"recurring_incidents"`
	ProblemFields      []string `yaml:"problem_fields"`
	IncidentTypes      []string `yaml:"incident_types"`
}

// rawAlerting is the alerting block of global (defaults) and of an objective (overrides).
type rawAlerting struct {
	Disabled       *bool             `yaml:"disabled"`
	PageSeverity   string            `yaml:"page_severity"`
	TicketSeverity string            `yaml:"ticket_severity"`
	RunbookURL     string            `yaml:"runbook_url"`
	DashboardURL   string            `yaml:"dashboard_url"`
	BurnRates      []rawBurnTier     `yaml:"burn_rates"`
	ForecastFor    model.Duration    `yaml:"forecast_for"`
	Labels         map[string]string `yaml:"labels"`
}

type rawBurnTier struct {
	Long     model.Duration `yaml:"long"`
	Short    model.Duration `yaml:"short"`
	Budget   ratio          `yaml:"budget"`
	Severity string         `yaml:"severity"`
	For      model.Duration `yaml:"for"`
}

type rawCalendar struct {
	Name     string              `yaml:"name"`
	Timezone string              `yaml:"timezone"`
	Hours    map[string][]string `yaml:"hours"`
	Holidays []rawHoliday        `yaml:"holidays"`
	HalfDays []rawHalfDay        `yaml:"half_days"`
}

// rawHoliday is an entry of a calendar's holidays: a date ("2026-12-24"), a day of every year
// ("12-25"), or a country's public holidays ({country: DE, region: BY}).
type rawHoliday struct {
	Country string `yaml:"country"`
	Region  string `yaml:"region"`
	// date is the text of a scalar entry; empty for a mapping.
	date string
}

// UnmarshalYAML takes a scalar as a date and a mapping as a country's holidays; the mapping's keys
// are checked strictly by DecodeStrict like any other.
func (h *rawHoliday) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		h.date = n.Value
		return nil
	case yaml.MappingNode:
		type plain rawHoliday
		return n.Decode((*plain)(h))
	}
	return fmt.Errorf("line %d: a holiday is a date YYYY-MM-DD, a day of every year MM-DD or {country: XX, region: YY}", n.Line)
}

// rawHalfDay gives a date, or a day of every year, working hours of its own.
type rawHalfDay struct {
	Date  string    `yaml:"date"`
	Hours hoursList `yaml:"hours"`
}

// hoursList is one interval "09:00-13:00" or a list of them, as under a calendar's hours.
type hoursList []string

// UnmarshalYAML accepts a single string for the common case of one interval.
func (l *hoursList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = hoursList{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*l = list
	return nil
}

// rawSource keeps the kind's own block as a node: only the kind knows its schema, so a source
// kind is added by writing its package and one line in the table of kinds.
type rawSource struct {
	Name     string
	Type     string
	Interval model.Duration
	Timeout  model.Duration
	// Priorities, when set, are the only ticket priorities the source may deliver; a ticket with
	// another is rejected and counted. Written as a mapping, it also renames: each key is the
	// priority objectives use, its value the names (one or a list) the source writes for it.
	Priorities []string
	// PriorityNames is the mapping form of priorities: key → the names the source writes.
	PriorityNames map[string][]string
	// prioritiesNode is where priorities was written, for errors.
	prioritiesNode *yaml.Node
	// TicketURL is the link to a ticket in its tool, with {id} for the ticket's id.
	TicketURL  string
	Health     rawHealth
	healthNode *yaml.Node
	// webhookNode is the webhook block (webhook.go), decoded by the builder so that its errors
	// name their field; nil when absent.
	webhookNode *yaml.Node
	Block       *yaml.Node
	node        *yaml.Node
}

// rawHealth is a source's health: block. Pointers tell an explicit 0 from an absent key.
type rawHealth struct {
	MaxRejectedRatio *ratio `yaml:"max_rejected_ratio"`
	MinVolumeRatio   *ratio `yaml:"min_volume_ratio"`
}

// decodePriorities reads priorities: a list of accepted names, or a mapping from the name
// objectives use to the name or names the source writes for it.
func (s *rawSource) decodePriorities(v *yaml.Node) error {
	s.prioritiesNode = v
	if v.Kind != yaml.MappingNode {
		return v.Decode(&s.Priorities)
	}
	s.PriorityNames = map[string][]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, names := v.Content[i], v.Content[i+1]
		var list []string
		if names.Kind == yaml.ScalarNode {
			list = []string{names.Value}
		} else if err := names.Decode(&list); err != nil {
			return fmt.Errorf("%s: %w", k.Value, err)
		}
		s.PriorityNames[k.Value] = list
		s.Priorities = append(s.Priorities, k.Value)
	}
	return nil
}

// UnmarshalYAML decodes the common keys and keeps the block named after the type. Any other key
// is an error, as everywhere else in the file.
func (s *rawSource) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a source must be a mapping", n.Line)
	}
	s.node = n
	blocks := map[string]*yaml.Node{}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			err = v.Decode(&s.Name)
		case "type":
			err = v.Decode(&s.Type)
		case "interval":
			err = v.Decode(&s.Interval)
		case "timeout":
			err = v.Decode(&s.Timeout)
		case "priorities":
			err = s.decodePriorities(v)
		case "ticket_url":
			err = v.Decode(&s.TicketURL)
		case "health":
			s.healthNode = v
			err = collector.DecodeStrict(v, &s.Health)
		case "webhook":
			s.webhookNode = v
		default:
			blocks[k.Value], keys[k.Value] = v, k
			continue
		}
		if err != nil {
			return fmt.Errorf("line %d: source field %s: %w", v.Line, k.Value, err)
		}
	}
	if _, err := sources.Lookup(s.Type); err != nil {
		return nil // the builder reports the unknown type, which is the mistake to fix first
	}
	for k, v := range blocks {
		if k != s.Type {
			return fmt.Errorf("line %d: %s: not a setting of a source of type %q (its settings go under %q)", keys[k].Line, k, s.Type, s.Type)
		}
		s.Block = v
	}
	return nil
}

type rawService struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Labels      map[string]string `yaml:"labels"`
	// Cost prices the service's missed promises (cost.go).
	Cost *rawCost `yaml:"cost"`
}

type rawObjective struct {
	Name        string            `yaml:"name"`
	Service     string            `yaml:"service"`
	Description string            `yaml:"description"`
	Kind        string            `yaml:"kind"`
	Target      ratio             `yaml:"target"`
	Period      string            `yaml:"period"`
	Timezone    string            `yaml:"timezone"`
	Source      string            `yaml:"source"`
	Series      string            `yaml:"series"`
	Labels      map[string]string `yaml:"labels"`
	BurnWindows []model.Duration  `yaml:"burn_windows"`
	// PublishedHistoryPeriods is a pointer so that an explicit 0 differs from the global default.
	PublishedHistoryPeriods *int              `yaml:"published_history_periods"`
	ForecastWindow          model.Duration    `yaml:"forecast_window"`
	Clock                   string            `yaml:"clock"`
	Calendar                string            `yaml:"calendar"`
	Targets                 map[string]string `yaml:"targets"`
	PauseOn                 []string          `yaml:"pause_on"`
	Reopen                  string            `yaml:"reopen"`
	WarnAt                  ratio             `yaml:"warn_at"`
	ToolDeadline            string            `yaml:"tool_deadline_field"`
	Verdict                 string            `yaml:"verdict"`
	// NativeTolerance is a pointer so that an explicit 0s (deadlines must match to the
	// second) differs from the default.
	NativeTolerance *model.Duration     `yaml:"native_tolerance"`
	Select          map[string][]string `yaml:"select"`
	// Escalation is default or a list of levels (escalation.go).
	Escalation   rawEscalation   `yaml:"escalation"`
	Availability rawAvailability `yaml:"availability"`
	Alerting     rawAlerting     `yaml:"alerting"`
}

type rawAvailability struct {
	Slice                model.Duration     `yaml:"slice"`
	GoodThreshold        *ratio             `yaml:"good_threshold"`
	DegradedWeight       ratio              `yaml:"degraded_weight"`
	MaxSampleAge         model.Duration     `yaml:"max_sample_age"`
	Gaps                 string             `yaml:"gaps"`
	Maintenance          []rawWindow        `yaml:"maintenance"`
	RecurringMaintenance []rawRecurringWind `yaml:"recurring_maintenance"`
}

type rawWindow struct {
	Start time.Time `yaml:"start"`
	End   time.Time `yaml:"end"`
}

type rawRecurringWind struct {
	Weekdays []string       `yaml:"weekdays"`
	Start    string         `yaml:"start"`
	Duration model.Duration `yaml:"duration"`
	Timezone string         `yaml:"timezone"`
}

type rawKPI struct {
	Name          string              `yaml:"name"`
	Service       string              `yaml:"service"`
	Description   string              `yaml:"description"`
	Kind          string              `yaml:"kind"`
	Source        string              `yaml:"source"`
	Stat          string              `yaml:"stat"`
	Calendar      string              `yaml:"calendar"`
	ExcludePaused bool                `yaml:"exclude_paused"`
	Select        map[string][]string `yaml:"select"`
	Period        string              `yaml:"period"`
	Timezone      string              `yaml:"timezone"`
	Target        kpiValue            `yaml:"target"`
	Red           *kpiValue           `yaml:"red"`
	Direction     string              `yaml:"direction"`
	Field         string              `yaml:"field"`
	SuccessValues []string            `yaml:"success_values"`
}

// kpiValue is a KPI threshold: a number, a percentage ("95%") for ratio KPIs, or a duration
// ("4h", "2d") for time KPIs, in seconds. Which fits the KPI's kind is checked once it is known.
type kpiValue struct {
	v    float64
	set  bool
	pct  bool
	text string
}

// UnmarshalYAML accepts a number, a percentage or a Prometheus duration.
func (k *kpiValue) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number, a percentage or a duration", n.Line)
	}
	k.text = strings.TrimSpace(n.Value)
	if v, ok, err := parsePercent(k.text); ok {
		k.v, k.set, k.pct = v, true, true
		return err
	}
	if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
		k.v, k.set = f, true
		return nil
	}
	d, err := model.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is neither a number, a percentage nor a duration", n.Line, n.Value)
	}
	k.v, k.set = time.Duration(d).Seconds(), true
	return nil
}

type rawContract struct {
	Name        string    `yaml:"name"`
	Description string    `yaml:"description"`
	Objectives  []string  `yaml:"objectives"`
	Tiers       []rawTier `yaml:"tiers"`
	Fee         float64   `yaml:"fee"`
	Currency    string    `yaml:"currency"`
	Aggregate   string    `yaml:"aggregate"`
	Cap         ratio     `yaml:"cap"`
	ClaimWithin string    `yaml:"claim_within"`
}

type rawTier struct {
	Below  ratio `yaml:"below"`
	Credit ratio `yaml:"credit"`
}
