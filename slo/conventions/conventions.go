// Package conventions holds the names that dashboards, alert rules and users' queries depend on:
// metric names, label names and label values. It is the metric contract of sla_exporter; a name
// changes here, with a CHANGELOG entry, or not at all.
package conventions

// Namespace prefixes every metric.
const Namespace = "sla"

// Label names. Every label is bounded: never a ticket id or a user.
const (
	LabelObjective = "objective"
	LabelService   = "service"
	LabelKind      = "kind"
	// LabelPeriod names a finished period on sla_period_final_attainment_ratio and
	// sla_contract_period_final_credit_ratio ("2026-10"); on sla_tool_attainment_ratio and
	// sla_tool_attainment_difference it is PeriodCurrent or PeriodPrevious.
	LabelPeriod = "period"
	// LabelCompliancePeriod is the configured period on sla_objective_info ("month",
	// "rolling:30d"). It is not "period", so that joining the info metric onto the frozen
	// history with group_left cannot overwrite the history's period label.
	LabelCompliancePeriod = "compliance_period"
	LabelWindow           = "window"
	LabelStatus           = "status"
	LabelState            = "state"
	LabelOutcome          = "outcome"
	LabelSource           = "source"
	LabelSeries           = "series"
	LabelTarget           = "target"
	LabelProber           = "prober"
	LabelCode             = "code"
	LabelKPI              = "kpi"
	LabelContract         = "contract"
	LabelCurrency         = "currency"
	LabelUnit             = "unit"
	// LabelReport names a scheduled report delivery (the reports section).
	LabelReport = "report"
	// LabelDisagreement is the kind of disagreement on NativeDisagreements. It is not "kind",
	// which sla_objective_info carries with the objective's kind: a join of the two with
	// group_left would overwrite one with the other.
	LabelDisagreement = "disagreement"
)

// Objective metrics, then KPI, contract, source and exporter metrics. sla_kpi_info carries each
// KPI's kind (mtta, mttr, backlog ...) and unit (seconds, ratio, tickets), so that queries select
// KPIs by what they measure rather than by their names. sla_tool_attainment_ratio is the
// attainment a monitoring tool computes itself for an availability objective's series over the
// same period (Zabbix's SLA SLI, as a ratio), sla_tool_attainment_difference the exporter's
// attainment less it.
const (
	ObjectiveInfo              = "sla_objective_info"
	ObjectiveTarget            = "sla_objective_target_ratio"
	Attainment                 = "sla_attainment_ratio"
	BudgetRemainingRatio       = "sla_error_budget_remaining_ratio"
	BudgetConsumedRatio        = "sla_error_budget_consumed_ratio"
	BudgetRemainingSeconds     = "sla_error_budget_remaining_seconds"
	BudgetRemainingEvents      = "sla_error_budget_remaining_events"
	BurnRate                   = "sla_burn_rate"
	ForecastAttainment         = "sla_forecast_attainment_ratio"
	BudgetExhaustion           = "sla_budget_exhaustion_timestamp_seconds"
	BreachProbability          = "sla_breach_probability"
	ExpectedBreaches           = "sla_expected_breaches"
	Status                     = "sla_status"
	PeriodStart                = "sla_period_start_timestamp_seconds"
	PeriodEnd                  = "sla_period_end_timestamp_seconds"
	PeriodEvents               = "sla_period_events"
	PeriodFinalAttainment      = "sla_period_final_attainment_ratio"
	DataCoverage               = "sla_data_coverage_ratio"
	TicketsOpen                = "sla_tickets_open"
	KPIInfo                    = "sla_kpi_info"
	KPIValue                   = "sla_kpi_value"
	KPITarget                  = "sla_kpi_target"
	KPIStatus                  = "sla_kpi_status"
	SourceUp                   = "sla_source_up"
	SourceLastSuccess          = "sla_source_last_success_timestamp_seconds"
	SourceRecords              = "sla_source_records"
	SourceRejectedRecords      = "sla_source_rejected_records_total"
	SourceSyncDuration         = "sla_source_sync_duration_seconds"
	SourceRequests             = "sla_source_requests_total"
	SourceStatus               = "sla_source_status"
	ToolDeadlineCycles         = "sla_tool_deadline_cycles"
	ToolAttainment             = "sla_tool_attainment_ratio"
	ToolAttainmentDifference   = "sla_tool_attainment_difference"
	SourcePages                = "sla_source_pages_total"
	SourceFetchedRecords       = "sla_source_fetched_records_total"
	SourceRetries              = "sla_source_retries_total"
	SourceEarlyStops           = "sla_source_early_stops_total"
	SourceRateLimitWaits       = "sla_source_rate_limit_waits_total"
	SourceRateLimitWaitSeconds = "sla_source_rate_limit_wait_seconds_total"
	SourceWatermark            = "sla_source_watermark_timestamp_seconds"
	SourceLastReconcile        = "sla_source_last_reconcile_timestamp_seconds"
	ProbeSuccess               = "sla_probe_success"
	ProbeDuration              = "sla_probe_duration_seconds"
	ProbeLast                  = "sla_probe_last_timestamp_seconds"
	ProbeHTTPStatusCode        = "sla_probe_http_status_code"
	ProbeCertExpiry            = "sla_probe_ssl_earliest_cert_expiry_timestamp_seconds"
	SourceLastSyncRecords      = "sla_source_last_sync_records"
	SourceLastSyncRejected     = "sla_source_last_sync_rejected_ratio"
	StoreWriteFailures         = "sla_store_write_failures_total"
	StoreLastWriteSuccessful   = "sla_store_last_write_successful"
	EvaluationDuration         = "sla_evaluation_duration_seconds"
	LastEvaluation             = "sla_last_evaluation_timestamp_seconds"
	// SnapshotRestored is 1 while the figures served are the previous process's last ones,
	// restored at start-up, and 0 once this process has evaluated.
	SnapshotRestored           = "sla_snapshot_restored"
	ConfigLastReloadSuccessful = "sla_config_last_reload_successful"
	ConfigLastReloadSuccess    = "sla_config_last_reload_success_timestamp_seconds"
	BuildInfo                  = "sla_exporter_build_info"
)

// Native SLA metrics: NativeCycles counts an objective's cycles compared with the ticket tool's
// own SLA records (open, or decided in the current period by either side), and
// NativeDisagreements those that disagree, by LabelDisagreement. Published for ticket objectives
// whose source imports native SLA records of their clock.
const (
	NativeCycles        = "sla_native_cycles"
	NativeDisagreements = "sla_native_disagreements"
)

// Escalation: TicketsEscalated counts a ticket objective's open cycles at each of its escalation
// levels (LabelLevel, 1-based, with the level's LabelSeverity): those whose used share of their
// target is at or above the level's and below the next level's, as of the last evaluation.
// Published for ticket objectives with escalation levels.
const (
	TicketsEscalated = "sla_tickets_escalated"
	LabelLevel       = "level"
	LabelSeverity    = "severity"
)

// Contract metrics. Three credits, named so that none passes for another: the final one of each
// finished period (the invoice), the forecast for the current period, and the running one (what
// the attainment so far would cost if the period ended now). A credit that cannot be computed,
// because an objective has no data or is stale, has no series; ContractStatus then says unknown.
const (
	ContractPeriodFinalCreditRatio  = "sla_contract_period_final_credit_ratio"
	ContractPeriodFinalCreditAmount = "sla_contract_period_final_credit_amount"
	ContractForecastCreditRatio     = "sla_contract_forecast_credit_ratio"
	ContractForecastCreditAmount    = "sla_contract_forecast_credit_amount"
	ContractRunningCreditRatio      = "sla_contract_running_credit_ratio"
	ContractRunningCreditAmount     = "sla_contract_running_credit_amount"
	// ContractStatus is a state set over the status values of slo/contract: unknown, ok,
	// at_risk, credit_due.
	ContractStatus = "sla_contract_status"
)

// Cost metric (issue 14): CostAmount is what a service's missed promises cost in its current
// period, by LabelKind (CostKind*), LabelWindow (CostWindowSoFar, CostWindowForecast) and
// LabelCurrency: downtime and breached tickets priced by the service's cost block, credits owed
// (customers' contracts) and earned (suppliers'). A figure that cannot be computed (stale or no
// data) has no series. Amounts of different currencies are never summed.
const (
	CostAmount = "sla_cost_amount"

	CostKindDowntime        = "downtime"
	CostKindBreachedTickets = "breached_tickets"
	CostKindCreditsOwed     = "credits_owed"
	CostKindCreditsEarned   = "credits_earned"

	CostWindowSoFar    = "so_far"
	CostWindowForecast = "forecast"
)

// Scheduled report deliveries (collector/delivery), published by the delivery scheduler's own
// collector, which the serve command registers beside the exposition.
const (
	// ReportDeliveries counts attempts to deliver a report, by outcome: OutcomeSuccess or
	// OutcomeFailure (a failed attempt is retried up to the last one).
	ReportDeliveries = "sla_report_deliveries_total"
	// ReportLastDelivery is when the last attempt ended; ReportLastDeliverySuccessful its
	// outcome (1 delivered, 0 failed).
	ReportLastDelivery           = "sla_report_last_delivery_timestamp_seconds"
	ReportLastDeliverySuccessful = "sla_report_last_delivery_successful"
)

// HTTPRequestsRejected counts the requests the serve command answered 503 because
// --web.max-requests were already being served (collector/web), registered beside the
// exposition.
const HTTPRequestsRejected = "sla_http_requests_rejected_total"

// Outcome label values of ReportDeliveries.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Outcome label values of PeriodEvents.
const (
	OutcomeGood     = "good"
	OutcomeBad      = "bad"
	OutcomeExcluded = "excluded"
)

// Disagreement label values of NativeDisagreements (ticket.Disagreement): one says breached and
// the other not; the deadlines differ by more than native_tolerance in working time; the tool
// has a cycle the engine has not; the engine has one the tool has not.
const (
	DisagreementVerdict    = "verdict"
	DisagreementDeadline   = "deadline"
	DisagreementNativeOnly = "native_only"
	DisagreementEngineOnly = "engine_only"
)

// Period label values of ToolAttainment and ToolAttainmentDifference: the objective's current
// period, and its last finished one.
const (
	PeriodCurrent  = "current"
	PeriodPrevious = "previous"
)

// State label values of TicketsOpen.
const (
	StateWithin   = "within"
	StateAtRisk   = "at_risk"
	StateBreached = "breached"
	StatePaused   = "paused"
)

// Staffing metrics (the staffing section): per staffing group, for the current and the next
// hour of the week (LabelHour: HourCurrent, HourNext). A group whose source is stale or holds
// too few complete weeks of tickets has no series.
const (
	// LabelGroup names a staffing group.
	LabelGroup = "group"
	// LabelHour is HourCurrent or HourNext.
	LabelHour   = "hour"
	HourCurrent = "current"
	HourNext    = "next"
	// StaffingRequiredAgents is the agents to schedule (shrinkage included) to meet the target.
	StaffingRequiredAgents = "sla_staffing_required_agents"
	// StaffingRosteredAgents is the roster's agents, for groups with a roster.
	StaffingRosteredAgents = "sla_staffing_rostered_agents"
	// StaffingExpectedAttainment is the share of tickets the roster is expected to handle in time.
	StaffingExpectedAttainment = "sla_staffing_expected_attainment_ratio"
	// StaffingArrivalsPerHour is the mean arrivals of the hour of the week.
	StaffingArrivalsPerHour = "sla_staffing_arrivals_per_hour"
	// StaffingHandleTime is the mean work per ticket the group is planned with, configured or
	// measured from the work time its source records (LabelGroup only).
	StaffingHandleTime = "sla_staffing_handle_time_seconds"
)
