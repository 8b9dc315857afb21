package evaluation

import (
	"math"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// contracts rates every contract from its objectives' results: the running and forecast credits
// of the current period from the attainment so far and the forecast one, and each finished
// period's credit from the attainments frozen with it, so that an invoice figure survives the
// data's retention and a restart. A stale objective (its source stopped syncing) has no
// attainment now, which makes the current figures unknown; its frozen periods still count.
func contracts(cfg *config.Config, objs []collector.ObjectiveResult, now time.Time) []collector.ContractResult {
	results := make(map[string]*collector.ObjectiveResult, len(objs))
	for i := range objs {
		results[objs[i].Objective] = &objs[i]
	}
	periods := make(map[string]period.Period, len(cfg.Objectives))
	for i := range cfg.Objectives {
		periods[cfg.Objectives[i].Name] = cfg.Objectives[i].Period
	}
	out := make([]collector.ContractResult, 0, len(cfg.Contracts))
	for _, c := range cfg.Contracts {
		k := collector.ContractResult{Spec: c.Spec, Description: c.Description, Objectives: c.Objectives, PeriodName: c.PeriodName}
		running, forecast := nans(len(c.Objectives)), nans(len(c.Objectives))
		for i, name := range c.Objectives {
			o := results[name]
			if o == nil || o.Stale {
				continue
			}
			if o.HasData {
				running[i] = o.Attainment
			}
			if o.HasForecast {
				forecast[i] = o.Forecast
			}
		}
		k.Running = rate(c.Spec, running)
		k.Forecast = rate(c.Spec, forecast)
		k.Status = contract.CurrentStatus(k.Running.Result, k.Forecast.Result)
		// The configuration checked that the objectives share one period.
		if p := periods[c.Objectives[0]]; p.Validate() == nil {
			k.PeriodStart, k.PeriodEnd = p.Bounds(now)
			k.PeriodLabel = p.Label(k.PeriodStart)
			k.History = contractHistory(cfg.Global.HistoryPeriods, p, c, results, now)
		}
		out = append(out, k)
	}
	return out
}

// contractHistory rates the last n finished periods before now's, oldest first. Every period is
// listed, so the last one is always the period just ended: one whose attainment some objective
// has not frozen (its source has not synced since the period ended) or froze without data is
// unknown, rather than letting an older period pass for the last.
func contractHistory(n int, p period.Period, c config.Contract, results map[string]*collector.ObjectiveResult, now time.Time) []collector.ContractPeriod {
	if n == 0 || !p.Calendar() {
		return nil
	}
	out := make([]collector.ContractPeriod, 0, n)
	start, _ := p.Bounds(now)
	for range n {
		ps, pe := p.Previous(start)
		start = ps
		label := p.Label(ps)
		att := nans(len(c.Objectives))
		for i, name := range c.Objectives {
			if o := results[name]; o != nil {
				if j := slices.IndexFunc(o.History, func(fp collector.FrozenPeriod) bool { return fp.Label == label }); j >= 0 && o.History[j].HasData {
					att[i] = o.History[j].Attainment
				}
			}
		}
		out = append(out, collector.ContractPeriod{Label: label, Start: ps, End: pe, ContractCredit: rate(c.Spec, att)})
	}
	slices.Reverse(out)
	return out
}

func rate(s contract.Spec, attainments []float64) collector.ContractCredit {
	return collector.ContractCredit{Result: s.Credit(attainments), Attainments: attainments}
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}
