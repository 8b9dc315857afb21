package report

import (
	"testing"
	"time"
)

var november = Period{Label: "2026-11", Name: "November 2026"}
var october = Period{Label: "2026-10", Name: "October 2026"}

func TestPromisesSentence(t *testing.T) {
	tests := []struct {
		name                 string
		kept, missed, noData int
		missedNames          []string
		want                 string
	}{
		{"all kept", 7, 0, 0, nil, "All 7 promises were kept in November 2026."},
		{"the only one kept", 1, 0, 0, nil, "The only promise was kept in November 2026."},
		{"missed", 5, 2, 0, []string{"incident-response", "hosting-availability"},
			"In November 2026, 5 of 7 promises were kept and 2 missed: incident-response and hosting-availability."},
		{"missed and no data", 4, 3, 1, []string{"a", "b", "c"},
			"In November 2026, 4 of 8 promises were kept and 3 missed: a, b and c. 1 promise had no data to judge by."},
		{"kept and no data", 5, 0, 2, nil, "In November 2026, 5 of 7 promises were kept. 2 promises had no data to judge by."},
		{"no data at all", 0, 0, 3, nil, "None of the 3 promises could be judged in November 2026: there is no data."},
		{"nothing in scope", 0, 0, 0, nil, "No promise is measured in this report."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := promisesSentence(november, tt.kept, tt.missed, tt.noData, tt.missedNames); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestChangeSentence(t *testing.T) {
	tests := []struct {
		name                         string
		missed, prevKept, prevMissed int
		want                         string
	}{
		{"more missed", 3, 6, 1, "That is 2 more missed than in October 2026, when 6 of 7 were kept."},
		{"fewer missed", 1, 4, 3, "That is 2 fewer missed than in October 2026, when 4 of 7 were kept."},
		{"as many", 2, 5, 2, "As many were missed in October 2026, when 5 of 7 were kept."},
		{"none either", 0, 7, 0, "None was missed in October 2026 either."},
		{"no data before", 2, 0, 0, "There are no figures for October 2026 to compare with."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := changeSentence(october, tt.missed, tt.prevKept, tt.prevMissed); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCreditsSentences(t *testing.T) {
	// 10% of 12,000 EUR is 1,200 EUR; 5% of 5,000 EUR is 250 EUR.
	hostco := CreditDue{Contract: "hostco-hosting", Counterparty: "hostco", Period: "2026-11", Ratio: 0.1, Amount: fptr(1200), Currency: "EUR", ClaimBy: "2027-01-31"}
	acme := CreditDue{Contract: "acme-support", Counterparty: "acme", Period: "2026-11", Ratio: 0.05, Amount: fptr(250), Currency: "EUR"}
	ratioOnly := CreditDue{Contract: "internal", Period: "2026-11", Ratio: 0.25}
	tests := []struct {
		name     string
		supplier bool
		c        Credits
		want     string
	}{
		{"nothing owed", false, Credits{}, "No credit is owed to customers for November 2026."},
		{"nothing due", true, Credits{}, "No credit is due from suppliers for November 2026."},
		{"owed", false, Credits{Due: []CreditDue{acme}, Totals: []Money{{"EUR", 250}}},
			"Credits owed to customers for November 2026: 250.00 EUR to acme (acme-support)."},
		{"due with deadline", true, Credits{Due: []CreditDue{hostco}, Totals: []Money{{"EUR", 1200}}},
			"Credits to claim from suppliers for November 2026: 1,200.00 EUR from hostco (hostco-hosting), claim by 2027-01-31."},
		{"two, with a total", false, Credits{Due: []CreditDue{acme, ratioOnly}, Totals: []Money{{"EUR", 250}}},
			"Credits owed to customers for November 2026: 250.00 EUR to acme (acme-support); 25.00% of the fee to internal; in all 250.00 EUR."},
		{"unknown", false, Credits{Unknown: []string{"acme-support"}},
			"The credit of acme-support is unknown: an objective has no data."},
		{"provisional", true, Credits{Due: []CreditDue{hostco}, Totals: []Money{{"EUR", 1200}}, Provisional: true},
			"Credits to claim from suppliers for November 2026: 1,200.00 EUR from hostco (hostco-hosting), claim by 2027-01-31. These figures are provisional: the data of the period is incomplete."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := customerCreditsSentence(november, tt.c)
			if tt.supplier {
				got = supplierCreditsSentence(november, tt.c)
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRiskSentences(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	exhaustion := time.Date(2026, 12, 17, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		risk Risk
		want string
	}{
		{"at risk: forecast under target, budget running out",
			Risk{Objective: "incident-response", Kind: riskAtRisk, PeriodName: "December 2026", Target: 0.95, Forecast: fptr(0.941),
				Exhaustion: &exhaustion, OpenAtRisk: 2, BudgetRemaining: fptr(0.4)},
			"incident-response is at risk in December 2026: the forecast is 94.10% against a 95.00% target, the budget runs out on 2026-12-17 09:00 CET at the current burn, 2 open tickets are near the deadline and 40.00% of the budget is left."},
		{"at risk: tickets past the deadline only",
			Risk{Objective: "p1-resolution", Kind: riskAtRisk, PeriodName: "December 2026", Target: 0.9, OpenBreached: 1},
			"p1-resolution is at risk in December 2026: 1 open ticket is past the deadline."},
		// The forecast 99.949% would read 99.95% with two decimals, level with its target.
		{"at risk: forecast a hair under target",
			Risk{Objective: "hosting-availability", Kind: riskAtRisk, PeriodName: "December 2026", Target: 0.9995, Forecast: fptr(0.99949)},
			"hosting-availability is at risk in December 2026: the forecast is 99.949% against a 99.95% target."},
		{"breached", Risk{Objective: "hosting-availability", Kind: riskBreached, PeriodName: "December 2026", Target: 0.9995, Attainment: fptr(0.9981), OpenBreached: 0},
			"hosting-availability has spent its error budget for December 2026: 99.81% against a 99.95% target."},
		{"breached with tickets", Risk{Objective: "p1-resolution", Kind: riskBreached, PeriodName: "December 2026", Target: 0.9, Attainment: fptr(0.5), OpenBreached: 3},
			"p1-resolution has spent its error budget for December 2026: 50.00% against a 90.00% target, with 3 open tickets past its deadline."},
		{"no data: stale", Risk{Objective: "webshop-availability", Kind: riskNoData, PeriodName: "December 2026", Stale: true},
			"webshop-availability cannot be judged in December 2026: its source is down or stale."},
		{"no data yet", Risk{Objective: "api-requests", Kind: riskNoData, PeriodName: "the last 30 days"},
			"api-requests has nothing to measure yet in the last 30 days."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := riskSentence(tt.risk, rome); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	if got, want := noRiskSentence(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), rome),
		"No promise is at risk in the periods in progress, as of 2026-12-03 10:00 CET."; got != want {
		t.Errorf("no risk: got %q, want %q", got, want)
	}
	if got, want := incompleteSentence(2), "This report is incomplete: 2 figures are not final (see the notes), so its figures are provisional."; got != want {
		t.Errorf("incomplete: got %q, want %q", got, want)
	}
}

// TestDemoSummary checks the demo's summary end to end: the counts the sentences say, the risks
// in their order (the forecast furthest under target first), and the sentence kinds in reading
// order.
func TestDemoSummary(t *testing.T) {
	rep := mustDemoReport(t, Request{})
	s := rep.Summary
	// November 2026: incident-response (94.30% < 95%), incident-resolution (89.76% < 90%),
	// p1-resolution (83.33% < 90%) and hosting-availability (99.915% < 99.95%) missed; the three
	// others kept.
	if s.Kept != 3 || s.Missed != 4 || s.NoData != 0 {
		t.Errorf("kept %d missed %d no data %d, want 3, 4, 0", s.Kept, s.Missed, s.NoData)
	}
	var kinds []string
	for _, x := range s.Sentences {
		kinds = append(kinds, x.Kind)
	}
	want := []string{sentencePromises, sentenceChange, sentenceSupplierCredits, sentenceCost, sentenceRisk, sentenceIncomplete}
	if len(kinds) != len(want) {
		t.Fatalf("sentence kinds %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("sentence kinds %v, want %v", kinds, want)
		}
	}
	// December 2026: incident-resolution's forecast (83.82% against 90%) leaves 1 - 0.1618/0.1 =
	// -62% of its budget at the end; every other forecast meets its target.
	if len(s.Risks) != 1 || s.Risks[0].Objective != "incident-resolution" {
		t.Errorf("risks %+v, want incident-resolution alone", s.Risks)
	}
}
