package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// alerting merges an alerting block over its defaults and checks it; at is the block's path.
func (b *builder) alerting(raw rawAlerting, def Alerting, at []any) (Alerting, error) {
	field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
	a := def
	a.Labels = maps.Clone(def.Labels)
	if raw.Disabled != nil {
		a.Disabled = *raw.Disabled
	}
	if raw.PageSeverity != "" {
		a.PageSeverity = raw.PageSeverity
	}
	if raw.TicketSeverity != "" {
		a.TicketSeverity = raw.TicketSeverity
	}
	if raw.RunbookURL != "" {
		a.RunbookURL = raw.RunbookURL
	}
	if raw.DashboardURL != "" {
		a.DashboardURL = raw.DashboardURL
	}
	if raw.ForecastFor != 0 {
		a.ForecastFor = time.Duration(raw.ForecastFor)
	}
	for k, v := range raw.Labels {
		if !labelName.MatchString(k) || k == "severity" || reservedLabels[k] {
			return a, b.fail(fmt.Errorf("%q cannot be an alert label name", k), field("labels")...)
		}
		if a.Labels == nil {
			a.Labels = map[string]string{}
		}
		a.Labels[k] = v
	}
	if raw.BurnRates != nil {
		a.BurnRates = nil
		for i, t := range raw.BurnRates {
			tier := BurnTier{Long: time.Duration(t.Long), Short: time.Duration(t.Short), Budget: float64(t.Budget), Severity: t.Severity, For: time.Duration(t.For)}
			if tier.Severity == "" {
				tier.Severity = "page"
			}
			var err error
			switch {
			case tier.Long <= 0 || tier.Short <= 0:
				err = errors.New("long and short windows are required")
			case tier.Short >= tier.Long:
				err = fmt.Errorf("short window %s is not shorter than long window %s", tier.Short, tier.Long)
			case !(tier.Budget > 0 && tier.Budget <= 1):
				err = fmt.Errorf("budget %v is not a share of the error budget in (0, 1]", tier.Budget)
			case tier.Severity != "page" && tier.Severity != "ticket":
				err = fmt.Errorf("severity %q is not page or ticket (their label values are page_severity and ticket_severity)", tier.Severity)
			}
			if err != nil {
				return a, b.fail(err, field("burn_rates", i)...)
			}
			a.BurnRates = append(a.BurnRates, tier)
		}
	}
	if a.PageSeverity == a.TicketSeverity {
		return a, b.fail(fmt.Errorf("page_severity and ticket_severity are both %q: inhibition needs two values", a.PageSeverity), field("ticket_severity")...)
	}
	return a, nil
}

// defaultAlerting is the alerting of an objective nothing configures.
func defaultAlerting() Alerting {
	return Alerting{PageSeverity: "page", TicketSeverity: "ticket", BurnRates: slices.Clone(DefaultBurnTiers), ForecastFor: DefaultForecastFor}
}

// withAlertWindows adds the windows the burn-rate alerts read to the objective's burn windows,
// so that every window an alert names is published.
func withAlertWindows(windows []time.Duration, a Alerting) []time.Duration {
	for _, t := range a.BurnRates {
		for _, w := range []time.Duration{t.Long, t.Short} {
			if !slices.Contains(windows, w) {
				windows = append(windows, w)
			}
		}
	}
	slices.Sort(windows)
	return windows
}
