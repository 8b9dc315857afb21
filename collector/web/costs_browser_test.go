package web

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkCostFigures compares the status page's cost section, as Chromium renders it, with
// /api/v1/costs: a row per kind of each service and currency, its amounts as the API's display
// gives them, an unknown one read as "unknown".
func checkCostFigures(t *testing.T, tb *tab, costs []CostJSON) {
	t.Helper()
	type row struct{ Group, Kind, SoFar, Forecast string }
	got := eval[[]row](t, tb, `(() => { `+textJS+`
		return [...document.querySelectorAll("tbody[data-service] tr[data-cost]")].filter(tr => tr.dataset.cost !== "total").map(tr => ({
			Group: tr.parentElement.dataset.service + " " + tr.parentElement.dataset.currency,
			Kind: tr.dataset.cost,
			SoFar: text(tr.querySelector("[data-figure=so_far]")),
			Forecast: text(tr.querySelector("[data-figure=forecast]")),
		})); })()`)
	var want []row
	for _, j := range costs {
		for _, k := range j.Kinds {
			want = append(want, row{j.Service + " " + j.Currency, k.Kind, cmpOr(k.Display.SoFar, "○ unknown"), cmpOr(k.Display.Forecast, "○ unknown")})
		}
	}
	if len(want) == 0 {
		t.Fatal("the demo prices nothing")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cost rows: the API (-) and the page (+):\n%s", diff)
	}
}
