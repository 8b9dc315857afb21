package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sources"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/period"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func parseDuration(s string) (time.Duration, error) {
	d, err := model.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30m, 4h, 3d)", s)
	}
	return time.Duration(d), nil
}

func checkKind(t string) error {
	if t == "" {
		return errors.New("type is required")
	}
	_, err := sources.Lookup(t)
	return err
}

// validateSource builds the source once so the kind checks its own settings; the runner is
// given instances built by RunnerConfig.
func validateSource(s Source) error {
	_, err := s.RunnerConfig(slog.New(slog.DiscardHandler), nil, time.Now)
	return err
}

// RunnerConfig builds the source for the runner: the kind's source from its settings, with its
// schedule and ticket options. logger and requests may be shared by all sources; now is their
// clock (time.Now but for one-shot evaluations at another instant).
func (s Source) RunnerConfig(logger *slog.Logger, requests *collector.Requests, now func() time.Time) (collector.SourceConfig, error) {
	k, err := sources.Lookup(s.Type)
	if err != nil {
		return collector.SourceConfig{}, err
	}
	src, err := k.New(s.Block, collector.Options{Name: s.Name, Dir: s.Dir, Logger: logger.With("source_name", s.Name), Now: now, Requests: requests})
	if err != nil {
		return collector.SourceConfig{}, err
	}
	return collector.SourceConfig{Name: s.Name, Type: s.Type, Source: src, Interval: s.Interval, Timeout: s.Timeout, Hash: s.Hash,
		Tickets: ticket.StoreOptions{Priorities: s.Priorities}, PriorityAliases: s.PriorityAliases, Health: s.Health, Live: k.Live}, nil
}

var gapPolicies = map[string]availability.GapPolicy{
	"":         availability.GapExcluded,
	"excluded": availability.GapExcluded,
	"good":     availability.GapGood,
	"bad":      availability.GapBad,
}

func (b *builder) availability(ra *rawAvailability, at []any) (availability.Config, error) {
	field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
	cfg := availability.Config{
		Slice:          time.Duration(ra.Slice),
		DegradedWeight: float64(ra.DegradedWeight),
		MaxSampleAge:   time.Duration(ra.MaxSampleAge),
	}
	if ra.GoodThreshold != nil {
		cfg.GoodThreshold = float64(*ra.GoodThreshold)
	}
	g, ok := gapPolicies[strings.ToLower(ra.Gaps)]
	if !ok {
		return cfg, b.fail(fmt.Errorf("%q is not a gap policy (want excluded, good or bad)", ra.Gaps), field("gaps")...)
	}
	cfg.Gaps = g
	for j, w := range ra.Maintenance {
		if !w.End.After(w.Start) {
			return cfg, b.fail(fmt.Errorf("end %s is not after start %s", w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339)), field("maintenance", j)...)
		}
		cfg.Maintenance = append(cfg.Maintenance, availability.Window{Start: w.Start, End: w.End})
	}
	for j, r := range ra.RecurringMaintenance {
		at := field("recurring_maintenance", j)
		loc, err := loadLocation(r.Timezone, b.cfg.Global.Location)
		if err != nil {
			return cfg, b.fail(err, append(at, "timezone")...)
		}
		rec := availability.Recurring{Duration: time.Duration(r.Duration), Location: loc}
		for k, d := range r.Weekdays {
			if days, ok := weekdayGroups[strings.ToLower(d)]; ok {
				rec.Weekdays = append(rec.Weekdays, days...)
				continue
			}
			wd, err := calendar.ParseWeekday(d)
			if err != nil {
				return cfg, b.fail(err, append(at, "weekdays", k)...)
			}
			rec.Weekdays = append(rec.Weekdays, wd)
		}
		iv, err := calendar.ParseInterval(r.Start + "-24:00")
		if err != nil {
			return cfg, b.fail(fmt.Errorf("%q is not a time of day (HH:MM)", r.Start), append(at, "start")...)
		}
		rec.Start = time.Duration(iv.Start) * time.Second
		if rec.Duration <= 0 {
			return cfg, b.fail(errors.New("duration is required"), append(at, "duration")...)
		}
		cfg.Recurring = append(cfg.Recurring, rec)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, b.fail(err, at...)
	}
	return cfg, nil
}

func (b *builder) kpis(raw *rawConfig) error {
	seen := map[string]bool{}
	for i, rk := range raw.KPIs {
		at := []any{"kpis", i}
		field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
		if err := b.checkName(rk.Name, seen, at...); err != nil {
			return err
		}
		if rk.Service == "" {
			return b.fail(errors.New("service is required"), field("service")...)
		}
		if _, err := b.sourceNamed(rk.Source); err != nil {
			return b.fail(err, field("source")...)
		}
		k := KPI{Service: rk.Service, Description: rk.Description, Source: rk.Source, Select: rk.Select}
		spec := kpi.Spec{Name: rk.Name, ExcludePaused: rk.ExcludePaused, Field: rk.Field, SuccessValues: rk.SuccessValues}
		var err error
		if spec.Kind, err = kpi.ParseKind(rk.Kind); err != nil {
			return b.fail(err, field("kind")...)
		}
		if rk.Stat != "" {
			if spec.Stat, err = kpi.ParseStat(rk.Stat); err != nil {
				return b.fail(err, field("stat")...)
			}
		}
		if rk.Calendar != "" {
			if spec.Calendar, err = b.calendarNamed(rk.Calendar); err != nil {
				return b.fail(err, field("calendar")...)
			}
		}
		if !rk.Target.set {
			return b.fail(errors.New("target is required"), field("target")...)
		}
		if err := kpiThreshold(spec.Kind, "target", rk.Target); err != nil {
			return b.fail(err, field("target")...)
		}
		if rk.Red != nil {
			if err := kpiThreshold(spec.Kind, "red", *rk.Red); err != nil {
				return b.fail(err, field("red")...)
			}
		}
		spec.Target = rk.Target.v
		if rk.Red != nil {
			red := rk.Red.v
			spec.Red = &red
		}
		spec.Direction = defaultDirection(spec.Kind)
		if rk.Direction != "" {
			if spec.Direction, err = kpi.ParseDirection(rk.Direction); err != nil {
				return b.fail(err, field("direction")...)
			}
		}
		if err := spec.Validate(); err != nil {
			return b.fail(err, at...)
		}
		k.Spec = spec
		if k.Period, _, err = b.period(rk.Period, rk.Timezone); err != nil {
			return b.fail(err, field("period")...)
		}
		k.PeriodName = k.Period.String()
		b.cfg.KPIs = append(b.cfg.KPIs, k)
	}
	return nil
}

func (b *builder) contracts(raw *rawConfig) error {
	seen := map[string]bool{}
	objectives := map[string]*Objective{}
	for i := range b.cfg.Objectives {
		objectives[b.cfg.Objectives[i].Name] = &b.cfg.Objectives[i]
	}
	for i, rc := range raw.Contracts {
		at := []any{"contracts", i}
		field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
		if err := b.checkName(rc.Name, seen, at...); err != nil {
			return err
		}
		if len(rc.Objectives) == 0 {
			return b.fail(errors.New("objectives is required: the objectives the credits depend on"), field("objectives")...)
		}
		for j, name := range rc.Objectives {
			o := objectives[name]
			if o == nil {
				return b.fail(fmt.Errorf("no objective named %q", name), field("objectives", j)...)
			}
			// A credit is for one billing period: its finished periods pair up the objectives'
			// frozen periods by label, which only match when the periods do.
			if first := objectives[rc.Objectives[0]]; !samePeriod(first.Period, o.Period) {
				return b.fail(fmt.Errorf("objective %q has period %s, but %q has %s: a contract's objectives must share one period",
					name, periodText(o.Period), first.Name, periodText(first.Period)), field("objectives", j)...)
			}
		}
		spec := contract.Spec{Name: rc.Name, Fee: rc.Fee, Currency: rc.Currency, Cap: float64(rc.Cap)}
		for _, t := range rc.Tiers {
			spec.Tiers = append(spec.Tiers, contract.Tier{Below: float64(t.Below), Credit: float64(t.Credit)})
		}
		switch strings.ToLower(rc.Aggregate) {
		case "", "max":
			spec.Aggregate = contract.Max
		case "sum":
			spec.Aggregate = contract.Sum
		default:
			return b.fail(fmt.Errorf("%q is not an aggregation (want max or sum)", rc.Aggregate), field("aggregate")...)
		}
		if err := spec.Validate(); err != nil {
			return b.fail(err, field("tiers")...)
		}
		k := Contract{Spec: spec, Description: rc.Description, Objectives: rc.Objectives, PeriodName: objectives[rc.Objectives[0]].PeriodName}
		if rc.ClaimWithin != "" {
			w, err := contract.ParseClaimWindow(rc.ClaimWithin)
			if err != nil {
				return b.fail(err, field("claim_within")...)
			}
			k.ClaimWithin = w
		}
		b.cfg.Contracts = append(b.cfg.Contracts, k)
	}
	return nil
}

// samePeriod reports whether two periods cut time the same way: same kind and length, and for
// calendar periods the same timezone.
func samePeriod(p, q period.Period) bool {
	if p.Kind != q.Kind || p.Days != q.Days {
		return false
	}
	return !p.Calendar() || zoneName(p.Location) == zoneName(q.Location)
}

// periodText is a period with its timezone, for errors: "month (Europe/Rome)", "rolling:30d".
func periodText(p period.Period) string {
	if !p.Calendar() {
		return p.String()
	}
	return fmt.Sprintf("%s (%s)", p, zoneName(p.Location))
}

func zoneName(l *time.Location) string {
	if l == nil {
		return "UTC"
	}
	return l.String()
}

// defaultDirection is the usual reading of each KPI: less time, backlog, reopens and incoming
// volume are better; more first-contact resolution, satisfaction, successful changes and
// resolved volume are better.
func defaultDirection(k kpi.Kind) kpi.Direction {
	switch k {
	case kpi.FCR, kpi.CSAT, kpi.ChangeSuccess, kpi.Resolved:
		return kpi.HigherIsBetter
	}
	return kpi.LowerIsBetter
}
