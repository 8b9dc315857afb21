package web

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
)

// hostco is issue 7's hosting contract: below 99.95% → 10%, below 99.9% → 25%, 12,000 EUR.
var hostco = contract.Spec{Name: "hostco", Tiers: []contract.Tier{{Below: 0.999, Credit: 0.25}, {Below: 0.9995, Credit: 0.10}}, Fee: 12000, Currency: "EUR"}

func rated(s contract.Spec, attainments ...float64) collector.ContractCredit {
	return collector.ContractCredit{Result: s.Credit(attainments), Attainments: attainments}
}

func utcDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// contractSnapshot is mid-December 2026 for hostco: the attainment so far 99.88%, forecast
// 99.89%; November ended at 99.93%, October froze without data. A second contract, over an
// objective without data, has every figure unknown.
func contractSnapshot() *collector.Snapshot {
	nan := math.NaN()
	noFee := contract.Spec{Name: "dark", Tiers: []contract.Tier{{Below: 0.99, Credit: 0.5}}}
	return &collector.Snapshot{
		At: utcDate(2026, 12, 15),
		Objectives: []collector.ObjectiveResult{
			{Result: slo.Result{Objective: "hosting", Status: slo.Breached}},
			{Result: slo.Result{Objective: "dark-objective", Status: slo.OK}, Stale: true},
		},
		Contracts: []collector.ContractResult{
			{
				Spec: hostco, Description: "Hosting supplier", Objectives: []string{"hosting"}, PeriodName: "month",
				PeriodLabel: "2026-12", PeriodStart: utcDate(2026, 12, 1), PeriodEnd: utcDate(2027, 1, 1),
				Running: rated(hostco, 0.9988), Forecast: rated(hostco, 0.9989),
				History: []collector.ContractPeriod{
					{Label: "2026-10", Start: utcDate(2026, 10, 1), End: utcDate(2026, 11, 1), ContractCredit: rated(hostco, nan)},
					{Label: "2026-11", Start: utcDate(2026, 11, 1), End: utcDate(2026, 12, 1), ContractCredit: rated(hostco, 0.9993)},
				},
				Status: contract.CreditDue,
			},
			{
				Spec: noFee, Objectives: []string{"dark-objective"}, PeriodName: "month",
				PeriodLabel: "2026-12", PeriodStart: utcDate(2026, 12, 1), PeriodEnd: utcDate(2027, 1, 1),
				Running: rated(noFee, nan), Forecast: rated(noFee, nan), Status: contract.Unknown,
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

func TestContractsJSON(t *testing.T) {
	got := ContractsJSON(contractSnapshot())
	tier10 := &TierJSON{Below: 0.9995, Credit: 0.10}
	tier25 := &TierJSON{Below: 0.999, Credit: 0.25}
	unknown := CreditJSON{Status: "unknown"}
	nov := PeriodCreditJSON{
		Period: "2026-11", Start: utcDate(2026, 11, 1), End: utcDate(2026, 12, 1),
		// 99.93% is under 99.95%, not 99.9%: 10% × 12,000 = 1,200 EUR.
		CreditJSON: CreditJSON{Status: "credit_due", Ratio: ptr(0.10), Amount: ptr(1200.0)},
		Objectives: []RatedObjectiveJSON{{Name: "hosting", RatingJSON: RatingJSON{Attainment: ptr(0.9993), Tier: tier10, Credit: ptr(0.10)}}},
	}
	want := []ContractJSON{
		{
			Name: "hostco", Description: "Hosting supplier", Status: "credit_due",
			Fee: ptr(12000.0), Currency: "EUR", Aggregate: "max", Cap: 1,
			// Listed as a schedule reads, the shallowest miss first, whatever the configured order.
			Tiers:  []TierJSON{*tier10, *tier25},
			Period: "month", PeriodLabel: "2026-12", PeriodStart: ptr(utcDate(2026, 12, 1)), PeriodEnd: ptr(utcDate(2027, 1, 1)),
			LastPeriod: &nov,
			// 99.89% and 99.88% are both under 99.9%: 25% × 12,000 = 3,000 EUR.
			Forecast: CreditJSON{Status: "credit_due", Ratio: ptr(0.25), Amount: ptr(3000.0)},
			Running:  CreditJSON{Status: "credit_due", Ratio: ptr(0.25), Amount: ptr(3000.0)},
			Objectives: []ContractObjectiveJSON{{
				Name: "hosting", Status: "breached",
				Running:  RatingJSON{Attainment: ptr(0.9988), Tier: tier25, Credit: ptr(0.25)},
				Forecast: RatingJSON{Attainment: ptr(0.9989), Tier: tier25, Credit: ptr(0.25)},
			}},
			History: []PeriodCreditJSON{
				// Frozen without data: unknown, with nulls.
				{Period: "2026-10", Start: utcDate(2026, 10, 1), End: utcDate(2026, 11, 1), CreditJSON: unknown,
					Objectives: []RatedObjectiveJSON{{Name: "hosting"}}},
				nov,
			},
		},
		{
			Name: "dark", Status: "unknown", Aggregate: "max", Cap: 1, Tiers: []TierJSON{{Below: 0.99, Credit: 0.5}},
			Period: "month", PeriodLabel: "2026-12", PeriodStart: ptr(utcDate(2026, 12, 1)), PeriodEnd: ptr(utcDate(2027, 1, 1)),
			Forecast: unknown, Running: unknown,
			// A stale objective reads no_data, whatever the engine said.
			Objectives: []ContractObjectiveJSON{{Name: "dark-objective", Status: "no_data"}},
			History:    []PeriodCreditJSON{},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ContractsJSON (-want +got):\n%s", diff)
	}
	// Unknown figures are null in the JSON, never 0.
	raw, err := json.Marshal(got[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"running":{"status":"unknown","credit_ratio":null,"credit_amount":null}`, `"last_period":null`, `"fee":null`} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("JSON lacks %s:\n%s", s, raw)
		}
	}
}

// TestStatusPageContracts checks the contracts table: the invoice figure first, then the
// forecast, then the running one, each labelled, and unknown said as such.
func TestStatusPageContracts(t *testing.T) {
	s := newDemoServer(t, nil)
	s.expo.Set(contractSnapshot())
	_, body := s.get(t, "/")
	checkHTML(t, body)
	i := strings.Index(body, `<h2 id="contracts-h">Contracts</h2>`)
	if i < 0 {
		t.Fatalf("no contracts table:\n%s", body)
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	inOrder := []string{
		"Invoice: last finished period", "Forecast: this period at its end", "Running: this period so far",
		"hostco", "credit due",
		// 99.88% so far and 99.89% forecast both fall in the tier below 99.90%: 25%.
		`<a href="/objectives/hosting">hosting</a>: 99.88% (tier below 99.90%: 25.00% credit)`, "forecast 99.89% (tier below 99.90%: 25.00% credit)",
		"12,000.00 EUR per month", "below 99.95%: 10.00% · below 99.90%: 25.00%",
		"2026-11: 10.00% = 1,200.00 EUR",
		"2026-12: 25.00% = 3,000.00 EUR",
		"2026-12 so far: 25.00% = 3,000.00 EUR",
		"dark", "unknown", "dark-objective</a>: no data", "no fee: credits as shares", "no finished period kept",
		"2026-12: unknown (data missing)",
		"2026-12 so far: unknown (data missing)",
	}
	rest := table
	for _, s := range inOrder {
		j := strings.Index(rest, s)
		if j < 0 {
			t.Fatalf("contracts table lacks %q after the previous items:\n%s", s, table)
		}
		rest = rest[j+len(s):]
	}
	if strings.Contains(table, "NaN") {
		t.Errorf("contracts table shows NaN:\n%s", table)
	}
}

// TestContractsEndpoint serves the demo's contract: every figure known, October the invoice.
func TestContractsEndpoint(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/api/v1/contracts")
	var got []ContractJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	if len(got) != 1 {
		t.Fatalf("%d contracts, want the demo's one:\n%s", len(got), body)
	}
	k := got[0]
	if k.LastPeriod == nil || k.LastPeriod.Period != "2026-10" || k.LastPeriod.Ratio == nil || k.LastPeriod.Amount == nil {
		t.Errorf("last period %+v: want 2026-10 with a ratio and an amount", k.LastPeriod)
	}
	if k.Running.Ratio == nil || k.Forecast.Ratio == nil || k.Fee == nil || *k.Fee != 12000 || k.Status == "unknown" {
		t.Errorf("contract %+v: want running and forecast credits, the 12,000 fee and a known status", k)
	}
	if len(k.Objectives) != 1 || k.Objectives[0].Running.Attainment == nil {
		t.Errorf("objectives %+v: want hosting-availability with its attainment", k.Objectives)
	}
}
