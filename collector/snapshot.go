package collector

import (
	"time"

	"github.com/sla-exporter/sla_exporter/slo"
)

// Snapshot is everything one evaluation produced. The exposition serves the latest snapshot to
// every scrape, so a scrape never waits for a source or the engine.
type Snapshot struct {
	// At is the evaluation instant; Duration how long the evaluation took.
	At       time.Time
	Duration time.Duration

	// Location is the configuration's default timezone (global.timezone), in which the page
	// shows times that belong to no objective; nil means UTC.
	Location *time.Location

	Objectives []ObjectiveResult
	KPIs       []KPIResult
	Contracts  []ContractResult
	Sources    []SourceHealth
}

// ObjectiveResult is an objective's result with what the exposition needs besides the numbers.
type ObjectiveResult struct {
	slo.Result
	// PeriodName is the configured period ("month", "rolling:30d").
	PeriodName string
	// Labels are the objective's metadata (team, customer, supplier ...), published on
	// sla_objective_info only.
	Labels map[string]string
	// History holds the frozen results of the last finished periods, oldest first.
	History []FrozenPeriod
	// Stale is set when the objective's source has not synced within the staleness limit: the
	// figures are withheld and the status is no_data.
	Stale bool
	// Location is the objective's timezone (of its period), in which the page shows its times;
	// nil means UTC.
	Location *time.Location
}

// FrozenPeriod is the final attainment of a finished period.
type FrozenPeriod struct {
	Label      string    `json:"label"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Attainment float64   `json:"attainment"`
	HasData    bool      `json:"has_data"`
}

// KPIResult is a KPI's value at the evaluation instant.
type KPIResult struct {
	Name    string
	Service string
	// Kind is what the KPI measures, as configured (mtta, mttr, backlog, reopen_rate ...).
	Kind string
	// Value and Target are in Unit.
	Value  float64
	Target float64
	// Unit is seconds (mtta, mttr, backlog_age), ratio (0-1) or tickets (backlog, created,
	// resolved): see kpi.Kind.Unit.
	Unit string
	// OK is false when there was nothing to measure (the value is then not published).
	OK bool
	// Status is green, amber, red or unknown.
	Status string
}

// KPIStatuses are the values of the status label of sla_kpi_status.
var KPIStatuses = []string{"green", "amber", "red", "unknown"}

// ContractResult is a contract's service credit for the current period.
type ContractResult struct {
	Name     string
	Currency string
	Ratio    float64
	Amount   float64
	HasFee   bool
}

// SourceHealth is how a source's background sync is doing.
type SourceHealth struct {
	Name         string
	Up           bool
	LastSuccess  time.Time
	Records      int
	Rejected     int
	SyncDuration time.Duration
	// Requests counts outbound requests by HTTP status code ("error" for transport errors).
	Requests map[string]float64
}
