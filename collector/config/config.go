package config

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/delivery"
	"github.com/sla-exporter/sla_exporter/collector/webhook"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/period"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Defaults.
const (
	DefaultEvaluationInterval = 30 * time.Second
	DefaultStaleness          = 2 * time.Hour
	DefaultHistoryPeriods     = 12
	DefaultSourceInterval     = 5 * time.Minute
	DefaultSourceTimeout      = time.Minute
	DefaultWarnAt             = 0.75
	// DefaultNativeTolerance: tools keep deadlines to the minute.
	DefaultNativeTolerance = time.Minute
)

// Config is a checked configuration, with engine objects built and defaults filled in.
type Config struct {
	// File is the name the configuration was loaded from (a file, or a folder); Hash identifies
	// the content of every file of it and which files those are, so a reload of an unchanged
	// configuration can be skipped and one with a file added, changed or removed cannot.
	File string
	Hash string
	// Files are the files of the configuration in the order their lists were merged: the main
	// file, then those it includes, depth first.
	Files []string
	// Warnings are positioned notes ("file:line: field: ...") on settings that load but may not
	// mean what they say, such as a target of "5d" on a business-hours calendar, which is 120
	// hours of working time rather than five working days. check prints them.
	Warnings []string

	Global     Global
	Calendars  map[string]*calendar.Calendar
	Sources    []Source
	Services   map[string]Service
	Objectives []Objective
	KPIs       []KPI
	Contracts  []Contract
	// Reports are the scheduled deliveries of the report (reports.go), in file order.
	Reports []delivery.Spec
	// Staffing are the service desk groups planned against ticket objectives (staffing.go).
	Staffing []StaffingGroup
	// place maps settings back to the file and line they were written at, for Line and Where.
	place *placement
}

// Global holds the settings that apply everywhere.
type Global struct {
	// EvaluationInterval is how often every objective is evaluated (also after new data).
	EvaluationInterval time.Duration
	// Staleness is how old a source's last successful sync may be before the objectives fed by
	// it turn no_data instead of publishing figures that look current.
	Staleness time.Duration
	// Location is the default timezone of periods and calendars.
	Location *time.Location
	// HistoryPeriods is how many finished periods are kept frozen per objective.
	HistoryPeriods int
	// BurnWindows are the burn windows of every objective that names none (global.burn_windows,
	// default slo.DefaultBurnWindows); an objective's alert tiers add theirs.
	BurnWindows []time.Duration
	// PublishedHistoryPeriods is how many of the latest frozen periods each objective publishes
	// as sla_period_final_attainment (global.published_history_periods, default HistoryPeriods);
	// the rest are kept for the pages, the drill-down and the contracts, but not published.
	PublishedHistoryPeriods int
	// Alerting holds the defaults of every objective's alerting.
	Alerting Alerting
	// Report says what the service report shows (sla_exporter report, /report).
	Report Report
}

// Report holds the settings of the service report.
type Report struct {
	// Top is how many of the costliest outages or breached tickets are listed per objective, and
	// how many values per field the problem trends list.
	Top int
	// RecurringIncidents is how many incidents of one category, service or configuration item in
	// a period make it a problem candidate.
	RecurringIncidents int
	// ProblemFields are the ticket fields whose values the problem trends count incidents by
	// (priority, type and group name the ticket's own attributes); empty for no problem trends.
	ProblemFields []string
	// IncidentTypes are the ticket types the problem trends count; empty counts every ticket.
	IncidentTypes []string
}

// Report defaults.
const (
	DefaultReportTop          = 5
	DefaultRecurringIncidents = 5
	// MaxReportTop bounds Top: a report is read by people.
	MaxReportTop = 50
)

// DefaultProblemFields and DefaultIncidentTypes are global.report's defaults: the usual names of
// an incident's category, service and configuration item, and ITSM tools' incident type.
var (
	DefaultProblemFields = []string{"category", "service", "ci"}
	DefaultIncidentTypes = []string{"incident"}
)

// Alerting says which alerts the rules command generates for an objective and how they are
// labelled. An objective's alerting block overrides the global one key by key.
type Alerting struct {
	Disabled bool
	// PageSeverity and TicketSeverity are the severity label values of the two kinds of alert
	// (default page and ticket).
	PageSeverity, TicketSeverity string
	// RunbookURL and DashboardURL go into the annotations; they may hold Prometheus alert
	// template expressions such as {{ $labels.objective }}.
	RunbookURL, DashboardURL string
	// BurnRates are the multi-window multi-burn-rate tiers; default DefaultBurnTiers.
	BurnRates []BurnTier
	// ForecastFor is how long the forecast must stay below target before the forecast alert
	// fires (default 1h).
	ForecastFor time.Duration
	// Labels are added to every alert of the objective.
	Labels map[string]string
}

// BurnTier is one multi-window burn-rate alert: it fires when the burn rate over both Long and
// Short exceeds Budget × period / Long, i.e. when Budget of the period's error budget would be
// spent within Long.
type BurnTier struct {
	Long, Short time.Duration
	// Budget is the share of the period's error budget the tier guards, e.g. 0.02.
	Budget float64
	// Severity is "page" or "ticket": which of PageSeverity and TicketSeverity labels it.
	Severity string
	For      time.Duration
}

// DefaultBurnTiers are the SRE workbook's tiers: 2% of the budget in 1h or 5% in 6h pages, 10%
// in 1d or in 3d opens a ticket. For a 30-day period their factors are 14.4, 6, 3 and 1.
var DefaultBurnTiers = []BurnTier{
	{Long: time.Hour, Short: 5 * time.Minute, Budget: 0.02, Severity: "page"},
	{Long: 6 * time.Hour, Short: 30 * time.Minute, Budget: 0.05, Severity: "page"},
	{Long: 24 * time.Hour, Short: 2 * time.Hour, Budget: 0.10, Severity: "ticket"},
	{Long: 72 * time.Hour, Short: 6 * time.Hour, Budget: 0.10, Severity: "ticket"},
}

// DefaultForecastFor is how long a forecast breach must last before it alerts.
const DefaultForecastFor = time.Hour

// Source is a configured source; its kind-specific block is decoded by the kind.
type Source struct {
	Name     string
	Type     string
	Interval time.Duration
	Timeout  time.Duration
	// Priorities, when set, are the only ticket priorities accepted from the source.
	Priorities []string
	// PriorityAliases maps the priorities the source writes, lower-cased, to those objectives
	// use, when priorities was written as a mapping.
	PriorityAliases map[string]string
	// Health says when a batch is too broken to commit.
	Health collector.HealthPolicy
	// TicketURL is the template of a link to one of the source's tickets in its tool, an
	// absolute http(s) URL holding {id}; empty when none is configured (see TicketLink).
	TicketURL string
	// Webhook, when set, is how calls to the source's webhook endpoint are signed: a valid call
	// syncs the source at once (collector.Runner.SyncNow).
	Webhook *webhook.Spec
	// Block is the kind's settings (the mapping under the key named after the type).
	Block *yaml.Node
	// Dir is the folder relative paths resolve against.
	Dir string
	// Hash identifies the source's settings, so a reload restarts only sources that changed.
	Hash string
}

// Service is a service objectives belong to.
type Service struct {
	Name        string
	Description string
	Labels      map[string]string
	// Cost prices the service's missed promises (cost.go); nil when it sets none.
	Cost *Cost
}

// Objective is an engine objective with where its data comes from.
type Objective struct {
	*slo.Objective
	Description string
	// PeriodName is the period as configured ("month", "rolling:30d").
	PeriodName string
	// Source names the source whose data the objective reads; Series the series within it
	// (availability and event objectives).
	Source string
	Series string
	// Labels are metadata for sla_objective_info: the service's labels, then the objective's.
	Labels map[string]string
	// Alerting is the objective's alerting, global defaults applied.
	Alerting Alerting
	// ToolDeadlineField names the ticket field holding the ticket tool's own deadline for the
	// current cycle (RT's Due: rt_due), RFC 3339: the evaluation counts the open cycles whose
	// deadline the tool and the exporter disagree on (ticket objectives only).
	ToolDeadlineField string
	// NativeTolerance is how far apart, in working time, the engine's deadline of a cycle and
	// the ticket tool's native one may be and still agree (native_tolerance, ticket objectives).
	NativeTolerance time.Duration
	// Escalation are the ticket objective's escalation levels, lowest first (escalation.go);
	// their shares are also the engine's Objective.Escalation.
	Escalation []EscalationLevel
	// PublishedHistoryPeriods is how many of the latest frozen periods the objective publishes
	// (its published_history_periods, else the global one).
	PublishedHistoryPeriods int
	// Location is the objective's timezone (its timezone key, else global.timezone): that of
	// its period, and the one its times are shown in. Kept apart from Period, which has none
	// when rolling.
	Location *time.Location
}

// KPI is a service desk KPI with where its tickets come from and over which period.
type KPI struct {
	Spec        kpi.Spec
	Service     string
	Description string
	Source      string
	Select      ticket.Selector
	Period      period.Period
	PeriodName  string
}

// Contract groups objectives under credit tiers.
type Contract struct {
	Spec        contract.Spec
	Description string
	Objectives  []string
	// PeriodName is the period its objectives share ("month"): a contract is credited per period.
	PeriodName string
	// ClaimWithin is how long after a period ends its credit may be claimed; zero when the
	// contract sets no deadline.
	ClaimWithin contract.ClaimWindow
}

// Line returns the line of the setting at path ("sources", 0, "file", "time"), or of the nearest
// node above it that exists, in the file that holds it (see Where); 0 for a configuration not
// loaded from YAML.
func (c *Config) Line(path ...any) int {
	_, line, _ := c.Where(path...)
	return line
}

// Where returns the file holding the setting at path of the configuration, its line there (as
// Line) and the field as that file writes it: an objective merged from an included file as
// objectives[7] is objectives[0] of conf.d/shop.yml. For a configuration not loaded from YAML,
// File, 0 and the path.
func (c *Config) Where(path ...any) (file string, line int, field string) {
	if c.place == nil {
		return c.File, 0, fieldPath(path...)
	}
	return c.place.where(path)
}
