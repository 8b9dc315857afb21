package evaluation

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// costConfig prices the shop's downtime (120 EUR a minute) and breached tickets (P1 500, P2 100,
// others 20 EUR), the mail service's downtime in USD; the shop's contract with its customer and
// the hosting supplier's contract (a supplier label) carry credits, one of the shop's in USD.
const costConfig = `
global: {timezone: UTC, staleness: 1h}
sources:
  - {name: desk, type: demo}
  - {name: probes, type: demo}
objectives:
  - {name: web-up, service: shop, kind: availability, source: probes, series: web, target: 0.999}
  - {name: api-up, service: shop, kind: availability, source: probes, series: api, target: 0.999, period: "rolling:30d"}
  - {name: resolution, service: shop, kind: ticket, source: desk, clock: resolution, targets: {P1: 4h, P2: 4h, "*": 4h}, target: 0.9}
  - {name: hosting-up, service: hosting, kind: availability, source: probes, series: hosting, target: 0.999, labels: {supplier: cloudco}}
  - {name: mail-up, service: mail, kind: availability, source: probes, series: mail, target: 0.999}
services:
  - name: shop
    cost: {currency: EUR, downtime_per_minute: 120, breached_ticket: {P1: 500, P2: 100, "*": 20}}
  - name: hosting
  - name: mail
    cost: {currency: USD, downtime_per_minute: 10}
contracts:
  - {name: shop-sla, objectives: [web-up], tiers: [{below: 0.999, credit: 0.1}], fee: 10000, currency: EUR}
  - {name: shop-us, objectives: [web-up], tiers: [{below: 0.999, credit: 0.1}], fee: 3000, currency: USD}
  - {name: hostco, objectives: [hosting-up], tiers: [{below: 0.999, credit: 0.1}], fee: 2000, currency: USD}
  - {name: ratio-only, objectives: [hosting-up], tiers: [{below: 0.999, credit: 0.1}]}
`

// TestCosts prices hand-built results on 11 December 2026 00:00 UTC, 10 of December's 31 days
// elapsed; the amounts are worked out in the comments.
func TestCosts(t *testing.T) {
	cfg := loadConfig(t, costConfig)
	now := utc("2026-12-11T00:00:00Z")
	dec, jan := utc("2026-12-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")
	month := func(name string) slo.Result {
		return slo.Result{Objective: name, PeriodStart: dec, PeriodEnd: jan, HasData: true}
	}
	web := month("web-up")
	// 30 bad minutes so far; the engine forecasts 99% over December's 2,678,400 s.
	web.Bad, web.HasForecast, web.Forecast, web.ProjectedTotal = 1800, true, 0.99, 2678400
	api := slo.Result{Objective: "api-up", PeriodStart: now.AddDate(0, 0, -30), PeriodEnd: now, HasData: true, Bad: 600}
	tickets := month("resolution")
	tickets.Bad = 3
	hosting := month("hosting-up")
	mail := month("mail-up")
	mail.Bad = 6000
	objs := []collector.ObjectiveResult{{Result: web}, {Result: api}, {Result: tickets}, {Result: hosting},
		{Result: mail, Stale: true}}
	known := func(amount float64) collector.ContractCredit {
		return collector.ContractCredit{Result: contract.Result{Known: true, Amount: amount}}
	}
	ks := []collector.ContractResult{
		{Spec: cfg.Contracts[0].Spec, Running: known(1000), Forecast: known(1000)},
		{Spec: cfg.Contracts[1].Spec, Running: known(300), Forecast: known(300)},
		{Spec: cfg.Contracts[2].Spec, Running: known(0), Forecast: known(200)},
		{Spec: cfg.Contracts[3].Spec, Running: known(0), Forecast: known(0)},
	}
	byPriority := map[string]map[string]float64{"resolution": {"P1": 1, "P2": 1, "P9": 1}}
	got := costs(cfg, objs, ks, byPriority, now)
	want := []collector.CostResult{
		// hostco's credits are the organization's to claim (its objective has a supplier
		// label): earned, 0 so far, 200 USD forecast.
		{Service: "hosting", Kind: c.CostKindCreditsEarned, Currency: "USD", HasSoFar: true, HasForecast: true, Forecast: 200},
		// mail-up is stale: no figure, and why.
		{Service: "mail", Kind: c.CostKindDowntime, Currency: "USD", Unknown: "mail-up is stale"},
		// A P1 (500), a P2 (100) and a P9 at the "*" price (20): 620 EUR so far; carried to the
		// month's end by 31 / 10 days: 1,922 EUR.
		{Service: "shop", Kind: c.CostKindBreachedTickets, Currency: "EUR", SoFar: 620, HasSoFar: true, Forecast: 1922, HasForecast: true,
			Quantity: 3, Extrapolated: true},
		// The customer contracts' running and forecast credits, one figure per currency.
		{Service: "shop", Kind: c.CostKindCreditsOwed, Currency: "EUR", SoFar: 1000, HasSoFar: true, Forecast: 1000, HasForecast: true},
		{Service: "shop", Kind: c.CostKindCreditsOwed, Currency: "USD", SoFar: 300, HasSoFar: true, Forecast: 300, HasForecast: true},
		// web-up: 30 min × 120 = 3,600 EUR so far; forecast (1 - 0.99) × 2,678,400 s = 26,784 s
		// = 446.4 min × 120 = 53,568 EUR. api-up's rolling period ends now: 10 min × 120 = 1,200
		// EUR both so far and forecast. Sums: 4,800 and 54,768 EUR, over 40 minutes.
		{Service: "shop", Kind: c.CostKindDowntime, Currency: "EUR", SoFar: 4800, HasSoFar: true, Forecast: 54768, HasForecast: true, Quantity: 40},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("costs (-want +got):\n%s", diff)
	}
}

// TestCosts_Unknown: a figure is known only when every part of it is.
func TestCosts_Unknown(t *testing.T) {
	cfg := loadConfig(t, costConfig)
	now := utc("2026-12-11T00:00:00Z")
	dec, jan := utc("2026-12-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")
	objs := []collector.ObjectiveResult{
		// Data, but no forecast: the so-far figure stands alone.
		{Result: slo.Result{Objective: "web-up", PeriodStart: dec, PeriodEnd: jan, HasData: true, Bad: 60}},
		// No data: the downtime has no figure at all, though web-up has one.
		{Result: slo.Result{Objective: "api-up"}},
		{Result: slo.Result{Objective: "resolution", PeriodStart: dec, PeriodEnd: jan}},
		{Result: slo.Result{Objective: "hosting-up"}},
		{Result: slo.Result{Objective: "mail-up"}},
	}
	unknown := collector.ContractCredit{}
	ks := []collector.ContractResult{
		{Spec: cfg.Contracts[0].Spec, Running: unknown, Forecast: unknown},
		{Spec: cfg.Contracts[1].Spec, Running: collector.ContractCredit{Result: contract.Result{Known: true, Amount: 300}}, Forecast: unknown},
		{Spec: cfg.Contracts[2].Spec, Running: unknown, Forecast: unknown},
		{Spec: cfg.Contracts[3].Spec},
	}
	got := costs(cfg, objs, ks, nil, now)
	want := []collector.CostResult{
		{Service: "hosting", Kind: c.CostKindCreditsEarned, Currency: "USD", Unknown: "contract hostco has an objective without data"},
		{Service: "mail", Kind: c.CostKindDowntime, Currency: "USD", Unknown: "mail-up has no data"},
		{Service: "shop", Kind: c.CostKindBreachedTickets, Currency: "EUR", Unknown: "resolution has no data"},
		{Service: "shop", Kind: c.CostKindCreditsOwed, Currency: "EUR", Unknown: "contract shop-sla has an objective without data"},
		{Service: "shop", Kind: c.CostKindCreditsOwed, Currency: "USD", SoFar: 300, HasSoFar: true, Unknown: "contract shop-us has an objective without data"},
		{Service: "shop", Kind: c.CostKindDowntime, Currency: "EUR", Unknown: "api-up has no data; web-up has no forecast"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("costs (-want +got):\n%s", diff)
	}
}

// TestEvaluate_CostBreachesByPriority evaluates tickets on 13 November 2026 12:00 UTC (12.5 of
// November's 30 days elapsed) and prices each breach by its ticket's priority, as the engine
// counts the breaches; the figure is published, and withheld once the source is stale.
func TestEvaluate_CostBreachesByPriority(t *testing.T) {
	cfg := loadConfig(t, costConfig)
	now := utc("2026-11-13T12:00:00Z")
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		// 6h against 4h: breached at 14:00 on 2 November.
		tk("A", "incident", "P1", "2026-11-02T10:00:00Z", resolved("2026-11-02T16:00:00Z")),
		// Met within an hour.
		tk("B", "incident", "P2", "2026-11-03T10:00:00Z", resolved("2026-11-03T11:00:00Z")),
		// Still open: breached at 14:00 on 4 November, counted at once.
		tk("C", "incident", "P2", "2026-11-04T10:00:00Z"),
		// P3 has the "*" target (4h): breached at 14:00 on 5 November.
		tk("D", "incident", "P3", "2026-11-05T10:00:00Z", resolved("2026-11-05T20:00:00Z")),
		// Breached in October: not November's.
		tk("E", "incident", "P1", "2026-10-30T10:00:00Z", resolved("2026-10-31T10:00:00Z")),
	)
	d.LastSuccess["desk"] = now.Add(-time.Minute)
	s := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now)
	if got := objectiveNamed(t, s, "resolution").Bad; got != 3 {
		t.Fatalf("the engine counts %g breaches, want 3 (A, C, D)", got)
	}
	// P1 500 + P2 100 + P3 at "*" 20 = 620 EUR so far; × 30 / 12.5 days = 1,488 EUR forecast.
	want := collector.CostResult{Service: "shop", Kind: c.CostKindBreachedTickets, Currency: "EUR", SoFar: 620, HasSoFar: true,
		Forecast: 1488, HasForecast: true, Quantity: 3, Extrapolated: true}
	var got collector.CostResult
	for _, k := range s.Costs {
		if k.Kind == c.CostKindBreachedTickets {
			got = k
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("breached tickets (-want +got):\n%s", diff)
	}
	mfs := scrape(t, s)
	for window, v := range map[string]float64{c.CostWindowSoFar: 620, c.CostWindowForecast: 1488} {
		labels := map[string]string{c.LabelService: "shop", c.LabelKind: c.CostKindBreachedTickets, c.LabelWindow: window, c.LabelCurrency: "EUR"}
		if got, ok := sample(mfs, c.CostAmount, labels); !ok || got != v {
			t.Errorf("%s %v = %g, %v; want %g", c.CostAmount, labels, got, ok, v)
		}
	}

	// Two hours later without a sync the source is stale: no figure, not a zero.
	later := now.Add(2 * time.Hour)
	s = New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(later)
	mfs = scrape(t, s)
	if v, ok := sample(mfs, c.CostAmount, map[string]string{c.LabelKind: c.CostKindBreachedTickets}); ok {
		t.Errorf("a stale source's breached tickets are published: %g", v)
	}
}

// TestEvaluate_CostPriorityCache: the split by priority is reused while the data generation,
// the period and the breach count stay the same, and counted again when the data changes.
func TestEvaluate_CostPriorityCache(t *testing.T) {
	cfg := loadConfig(t, costConfig)
	now := utc("2026-11-13T12:00:00Z")
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		tk("A", "incident", "P1", "2026-11-02T10:00:00Z", resolved("2026-11-02T16:00:00Z")),
		tk("D", "incident", "P3", "2026-11-05T10:00:00Z", resolved("2026-11-05T20:00:00Z")),
	)
	d.LastSuccess["desk"] = now
	r := &fakeReader{data: d}
	ev := New(cfg, Options{Data: r})
	counts := func() string { return fmt.Sprintf("%p", ev.priorities.entries["resolution"].counts) }
	ev.Evaluate(now)
	first := counts()
	ev.Evaluate(now.Add(time.Minute))
	if counts() != first {
		t.Error("the tickets were scanned again with the same data and breaches")
	}
	r.data.Gen++
	s := ev.Evaluate(now.Add(2 * time.Minute))
	if counts() == first {
		t.Error("the split was reused after the data changed")
	}
	// P1 500 + P3 at "*" 20 = 520 EUR either way.
	for _, k := range s.Costs {
		if k.Kind == c.CostKindBreachedTickets && (k.SoFar != 520 || !k.HasSoFar) {
			t.Errorf("breached tickets %+v, want 520 EUR so far", k)
		}
	}
}
