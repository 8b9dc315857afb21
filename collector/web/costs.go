package web

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// The cost of missed promises (issue 14) is priced by the evaluation (collector/evaluation,
// cost.go) and published as sla_cost_amount; this file serves the same figures as
// /api/v1/costs and as the status page's "Cost of missed promises" section.

// CostJSON is what one service's missed promises cost in one currency, in /api/v1/costs: the
// figures of its current periods (each objective's and contract's own), by kind. Only the kinds
// priced for the service are listed: a kind that is absent has no price (no cost block for it,
// or no contract with a fee), which is not the same as an unknown one.
type CostJSON struct {
	Service  string `json:"service"`
	Currency string `json:"currency"`
	// Kinds are in the order downtime, breached_tickets, credits_owed, credits_earned.
	Kinds []CostKindJSON `json:"kinds"`
	// Total adds up the costs (downtime, breached tickets, credits owed); credits earned from
	// suppliers offset them and are not in it. Absent when the service has only credits earned.
	Total *CostTotalJSON `json:"total,omitempty"`
	// Restored is set while the figures are the previous process's last ones, served at
	// start-up until this process's first evaluation (collector.Snapshot.Restored).
	Restored bool `json:"restored,omitempty"`
}

// CostKindJSON is one kind of cost. A figure that cannot be known (an objective stale or without
// data, a contract credit unknown) is null, with the reason in unknown: never a 0 that would read
// as "nothing lost".
type CostKindJSON struct {
	// Kind is downtime, breached_tickets, credits_owed or credits_earned.
	Kind     string   `json:"kind"`
	SoFar    *float64 `json:"so_far"`
	Forecast *float64 `json:"forecast"`
	// Quantity is what was priced so far, in QuantityUnit: bad minutes (downtime) or breached
	// cycles (breached_tickets). Absent for credits, which are amounts already, and when the
	// amount so far is unknown.
	Quantity     *float64 `json:"quantity,omitempty"`
	QuantityUnit string   `json:"quantity_unit,omitempty"`
	// Extrapolated says the forecast carries the amount so far to the period's end by the share
	// of the period elapsed (breached tickets), rather than coming from the engine's forecast.
	Extrapolated bool `json:"extrapolated"`
	// Unknown says why a figure is null; empty when both are known.
	Unknown string          `json:"unknown,omitempty"`
	Display CostDisplayJSON `json:"display"`
}

// CostTotalJSON is the sum of a service's costs in one currency: a window is null as soon as one
// of its parts is, Unknown naming them ("breached_tickets: incident-response is stale").
type CostTotalJSON struct {
	SoFar    *float64        `json:"so_far"`
	Forecast *float64        `json:"forecast"`
	Unknown  []string        `json:"unknown,omitempty"`
	Display  CostDisplayJSON `json:"display"`
}

// CostDisplayJSON is a cost as the status page shows it: money with its currency ("1,200.00
// EUR") and the quantity priced ("12m30s of bad time", "3 breached cycles"). A null figure is
// absent here.
type CostDisplayJSON struct {
	SoFar    string `json:"so_far,omitempty"`
	Forecast string `json:"forecast,omitempty"`
	Quantity string `json:"quantity,omitempty"`
}

// costKindOrder is the order kinds are listed in: the costs, then the credits earned, which
// offset them (as the report's summary orders them).
var costKindOrder = []string{c.CostKindDowntime, c.CostKindBreachedTickets, c.CostKindCreditsOwed, c.CostKindCreditsEarned}

// isCost says whether a kind adds to what missed promises cost (credits earned offset it).
func isCost(kind string) bool { return kind != c.CostKindCreditsEarned }

// CostsJSON renders a snapshot's costs, one entry per service and currency, by service then
// currency. Currencies are never summed.
func CostsJSON(s *collector.Snapshot) []CostJSON {
	out := []CostJSON{}
	for _, r := range s.Costs {
		i := slices.IndexFunc(out, func(j CostJSON) bool { return j.Service == r.Service && j.Currency == r.Currency })
		if i < 0 {
			out = append(out, CostJSON{Service: r.Service, Currency: r.Currency, Kinds: []CostKindJSON{}, Restored: s.Restored})
			i = len(out) - 1
		}
		out[i].Kinds = append(out[i].Kinds, costKindJSON(r))
	}
	for i := range out {
		j := &out[i]
		slices.SortStableFunc(j.Kinds, func(a, b CostKindJSON) int {
			return cmp.Compare(slices.Index(costKindOrder, a.Kind), slices.Index(costKindOrder, b.Kind))
		})
		j.Total = costTotal(j.Kinds, j.Currency)
	}
	slices.SortStableFunc(out, func(a, b CostJSON) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

// costKindJSON is one figure of the snapshot as the API gives it.
func costKindJSON(r collector.CostResult) CostKindJSON {
	j := CostKindJSON{Kind: r.Kind, SoFar: num(r.SoFar, r.HasSoFar), Forecast: num(r.Forecast, r.HasForecast), Extrapolated: r.Extrapolated}
	if j.SoFar == nil || j.Forecast == nil {
		// The evaluation always says why; a figure without a reason would read as a bug's zero.
		j.Unknown = cmp.Or(r.Unknown, "the data behind it is missing")
	}
	j.Display.SoFar, j.Display.Forecast = amount(j.SoFar, r.Currency), amount(j.Forecast, r.Currency)
	if j.SoFar != nil {
		switch r.Kind {
		case c.CostKindDowntime:
			j.Quantity, j.QuantityUnit = num(r.Quantity, true), "minutes"
			switch {
			case j.Quantity == nil:
			case *j.Quantity == 0:
				j.Display.Quantity = "no bad time"
			default:
				j.Display.Quantity = display.Duration(*j.Quantity*60) + " of bad time"
			}
		case c.CostKindBreachedTickets:
			j.Quantity, j.QuantityUnit = num(r.Quantity, true), "cycles"
			switch {
			case j.Quantity == nil:
			case *j.Quantity == 0:
				j.Display.Quantity = "no breached cycle"
			default:
				j.Display.Quantity = display.Count(*j.Quantity) + " breached " + plural(*j.Quantity, "cycle", "cycles")
			}
		}
	}
	return j
}

// costTotal sums the cost kinds (not the credits earned); nil when there is none.
func costTotal(kinds []CostKindJSON, currency string) *CostTotalJSON {
	var soFar, forecast float64
	knownSoFar, knownForecast, some := true, true, false
	var unknown []string
	for _, k := range kinds {
		if !isCost(k.Kind) {
			continue
		}
		some = true
		if k.SoFar != nil {
			soFar += *k.SoFar
		}
		if k.Forecast != nil {
			forecast += *k.Forecast
		}
		knownSoFar = knownSoFar && k.SoFar != nil
		knownForecast = knownForecast && k.Forecast != nil
		if k.Unknown != "" {
			unknown = append(unknown, k.Kind+": "+k.Unknown)
		}
	}
	if !some {
		return nil
	}
	t := &CostTotalJSON{SoFar: num(soFar, knownSoFar), Forecast: num(forecast, knownForecast), Unknown: unknown}
	t.Display.SoFar, t.Display.Forecast = amount(t.SoFar, currency), amount(t.Forecast, currency)
	return t
}

// amount writes money with its currency, "" for a null figure.
func amount(v *float64, currency string) string {
	if v == nil {
		return ""
	}
	return display.Amount(*v, currency)
}

func plural(n float64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// costGroup is a service's costs in one currency as the status page shows them: a row per kind
// priced, then the total when there are several costs to add up.
type costGroup struct {
	Service, Currency string
	Rows              []costRow
}

// costRow is a kind of cost, or the total. An unknown figure is said as such (Unknown set, Text
// empty), with the reason among the notes.
type costRow struct {
	Kind, Label     string
	SoFar, Forecast costFigure
	Notes           []string
	Total           bool
}

// costFigure is an amount as shown: its text, or unknown.
type costFigure struct {
	Text    string
	Unknown bool
}

// costLabels name the kinds on the page.
var costLabels = map[string]string{
	c.CostKindDowntime:        "Downtime",
	c.CostKindBreachedTickets: "Breached tickets",
	c.CostKindCreditsOwed:     "Credits owed to customers",
	c.CostKindCreditsEarned:   "Credits earned from suppliers",
}

// costHow says how each kind's forecast is made, when it is known.
var costHow = map[string]string{
	c.CostKindDowntime:      "forecast: from the objectives' forecast attainment (the bad time so far plus the time ahead going bad at the recent rate)",
	c.CostKindCreditsOwed:   "the contracts' running and forecast credits",
	c.CostKindCreditsEarned: "the suppliers' contracts' running and forecast credits; they offset the costs",
}

// costGroups are the snapshot's costs as the status page's section shows them, built from the
// API's figures so that the page and /api/v1/costs cannot disagree.
func costGroups(snap *collector.Snapshot) []costGroup {
	var out []costGroup
	for _, j := range CostsJSON(snap) {
		g := costGroup{Service: j.Service, Currency: j.Currency}
		for _, k := range j.Kinds {
			r := costRow{Kind: k.Kind, Label: cmp.Or(costLabels[k.Kind], k.Kind),
				SoFar: costFigureOf(k.Display.SoFar, k.SoFar), Forecast: costFigureOf(k.Display.Forecast, k.Forecast)}
			if k.Display.Quantity != "" {
				r.Notes = append(r.Notes, k.Display.Quantity)
			}
			switch {
			case k.Extrapolated && k.Forecast != nil:
				r.Notes = append(r.Notes, "forecast: extrapolated from the share of the period elapsed")
			case k.Forecast != nil && costHow[k.Kind] != "":
				r.Notes = append(r.Notes, costHow[k.Kind])
			}
			if k.Unknown != "" {
				r.Notes = append(r.Notes, "unknown: "+k.Unknown)
			}
			g.Rows = append(g.Rows, r)
		}
		// A total of one kind would repeat its row.
		if t := j.Total; t != nil && countCosts(j.Kinds) > 1 {
			r := costRow{Kind: "total", Label: "Total cost", Total: true,
				SoFar: costFigureOf(t.Display.SoFar, t.SoFar), Forecast: costFigureOf(t.Display.Forecast, t.Forecast)}
			if len(t.Unknown) > 0 {
				r.Notes = append(r.Notes, "unknown: "+strings.Join(t.Unknown, "; "))
			}
			if slices.ContainsFunc(j.Kinds, func(k CostKindJSON) bool { return !isCost(k.Kind) }) {
				r.Notes = append(r.Notes, "before the credits earned from suppliers")
			}
			g.Rows = append(g.Rows, r)
		}
		out = append(out, g)
	}
	return out
}

func costFigureOf(text string, v *float64) costFigure {
	if v == nil {
		return costFigure{Unknown: true}
	}
	return costFigure{Text: text}
}

func countCosts(kinds []CostKindJSON) int {
	n := 0
	for _, k := range kinds {
		if isCost(k.Kind) {
			n++
		}
	}
	return n
}
