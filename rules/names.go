package rules

// Alert names. Alertmanager routes and inhibition rules match on them, so they are a contract
// like the metric names in slo/conventions: change one with a CHANGELOG entry or not at all.
const (
	// AlertBurn: the error budget burns fast over a multi-window burn-rate tier (one rule per
	// tier, told apart by the burn_tier and severity labels).
	AlertBurn = "SLAErrorBudgetBurn"
	// AlertBreached: the objective is breached in its current period.
	AlertBreached = "SLABreached"
	// AlertForecast: the attainment forecast for the end of the period is below target.
	AlertForecast = "SLAForecastBreach"
	// AlertTicketsAtRisk: open ticket cycles near their deadline (ticket objectives).
	AlertTicketsAtRisk = "SLATicketsAtRisk"
	// AlertTicketsBreached: open ticket cycles already past their deadline (ticket objectives).
	AlertTicketsBreached = "SLATicketsBreached"
	// AlertNoData: the exporter publishes the objective as no_data.
	AlertNoData = "SLANoData"
	// AlertAbsent: the objective's series are missing altogether (exporter down, not scraped,
	// or rules and configuration out of step).
	AlertAbsent = "SLAObjectiveAbsent"
	// AlertKPIRed and AlertKPIAmber: a KPI's red/amber/green status.
	AlertKPIRed   = "SLAKPIRed"
	AlertKPIAmber = "SLAKPIAmber"
	// AlertSourceDown: a source's syncs keep failing.
	AlertSourceDown = "SLASourceDown"
	// AlertSourceStale: a source has not synced for longer than the staleness limit.
	AlertSourceStale = "SLASourceStale"
	// AlertSourceRejecting: a source's last sync rejected records as malformed.
	AlertSourceRejecting = "SLASourceRejectingRecords"
	// AlertCertExpiring: a certificate a probed target presents expires soon, or has expired.
	AlertCertExpiring = "SLACertificateExpiringSoon"
	// AlertStoreWriteFailing: the exporter cannot write collected data to its database.
	AlertStoreWriteFailing = "SLAStoreWriteFailing"
	// AlertEvaluationStale: the exporter stopped evaluating.
	AlertEvaluationStale = "SLAEvaluationStale"
	// AlertReloadFailed: the exporter refused its configuration and runs the previous one.
	AlertReloadFailed = "SLAConfigReloadFailed"
)

// Label names the rules add to alerts (the others come from the series: objective, service,
// window, status, state, kpi, source).
const (
	// LabelSeverity is alerting.page_severity or alerting.ticket_severity.
	LabelSeverity = "severity"
	// LabelBurnTier names a burn-rate tier by its windows, long_short ("1h_5m"), so that
	// inhibition rules and silences can tell the tiers of one objective apart.
	LabelBurnTier = "burn_tier"
)

// RecordBurnThreshold is the one recording rule: the burn rate above which a tier alerts, per
// objective and tier (level:metric:operations). See the package documentation.
const RecordBurnThreshold = "objective:sla_burn_rate:threshold"

// Group names: one group per objective, KPIs grouped by service, then sources and the exporter.
const (
	groupObjective = "sla-objective-"
	groupKPIs      = "sla-kpis-"
	groupSources   = "sla-sources"
	groupExporter  = "sla-exporter"
)
