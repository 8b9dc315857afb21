package config

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/period"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// builder turns the raw configuration into engine objects, reporting errors at their line.
type builder struct {
	// place tells which file each setting comes from (include.go).
	place *placement
	cfg   *Config
	// firstAt is where each name was first given, per section ("objectives\x00resp"), for
	// the error on its second use.
	firstAt map[string]string
}

// fail returns an error for the field at path (e.g. "objectives", 2, "target"), positioned in
// the file that holds it.
func (b *builder) fail(err error, path ...any) error {
	file, line, field := b.place.where(path)
	return &fieldError{file: file, line: line, field: field, err: err}
}

// at returns the file holding the item at path and the item's field path within it, for
// errors whose line comes from elsewhere ("line N: ..." of a kind's decoder).
func (b *builder) at(path ...any) (file, field string) {
	f, local := b.place.local(path)
	return f.name, fieldPath(local...)
}

// dirOf is the folder relative paths of the setting at path resolve against: that of its file.
func (b *builder) dirOf(path ...any) string {
	f, _ := b.place.local(path)
	return f.dir
}

// fieldPath writes a path of the file as errors name it: "sources[0].webhook".
func fieldPath(path ...any) string {
	var field strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if field.Len() > 0 {
				field.WriteByte('.')
			}
			field.WriteString(p)
		case int:
			fmt.Fprintf(&field, "[%d]", p)
		}
	}
	return field.String()
}

// namePattern keeps names usable as label values and in file names of generated rules.
var namePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$`)

func (b *builder) checkName(name string, seen map[string]bool, path ...any) error {
	switch {
	case name == "":
		return b.fail(errors.New("name is required"), path...)
	case !namePattern.MatchString(name):
		return b.fail(fmt.Errorf("%q: use letters, digits, _ . : and -, starting with a letter or digit", name), append(path, "name")...)
	}
	key := fmt.Sprint(path[0]) + "\x00" + name
	if seen[name] {
		err := fmt.Errorf("%q is used twice", name)
		if first, ok := b.firstAt[key]; ok {
			err = fmt.Errorf("%q is used twice: first at %s", name, first)
		}
		return b.fail(err, append(path, "name")...)
	}
	seen[name] = true
	if b.firstAt == nil {
		b.firstAt = map[string]string{}
	}
	file, line, _ := b.place.where(append(path, "name"))
	b.firstAt[key] = file + ":" + strconv.Itoa(line)
	return nil
}

func (b *builder) build(raw *rawConfig) (*Config, error) {
	b.cfg = &Config{Calendars: map[string]*calendar.Calendar{"24x7": calendar.AlwaysOn}, Services: map[string]Service{}}
	steps := []func(*rawConfig) error{b.global, b.calendars, b.sources, b.services, b.objectives, b.kpis, b.contracts,
		b.reports,  // reports.go
		b.costs,    // cost.go
		b.staffing} // staffing.go
	for _, step := range steps {
		if err := step(raw); err != nil {
			return nil, err
		}
	}
	return b.cfg, nil
}

func (b *builder) global(raw *rawConfig) error {
	g := &b.cfg.Global
	g.EvaluationInterval = orDefault(time.Duration(raw.Global.EvaluationInterval), DefaultEvaluationInterval)
	g.Staleness = orDefault(time.Duration(raw.Global.Staleness), DefaultStaleness)
	if g.EvaluationInterval < time.Second {
		return b.fail(fmt.Errorf("%s is shorter than a second", g.EvaluationInterval), "global", "evaluation_interval")
	}
	loc, err := loadLocation(raw.Global.Timezone, time.UTC)
	if err != nil {
		return b.fail(err, "global", "timezone")
	}
	g.Location = loc
	if g.Alerting, err = b.alerting(raw.Global.Alerting, defaultAlerting(), []any{"global", "alerting"}); err != nil {
		return err
	}
	g.HistoryPeriods = DefaultHistoryPeriods
	if p := raw.Global.HistoryPeriods; p != nil {
		if *p < 0 || *p > 120 {
			return b.fail(fmt.Errorf("%d is not between 0 and 120", *p), "global", "history_periods")
		}
		g.HistoryPeriods = *p
	}
	if err := b.globalBudget(&raw.Global, g); err != nil {
		return err
	}
	g.Report, err = b.report(raw.Global.Report)
	return err
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func loadLocation(name string, def *time.Location) (*time.Location, error) {
	if name == "" {
		return def, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown timezone %q (want an IANA name such as Europe/Rome)", name)
	}
	return loc, nil
}

func (b *builder) sources(raw *rawConfig) error {
	seen := map[string]bool{}
	for i, rs := range raw.Sources {
		at := []any{"sources", i}
		if err := b.checkName(rs.Name, seen, at...); err != nil {
			return err
		}
		if err := checkKind(rs.Type); err != nil {
			return b.fail(err, append(at, "type")...)
		}
		s := Source{
			Name: rs.Name, Type: rs.Type, Block: rs.Block, Dir: b.dirOf(at...), Priorities: rs.Priorities,
			Interval: orDefault(time.Duration(rs.Interval), DefaultSourceInterval),
			Timeout:  orDefault(time.Duration(rs.Timeout), DefaultSourceTimeout),
		}
		if s.Interval < time.Second {
			return b.fail(fmt.Errorf("%s is shorter than a second", s.Interval), append(at, "interval")...)
		}
		if s.Timeout > s.Interval {
			return b.fail(fmt.Errorf("%s is longer than the interval %s", s.Timeout, s.Interval), append(at, "timeout")...)
		}
		if err := b.sourceTickets(&s, rs, at); err != nil {
			return err
		}
		if err := checkTicketURL(rs.TicketURL); err != nil {
			return b.fail(err, append(at, "ticket_url")...)
		}
		s.TicketURL = rs.TicketURL
		wh, err := b.webhook(rs.webhookNode, append(at, "webhook"))
		if err != nil {
			return err
		}
		s.Webhook = wh
		if err := validateSource(s); err != nil {
			// The kind reports "line N: path: message" within its block.
			if m := lineRef.FindStringSubmatch(err.Error()); m != nil && m[1] == "" {
				file, field := b.at(at...)
				return fmt.Errorf("%s:%s: %s.%s.%s", file, m[2], field, s.Type, m[3])
			}
			return b.fail(err, append(at, s.Type)...)
		}
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%q\x00%v\x00%v\x00", s.Name, s.Type, s.Interval, s.Timeout, s.Dir, s.Priorities, s.PriorityAliases, s.Health)
		if s.Block != nil {
			out, err := yaml.Marshal(s.Block)
			if err != nil {
				return b.fail(err, at...)
			}
			h.Write(out)
		}
		s.Hash = fmt.Sprintf("%x", h.Sum(nil)[:8])
		b.cfg.Sources = append(b.cfg.Sources, s)
	}
	return nil
}

func (b *builder) services(raw *rawConfig) error {
	seen := map[string]bool{}
	for i, rs := range raw.Services {
		if err := b.checkName(rs.Name, seen, "services", i); err != nil {
			return err
		}
		b.cfg.Services[rs.Name] = Service{Name: rs.Name, Description: rs.Description, Labels: rs.Labels} // Cost: costs, once the objectives are built
	}
	return nil
}

// sourceNamed returns the configured source, or an error listing the known ones.
func (b *builder) sourceNamed(name string) (*Source, error) {
	var names []string
	for i := range b.cfg.Sources {
		if b.cfg.Sources[i].Name == name {
			return &b.cfg.Sources[i], nil
		}
		names = append(names, b.cfg.Sources[i].Name)
	}
	switch {
	case name == "":
		return nil, errors.New("source is required")
	case len(names) == 0:
		return nil, fmt.Errorf("no source named %q (no sources are configured)", name)
	}
	return nil, fmt.Errorf("no source named %q (sources: %s)", name, strings.Join(names, ", "))
}

func (b *builder) calendarNamed(name string) (*calendar.Calendar, error) {
	if name == "" {
		return calendar.AlwaysOn, nil
	}
	if c, ok := b.cfg.Calendars[name]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("no calendar named %q", name)
}

func (b *builder) period(name, tz string) (period.Period, *time.Location, error) {
	loc, err := loadLocation(tz, b.cfg.Global.Location)
	if err != nil {
		return period.Period{}, nil, err
	}
	if name == "" {
		name = "month"
	}
	p, err := period.Parse(name, loc)
	return p, loc, err
}

func (b *builder) objectives(raw *rawConfig) error {
	seen := map[string]bool{}
	for i := range raw.Objectives {
		ro := &raw.Objectives[i]
		at := []any{"objectives", i}
		if err := b.checkName(ro.Name, seen, at...); err != nil {
			return err
		}
		o, err := b.objective(ro, at)
		if err != nil {
			return err
		}
		b.cfg.Objectives = append(b.cfg.Objectives, o)
	}
	return nil
}

func (b *builder) objective(ro *rawObjective, at []any) (Objective, error) {
	field := func(f string) []any { return append(append([]any{}, at...), f) }
	o := Objective{
		Objective:   &slo.Objective{Name: ro.Name, Service: ro.Service, Kind: slo.Kind(ro.Kind), Target: float64(ro.Target), ForecastWindow: time.Duration(ro.ForecastWindow)},
		Description: ro.Description, Source: ro.Source, Series: ro.Series, Labels: map[string]string{},
	}
	if ro.Service == "" {
		return o, b.fail(errors.New("service is required"), field("service")...)
	}
	if svc, ok := b.cfg.Services[ro.Service]; ok {
		maps.Copy(o.Labels, svc.Labels)
	} else if len(b.cfg.Services) > 0 {
		return o, b.fail(fmt.Errorf("no service named %q", ro.Service), field("service")...)
	}
	for k, v := range ro.Labels {
		if !labelName.MatchString(k) || reservedLabels[k] {
			return o, b.fail(fmt.Errorf("%q cannot be a label name", k), field("labels")...)
		}
		o.Labels[k] = v
	}
	p, loc, err := b.period(ro.Period, ro.Timezone)
	if err != nil {
		return o, b.fail(err, field("period")...)
	}
	o.Period, o.PeriodName, o.Location = p, p.String(), loc
	if o.Alerting, err = b.alerting(ro.Alerting, b.cfg.Global.Alerting, field("alerting")); err != nil {
		return o, err
	}
	if err := b.objectiveBudget(ro, &o, field); err != nil {
		return o, err
	}
	if err := b.escalation(ro, &o, at); err != nil {
		return o, err
	}
	src, err := b.sourceNamed(ro.Source)
	if err != nil {
		return o, b.fail(err, field("source")...)
	}
	_ = src
	switch o.Kind {
	case slo.TicketSLA:
		if ro.Series != "" {
			return o, b.fail(errors.New("series applies to availability and event_ratio objectives"), field("series")...)
		}
		if err := b.clock(&o, ro, at); err != nil {
			return o, err
		}
		o.ToolDeadlineField = ro.ToolDeadline
		if ro.Verdict != "" {
			if o.Verdict, err = slo.ParseVerdict(ro.Verdict); err != nil {
				return o, b.fail(err, field("verdict")...)
			}
		}
		o.NativeTolerance = DefaultNativeTolerance
		if ro.NativeTolerance != nil {
			o.NativeTolerance = time.Duration(*ro.NativeTolerance)
			if o.NativeTolerance%time.Second != 0 {
				return o, b.fail(fmt.Errorf("%s is not a whole number of seconds", o.NativeTolerance), field("native_tolerance")...)
			}
		}
	case slo.Availability, slo.EventRatio:
		if ro.Series == "" {
			return o, b.fail(errors.New("series is required: the name of the series within the source"), field("series")...)
		}
		if ro.Clock != "" || ro.Calendar != "" || len(ro.Targets) > 0 || len(ro.Select) > 0 || len(ro.PauseOn) > 0 || ro.Reopen != "" || ro.WarnAt != 0 || ro.ToolDeadline != "" ||
			ro.Verdict != "" || ro.NativeTolerance != nil {
			return o, b.fail(fmt.Errorf("clock, calendar, targets, select, pause_on, reopen, warn_at, tool_deadline_field, verdict and native_tolerance apply to ticket objectives, not %s", ro.Kind), field("kind")...)
		}
		if o.Kind == slo.Availability {
			cfg, err := b.availability(&ro.Availability, field("availability"))
			if err != nil {
				return o, err
			}
			o.Availability = cfg
		}
	case "":
		return o, b.fail(errors.New("kind is required (ticket, availability or event_ratio)"), field("kind")...)
	}
	if err := o.Validate(); err != nil {
		// The engine's own check names the field; point at the objective's line.
		return o, b.fail(errors.Unwrap(err), field(engineField(err))...)
	}
	return o, nil
}

// engineField extracts the field name from an engine validation error ("objective "x": target:
// ..."), so the error can point at its line.
func engineField(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 {
		rest := msg[i+2:]
		if j := strings.Index(rest, ":"); j > 0 && !strings.Contains(rest[:j], " ") {
			return rest[:j]
		}
	}
	return "name"
}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// reservedLabels are set by the exporter on sla_objective_info and cannot be overridden.
var reservedLabels = map[string]bool{"objective": true, "service": true, "kind": true, "period": true, "unit": true}

func (b *builder) clock(o *Objective, ro *rawObjective, at []any) error {
	field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
	kind, err := ticket.ParseKind(ro.Clock)
	if err != nil {
		return b.fail(err, field("clock")...)
	}
	cal, err := b.calendarNamed(ro.Calendar)
	if err != nil {
		return b.fail(err, field("calendar")...)
	}
	spec := ticket.ClockSpec{Kind: kind, Calendar: cal, Targets: map[string]time.Duration{}, BusinessDays: map[string]int{}, WarnAt: float64(ro.WarnAt)}
	if len(ro.Targets) == 0 {
		return b.fail(errors.New("targets is required: the time allowed per priority, e.g. {P1: 4h, \"*\": 3bd}"), field("targets")...)
	}
	if err := b.clockTargets(&spec, ro.Targets, ro.Calendar, at); err != nil {
		return err
	}
	if ro.PauseOn != nil {
		// pause_on: [] turns pauses off; an absent key keeps the clock's default.
		spec.PauseOn = make([]ticket.Category, 0, len(ro.PauseOn))
	}
	for j, c := range ro.PauseOn {
		cat, err := ticket.ParseCategory(c)
		if err != nil {
			return b.fail(err, field("pause_on", j)...)
		}
		spec.PauseOn = append(spec.PauseOn, cat)
	}
	if ro.Reopen != "" {
		if spec.Reopen, err = ticket.ParseReopenPolicy(ro.Reopen); err != nil {
			return b.fail(err, field("reopen")...)
		}
	}
	c, err := ticket.NewClock(spec)
	if err != nil {
		return b.fail(err, field("clock")...)
	}
	o.Clock = c
	o.Select = ro.Select
	return nil
}
