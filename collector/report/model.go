package report

import "time"

// The model is the one source of truth of a report: the renderers only lay it out, and every
// figure of the HTML and the CSV is one of its fields. Absent figures are nil, never a made-up
// zero. Field names are the JSON's, which BI tools read; they change only with a CHANGELOG entry.

// Report is a service report for one period.
type Report struct {
	Title       string    `json:"title"`
	GeneratedAt time.Time `json:"generated_at"`
	// Timezone is the configuration's (global.timezone): the report's periods and times are in it.
	Timezone string `json:"timezone"`
	// Demo marks a report of the built-in demo's simulated data.
	Demo     bool   `json:"demo"`
	Period   Period `json:"period"`
	Previous Period `json:"previous_period"`
	Filter   Filter `json:"filter"`
	// Complete is false when a figure of the period is not final: Incomplete says why, one line
	// per cause, "<objective>: <why>".
	Complete   bool     `json:"complete"`
	Incomplete []string `json:"incomplete"`
	Settings   Settings `json:"settings"`

	Summary           Summary    `json:"summary"`
	Services          []Service  `json:"services"`
	CustomerContracts []Contract `json:"customer_contracts"`
	Desk              *Desk      `json:"service_desk"`
	Problems          *Problems  `json:"problems"`
	Suppliers         []Contract `json:"suppliers"`
	// Staffing is the latest evaluation's staffing groups in scope (staffing.go).
	Staffing []Staffing `json:"staffing"`

	// Escalations are the open ticket cycles per escalation level at the report's instant (escalation.go).
	Escalations []Escalation `json:"escalations"`
}

// Period is a month or a quarter in the report's timezone.
type Period struct {
	// Label is how the period is asked for: "2026-11", "2026-Q4".
	Label string `json:"label"`
	// Kind is month or quarter.
	Kind string `json:"kind"`
	// Name is the label for people: "November 2026", "Q4 2026".
	Name  string    `json:"name"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// InProgress is set for the period holding the report's instant: its figures are so far.
	InProgress bool `json:"in_progress"`
}

// Filter limits a report to one service, customer, supplier or contract; all empty for the
// whole configuration.
type Filter struct {
	Service  string `json:"service,omitempty"`
	Customer string `json:"customer,omitempty"`
	Supplier string `json:"supplier,omitempty"`
	Contract string `json:"contract,omitempty"`
}

// Settings are the configuration's global.report values the report was built with.
type Settings struct {
	Top                int `json:"top"`
	RecurringIncidents int `json:"recurring_incidents"`
}

// Summary is the executive summary: counts, credits and risks, and the sentences that say them.
type Summary struct {
	Kept           int `json:"kept"`
	Missed         int `json:"missed"`
	NoData         int `json:"no_data"`
	PreviousKept   int `json:"previous_kept"`
	PreviousMissed int `json:"previous_missed"`
	PreviousNoData int `json:"previous_no_data"`
	// MissedObjectives names the promises missed in the period.
	MissedObjectives []string `json:"missed_objectives"`
	CustomerCredits  Credits  `json:"customer_credits"`
	SupplierCredits  Credits  `json:"supplier_credits"`
	// Risks are the three biggest risks of the periods in progress at the report's instant.
	Risks []Risk `json:"risks"`
	// Costs are what missed promises cost in the periods in progress, by currency (cost.go).
	Costs []CostLine `json:"costs"`
	// Sentences say the figures above in words, in reading order.
	Sentences []Sentence `json:"sentences"`
}

// Sentence is one sentence of the executive summary; Kind says which figures it reports.
type Sentence struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Credits sums the credits of one side's contracts over the period.
type Credits struct {
	// Totals are the known amounts by currency, sorted by currency.
	Totals []Money `json:"totals"`
	// Due lists each contract period that earns a credit.
	Due []CreditDue `json:"due"`
	// Unknown names the contracts whose credit could not be computed (an objective without data).
	Unknown []string `json:"unknown"`
	// Provisional is set when a credit rests on figures that are not final.
	Provisional bool `json:"provisional"`
}

// Money is an amount in a currency.
type Money struct {
	Currency string  `json:"currency"`
	Amount   float64 `json:"amount"`
}

// CreditDue is a contract period's credit, for the summary.
type CreditDue struct {
	Contract     string   `json:"contract"`
	Counterparty string   `json:"counterparty"`
	Period       string   `json:"period"`
	Ratio        float64  `json:"credit_ratio"`
	Amount       *float64 `json:"credit_amount"`
	Currency     string   `json:"currency,omitempty"`
	// ClaimBy is the last day the credit may be claimed, when the contract sets claim_within.
	ClaimBy string `json:"claim_by,omitempty"`
}

// Risk is a promise in danger in its period in progress.
type Risk struct {
	Objective string `json:"objective"`
	Service   string `json:"service"`
	// Kind is breached (the budget is spent), at_risk (forecast or burn miss the target) or
	// no_data (nothing to judge, or the source is down or stale).
	Kind string `json:"kind"`
	// Period is the label of the objective's period in progress, PeriodName its name for people.
	Period            string     `json:"period"`
	PeriodName        string     `json:"period_name"`
	Target            float64    `json:"target"`
	Attainment        *float64   `json:"attainment"`
	Forecast          *float64   `json:"forecast"`
	BudgetRemaining   *float64   `json:"budget_remaining_ratio"`
	Exhaustion        *time.Time `json:"budget_exhaustion,omitempty"`
	BreachProbability *float64   `json:"breach_probability,omitempty"`
	OpenAtRisk        int        `json:"open_at_risk"`
	OpenBreached      int        `json:"open_breached"`
	Stale             bool       `json:"stale"`
}

// Service groups the objectives of one service.
type Service struct {
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"`
	Objectives  []Objective `json:"objectives"`
}

// Objective is one promise over the report's period.
type Objective struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Service     string `json:"service"`
	Kind        string `json:"kind"`
	// Unit is what Good, Bad and the costs count: seconds, events or cycles.
	Unit   string  `json:"unit"`
	Target float64 `json:"target"`
	// OwnPeriod is the objective's configured period; when it is not the report's, the
	// attainment is measured over the report's period (see Note).
	OwnPeriod string            `json:"own_period"`
	Note      string            `json:"note,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	Contracts []string          `json:"contracts,omitempty"`

	Attainment *float64 `json:"attainment"`
	// Verdict is kept, missed or no_data.
	Verdict string `json:"verdict"`
	// Basis says where the attainment comes from: frozen (final when the period ended) or
	// recomputed (from the records still held).
	Basis string `json:"basis,omitempty"`
	// Good and Bad are the period's units, when recomputed.
	Good *float64 `json:"good"`
	Bad  *float64 `json:"bad"`
	// BudgetUsed is the share of the period's error budget spent: above 1 when overspent.
	BudgetUsed *float64 `json:"error_budget_used"`
	// Coverage is the share of the time with data (availability).
	Coverage   *float64 `json:"coverage"`
	Complete   bool     `json:"complete"`
	Incomplete []string `json:"incomplete"`
	Previous   *float64 `json:"previous_attainment"`
	// Trend holds the last 12 periods of the report's kind, oldest first; the last is the
	// report's period.
	Trend []Point `json:"trend"`
	// Costliest are the outages, breached tickets or worst hours that cost the most budget,
	// most first; CostliestNote says why there are none when records are not held.
	Costliest     []Cost `json:"costliest"`
	CostliestNote string `json:"costliest_note,omitempty"`
}

// Point is one period of a trend.
type Point struct {
	Label      string    `json:"label"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Attainment *float64  `json:"attainment"`
	Verdict    string    `json:"verdict"`
	Complete   bool      `json:"complete"`
}

// Cost is an outage, a breached ticket cycle or an hour of failed events, and what it cost.
type Cost struct {
	// Kind is outage, ticket or events.
	Kind string `json:"kind"`
	// Ticket, TicketURL (empty until the source has a ticket link), Cycle, Priority and Group
	// describe a breached ticket cycle.
	Ticket    string `json:"ticket,omitempty"`
	TicketURL string `json:"ticket_url,omitempty"`
	Cycle     int    `json:"cycle,omitempty"`
	Priority  string `json:"priority,omitempty"`
	Group     string `json:"group,omitempty"`
	// Start and End bound an outage or an hour; for a ticket, the cycle's start and its stop
	// (the period's end while it runs).
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// BreachedAt is when a ticket cycle ran past its target.
	BreachedAt *time.Time `json:"breached_at,omitempty"`
	// Amount is the budget spent, in the objective's unit: bad seconds, one cycle, bad events.
	Amount float64 `json:"amount"`
	// Overrun is how far past its target a ticket cycle ran, in business seconds.
	Overrun *float64 `json:"overrun_seconds,omitempty"`
	// BudgetShare is Amount over the period's error budget.
	BudgetShare *float64 `json:"budget_share"`
}

// Contract is a customer or supplier contract over the report's period.
type Contract struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Party is customer (credits the organization owes) or supplier (credits it may claim).
	Party        string   `json:"party"`
	Counterparty string   `json:"counterparty"`
	Objectives   []string `json:"objectives"`
	Fee          *float64 `json:"fee"`
	Currency     string   `json:"currency,omitempty"`
	Tiers        []Tier   `json:"tiers"`
	ClaimWithin  string   `json:"claim_within,omitempty"`
	// Periods are the contract's billing periods ending in the report's period.
	Periods []ContractPeriod `json:"periods"`
}

// Tier is a step of a credit schedule: an attainment below Below earns Credit of the fee.
type Tier struct {
	Below  float64 `json:"below"`
	Credit float64 `json:"credit"`
}

// ContractPeriod is one billing period's credit.
type ContractPeriod struct {
	Label      string           `json:"label"`
	Start      time.Time        `json:"start"`
	End        time.Time        `json:"end"`
	Objectives []RatedObjective `json:"objectives"`
	// Status is ok, credit_due or unknown.
	Status     string   `json:"status"`
	Ratio      *float64 `json:"credit_ratio"`
	Amount     *float64 `json:"credit_amount"`
	Complete   bool     `json:"complete"`
	Incomplete []string `json:"incomplete"`
	// ClaimDeadline is the instant a claim must be made before; ClaimBy its last day.
	ClaimDeadline *time.Time `json:"claim_deadline,omitempty"`
	ClaimBy       string     `json:"claim_by,omitempty"`
}

// RatedObjective is an objective's attainment in a billing period and the credit it earns.
type RatedObjective struct {
	Name       string   `json:"name"`
	Target     float64  `json:"target"`
	Attainment *float64 `json:"attainment"`
	Tier       *Tier    `json:"tier"`
	Credit     *float64 `json:"credit_ratio"`
}

// Desk is the service desk scorecard.
type Desk struct {
	// Sources are the ticket sources read.
	Sources []string `json:"sources"`
	// Scope says which tickets count, when a filter narrows them.
	Scope      string   `json:"scope,omitempty"`
	Complete   bool     `json:"complete"`
	Incomplete []string `json:"incomplete"`
	KPIs       []KPI    `json:"kpis"`
	Volumes    Volumes  `json:"volumes"`
	Backlog    Backlog  `json:"backlog"`
	// Columns and Groups are the per-team table: one row per assignment group.
	Columns []Column `json:"group_columns"`
	Groups  []Group  `json:"groups"`
}

// KPI is a configured KPI over the report's period, rated red, amber or green.
type KPI struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Service     string   `json:"service"`
	Kind        string   `json:"kind"`
	Unit        string   `json:"unit"`
	Target      float64  `json:"target"`
	Red         *float64 `json:"red"`
	Direction   string   `json:"direction"`
	// TargetNote says how a volume target set for another period length was scaled.
	TargetNote string   `json:"target_note,omitempty"`
	Value      *float64 `json:"value"`
	Status     string   `json:"status"`
	Samples    int      `json:"samples"`
	Previous   *float64 `json:"previous"`
	Trend      []Value  `json:"trend"`
}

// Value is a KPI in one period of its trend.
type Value struct {
	Label  string   `json:"label"`
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
}

// Volumes counts tickets created and resolved; a count is nil for a period the ticket records
// held do not reach.
type Volumes struct {
	Created          *int          `json:"created"`
	Resolved         *int          `json:"resolved"`
	PreviousCreated  *int          `json:"previous_created"`
	PreviousResolved *int          `json:"previous_resolved"`
	Trend            []VolumePoint `json:"trend"`
}

// VolumePoint is one period's volumes.
type VolumePoint struct {
	Label    string `json:"label"`
	Created  *int   `json:"created"`
	Resolved *int   `json:"resolved"`
}

// Backlog is the tickets open at the period's end, by age.
type Backlog struct {
	At   time.Time   `json:"at"`
	Open *int        `json:"open"`
	Ages []AgeBucket `json:"ages"`
}

// AgeBucket counts open tickets created between From and To before the backlog's instant
// (calendar time, seconds; To nil for no bound).
type AgeBucket struct {
	Label string   `json:"label"`
	From  float64  `json:"from_seconds"`
	To    *float64 `json:"to_seconds"`
	Count *int     `json:"count"`
}

// Column is a column of the per-team table: a KPI kind, measured as the configured KPI named
// (its selection, statistic and thresholds) or, without one, plainly and unrated.
type Column struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Unit  string `json:"unit"`
	KPI   string `json:"kpi,omitempty"`
}

// Group is an assignment group's row of the per-team table; Cells follow Columns.
type Group struct {
	Source string `json:"source"`
	Group  string `json:"group"`
	Cells  []Cell `json:"cells"`
}

// Cell is a group's value of a column, with its rating when the column has a configured KPI.
type Cell struct {
	Value  *float64 `json:"value"`
	Status string   `json:"status,omitempty"`
}

// Problems are the problem trends: incidents counted by category, service or configuration
// item, with recurring ones flagged as problem candidates.
type Problems struct {
	IncidentTypes []string `json:"incident_types"`
	Threshold     int      `json:"threshold"`
	// Periods are the labels of the counts, oldest first; the last is the report's period. Held
	// is false for a period the ticket records held do not reach: its counts are not zeros but
	// unknown.
	Periods []string       `json:"periods"`
	Held    []bool         `json:"held"`
	Fields  []ProblemField `json:"fields"`
	// Absent are the configured fields no ticket carries.
	Absent     []string    `json:"absent"`
	Candidates []Candidate `json:"candidates"`
}

// ProblemField is the count of incidents by the values of one field.
type ProblemField struct {
	Field string       `json:"field"`
	Rows  []ProblemRow `json:"rows"`
	// Others counts the incidents of the period whose value is not among Rows.
	Others int `json:"others"`
}

// ProblemRow is one value's incidents per period.
type ProblemRow struct {
	Value  string `json:"value"`
	Counts []int  `json:"counts"`
	// Change is the period's count minus the previous one's; ChangeRatio that over the previous
	// count (nil when it was 0).
	Change      int      `json:"change"`
	ChangeRatio *float64 `json:"change_ratio"`
	Candidate   bool     `json:"candidate"`
}

// Candidate is a recurring value: a problem to investigate.
type Candidate struct {
	Field string `json:"field"`
	Value string `json:"value"`
	Count int    `json:"count"`
}
