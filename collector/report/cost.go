package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector/display"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// sentenceCost is the kind of the summary's sentences on what missed promises cost.
const sentenceCost = "cost"

// CostLine is what missed promises cost in the periods in progress at the report's instant (the
// latest evaluation's sla_cost_amount), one kind in one currency, summed over the services in
// scope. Currencies are never summed; a figure some service cannot give (stale or no data) is
// null, not the sum of the others.
type CostLine struct {
	Currency string `json:"currency"`
	// Kind is downtime, breached_tickets, credits_owed or credits_earned.
	Kind     string   `json:"kind"`
	SoFar    *float64 `json:"so_far"`
	Forecast *float64 `json:"forecast"`
	// Extrapolated says the forecast carries the amount so far to the period's end by the share
	// of the period elapsed (breached tickets), rather than coming from the engine's forecast.
	Extrapolated bool `json:"extrapolated"`
	// Unknown says why a figure is missing, "<service>: <why>".
	Unknown []string `json:"unknown"`
}

// costKinds orders the kinds: the costs, then the credits earned, which offset them.
var costKinds = []string{c.CostKindDowntime, c.CostKindBreachedTickets, c.CostKindCreditsOwed, c.CostKindCreditsEarned}

// costs sums the latest evaluation's cost figures of the services in scope by currency and kind:
// the services of the objectives in scope, and those the contracts in scope count under.
func (b *builder) costs() []CostLine {
	out := []CostLine{}
	if b.in.Current == nil {
		return out
	}
	inScope := map[string]bool{}
	for _, o := range b.scope.objectives {
		inScope[o.Service] = true
	}
	for _, k := range b.scope.contracts {
		inScope[b.cfg.ContractService(k)] = true
	}
	type sum struct {
		line                  CostLine
		soFar, forecast       float64
		hasSoFar, hasForecast bool
	}
	var sums []*sum
	for _, r := range b.in.Current.Costs {
		if !inScope[r.Service] {
			continue
		}
		i := slices.IndexFunc(sums, func(s *sum) bool { return s.line.Currency == r.Currency && s.line.Kind == r.Kind })
		if i < 0 {
			sums = append(sums, &sum{line: CostLine{Currency: r.Currency, Kind: r.Kind, Unknown: []string{}}, hasSoFar: true, hasForecast: true})
			i = len(sums) - 1
		}
		s := sums[i]
		s.soFar += r.SoFar
		s.forecast += r.Forecast
		s.hasSoFar = s.hasSoFar && r.HasSoFar
		s.hasForecast = s.hasForecast && r.HasForecast
		s.line.Extrapolated = s.line.Extrapolated || r.Extrapolated
		if r.Unknown != "" {
			s.line.Unknown = append(s.line.Unknown, r.Service+": "+r.Unknown)
		}
	}
	for _, s := range sums {
		s.line.SoFar = ptr(s.soFar, s.hasSoFar)
		s.line.Forecast = ptr(s.forecast, s.hasForecast)
		out = append(out, s.line)
	}
	slices.SortFunc(out, func(a, d CostLine) int {
		return cmp.Or(cmp.Compare(a.Currency, d.Currency), cmp.Compare(slices.Index(costKinds, a.Kind), slices.Index(costKinds, d.Kind)))
	})
	return out
}

// costSentences say the cost lines, one sentence per currency: what missed promises cost so far
// and by the periods' end (downtime, breached tickets and credits owed together, when each is
// known), then the credits earned from suppliers.
func costSentences(lines []CostLine) []string {
	var out []string
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && lines[j].Currency == lines[i].Currency {
			j++
		}
		out = append(out, costSentence(lines[i].Currency, lines[i:j]))
		i = j
	}
	return out
}

var costWords = map[string]string{c.CostKindDowntime: "downtime", c.CostKindBreachedTickets: "breached tickets", c.CostKindCreditsOwed: "credits owed"}

func costSentence(currency string, lines []CostLine) string {
	amount := func(v *float64) string {
		if v == nil {
			return "unknown"
		}
		return display.Amount(*v, currency)
	}
	var parts, unknown []string
	var soFar, forecast float64
	knownSoFar, knownForecast, costs := true, true, false
	var earned *CostLine
	for i := range lines {
		l := &lines[i]
		unknown = append(unknown, l.Unknown...)
		if l.Kind == c.CostKindCreditsEarned {
			earned = l
			continue
		}
		costs = true
		how := ""
		if l.Extrapolated {
			how = ", extrapolated from the share of the period elapsed"
		}
		parts = append(parts, costWords[l.Kind]+" "+amount(l.SoFar)+" (forecast "+amount(l.Forecast)+how+")")
		if l.SoFar != nil {
			soFar += *l.SoFar
		}
		if l.Forecast != nil {
			forecast += *l.Forecast
		}
		knownSoFar = knownSoFar && l.SoFar != nil
		knownForecast = knownForecast && l.Forecast != nil
	}
	var b strings.Builder
	if costs {
		b.WriteString("In the periods in progress, missed promises cost " + amount(ptr(soFar, knownSoFar)) + " so far, " +
			amount(ptr(forecast, knownForecast)) + " forecast by their end: " + strings.Join(parts, ", ") + ".")
	}
	if earned != nil {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("Credits earned from suppliers: " + amount(earned.SoFar) + " so far, " + amount(earned.Forecast) + " forecast.")
	}
	if len(unknown) > 0 {
		b.WriteString(" Unknown for lack of data: " + strings.Join(unknown, "; ") + ".")
	}
	return b.String()
}

// costsTable is the cost lines as a CSV table.
func costsTable(rep *Report) Table {
	t := Table{Name: "costs", Header: []string{"currency", "kind", "so_far", "forecast", "extrapolated", "unknown"}}
	for _, l := range rep.Summary.Costs {
		t.Rows = append(t.Rows, []string{l.Currency, l.Kind, num(l.SoFar), num(l.Forecast), strconv.FormatBool(l.Extrapolated), strings.Join(l.Unknown, "; ")})
	}
	return t
}
