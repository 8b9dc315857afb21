package report

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// contracts rates the contracts in scope over their billing periods in the report's period, and
// splits them by party: customers' (credits owed) and suppliers' (credits to claim).
func (b *builder) contracts() (customers, suppliers []Contract) {
	customers, suppliers = []Contract{}, []Contract{}
	for _, k := range b.scope.contracts {
		c := b.contract(k)
		if c.Party == partySupplier {
			suppliers = append(suppliers, c)
		} else {
			customers = append(customers, c)
		}
	}
	return customers, suppliers
}

func (b *builder) contract(k *config.Contract) Contract {
	side, who := party(b.cfg, k)
	c := Contract{Name: k.Spec.Name, Description: k.Description, Party: side, Counterparty: who, Objectives: k.Objectives,
		Fee: ptr(k.Spec.Fee, k.Spec.Fee > 0), Currency: k.Spec.Currency, ClaimWithin: k.ClaimWithin.String(), Periods: []ContractPeriod{}}
	for _, t := range k.Spec.Tiers {
		c.Tiers = append(c.Tiers, Tier(t))
	}
	// As a schedule reads: the shallowest miss first.
	slices.SortFunc(c.Tiers, func(a, t Tier) int { return cmp.Compare(t.Below, a.Below) })
	// The configuration checked that the objectives share one period.
	first := objectiveNamed(b.cfg, k.Objectives[0])
	for _, cw := range b.billingPeriods(first.Period) {
		c.Periods = append(c.Periods, b.contractPeriod(k, cw))
	}
	return c
}

// billingPeriods are a contract's periods that belong to the report's period: those whose middle
// falls in it, so that a week straddling two months, or a month in another timezone, belongs to
// exactly one report. A rolling period has no billing periods of its own: it is rated over the
// report's period.
func (b *builder) billingPeriods(p period.Period) []window {
	if !p.Calendar() {
		return []window{b.window}
	}
	var out []window
	for w := windowOf(p, b.window.Start); w.Start.Before(b.window.End); w = windowOf(p, w.End) {
		mid := w.Start.Add(w.End.Sub(w.Start) / 2)
		if !mid.Before(b.window.Start) && mid.Before(b.window.End) {
			out = append(out, w)
		}
	}
	return out
}

// contractPeriod rates one billing period from its objectives' attainments, frozen or
// recomputed as everywhere else. Its credit is unknown when an attainment is, and provisional
// when an attainment is not final.
func (b *builder) contractPeriod(k *config.Contract, w window) ContractPeriod {
	cp := ContractPeriod{Label: w.Label, Start: w.Start, End: w.End, Incomplete: []string{}}
	att := make([]float64, len(k.Objectives))
	targets := make([]float64, len(k.Objectives))
	for i, name := range k.Objectives {
		att[i] = math.NaN()
		o := objectiveNamed(b.cfg, name)
		targets[i] = o.Target
		m := b.measure(o, w, true)
		if m.has {
			att[i] = m.att
		}
		for _, r := range m.reasons {
			cp.Incomplete = append(cp.Incomplete, name+": "+r)
		}
	}
	res := k.Spec.Credit(att)
	cp.Status = res.Status().String()
	cp.Ratio = ptr(res.Ratio, res.Known)
	cp.Amount = ptr(res.Amount, res.Known && k.Spec.Fee > 0)
	cp.Complete = len(cp.Incomplete) == 0
	for i, name := range k.Objectives {
		ro := RatedObjective{Name: name, Target: targets[i], Attainment: ptr(att[i], true), Credit: ptr(res.PerObjective[i], true)}
		if t, ok := k.Spec.TierFor(att[i]); ok {
			ro.Tier = &Tier{Below: t.Below, Credit: t.Credit}
		}
		cp.Objectives = append(cp.Objectives, ro)
	}
	if d := k.ClaimWithin.Deadline(w.End); !d.IsZero() {
		cp.ClaimDeadline = &d
		cp.ClaimBy = claimBy(d)
	}
	return cp
}

// claimBy is the last day before a deadline, in its timezone: a claim due before 1 February
// 00:00 is due by 31 January.
func claimBy(deadline time.Time) string {
	return deadline.Add(-time.Nanosecond).Format(time.DateOnly)
}

// credits sums one side's contracts for the summary.
func credits(cs []Contract) Credits {
	out := Credits{Totals: []Money{}, Due: []CreditDue{}, Unknown: []string{}}
	for _, c := range cs {
		for _, p := range c.Periods {
			if !p.Complete {
				out.Provisional = true
			}
			switch p.Status {
			case contract.Unknown.String():
				if !slices.Contains(out.Unknown, c.Name) {
					out.Unknown = append(out.Unknown, c.Name)
				}
				continue
			case contract.CreditDue.String():
			default:
				continue
			}
			out.Due = append(out.Due, CreditDue{Contract: c.Name, Counterparty: c.Counterparty, Period: p.Label,
				Ratio: *p.Ratio, Amount: p.Amount, Currency: c.Currency, ClaimBy: p.ClaimBy})
			if p.Amount == nil {
				continue
			}
			i := slices.IndexFunc(out.Totals, func(m Money) bool { return m.Currency == c.Currency })
			if i < 0 {
				out.Totals = append(out.Totals, Money{Currency: c.Currency})
				i = len(out.Totals) - 1
			}
			out.Totals[i].Amount += *p.Amount
		}
	}
	slices.SortFunc(out.Totals, func(a, c Money) int { return cmp.Compare(a.Currency, c.Currency) })
	return out
}
