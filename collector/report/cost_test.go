package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// costSnapshot is an evaluation of the small configuration with cost figures: the web service's
// downtime and breached tickets in EUR, a figure in USD, the api service's credits earned (its
// cloud contract), and a downtime the api cannot price (stale).
func costSnapshot() *collector.Snapshot {
	return &collector.Snapshot{At: smallNow, Costs: []collector.CostResult{
		{Service: "api", Kind: c.CostKindCreditsEarned, Currency: "EUR", SoFar: 0, HasSoFar: true, Forecast: 100, HasForecast: true},
		{Service: "api", Kind: c.CostKindDowntime, Currency: "EUR", Unknown: "requests is stale"},
		{Service: "web", Kind: c.CostKindBreachedTickets, Currency: "EUR", SoFar: 620, HasSoFar: true, Forecast: 1240, HasForecast: true, Extrapolated: true},
		{Service: "web", Kind: c.CostKindDowntime, Currency: "EUR", SoFar: 3600, HasSoFar: true, Forecast: 5400, HasForecast: true},
		{Service: "web", Kind: c.CostKindCreditsOwed, Currency: "USD", SoFar: 0, HasSoFar: true, Forecast: 200, HasForecast: true},
	}}
}

// TestSummaryCosts sums the cost figures of the services in scope by currency and kind and says
// them per currency; the sums are worked out in the comments.
func TestSummaryCosts(t *testing.T) {
	tests := []struct {
		name      string
		filter    Filter
		lines     []CostLine
		sentences []string
	}{
		{
			name: "everything",
			lines: []CostLine{
				// EUR downtime: web's 3,600 and the api's unknown: unknown, never 3,600 alone.
				{Currency: "EUR", Kind: c.CostKindDowntime, Unknown: []string{"api: requests is stale"}},
				{Currency: "EUR", Kind: c.CostKindBreachedTickets, SoFar: fptr(620), Forecast: fptr(1240), Extrapolated: true, Unknown: []string{}},
				{Currency: "EUR", Kind: c.CostKindCreditsEarned, SoFar: fptr(0), Forecast: fptr(100), Unknown: []string{}},
				// USD stays apart from EUR.
				{Currency: "USD", Kind: c.CostKindCreditsOwed, SoFar: fptr(0), Forecast: fptr(200), Unknown: []string{}},
			},
			sentences: []string{
				"In the periods in progress, missed promises cost unknown so far, unknown forecast by their end: downtime unknown (forecast unknown), breached tickets 620.00 EUR (forecast 1,240.00 EUR, extrapolated from the share of the period elapsed). Credits earned from suppliers: 0.00 EUR so far, 100.00 EUR forecast. Unknown for lack of data: api: requests is stale.",
				// 0 so far, 200 forecast: the only USD figure.
				"In the periods in progress, missed promises cost 0.00 USD so far, 200.00 USD forecast by their end: credits owed 0.00 USD (forecast 200.00 USD).",
			},
		},
		{
			// The web service alone: its EUR downtime (3,600 so far, 5,400 forecast) and
			// breached tickets (620, 1,240) add up to 4,220 so far and 6,640 forecast.
			name:   "one service",
			filter: Filter{Service: "web"},
			lines: []CostLine{
				{Currency: "EUR", Kind: c.CostKindDowntime, SoFar: fptr(3600), Forecast: fptr(5400), Unknown: []string{}},
				{Currency: "EUR", Kind: c.CostKindBreachedTickets, SoFar: fptr(620), Forecast: fptr(1240), Extrapolated: true, Unknown: []string{}},
				{Currency: "USD", Kind: c.CostKindCreditsOwed, SoFar: fptr(0), Forecast: fptr(200), Unknown: []string{}},
			},
			sentences: []string{
				"In the periods in progress, missed promises cost 4,220.00 EUR so far, 6,640.00 EUR forecast by their end: downtime 3,600.00 EUR (forecast 5,400.00 EUR), breached tickets 620.00 EUR (forecast 1,240.00 EUR, extrapolated from the share of the period elapsed).",
				"In the periods in progress, missed promises cost 0.00 USD so far, 200.00 USD forecast by their end: credits owed 0.00 USD (forecast 200.00 USD).",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Build(Inputs{Source: smallSource(t), Now: smallNow, Current: costSnapshot()}, Request{Filter: tt.filter})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.lines, rep.Summary.Costs); diff != "" {
				t.Errorf("cost lines (-want +got):\n%s", diff)
			}
			var got []string
			for _, s := range rep.Summary.Sentences {
				if s.Kind == sentenceCost {
					got = append(got, s.Text)
				}
			}
			if diff := cmp.Diff(tt.sentences, got); diff != "" {
				t.Errorf("cost sentences (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("no evaluation", func(t *testing.T) {
		rep, err := buildSmall(t, smallSource(t), Request{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Summary.Costs) != 0 {
			t.Errorf("cost lines %+v without an evaluation", rep.Summary.Costs)
		}
	})
}
