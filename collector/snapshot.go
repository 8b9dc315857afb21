package collector

import (
	"time"

	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Snapshot is everything one evaluation produced. The exposition serves the latest snapshot to
// every scrape, so a scrape never waits for a source or the engine.
type Snapshot struct {
	// At is the evaluation instant; Duration how long the evaluation took.
	At       time.Time
	Duration time.Duration
	// Stamped says the figures carry At as their sample timestamp (sharded replicas, whose
	// evaluations are aligned): Prometheus then ingests the replicas' identical samples as one,
	// and writes no staleness marker over a shard's series when one of its replicas dies (it
	// marks stale only series scraped without a timestamp).
	Stamped bool

	// Location is the configuration's default timezone (global.timezone), in which the page
	// shows times that belong to no objective; nil means UTC.
	Location *time.Location

	Objectives []ObjectiveResult
	KPIs       []KPIResult
	Contracts  []ContractResult
	// Staffing holds the staffing groups' needs, in the order of the configuration (staffing.go).
	Staffing []StaffingResult
	Sources  []SourceHealth
	// Store is the health of the database the sources' batches are written to.
	Store StoreHealth
	// DataGen is the generation of the collected data the evaluation read (Data.Gen): readiness
	// compares it with the generation of the sources' first syncs.
	DataGen uint64
	// Restored marks the snapshot the last process published, served at start-up until the
	// first evaluation replaces it (DecodeSnapshot); its DataGen is then zero.
	Restored bool
	// Costs are what the services' missed promises cost in their current periods (cost.go).
	Costs []CostResult
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
	// UnpublishedPeriods is how many of History's oldest periods sla_period_final_attainment
	// leaves out (the objective's published_history_periods trims the series, not the history
	// the pages and contracts read); zero publishes them all.
	UnpublishedPeriods int
	// Stale is set when the objective's source has not synced within the staleness limit: the
	// figures are withheld and the status is no_data.
	Stale bool
	// Location is the objective's timezone (of its period), in which the page shows its times;
	// nil means UTC.
	Location *time.Location
	// ToolDeadlines compares the open cycles' deadlines with the ticket tool's own, when the
	// objective names the field holding it; nil otherwise.
	ToolDeadlines *ToolDeadlines
	// Native compares the objective's cycles with the ticket tool's own records of them, when
	// its source imports them for the objective's clock (ticket.Store.HasNative); nil otherwise.
	Native *NativeComparison
	// ToolAttainments compare the attainment with a monitoring tool's own figures for the
	// objective's series over the same periods (ToolSLI); nil when the source reads none that
	// match, or the objective is stale.
	ToolAttainments []ToolAttainment
	// Escalation counts the open cycles at each of a ticket objective's escalation levels, lowest
	// first; nil when it has none (escalation.go).
	Escalation []EscalationCount
}

// FrozenPeriod is the final attainment of a finished period.
type FrozenPeriod struct {
	Label      string    `json:"label"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Attainment float64   `json:"attainment"`
	HasData    bool      `json:"has_data"`
}

// ToolDeadlines counts an objective's open ticket cycles by whether the ticket tool's own
// deadline (RT's Due) agrees with the exporter's, in working time.
type ToolDeadlines struct {
	// Field is the ticket field holding the tool's deadline.
	Field           string
	Agree, Disagree int
}

// NativeComparison counts an objective's ticket cycles compared with the ticket tool's native
// SLA records (ticket.CompareNative): the open ones, and those decided in the current period by
// either side, each counted once.
type NativeComparison struct {
	// Cycles counts the cycles compared: the pairs, and the cycles only one side has.
	Cycles int
	// Disagreements counts those that disagree, by kind (ticket.Disagreements); the Agree slot
	// stays zero.
	Disagreements [ticket.EngineOnly + 1]int
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

// ContractResult is a contract's service credit in three figures that must not be confused: the
// final credit of each finished period (what goes on the invoice), and for the period in
// progress the forecast credit and the running one.
type ContractResult struct {
	// Spec holds the terms: name, tiers, fee, currency, aggregate and cap.
	Spec        contract.Spec
	Description string
	// Objectives are the objectives the credit depends on, in the configured order; every
	// attainment list below follows it.
	Objectives []string
	// PeriodName is the period the objectives share ("month"); PeriodLabel, PeriodStart and
	// PeriodEnd are the current one's (zero when the period cannot be computed).
	PeriodName  string
	PeriodLabel string
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Running is what the attainment so far would earn if the period ended now: not the invoice.
	Running ContractCredit
	// Forecast is what the forecast attainment at the period's end would earn.
	Forecast ContractCredit
	// History holds the last finished periods, oldest first, each rated from its objectives'
	// frozen attainments; the last one is the period to invoice.
	History []ContractPeriod
	// Status sums up the current period (see contract.CurrentStatus).
	Status contract.Status
}

// LastPeriod returns the most recent finished period, if any.
func (c *ContractResult) LastPeriod() (ContractPeriod, bool) {
	if len(c.History) == 0 {
		return ContractPeriod{}, false
	}
	return c.History[len(c.History)-1], true
}

// ContractCredit is a credit with the attainments it was rated from.
type ContractCredit struct {
	contract.Result
	// Attainments are the objectives' attainments, NaN where there was none to rate (no data,
	// stale, or a period not frozen).
	Attainments []float64
}

// ContractPeriod is the final credit of a finished period.
type ContractPeriod struct {
	Label string
	Start time.Time
	End   time.Time
	ContractCredit
}

// SourceHealth is how a source's background sync is doing.
type SourceHealth struct {
	Name string
	// Up is false while the last sync failed or its batch was refused as unsound; State says
	// which (one of SourceStates).
	Up          bool
	State       string
	LastSuccess time.Time
	// Records is what the source holds; Rejected counts every record it skipped as malformed
	// since the daemon started (with the stored count of before); LastSync are the records of
	// the last sync that returned a batch, committed or refused.
	Records  int
	Rejected int
	LastSync SyncCounts
	// Reasons are the causes of the last sync's rejections, most frequent first (at most ten).
	Reasons []RejectionReason
	// Refusal says why the last batch was refused (State rejecting or shrunk); it is the
	// runner's own text, free of anything a source could leak.
	Refusal      string
	SyncDuration time.Duration
	// API holds the counters of a source built on collector/apisource; nil for others.
	API *APIStats
	// Probes holds the last result of each target of a probing source, sorted by series and
	// target; nil for others.
	Probes []ProbeResult
	// ToolSLIs holds the tool's own SLA figures a source read at its last sync that got them
	// (ToolSLI); nil for sources that read none.
	ToolSLIs []ToolSLI
	// Requests counts outbound requests by HTTP status code ("error" for transport errors).
	Requests map[string]float64
}

// StoreHealth is how writing to the database is doing. A failed write is the store's problem (a
// full disk), not the source's: the source stays up, its batch is not applied, and its figures
// turn stale unless a later write succeeds.
type StoreHealth struct {
	// Configured is false when nothing is persisted (one-shot commands).
	Configured bool
	// OK is whether the last write succeeded; Failures counts failed writes.
	OK        bool
	Failures  int
	LastError string
}
