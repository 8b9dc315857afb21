package web

import (
	"math"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
)

// ObjectiveJSON is an objective in /api/v1/objectives. Absent figures are null, never a made-up 0:
// a stale objective (its source has not synced within the staleness limit) has null counts and
// budget, an objective without data a null attainment, and a figure that is not a number (NaN,
// ±Inf) is null too.
type ObjectiveJSON struct {
	Name              string              `json:"name"`
	Service           string              `json:"service"`
	Kind              string              `json:"kind"`
	Unit              string              `json:"unit"`
	Period            string              `json:"period"`
	PeriodLabel       string              `json:"period_label"`
	PeriodStart       *time.Time          `json:"period_start"`
	PeriodEnd         *time.Time          `json:"period_end"`
	Target            float64             `json:"target"`
	Status            string              `json:"status"`
	Attainment        *float64            `json:"attainment"`
	Good              *float64            `json:"good"`
	Bad               *float64            `json:"bad"`
	Excluded          *float64            `json:"excluded"`
	Coverage          *float64            `json:"coverage"`
	Budget            *BudgetJSON         `json:"error_budget"`
	BurnRates         map[string]*float64 `json:"burn_rates,omitempty"`
	Forecast          *float64            `json:"forecast_attainment"`
	Exhaustion        *time.Time          `json:"budget_exhaustion,omitempty"`
	Open              *OpenJSON           `json:"open_cycles,omitempty"`
	ExpectedBreaches  *float64            `json:"expected_breaches,omitempty"`
	BreachProbability *float64            `json:"breach_probability,omitempty"`
	// Escalation counts the open cycles at each escalation level, lowest first (ticket
	// objectives with levels).
	Escalation []EscalationJSON `json:"escalation,omitempty"`
	History    []PeriodJSON     `json:"history,omitempty"`
	// ToolAttainments compare the attainment with the monitoring tool's own for the same
	// series and period (a zabbix source's slas), where the periods line up.
	ToolAttainments []ToolAttainmentJSON `json:"tool_attainments,omitempty"`
	Labels          map[string]string    `json:"labels,omitempty"`
	Stale           bool                 `json:"stale"`
	// Display shows the figures as the status page does; the numeric fields stay the figures
	// to compute with.
	Display ObjectiveDisplay `json:"display"`
	// Restored is set while the figures are the previous process's last ones, served at
	// start-up until this process's first evaluation (collector.Snapshot.Restored).
	Restored bool `json:"restored,omitempty"`
}

// ObjectiveDisplay is an objective's figures for people: percentages ("99.87%"), durations in
// the objective's unit ("42m10s"), times in the objective's timezone with its abbreviation
// ("2026-11-20 14:05 CET"). A figure that is null in the numeric fields is absent here.
type ObjectiveDisplay struct {
	Attainment      string `json:"attainment,omitempty"`
	Target          string `json:"target"`
	Forecast        string `json:"forecast_attainment,omitempty"`
	BudgetRemaining string `json:"error_budget_remaining,omitempty"`
	Exhaustion      string `json:"budget_exhaustion,omitempty"`
	PeriodStart     string `json:"period_start,omitempty"`
	PeriodEnd       string `json:"period_end,omitempty"`
	// Reasons say why the objective has its status, the deciding one first ("forecast 94.10% <
	// 95.00% target"); Notes are figures worth knowing that did not decide it.
	Reasons []string `json:"reasons"`
	Notes   []string `json:"notes,omitempty"`
}

// BudgetJSON is an objective's error budget, in its unit. A figure that cannot be computed (the
// remaining ratio of a budget of 0, with a target of 100%) is null.
type BudgetJSON struct {
	Total          *float64 `json:"total"`
	Consumed       *float64 `json:"consumed"`
	Remaining      *float64 `json:"remaining"`
	RemainingRatio *float64 `json:"remaining_ratio"`
}

// PeriodJSON is a finished period's frozen result; attainment is null when the period had no
// data.
type PeriodJSON struct {
	Label      string    `json:"label"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Attainment *float64  `json:"attainment"`
	HasData    bool      `json:"has_data"`
}

// OpenJSON counts open ticket cycles by state.
type OpenJSON struct {
	Within   int `json:"within"`
	AtRisk   int `json:"at_risk"`
	Breached int `json:"breached"`
	Paused   int `json:"paused"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func num(v float64, ok bool) *float64 {
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// ObjectivesJSON renders a snapshot's objectives as the API and the evaluate command print them.
func ObjectivesJSON(s *collector.Snapshot) []ObjectiveJSON {
	return objectivesJSON(explainer{snap: s})
}

// objectivesJSON renders the objectives, their reasons given with what x knows of their sources.
func objectivesJSON(x explainer) []ObjectiveJSON {
	s := x.snap
	out := make([]ObjectiveJSON, 0, len(s.Objectives))
	for i, o := range s.Objectives {
		j := ObjectiveJSON{
			Name: o.Objective, Service: o.Service, Kind: string(o.Kind), Unit: string(o.Unit),
			Period: o.PeriodName, PeriodLabel: o.PeriodLabel, PeriodStart: timePtr(o.PeriodStart), PeriodEnd: timePtr(o.PeriodEnd),
			Target: o.Target, Status: o.Status.String(), Labels: o.Labels, Stale: o.Stale,
			Display: ObjectiveDisplay{Target: display.Percent(o.Target)}, Restored: s.Restored,
		}
		e := x.explain(&s.Objectives[i])
		j.Display.Notes = e.Notes
		for _, r := range e.Reasons {
			j.Display.Reasons = append(j.Display.Reasons, r.Text)
		}
		if !o.PeriodStart.IsZero() {
			j.Display.PeriodStart, j.Display.PeriodEnd = display.Time(o.PeriodStart, o.Location), display.Time(o.PeriodEnd, o.Location)
		}
		for _, h := range o.History {
			j.History = append(j.History, PeriodJSON{Label: h.Label, Start: h.Start, End: h.End, Attainment: num(h.Attainment, h.HasData), HasData: h.HasData})
		}
		if o.Stale {
			j.Status = "no_data"
			out = append(out, j)
			continue
		}
		j.Good, j.Bad, j.Excluded, j.Coverage = num(o.Good, true), num(o.Bad, true), num(o.Excluded, true), num(o.Coverage, true)
		j.Attainment = num(o.Attainment, o.HasData)
		j.Forecast = num(o.Forecast, o.HasForecast)
		if j.Attainment != nil {
			j.Display.Attainment = display.PercentVs(o.Attainment, o.Target)
		}
		if j.Forecast != nil {
			j.Display.Forecast = display.PercentVs(o.Forecast, o.Target)
		}
		if o.HasData {
			j.Display.BudgetRemaining = display.Budget(o.BudgetRemaining, o.BudgetRemainingRatio, string(o.Unit))
			j.Budget = &BudgetJSON{Total: num(o.BudgetTotal, true), Consumed: num(o.BudgetConsumed, true),
				Remaining: num(o.BudgetRemaining, true), RemainingRatio: num(o.BudgetRemainingRatio, true)}
			j.BurnRates = map[string]*float64{}
			for _, b := range o.BurnRates {
				j.BurnRates[model.Duration(b.Window).String()] = num(b.Rate, true)
			}
		}
		if !o.Exhaustion.IsZero() {
			t := o.Exhaustion
			j.Exhaustion = &t
			j.Display.Exhaustion = display.Time(t, o.Location)
		}
		j.ToolAttainments = toolAttainmentsJSON(o.ToolAttainments)
		if o.Kind == "ticket" {
			j.Open = &OpenJSON{Within: o.Open.Within, AtRisk: o.Open.AtRisk, Breached: o.Open.Breached, Paused: o.Open.Paused}
			j.ExpectedBreaches = num(o.ExpectedBreaches, true)
			j.BreachProbability = num(o.BreachProbability, o.HasBreachProbability)
			j.Escalation = escalationJSON(o.Escalation)
		}
		out = append(out, j)
	}
	return out
}

// KPIJSON is a KPI in /api/v1/kpis; value is null when there was nothing to measure. Value and
// target are in unit: seconds, ratio (0-1) or tickets.
type KPIJSON struct {
	Name    string   `json:"name"`
	Service string   `json:"service"`
	Kind    string   `json:"kind"`
	Value   *float64 `json:"value"`
	Target  float64  `json:"target"`
	Unit    string   `json:"unit"`
	Status  string   `json:"status"`
	// Display shows value and target as the status page does ("18h17m", "99.87%", "42").
	Display KPIDisplay `json:"display"`
	// Restored is set while the figures are the previous process's last ones, served at
	// start-up until this process's first evaluation (collector.Snapshot.Restored).
	Restored bool `json:"restored,omitempty"`
}

// KPIDisplay is a KPI's figures for people; value is absent when there was nothing to measure.
type KPIDisplay struct {
	Value  string `json:"value,omitempty"`
	Target string `json:"target"`
}

// KPIsJSON renders a snapshot's KPIs.
func KPIsJSON(s *collector.Snapshot) []KPIJSON {
	out := make([]KPIJSON, 0, len(s.KPIs))
	for _, k := range s.KPIs {
		j := KPIJSON{Name: k.Name, Service: k.Service, Kind: k.Kind, Value: num(k.Value, k.OK), Target: k.Target, Unit: k.Unit, Status: k.Status,
			Display: KPIDisplay{Target: display.Quantity(k.Target, k.Unit)}, Restored: s.Restored}
		if j.Value != nil {
			j.Display.Value = display.QuantityVs(k.Value, k.Target, k.Unit)
		}
		out = append(out, j)
	}
	return out
}

// ReportJSON is a whole evaluation: what the evaluate command prints.
type ReportJSON struct {
	At         time.Time       `json:"at"`
	Objectives []ObjectiveJSON `json:"objectives"`
	KPIs       []KPIJSON       `json:"kpis"`
	Contracts  []ContractJSON  `json:"contracts"`
}

// Report renders a whole snapshot.
func Report(s *collector.Snapshot) ReportJSON {
	return ReportJSON{At: s.At.UTC(), Objectives: ObjectivesJSON(s), KPIs: KPIsJSON(s), Contracts: ContractsJSON(s)}
}
