package evaluation

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// The cost of missed promises (issue 14) is priced from figures the evaluation already has: an
// availability objective's bad seconds so far (maintenance is excluded, as from the attainment),
// a ticket objective's breached cycles so far, a contract's running and forecast credits. Only
// the split of breached cycles by priority needs the tickets again (breachesByPriority).

// priorityCache keeps each priced ticket objective's breached cycles by priority between
// evaluations. With the same configuration and data generation, the cycles breached in a period
// only grow as time passes (a breach counted stays counted until the data changes), so the same
// breach count in the same period is the same set of cycles: the split is reused, and the tickets
// are scanned again only when the data, the period or the count changed.
type priorityCache struct {
	mu      sync.Mutex
	entries map[string]priorityEntry
}

type priorityEntry struct {
	cfg    *config.Config
	gen    uint64
	start  time.Time
	bad    float64
	counts map[string]float64
}

// breaches counts, for each ticket objective whose service prices breached cycles by priority,
// the cycles the engine counted as breached in the current period, by their ticket's priority;
// keyed by objective. Objectives that are stale, have no breach, count the tool's verdicts, or
// are priced by "*" alone are not scanned: their price needs no split. objs are the results of
// cfg.Objectives, in order; d is the data they were evaluated from.
func (pc *priorityCache) breaches(cfg *config.Config, objs []collector.ObjectiveResult, d collector.Data, now time.Time) map[string]map[string]float64 {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	out := map[string]map[string]float64{}
	kept := map[string]priorityEntry{}
	for i := range cfg.Objectives {
		o, r := &cfg.Objectives[i], &objs[i]
		svc := cfg.Services[o.Service]
		if o.Kind != slo.TicketSLA || svc.Cost == nil || len(svc.Cost.BreachedTicket) == 0 || svc.Cost.UniformTicketPrice() ||
			o.Verdict == slo.Native || r.Stale || !r.HasData || r.Bad == 0 {
			continue
		}
		st := d.Tickets[o.Source]
		if st == nil {
			continue
		}
		e, ok := pc.entries[o.Name]
		if !ok || e.cfg != cfg || e.gen != d.Gen || !e.start.Equal(r.PeriodStart) || e.bad != r.Bad {
			e = priorityEntry{cfg: cfg, gen: d.Gen, start: r.PeriodStart, bad: r.Bad,
				counts: breachedByPriority(o, st, r.PeriodStart.Unix(), now.Unix())}
		}
		kept[o.Name] = e
		out[o.Name] = e.counts
	}
	pc.entries = kept
	return out
}

// breachedByPriority counts o's cycles breached in [start, now] by priority. A breach counts
// where the engine counts it (slo's outcomeTime): at the first working instant after the
// deadline, so that the counts add up to the result's Bad.
func breachedByPriority(o *config.Objective, st *ticket.Store, start, now int64) map[string]float64 {
	counts := map[string]float64{}
	m := o.Select.Compile(st)
	cal := o.Clock.Calendar()
	var buf []ticket.Cycle
	for i := range st.Len() {
		v := st.View(i)
		if !m.Match(v) {
			continue
		}
		buf = o.Clock.Cycles(st, i, now, buf[:0])
		for _, cy := range buf {
			if cy.State != ticket.Breached {
				continue
			}
			if at := ticket.BreachCounts(cy.BreachedAt, cal); at >= start && at <= now {
				counts[v.Priority()]++
			}
		}
	}
	return counts
}

// costPart is one objective's or contract's share of a cost figure.
type costPart struct {
	soFar, forecast       float64
	hasSoFar, hasForecast bool
	quantity              float64
	extrapolated          bool
	// why says why a figure is missing.
	why string
}

// costKey is what figures are summed by: never across currencies.
type costKey struct{ service, kind, currency string }

// costs prices every service's missed promises and every contract's credits in the current
// periods. A figure is the sum of its parts only when every part is known: one stale objective
// leaves its kind of its service without a figure, named in Unknown. objs are the results of
// cfg.Objectives, in order; byPriority is breachesByPriority's.
func costs(cfg *config.Config, objs []collector.ObjectiveResult, ks []collector.ContractResult, byPriority map[string]map[string]float64, now time.Time) []collector.CostResult {
	parts := map[costKey][]costPart{}
	for i := range cfg.Objectives {
		o, r := &cfg.Objectives[i], &objs[i]
		cost := cfg.Services[o.Service].Cost
		if cost == nil {
			continue
		}
		switch {
		case o.Kind == slo.Availability && cost.HasDowntime:
			k := costKey{o.Service, c.CostKindDowntime, cost.Currency}
			parts[k] = append(parts[k], downtimeCost(o, r, cost.DowntimePerMinute))
		case o.Kind == slo.TicketSLA && len(cost.BreachedTicket) > 0:
			k := costKey{o.Service, c.CostKindBreachedTickets, cost.Currency}
			parts[k] = append(parts[k], breachedCost(o, r, cost, byPriority[o.Name], now))
		}
	}
	for i := range cfg.Contracts {
		k := &cfg.Contracts[i]
		if k.Spec.Fee == 0 || i >= len(ks) {
			continue // no fee: credits are ratios only, not amounts
		}
		kind := c.CostKindCreditsOwed
		if supplier, _ := cfg.ContractSupplier(k); supplier {
			kind = c.CostKindCreditsEarned
		}
		key := costKey{cfg.ContractService(k), kind, k.Spec.Currency}
		parts[key] = append(parts[key], creditCost(&ks[i]))
	}
	out := make([]collector.CostResult, 0, len(parts))
	for key, ps := range parts {
		out = append(out, sumCost(key, ps))
	}
	slices.SortFunc(out, func(a, b collector.CostResult) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}

// downtimeCost prices an availability objective's bad minutes. The forecast is the engine's: the
// forecast attainment's bad share of the period's eligible time (ProjectedTotal), which is the
// bad time so far plus the time ahead going bad at the recent rate, exactly when the data covers
// the period so far; never below the bad time so far. A rolling period ends now.
func downtimeCost(o *config.Objective, r *collector.ObjectiveResult, perMinute float64) costPart {
	if r.Stale || !r.HasData {
		return costPart{why: o.Name + " " + noFigure(r)}
	}
	p := costPart{soFar: r.Bad / 60 * perMinute, hasSoFar: true, quantity: r.Bad / 60}
	switch {
	case !o.Period.Calendar():
		p.forecast, p.hasForecast = p.soFar, true
	case r.HasForecast:
		bad := max(r.Bad, (1-r.Forecast)*r.ProjectedTotal)
		p.forecast, p.hasForecast = bad/60*perMinute, true
	default:
		p.why = o.Name + " has no forecast"
	}
	return p
}

// breachedCost prices a ticket objective's breached cycles by priority. The forecast carries the
// amount so far to the period's end by the share of the period elapsed (the engine forecasts the
// attainment of the cycles open now, not the tickets still to come); a rolling period ends now.
func breachedCost(o *config.Objective, r *collector.ObjectiveResult, cost *config.Cost, counts map[string]float64, now time.Time) costPart {
	if r.Stale || !r.HasData {
		return costPart{why: o.Name + " " + noFigure(r)}
	}
	p := costPart{quantity: r.Bad}
	switch {
	case cost.UniformTicketPrice():
		p.soFar = r.Bad * cost.BreachedTicket["*"]
	case o.Verdict == slo.Native:
		return costPart{why: o.Name + " counts the ticket tool's verdicts, which are not split by priority"}
	case r.Bad == 0:
	default:
		var n float64
		for prio, k := range counts {
			n += k
			if price, ok := cost.TicketPrice(prio); ok {
				p.soFar += k * price
			}
		}
		if n != r.Bad {
			// The split must add up to the figure the attainment counts, or it prices
			// something else.
			return costPart{why: fmt.Sprintf("%s: %g breached cycles by priority, %g counted", o.Name, n, r.Bad)}
		}
	}
	p.hasSoFar = true
	p.forecast, p.hasForecast = p.soFar, true
	if o.Period.Calendar() {
		elapsed, whole := now.Sub(r.PeriodStart).Seconds(), r.PeriodEnd.Sub(r.PeriodStart).Seconds()
		if elapsed > 0 && elapsed < whole {
			p.forecast = p.soFar * whole / elapsed
		}
		p.extrapolated = true
	}
	return p
}

// creditCost is a contract's running credit (so far) and forecast credit, in its currency.
func creditCost(k *collector.ContractResult) costPart {
	p := costPart{}
	if k.Running.Known {
		p.soFar, p.hasSoFar = k.Running.Amount, true
	}
	if k.Forecast.Known {
		p.forecast, p.hasForecast = k.Forecast.Amount, true
	}
	if !p.hasSoFar || !p.hasForecast {
		p.why = "contract " + k.Spec.Name + " has an objective without data"
	}
	return p
}

// sumCost adds up the parts of one figure, each window only when every part knows it.
func sumCost(key costKey, ps []costPart) collector.CostResult {
	r := collector.CostResult{Service: key.service, Kind: key.kind, Currency: key.currency, HasSoFar: true, HasForecast: true}
	var why []string
	for _, p := range ps {
		r.SoFar += p.soFar
		r.Forecast += p.forecast
		r.Quantity += p.quantity
		r.HasSoFar = r.HasSoFar && p.hasSoFar
		r.HasForecast = r.HasForecast && p.hasForecast
		r.Extrapolated = r.Extrapolated || p.extrapolated
		if p.why != "" {
			why = append(why, p.why)
		}
	}
	// An unknown figure is zero, not a partial sum that could pass for one.
	if !r.HasSoFar {
		r.SoFar, r.Quantity = 0, 0
	}
	if !r.HasForecast {
		r.Forecast = 0
	}
	slices.Sort(why)
	r.Unknown = strings.Join(why, "; ")
	return r
}

// noFigure says why an objective has no figure to price.
func noFigure(r *collector.ObjectiveResult) string {
	if r.Stale {
		return "is stale"
	}
	return "has no data"
}
