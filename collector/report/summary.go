package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/slo"
)

// Kinds of summary sentence.
const (
	sentencePromises        = "promises"
	sentenceChange          = "change"
	sentenceCustomerCredits = "customer_credits"
	sentenceSupplierCredits = "supplier_credits"
	sentenceRisk            = "risk"
	sentenceNoRisk          = "no_risk"
	sentenceIncomplete      = "incomplete"
)

// Kinds of risk, worst first.
const (
	riskBreached = "breached"
	riskAtRisk   = "at_risk"
	riskNoData   = "no_data"
)

// maxRisks is how many risks the summary names.
const maxRisks = 3

// summary counts the promises of the report's period and the one before, sums the credits and
// names the biggest risks of the periods in progress, then says it all in sentences.
func (b *builder) summary(rep *Report) Summary {
	s := Summary{MissedObjectives: []string{}, Risks: []Risk{}, Sentences: []Sentence{}, Costs: b.costs()}
	for _, svc := range rep.Services {
		for _, o := range svc.Objectives {
			switch o.Verdict {
			case verdictKept:
				s.Kept++
			case verdictMissed:
				s.Missed++
				s.MissedObjectives = append(s.MissedObjectives, o.Name)
			default:
				s.NoData++
			}
			switch b.previousVerdicts[o.Name] {
			case verdictKept:
				s.PreviousKept++
			case verdictMissed:
				s.PreviousMissed++
			default:
				s.PreviousNoData++
			}
		}
	}
	s.CustomerCredits = credits(rep.CustomerContracts)
	s.SupplierCredits = credits(rep.Suppliers)
	s.Risks = b.risks()

	say := func(kind, text string) {
		if text != "" {
			s.Sentences = append(s.Sentences, Sentence{Kind: kind, Text: text})
		}
	}
	say(sentencePromises, promisesSentence(rep.Period, s.Kept, s.Missed, s.NoData, s.MissedObjectives))
	say(sentenceChange, changeSentence(rep.Previous, s.Missed, s.PreviousKept, s.PreviousMissed))
	if len(rep.CustomerContracts) > 0 {
		say(sentenceCustomerCredits, customerCreditsSentence(rep.Period, s.CustomerCredits))
	}
	if len(rep.Suppliers) > 0 {
		say(sentenceSupplierCredits, supplierCreditsSentence(rep.Period, s.SupplierCredits))
	}
	for _, text := range costSentences(s.Costs) { // cost.go
		say(sentenceCost, text)
	}
	if len(s.Risks) == 0 {
		say(sentenceNoRisk, noRiskSentence(b.now, b.loc))
	}
	for _, r := range s.Risks {
		say(sentenceRisk, riskSentence(r, b.loc))
	}
	if !rep.Complete {
		say(sentenceIncomplete, incompleteSentence(len(rep.Incomplete)))
	}
	return s
}

// risks are the objectives in scope that are breached, at risk or without data in their period
// in progress, worst first: breached before at risk before no data, and within a kind the least
// budget left first (for those at risk, the least expected at the period's end).
func (b *builder) risks() []Risk {
	if b.in.Current == nil {
		return []Risk{}
	}
	inScope := map[string]bool{}
	for _, o := range b.scope.objectives {
		inScope[o.Name] = true
	}
	var out []Risk
	for _, o := range b.in.Current.Objectives {
		if !inScope[o.Objective] {
			continue
		}
		r := Risk{Objective: o.Objective, Service: o.Service, Period: o.PeriodLabel, PeriodName: b.periodName(o), Target: o.Target, Stale: o.Stale}
		switch {
		case o.Stale || o.Status == slo.NoData:
			r.Kind = riskNoData
		case o.Status == slo.Breached:
			r.Kind = riskBreached
		case o.Status == slo.AtRisk:
			r.Kind = riskAtRisk
		default:
			continue
		}
		if !o.Stale {
			fillRisk(&r, o)
		}
		out = append(out, r)
	}
	rank := map[string]int{riskBreached: 0, riskAtRisk: 1, riskNoData: 2}
	slices.SortStableFunc(out, func(a, c Risk) int {
		if x := cmp.Compare(rank[a.Kind], rank[c.Kind]); x != 0 {
			return x
		}
		// The budget expected to be left at the period's end, when the forecast holds: negative
		// for a miss, more negative for a worse one.
		left := func(r Risk) float64 {
			switch {
			case r.Kind == riskAtRisk && r.Forecast != nil:
				return 1 - (1-*r.Forecast)/(1-r.Target)
			case r.BudgetRemaining != nil:
				return *r.BudgetRemaining
			}
			return 2
		}
		if x := cmp.Compare(left(a), left(c)); x != 0 {
			return x
		}
		return cmp.Compare(a.Objective, c.Objective)
	})
	return out[:min(len(out), maxRisks)]
}

// periodName names an objective's period in progress: "December 2026", or "the last 30 days" for
// a rolling one.
func (b *builder) periodName(o collector.ObjectiveResult) string {
	cfg := objectiveNamed(b.cfg, o.Objective)
	if cfg == nil || o.PeriodStart.IsZero() {
		return o.PeriodLabel
	}
	if !cfg.Period.Calendar() {
		return fmt.Sprintf("the last %d days", cfg.Period.Days)
	}
	return window{Label: o.PeriodLabel, Start: o.PeriodStart.In(cfg.Location), End: o.PeriodEnd.In(cfg.Location), Period: cfg.Period}.name()
}

func fillRisk(r *Risk, o collector.ObjectiveResult) {
	r.Attainment = ptr(o.Attainment, o.HasData)
	r.Forecast = ptr(o.Forecast, o.HasForecast)
	r.BudgetRemaining = ptr(o.BudgetRemainingRatio, o.HasData && o.BudgetTotal > 0)
	r.BreachProbability = ptr(o.BreachProbability, o.HasBreachProbability)
	if !o.Exhaustion.IsZero() {
		t := o.Exhaustion
		r.Exhaustion = &t
	}
	r.OpenAtRisk, r.OpenBreached = o.Open.AtRisk, o.Open.Breached
}

// promisesSentence says how many promises were kept and missed in the period.
func promisesSentence(p Period, kept, missed, noData int, missedNames []string) string {
	total := kept + missed + noData
	switch {
	case total == 0:
		return "No promise is measured in this report."
	case kept == 1 && total == 1:
		return fmt.Sprintf("The only promise was kept in %s.", p.Name)
	case kept == total:
		return fmt.Sprintf("All %d promises were kept in %s.", total, p.Name)
	case noData == total:
		return fmt.Sprintf("None of the %s could be judged in %s: there is no data.", plural(total, "promise", "promises"), p.Name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "In %s, %d of %s kept", p.Name, kept, plural(total, "promise was", "promises were"))
	if missed > 0 {
		fmt.Fprintf(&b, " and %d missed: %s", missed, join(missedNames))
	}
	b.WriteString(".")
	if noData > 0 {
		fmt.Fprintf(&b, " %s no data to judge by.", plural(noData, "promise had", "promises had"))
	}
	return b.String()
}

// changeSentence compares the promises missed with the previous period.
func changeSentence(prev Period, missed, prevKept, prevMissed int) string {
	if prevKept+prevMissed == 0 {
		return fmt.Sprintf("There are no figures for %s to compare with.", prev.Name)
	}
	switch d := missed - prevMissed; {
	case d > 0:
		return fmt.Sprintf("That is %d more missed than in %s, when %d of %d were kept.", d, prev.Name, prevKept, prevKept+prevMissed)
	case d < 0:
		return fmt.Sprintf("That is %d fewer missed than in %s, when %d of %d were kept.", -d, prev.Name, prevKept, prevKept+prevMissed)
	case missed == 0:
		return fmt.Sprintf("None was missed in %s either.", prev.Name)
	}
	return fmt.Sprintf("As many were missed in %s, when %d of %d were kept.", prev.Name, prevKept, prevKept+prevMissed)
}

// customerCreditsSentence says what is owed to customers for the period.
func customerCreditsSentence(p Period, c Credits) string {
	return creditsSentence(c, "No credit is owed to customers for "+p.Name+".", "Credits owed to customers for "+p.Name+": ", "to")
}

// supplierCreditsSentence says what may be claimed from suppliers for the period, and by when.
func supplierCreditsSentence(p Period, c Credits) string {
	return creditsSentence(c, "No credit is due from suppliers for "+p.Name+".", "Credits to claim from suppliers for "+p.Name+": ", "from")
}

func creditsSentence(c Credits, none, lead, preposition string) string {
	var b strings.Builder
	if len(c.Due) == 0 && len(c.Unknown) == 0 {
		b.WriteString(none)
	}
	if len(c.Due) > 0 {
		b.WriteString(lead)
		var parts []string
		for _, d := range c.Due {
			part := display.Percent(d.Ratio) + " of the fee"
			if d.Amount != nil {
				part = display.Amount(*d.Amount, d.Currency)
			}
			who := d.Contract
			if d.Counterparty != "" {
				who = d.Counterparty + " (" + d.Contract + ")"
			}
			part += " " + preposition + " " + who
			if d.ClaimBy != "" {
				part += ", claim by " + d.ClaimBy
			}
			parts = append(parts, part)
		}
		b.WriteString(strings.Join(parts, "; "))
		if len(c.Totals) > 0 && len(c.Due) > 1 {
			var totals []string
			for _, m := range c.Totals {
				totals = append(totals, display.Amount(m.Amount, m.Currency))
			}
			b.WriteString("; in all " + join(totals))
		}
		b.WriteString(".")
	}
	if len(c.Unknown) > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "The credit of %s is unknown: an objective has no data.", join(c.Unknown))
	}
	if c.Provisional {
		b.WriteString(" These figures are provisional: the data of the period is incomplete.")
	}
	return b.String()
}

// riskSentence says why a promise is in danger in its period in progress, from its figures.
func riskSentence(r Risk, loc *time.Location) string {
	switch r.Kind {
	case riskBreached:
		return breachedSentence(r)
	case riskAtRisk:
		return atRiskSentence(r, loc)
	}
	return noDataSentence(r)
}

func breachedSentence(r Risk) string {
	s := fmt.Sprintf("%s has spent its error budget for %s", r.Objective, r.PeriodName)
	if r.Attainment != nil {
		s += fmt.Sprintf(": %s against a %s target", display.PercentVs(*r.Attainment, r.Target), display.Percent(r.Target))
	}
	if r.OpenBreached > 0 {
		s += fmt.Sprintf(", with %s past its deadline", plural(r.OpenBreached, "open ticket", "open tickets"))
	}
	return s + "."
}

func atRiskSentence(r Risk, loc *time.Location) string {
	var why []string
	if r.Forecast != nil && *r.Forecast < r.Target {
		why = append(why, fmt.Sprintf("the forecast is %s against a %s target", display.PercentVs(*r.Forecast, r.Target), display.Percent(r.Target)))
	}
	if r.Exhaustion != nil {
		why = append(why, "the budget runs out on "+display.Time(*r.Exhaustion, loc)+" at the current burn")
	}
	if r.OpenAtRisk > 0 {
		why = append(why, fmt.Sprintf("%s near the deadline", plural(r.OpenAtRisk, "open ticket is", "open tickets are")))
	}
	if r.OpenBreached > 0 {
		if r.OpenAtRisk > 0 {
			why = append(why, fmt.Sprintf("%d already past it", r.OpenBreached))
		} else {
			why = append(why, fmt.Sprintf("%s past the deadline", plural(r.OpenBreached, "open ticket is", "open tickets are")))
		}
	}
	if r.BudgetRemaining != nil {
		why = append(why, display.Percent(*r.BudgetRemaining)+" of the budget is left")
	}
	return fmt.Sprintf("%s is at risk in %s: %s.", r.Objective, r.PeriodName, join(why))
}

func noDataSentence(r Risk) string {
	if r.Stale {
		return fmt.Sprintf("%s cannot be judged in %s: its source is down or stale.", r.Objective, r.PeriodName)
	}
	return fmt.Sprintf("%s has nothing to measure yet in %s.", r.Objective, r.PeriodName)
}

// noRiskSentence says that no promise is in danger as of now.
func noRiskSentence(now time.Time, loc *time.Location) string {
	return "No promise is at risk in the periods in progress, as of " + display.Time(now, loc) + "."
}

// incompleteSentence warns that figures are not final.
func incompleteSentence(n int) string {
	return fmt.Sprintf("This report is incomplete: %s not final (see the notes), so its figures are provisional.", plural(n, "figure is", "figures are"))
}

// plural writes a count with the singular or plural phrase that follows it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// join lists words as a sentence does: "a", "a and b", "a, b and c".
func join(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
