package web

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/slo/contract"
)

// ContractJSON is a contract in /api/v1/contracts and in the evaluate command's report. Its three
// credits are kept apart so that none passes for another: last_period is the final credit of the
// period just ended (the invoice), forecast what the current period is expected to earn at its
// end, running what the attainment so far would earn if the period ended now. A credit that
// cannot be computed (an objective without data, or stale) has status unknown and null figures,
// never a zero that would read as "nothing owed".
type ContractJSON struct {
	Name string `json:"name"`
	// Restored is set while the figures are the previous process's last ones, served at
	// start-up until this process's first evaluation (collector.Snapshot.Restored).
	Restored    bool   `json:"restored,omitempty"`
	Description string `json:"description,omitempty"`
	// Status sums up the current period: unknown, ok, at_risk or credit_due.
	Status string `json:"status"`
	// Fee is null for a contract without one, whose credits are ratios only.
	Fee       *float64   `json:"fee"`
	Currency  string     `json:"currency,omitempty"`
	Aggregate string     `json:"aggregate"`
	Cap       float64    `json:"cap"`
	Tiers     []TierJSON `json:"tiers"`
	// Period is the period the objectives share ("month"); PeriodLabel and its bounds are the
	// current one's.
	Period      string     `json:"period"`
	PeriodLabel string     `json:"period_label"`
	PeriodStart *time.Time `json:"period_start"`
	PeriodEnd   *time.Time `json:"period_end"`
	// LastPeriod is null when no finished period is kept (rolling periods, history turned off).
	LastPeriod *PeriodCreditJSON `json:"last_period"`
	Forecast   CreditJSON        `json:"forecast"`
	Running    CreditJSON        `json:"running"`
	// Objectives are the contract's objectives in the current period.
	Objectives []ContractObjectiveJSON `json:"objectives"`
	// History holds the finished periods kept, oldest first; the last one is LastPeriod.
	History []PeriodCreditJSON `json:"history"`
}

// TierJSON is a step of a credit schedule: an attainment strictly below Below earns Credit, a
// ratio of the fee.
type TierJSON struct {
	Below  float64 `json:"below"`
	Credit float64 `json:"credit"`
}

// CreditJSON is one credit figure. Amount is null without a fee.
type CreditJSON struct {
	Status string   `json:"status"`
	Ratio  *float64 `json:"credit_ratio"`
	Amount *float64 `json:"credit_amount"`
}

// PeriodCreditJSON is a finished period's final credit and the frozen attainments it was rated
// from.
type PeriodCreditJSON struct {
	Period string    `json:"period"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	CreditJSON
	Objectives []RatedObjectiveJSON `json:"objectives"`
}

// RatingJSON is an attainment with the tier it falls in (null when it falls in none, or is
// unknown) and the credit ratio it earns on its own.
type RatingJSON struct {
	Attainment *float64  `json:"attainment"`
	Tier       *TierJSON `json:"tier"`
	Credit     *float64  `json:"credit_ratio"`
}

// RatedObjectiveJSON is an objective's rating in a finished period.
type RatedObjectiveJSON struct {
	Name string `json:"name"`
	RatingJSON
}

// ContractObjectiveJSON is an objective of a contract in the current period: its status (no_data
// when stale) and the ratings of its attainment so far and of its forecast one.
type ContractObjectiveJSON struct {
	Name     string     `json:"name"`
	Status   string     `json:"status"`
	Running  RatingJSON `json:"running"`
	Forecast RatingJSON `json:"forecast"`
}

// ContractsJSON renders a snapshot's contracts.
func ContractsJSON(s *collector.Snapshot) []ContractJSON {
	status := map[string]string{}
	for _, o := range s.Objectives {
		status[o.Objective] = o.Status.String()
		if o.Stale {
			status[o.Objective] = "no_data"
		}
	}
	out := make([]ContractJSON, 0, len(s.Contracts))
	for i := range s.Contracts {
		k := &s.Contracts[i]
		sp := k.Spec
		j := ContractJSON{
			Name: sp.Name, Description: k.Description, Status: k.Status.String(),
			Fee: num(sp.Fee, sp.Fee > 0), Currency: sp.Currency, Aggregate: sp.Aggregate.String(), Cap: cmp.Or(sp.Cap, 1),
			Period: k.PeriodName, PeriodLabel: k.PeriodLabel, PeriodStart: timePtr(k.PeriodStart), PeriodEnd: timePtr(k.PeriodEnd),
			Forecast: creditJSON(sp, k.Forecast), Running: creditJSON(sp, k.Running),
			History: []PeriodCreditJSON{}, Restored: s.Restored,
		}
		for _, t := range sp.Tiers {
			j.Tiers = append(j.Tiers, TierJSON(t))
		}
		// As a schedule reads: the shallowest miss first.
		slices.SortFunc(j.Tiers, func(a, b TierJSON) int { return cmp.Compare(b.Below, a.Below) })
		for n, name := range k.Objectives {
			j.Objectives = append(j.Objectives, ContractObjectiveJSON{Name: name, Status: status[name],
				Running: rating(sp, k.Running, n), Forecast: rating(sp, k.Forecast, n)})
		}
		for _, h := range k.History {
			p := PeriodCreditJSON{Period: h.Label, Start: h.Start, End: h.End, CreditJSON: creditJSON(sp, h.ContractCredit)}
			for n, name := range k.Objectives {
				p.Objectives = append(p.Objectives, RatedObjectiveJSON{Name: name, RatingJSON: rating(sp, h.ContractCredit, n)})
			}
			j.History = append(j.History, p)
		}
		if n := len(j.History); n > 0 {
			j.LastPeriod = &j.History[n-1]
		}
		out = append(out, j)
	}
	return out
}

func creditJSON(sp contract.Spec, c collector.ContractCredit) CreditJSON {
	return CreditJSON{Status: c.Status().String(), Ratio: num(c.Ratio, c.Known), Amount: num(c.Amount, c.Known && sp.Fee > 0)}
}

// rating is the n-th objective's part of a credit.
func rating(sp contract.Spec, c collector.ContractCredit, n int) RatingJSON {
	if n >= len(c.Attainments) || n >= len(c.PerObjective) {
		return RatingJSON{}
	}
	a := c.Attainments[n]
	r := RatingJSON{Attainment: num(a, true), Credit: num(c.PerObjective[n], true)}
	if t, ok := sp.TierFor(a); ok {
		r.Tier = &TierJSON{Below: t.Below, Credit: t.Credit}
	}
	return r
}

// contractRow is a contract as the status page shows it. The invoice figure comes first, then
// the forecast, then the running figure, each labelled, so that what the current period would
// earn if it ended now is not read as the amount owed.
type contractRow struct {
	Name, Description string
	Status            badge
	Objectives        []contractObjectiveRow
	Fee, Tiers        string
	Invoice           string
	Forecast, Running string
}

// contractObjectiveRow is an objective of a contract: its attainment so far and forecast, each
// with the tier it falls in.
type contractObjectiveRow struct {
	Name, URL         string
	Running, Forecast string
}

// contractStatuses are the contract statuses as the page names them.
var contractStatuses = map[string]badge{
	"ok":         {Class: "ok", Symbol: "●", Word: "no credit"},
	"at_risk":    {Class: "at_risk", Symbol: "▲", Word: "credit at risk"},
	"credit_due": {Class: "credit_due", Symbol: "✕", Word: "credit due"},
	"unknown":    {Class: "unknown", Symbol: "○", Word: "unknown"},
}

func contractRows(snap *collector.Snapshot) []contractRow {
	var out []contractRow
	for i, j := range ContractsJSON(snap) {
		k := &snap.Contracts[i]
		r := contractRow{Name: j.Name, Description: j.Description, Status: contractStatuses[j.Status],
			Fee: "no fee: credits as shares", Tiers: tiersText(j.Tiers)}
		if r.Status.Word == "" {
			r.Status = badge{Class: j.Status, Word: j.Status}
		}
		if j.Fee != nil {
			r.Fee = fmt.Sprintf("%s %s per %s", display.Money(*j.Fee), j.Currency, j.Period)
		}
		for _, o := range j.Objectives {
			r.Objectives = append(r.Objectives, contractObjectiveRow{Name: o.Name, URL: objectiveURL(o.Name),
				Running: ratingText(o.Running, o.Status), Forecast: ratingText(o.Forecast, "")})
		}
		if p := lastPeriod(*k); p != nil {
			r.Invoice = p.Label + ": " + creditText(p.ContractCredit, *k)
		} else {
			r.Invoice = "no finished period kept"
		}
		r.Forecast = k.PeriodLabel + ": " + creditText(k.Forecast, *k)
		r.Running = k.PeriodLabel + " so far: " + creditText(k.Running, *k)
		out = append(out, r)
	}
	return out
}

// tiersText writes a credit schedule: "below 99.95%: 10% · below 99.50%: 25%".
func tiersText(ts []TierJSON) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("below %s: %s", display.Percent(t.Below), display.Percent(t.Credit))
	}
	return strings.Join(parts, " · ")
}

// ratingText writes an attainment with its tier: "99.88% (tier below 99.95%)", "100.00% (no
// credit)", or why there is none.
func ratingText(r RatingJSON, status string) string {
	if r.Attainment == nil {
		if status == "no_data" {
			return "no data"
		}
		return ""
	}
	s := display.Percent(*r.Attainment)
	if r.Tier == nil {
		return s + " (no credit)"
	}
	return fmt.Sprintf("%s (tier below %s: %s credit)", s, display.Percent(r.Tier.Below), display.Percent(r.Tier.Credit))
}

// creditText shows a credit as a ratio and, with a fee, an amount: "10.00% = 1,200.00 EUR".
func creditText(c collector.ContractCredit, k collector.ContractResult) string {
	if !c.Known || math.IsNaN(c.Ratio) || math.IsNaN(c.Amount) {
		return "unknown (data missing)"
	}
	if k.Spec.Fee > 0 {
		return fmt.Sprintf("%s = %s %s", display.Percent(c.Ratio), display.Money(c.Amount), k.Spec.Currency)
	}
	return display.Percent(c.Ratio)
}

// lastPeriod is the contract's last finished period, or nil.
func lastPeriod(k collector.ContractResult) *collector.ContractPeriod {
	if p, ok := k.LastPeriod(); ok {
		return &p
	}
	return nil
}
