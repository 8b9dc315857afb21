package collector

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// cached is appended to every HELP text of a computed metric: Prometheus' guide for exporters
// allows serving cached values from slow sources as long as the exporter says so.
const cached = " Served from the last evaluation, not computed at scrape time."

// Exposition serves the latest Snapshot, so an objective removed from the configuration
// disappears from /metrics with the next evaluation. Set encodes each snapshot's series once
// (see rendering), and Handler serves those bytes followed by the live series of a registry;
// the live series of the exposition itself, the configuration reload's outcome, are Live's.
//
// The Exposition is also a prometheus.Collector of everything it publishes, the snapshot's
// series and Live's, for tests, lint and the golden file; it must not be registered in the
// registry Handler serves, whose families would repeat the snapshot's.
type Exposition struct {
	cur atomic.Pointer[published]

	mu             sync.Mutex
	reloadOK       bool
	reloadSuccess  time.Time
	reloadAttempts bool
}

// published is a snapshot with its series encoded, swapped as one so that a scrape never pairs
// one snapshot's bytes with another's figures.
type published struct {
	snap *Snapshot
	r    *rendering
}

// NewExposition returns an exposition with an empty snapshot.
func NewExposition() *Exposition {
	e := &Exposition{}
	e.Set(&Snapshot{})
	return e
}

// Set publishes a new snapshot, encoding its series; scrapes after it see the new figures.
func (e *Exposition) Set(s *Snapshot) { e.cur.Store(&published{snap: s, r: newRendering(s)}) }

// Snapshot returns the snapshot being served.
func (e *Exposition) Snapshot() *Snapshot { return e.cur.Load().snap }

// SetReload records the outcome of a configuration (re)load.
func (e *Exposition) SetReload(ok bool, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reloadAttempts = true
	e.reloadOK = ok
	if ok {
		e.reloadSuccess = at
	}
}

// Describe sends nothing: the info metric's label names follow the configuration, so this is an
// unchecked collector whose consistency the registry checks at gather time instead.
func (e *Exposition) Describe(chan<- *prometheus.Desc) {}

// Collect emits the current snapshot and the live series.
func (e *Exposition) Collect(ch chan<- prometheus.Metric) {
	emitSnapshot(ch, e.Snapshot())
	e.collectLive(ch)
}

// Live is the collector of the exposition's series that are not the snapshot's and change
// between evaluations: the configuration reload's outcome. Register it in the registry
// Handler serves.
func (e *Exposition) Live() prometheus.Collector { return live{e} }

// Gatherer gathers the current snapshot's series, without Live's, at every call.
func (e *Exposition) Gatherer() prometheus.Gatherer { return gatherer{e} }

type live struct{ e *Exposition }

func (live) Describe(chan<- *prometheus.Desc) {}

func (l live) Collect(ch chan<- prometheus.Metric) { l.e.collectLive(ch) }

func (e *Exposition) collectLive(ch chan<- prometheus.Metric) {
	e.mu.Lock()
	ok, at, tried := e.reloadOK, e.reloadSuccess, e.reloadAttempts
	e.mu.Unlock()
	if tried {
		emit := emitter{ch: ch, descs: map[string]*prometheus.Desc{}}
		emit.gauge(c.ConfigLastReloadSuccessful, "Whether the last configuration reload succeeded (1) or was refused (0) and the previous configuration kept.", nil, nil, b2f(ok))
		emit.gauge(c.ConfigLastReloadSuccess, "When the configuration was last loaded successfully, as a Unix timestamp.", nil, nil, unix(at))
	}
}

// emitSnapshot emits a snapshot's series.
func emitSnapshot(ch chan<- prometheus.Metric, s *Snapshot) {
	emit := emitter{ch: ch, descs: map[string]*prometheus.Desc{}}
	// The figures, and when they were evaluated, are the same on every replica of a shard; the
	// sources' and the evaluation's own health are not, and are never stamped.
	figures := emit
	if s.Stamped {
		figures.at = s.At
	}
	figures.objectives(s.Objectives)
	figures.kpis(s.KPIs)
	figures.contracts(s.Contracts)
	figures.staffing(s.Staffing) // staffing.go
	figures.costs(s.Costs)       // exposition_cost.go
	emit.sources(s.Sources)
	emit.store(s.Store)
	if !s.At.IsZero() {
		emit.gauge(c.EvaluationDuration, "How long the last evaluation of every objective took.", nil, nil, s.Duration.Seconds())
		figures.gauge(c.LastEvaluation, "When the last evaluation ran, as a Unix timestamp.", nil, nil, unix(s.At))
		emit.gauge(c.SnapshotRestored, "Whether the figures served are the previous process's last ones, restored at start-up (1), or this process's evaluation (0).", nil, nil, b2f(s.Restored))
	}
}

// emitter builds constant metrics. Descriptors are built once per scrape and name, not once per
// series (NewDesc validates and hashes every name: it was a seventh of a 1,000-objective scrape),
// and not once for good, so the info metric's label names can follow the configuration. A name
// must therefore come with the same help text and label names on every call of a scrape.
type emitter struct {
	ch    chan<- prometheus.Metric
	descs map[string]*prometheus.Desc
	// at, when set, is the sample timestamp of every metric emitted (Snapshot.Stamped).
	at time.Time
}

func (e emitter) metric(t prometheus.ValueType, name, help string, names, values []string, v float64) {
	d := e.descs[name]
	if d == nil {
		d = prometheus.NewDesc(name, help, names, nil)
		e.descs[name] = d
	}
	m := prometheus.MustNewConstMetric(d, t, v, values...)
	if !e.at.IsZero() {
		m = prometheus.NewMetricWithTimestamp(e.at, m)
	}
	e.ch <- m
}

func (e emitter) gauge(name, help string, names, values []string, v float64) {
	e.metric(prometheus.GaugeValue, name, help, names, values, v)
}

func (e emitter) counter(name, help string, names, values []string, v float64) {
	e.metric(prometheus.CounterValue, name, help, names, values, v)
}

var objLabels = []string{c.LabelObjective, c.LabelService}

func (e emitter) objectives(objs []ObjectiveResult) {
	// The info metric carries every metadata key any objective has, empty where one lacks it,
	// because a metric family must keep one set of label names.
	var extra []string
	for _, o := range objs {
		for k := range o.Labels {
			if !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	infoNames := append([]string{c.LabelObjective, c.LabelService, c.LabelKind, c.LabelCompliancePeriod, c.LabelUnit}, extra...)
	for i := range objs {
		o := &objs[i]
		infoValues := []string{o.Objective, o.Service, string(o.Kind), o.PeriodName, string(o.Unit)}
		for _, k := range extra {
			infoValues = append(infoValues, o.Labels[k])
		}
		e.gauge(c.ObjectiveInfo, "Metadata of each objective; join with * on(objective) group_left(...).", infoNames, infoValues, 1)
		e.objective(o)
	}
}

func (e emitter) objective(o *ObjectiveResult) {
	lv := []string{o.Objective, o.Service}
	g := func(name, help string, v float64) { e.gauge(name, help+cached, objLabels, lv, v) }
	g(c.ObjectiveTarget, "The objective's target, as a ratio.", o.Target)
	if !o.PeriodStart.IsZero() {
		// Zero when the engine refused the objective: year 1 is not a period.
		g(c.PeriodStart, "Start of the objective's current period, as a Unix timestamp.", unix(o.PeriodStart))
		g(c.PeriodEnd, "End of the objective's current period, as a Unix timestamp.", unix(o.PeriodEnd))
	}
	status := o.Status
	if o.Stale {
		status = slo.NoData
	}
	for _, st := range slo.Statuses {
		e.gauge(c.Status, "The objective's status: 1 for the current one of no_data, ok, at_risk, breached."+cached,
			[]string{c.LabelObjective, c.LabelService, c.LabelStatus}, []string{o.Objective, o.Service, st.String()}, b2f(st == status))
	}
	for _, h := range o.History[min(o.UnpublishedPeriods, len(o.History)):] {
		if h.HasData {
			e.gauge(c.PeriodFinalAttainment, "Frozen attainment of each of the last finished periods, labelled by period (2026-10)."+cached,
				[]string{c.LabelObjective, c.LabelService, c.LabelPeriod}, []string{o.Objective, o.Service, h.Label}, h.Attainment)
		}
	}
	if o.Stale {
		// A source that stopped syncing must not keep publishing figures that look current.
		return
	}
	for _, out := range []struct {
		name string
		v    float64
	}{{c.OutcomeGood, o.Good}, {c.OutcomeBad, o.Bad}, {c.OutcomeExcluded, o.Excluded}} {
		e.gauge(c.PeriodEvents, "Units counted in the current period so far by outcome, in the objective's unit (see sla_objective_info)."+cached,
			[]string{c.LabelObjective, c.LabelService, c.LabelOutcome}, []string{o.Objective, o.Service, out.name}, out.v)
	}
	g(c.DataCoverage, "Share of the period's eligible time backed by real data; a gap never passes for uptime.", o.Coverage)
	// Burn windows reach back across the period's start, so the burn rates are known from its
	// first minute on, before anything in the period is decided: alerts on them must not
	// resolve at every period boundary.
	for _, b := range o.BurnRates {
		e.gauge(c.BurnRate, "Rate of error budget spend over the trailing window: 1 spends the budget exactly by the period's end."+cached,
			[]string{c.LabelObjective, c.LabelService, c.LabelWindow}, []string{o.Objective, o.Service, model.Duration(b.Window).String()}, b.Rate)
	}
	if o.HasForecast {
		g(c.ForecastAttainment, "Attainment expected at the period's end if the recent burn continues.", o.Forecast)
	}
	if t := o.ToolDeadlines; t != nil {
		for _, a := range []struct {
			name string
			n    int
		}{{"agree", t.Agree}, {"disagree", t.Disagree}} {
			e.gauge(c.ToolDeadlineCycles, "Open ticket clock cycles whose deadline the ticket tool's own (the objective's tool_deadline_field) agrees or disagrees with, in working time."+cached,
				[]string{c.LabelObjective, c.LabelService, "agreement"}, []string{o.Objective, o.Service, a.name}, float64(a.n))
		}
	}
	if n := o.Native; n != nil {
		g(c.NativeCycles, "Ticket clock cycles compared with the ticket tool's own SLA records: open, or decided in the current period by either side.", float64(n.Cycles))
		for _, k := range ticket.Disagreements {
			e.gauge(c.NativeDisagreements, "Compared ticket clock cycles on which the ticket tool's own SLA record disagrees with the exporter's cycle, by kind: verdict (one breached, the other not), deadline (further apart than native_tolerance in working time), native_only, engine_only (a cycle only one side has)."+cached,
				[]string{c.LabelObjective, c.LabelService, c.LabelDisagreement}, []string{o.Objective, o.Service, k.String()}, float64(n.Disagreements[k]))
		}
	}
	for _, a := range o.ToolAttainments {
		names, values := []string{c.LabelObjective, c.LabelService, c.LabelPeriod}, []string{o.Objective, o.Service, a.Period}
		e.gauge(c.ToolAttainment, "Attainment the monitoring tool computes itself for the objective's series over the same period (Zabbix's SLA SLI), period current or previous; periods that differ from the objective's are not compared."+cached,
			names, values, a.Tool)
		e.gauge(c.ToolAttainmentDifference, "The objective's attainment less the monitoring tool's own for the same series and period: negative when the exporter counts worse."+cached,
			names, values, a.Difference)
	}
	if o.Kind == slo.TicketSLA {
		// Open cycles are known before any cycle of the period is decided.
		if o.HasBreachProbability {
			g(c.BreachProbability, "Probability that the period ends below target, from how completed cycles that ran as long ended.", o.BreachProbability)
		}
		g(c.ExpectedBreaches, "Open ticket cycles expected to breach.", o.ExpectedBreaches)
		for _, st := range []struct {
			name string
			n    int
		}{{c.StateWithin, o.Open.Within}, {c.StateAtRisk, o.Open.AtRisk}, {c.StateBreached, o.Open.Breached}, {c.StatePaused, o.Open.Paused}} {
			e.gauge(c.TicketsOpen, "Open ticket clock cycles by state."+cached,
				[]string{c.LabelObjective, c.LabelService, c.LabelState}, []string{o.Objective, o.Service, st.name}, float64(st.n))
		}
		e.escalation(o)
	}
	if !o.HasData {
		return
	}
	g(c.Attainment, "Share of good units in the current period so far.", o.Attainment)
	g(c.BudgetRemainingRatio, "Share of the period's error budget left: 1 untouched, 0 spent, negative overspent. For events and ticket cycles the period's total is projected from its traffic so far.", o.BudgetRemainingRatio)
	g(c.BudgetConsumedRatio, "Share of the period's error budget spent.", o.BudgetConsumedRatio())
	if o.Unit == slo.Seconds {
		g(c.BudgetRemainingSeconds, "Error budget left in the period, in seconds of bad time.", o.BudgetRemaining)
	} else {
		g(c.BudgetRemainingEvents, "Error budget left in the period, in bad events or ticket cycles.", o.BudgetRemaining)
	}
	if !o.Exhaustion.IsZero() {
		g(c.BudgetExhaustion, "When the error budget runs out at the recent rate of spend, if before the period ends.", unix(o.Exhaustion))
	}
}

func (e emitter) kpis(ks []KPIResult) {
	names := []string{c.LabelKPI, c.LabelService}
	infoNames := []string{c.LabelKPI, c.LabelService, c.LabelKind, c.LabelUnit}
	for _, k := range ks {
		lv := []string{k.Name, k.Service}
		e.gauge(c.KPIInfo, "What each KPI measures (kind: mtta, mttr, backlog ...) and in which unit (seconds, ratio, tickets); select KPIs with * on(kpi, service) group_left(kind, unit).",
			infoNames, []string{k.Name, k.Service, k.Kind, k.Unit}, 1)
		e.gauge(c.KPITarget, "The KPI's target, in the KPI's unit (see sla_kpi_info)."+cached, names, lv, k.Target)
		if k.OK {
			e.gauge(c.KPIValue, "The KPI's value over its period so far, in the KPI's unit (see sla_kpi_info): seconds for times, ratios 0-1, ticket counts."+cached, names, lv, k.Value)
		}
		for _, st := range KPIStatuses {
			e.gauge(c.KPIStatus, "The KPI's red/amber/green status: 1 for the current one."+cached,
				[]string{c.LabelKPI, c.LabelService, c.LabelStatus}, []string{k.Name, k.Service, st}, b2f(st == k.Status))
		}
	}
}

func (e emitter) contracts(cs []ContractResult) {
	for i := range cs {
		k := &cs[i]
		name, cur := k.Spec.Name, k.Spec.Currency
		for _, st := range contract.Statuses {
			e.gauge(c.ContractStatus, "The contract's status in the current period: 1 for the current one of unknown (an objective has no data or is stale: nothing can be said, not even that nothing is owed), ok, at_risk (the forecast earns a credit), credit_due (the attainment so far earns one)."+cached,
				[]string{c.LabelContract, c.LabelStatus}, []string{name, st.String()}, b2f(st == k.Status))
		}
		// A credit that is not known has no series: zero would claim that nothing is owed.
		for _, h := range k.History {
			if !h.Known {
				continue
			}
			e.gauge(c.ContractPeriodFinalCreditRatio, "Final service credit of each of the last finished periods, labelled by period (2026-10), as a ratio of the fee: the figure to invoice, rated from the attainments frozen with the period."+cached,
				[]string{c.LabelContract, c.LabelPeriod}, []string{name, h.Label}, h.Ratio)
			if k.Spec.Fee > 0 {
				e.gauge(c.ContractPeriodFinalCreditAmount, "Final service credit of each of the last finished periods, labelled by period (2026-10), in the contract's currency: the figure to invoice."+cached,
					[]string{c.LabelContract, c.LabelCurrency, c.LabelPeriod}, []string{name, cur, h.Label}, h.Amount)
			}
		}
		for _, f := range []struct {
			credit                        ContractCredit
			ratio, amount, say, ratioAlso string
		}{
			{k.Forecast, c.ContractForecastCreditRatio, c.ContractForecastCreditAmount,
				"Service credit the current period is forecast to earn at its end, from the objectives' forecast attainment", ""},
			{k.Running, c.ContractRunningCreditRatio, c.ContractRunningCreditAmount,
				"Service credit the current period's attainment so far would earn if the period ended now",
				"; not the invoice, which is " + c.ContractPeriodFinalCreditRatio},
		} {
			if !f.credit.Known {
				continue
			}
			e.gauge(f.ratio, f.say+", as a ratio of the fee"+f.ratioAlso+"."+cached, []string{c.LabelContract}, []string{name}, f.credit.Ratio)
			if k.Spec.Fee > 0 {
				e.gauge(f.amount, f.say+", in the contract's currency."+cached, []string{c.LabelContract, c.LabelCurrency}, []string{name, cur}, f.credit.Amount)
			}
		}
	}
}

func (e emitter) sources(ss []SourceHealth) {
	n := []string{c.LabelSource}
	for _, s := range ss {
		lv := []string{s.Name}
		e.gauge(c.SourceUp, "Whether the source's last sync succeeded with a batch sound enough to commit (see sla_source_status).", n, lv, b2f(s.Up))
		for _, st := range SourceStates {
			e.gauge(c.SourceStatus, "The source's state: 1 for the current one of pending (first sync not done), ok, sync_failed, rejecting (too many malformed records: batch refused, last good data kept), shrunk (a snapshot far smaller than the data held: batch refused).",
				[]string{c.LabelSource, c.LabelStatus}, []string{s.Name, st}, b2f(st == s.State))
		}
		if s.LastSync.Read > 0 {
			for _, out := range []struct {
				name string
				n    int
			}{{"accepted", s.LastSync.Accepted}, {"rejected", s.LastSync.Rejected}} {
				e.gauge(c.SourceLastSyncRecords, "Records of the source's last sync that returned data, accepted or rejected as malformed (accepted counts tickets, samples, buckets; rejected the records read).",
					[]string{c.LabelSource, c.LabelOutcome}, []string{s.Name, out.name}, float64(out.n))
			}
			e.gauge(c.SourceLastSyncRejected, "Share of the records read by the source's last sync that were rejected as malformed.", n, lv, s.LastSync.RejectedRatio())
		}
		if !s.LastSuccess.IsZero() {
			e.gauge(c.SourceLastSuccess, "When the source last synced successfully, as a Unix timestamp.", n, lv, unix(s.LastSuccess))
		}
		e.gauge(c.SourceRecords, "Records the source holds (tickets, samples, buckets).", n, lv, float64(s.Records))
		e.counter(c.SourceRejectedRecords, "Malformed records the source skipped.", n, lv, float64(s.Rejected))
		e.gauge(c.SourceSyncDuration, "How long the source's last sync took.", n, lv, s.SyncDuration.Seconds())
		if a := s.API; a != nil {
			e.api(s.Name, a)
		}
		e.probes(s.Name, s.Probes)
		codes := make([]string, 0, len(s.Requests))
		for code := range s.Requests {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		for _, code := range codes {
			e.counter(c.SourceRequests, "Requests the source made, by HTTP status code (error for transport failures).",
				[]string{c.LabelSource, c.LabelCode}, []string{s.Name, code}, s.Requests[code])
		}
	}
}

// api publishes the counters of a source built on collector/apisource.
func (e emitter) api(source string, a *APIStats) {
	n, lv := []string{c.LabelSource}, []string{source}
	e.counter(c.SourcePages, "Listing pages the API source read whole.", n, lv, float64(a.Pages))
	e.counter(c.SourceFetchedRecords, "Tickets the API source fetched (new or changed).", n, lv, float64(a.Records))
	e.counter(c.SourceRetries, "Requests the API source sent again after a 5xx answer or a network error.", n, lv, float64(a.Retries))
	e.counter(c.SourceEarlyStops, "Syncs that stopped before the end of the listing (the cap on requests per sync, the sync's time, a server's rate limit); the next sync resumes.", n, lv, float64(a.EarlyStops))
	e.counter(c.SourceRateLimitWaits, "Waits for a rate limit, the server's or the client-side limiter's.", n, lv, float64(a.RateLimitWaits))
	e.counter(c.SourceRateLimitWaitSeconds, "Time spent waiting for rate limits.", n, lv, a.RateLimitWaitSeconds)
	if !a.Watermark.IsZero() {
		e.gauge(c.SourceWatermark, "The update time the API source has read up to, as a Unix timestamp.", n, lv, unix(a.Watermark))
	}
	if !a.LastReconcile.IsZero() {
		e.gauge(c.SourceLastReconcile, "When the API source last listed every id in scope to drop tickets gone or moved out of it, as a Unix timestamp.", n, lv, unix(a.LastReconcile))
	}
}

// probes publishes the last result of each target of a probing source, named as
// blackbox_exporter's probe_* metrics are.
func (e emitter) probes(source string, ps []ProbeResult) {
	n := []string{c.LabelSource, c.LabelSeries, c.LabelTarget, c.LabelProber}
	for _, p := range ps {
		if p.At.IsZero() {
			continue
		}
		lv := []string{source, p.Series, p.Target, p.Prober}
		e.gauge(c.ProbeSuccess, "Whether the target's last probe succeeded.", n, lv, b2f(p.Success))
		e.gauge(c.ProbeDuration, "How long the target's last probe took.", n, lv, p.Duration.Seconds())
		e.gauge(c.ProbeLast, "When the target was last probed, as a Unix timestamp.", n, lv, unix(p.At))
		if p.StatusCode != 0 {
			e.gauge(c.ProbeHTTPStatusCode, "The HTTP status code of the target's last answer.", n, lv, float64(p.StatusCode))
		}
		if !p.CertExpiry.IsZero() {
			e.gauge(c.ProbeCertExpiry, "The earliest expiry of the certificates the target last presented, as a Unix timestamp.", n, lv, unix(p.CertExpiry))
		}
	}
}

func (e emitter) store(s StoreHealth) {
	if !s.Configured {
		return
	}
	e.gauge(c.StoreLastWriteSuccessful, "Whether the last write of a source's batch to the database succeeded; a failed one (a full disk) leaves the batch unapplied.", nil, nil, b2f(s.OK))
	e.counter(c.StoreWriteFailures, "Writes of source batches to the database that failed.", nil, nil, float64(s.Failures))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
