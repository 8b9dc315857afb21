package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// Staffing models (StaffingGroup.Model).
const (
	StaffingErlang   = "erlang"
	StaffingWorkload = "workload"
)

// Staffing defaults.
const (
	DefaultStaffingWeeks        = 8
	DefaultStaffingMaxOccupancy = 0.85
	DefaultStaffingShrinkage    = 0.3
	// DefaultStaffingMinMeasured is the fewest tickets with a work time a measured handle time
	// is taken from: below it, one long ticket moves the mean by minutes.
	DefaultStaffingMinMeasured = 30
	// maxStaffingWeeks bounds the history averaged: a year of weeks.
	maxStaffingWeeks = 52
	// erlangMaxTarget is the longest target the default model treats as a queue answered in
	// minutes: beyond it tickets wait for work to be planned, not for a free agent.
	erlangMaxTarget = time.Hour
)

// StaffingGroup is a service desk group whose staffing is planned against a ticket objective
// (the top-level staffing list).
type StaffingGroup struct {
	Name string
	// Objective is the ticket objective whose source, selector, calendar, target and goal the
	// group is planned for.
	Objective string
	// Priority is the priority whose target applies and whose tickets arrive; empty for every
	// ticket of an objective with one target only.
	Priority string
	// Model is StaffingErlang or StaffingWorkload.
	Model string
	// Target is the objective's target for Priority in working time, or BusinessDays in working
	// days (workload only).
	Target       time.Duration
	BusinessDays int
	// HandleTime is the configured mean work per ticket; 0 when HandleTimeMeasured.
	HandleTime time.Duration
	// HandleTimeMeasured: the handle time is the mean work time the source records on the
	// group's tickets of the weeks averaged, from at least MinMeasured of them.
	HandleTimeMeasured bool
	MinMeasured        int
	// Weeks is how many complete weeks of arrivals are averaged.
	Weeks                   int
	MaxOccupancy, Shrinkage float64
	// Roster is the agents scheduled each hour of the week; nil when the group has none.
	Roster *staffing.Week
}

type rawStaffing struct {
	Name         string                        `yaml:"name"`
	Objective    string                        `yaml:"objective"`
	Priority     string                        `yaml:"priority"`
	Model        string                        `yaml:"model"`
	HandleTime   handleTime                    `yaml:"handle_time"`
	MinMeasured  *int                          `yaml:"min_measured"`
	Weeks        *int                          `yaml:"weeks"`
	MaxOccupancy *ratio                        `yaml:"max_occupancy"`
	Shrinkage    *ratio                        `yaml:"shrinkage"`
	Roster       map[string]map[string]float64 `yaml:"roster"`
}

// staffing checks the staffing groups; it runs after the objectives, which they name.
func (b *builder) staffing(raw *rawConfig) error {
	seen := map[string]bool{}
	for i := range raw.Staffing {
		rs := &raw.Staffing[i]
		at := []any{"staffing", i}
		field := func(f ...any) []any { return append(append([]any{}, at...), f...) }
		if err := b.checkName(rs.Name, seen, at...); err != nil {
			return err
		}
		g := StaffingGroup{Name: rs.Name, Objective: rs.Objective, HandleTime: rs.HandleTime.d,
			HandleTimeMeasured: rs.HandleTime.measured, Weeks: DefaultStaffingWeeks, MaxOccupancy: DefaultStaffingMaxOccupancy, Shrinkage: DefaultStaffingShrinkage}
		o := b.objectiveNamed(rs.Objective)
		switch {
		case rs.Objective == "":
			return b.fail(errors.New("objective is required: the ticket objective the group is planned for"), at...)
		case o == nil:
			return b.fail(fmt.Errorf("no objective is named %q", rs.Objective), field("objective")...)
		case o.Kind != slo.TicketSLA || o.Clock == nil:
			return b.fail(fmt.Errorf("objective %q is not a ticket SLA: staffing plans for tickets", rs.Objective), field("objective")...)
		}
		if err := b.staffingTarget(&g, o, rs.Priority, field("priority")); err != nil {
			return err
		}
		if err := b.staffingModel(&g, o, rs.Model, field("model")); err != nil {
			return err
		}
		if err := b.staffingHandleTime(&g, o, rs, field); err != nil {
			return err
		}
		if rs.Weeks != nil {
			if *rs.Weeks < 1 || *rs.Weeks > maxStaffingWeeks {
				return b.fail(fmt.Errorf("%d is not between 1 and %d", *rs.Weeks, maxStaffingWeeks), field("weeks")...)
			}
			g.Weeks = *rs.Weeks
		}
		if rs.MaxOccupancy != nil {
			if v := float64(*rs.MaxOccupancy); !(v > 0 && v <= 1) {
				return b.fail(fmt.Errorf("%v is not a share in (0, 1]", v), field("max_occupancy")...)
			}
			g.MaxOccupancy = float64(*rs.MaxOccupancy)
		}
		if rs.Shrinkage != nil {
			if v := float64(*rs.Shrinkage); !(v >= 0 && v < 1) {
				return b.fail(fmt.Errorf("%v is not a share in [0, 1): agents never on the queue cannot be planned", v), field("shrinkage")...)
			}
			g.Shrinkage = float64(*rs.Shrinkage)
		}
		if rs.Roster != nil {
			w, err := b.roster(rs.Roster, field("roster"))
			if err != nil {
				return err
			}
			g.Roster = &w
		}
		b.cfg.Staffing = append(b.cfg.Staffing, g)
	}
	return nil
}

// handleTime is a staffing group's handle_time: a duration, or "measured".
type handleTime struct {
	d        time.Duration
	measured bool
}

// handleTimeMeasured is the handle_time that asks for the mean work time the source records.
const handleTimeMeasured = "measured"

// UnmarshalYAML reads a duration (25m) or "measured".
func (h *handleTime) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Value == handleTimeMeasured {
		h.measured = true
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("want a duration such as 25m or %q", handleTimeMeasured)
	}
	var d model.Duration
	if n.Decode(&d) != nil {
		return fmt.Errorf("%q is neither a duration such as 25m nor %q", n.Value, handleTimeMeasured)
	}
	h.d = time.Duration(d)
	return nil
}

// workTimeless are the source types whose tools record no work time on a ticket: a measured
// handle time over them could never be published.
var workTimeless = map[string]bool{"demo": true, "github": true, "zendesk": true}

// staffingHandleTime checks handle_time and min_measured: a configured duration, or measured
// over a source that records work time.
func (b *builder) staffingHandleTime(g *StaffingGroup, o *Objective, rs *rawStaffing, field func(...any) []any) error {
	if !g.HandleTimeMeasured {
		if g.HandleTime <= 0 {
			return b.fail(errors.New("handle_time is required: the mean work per ticket, e.g. 25m, or measured"), field("handle_time")...)
		}
		if rs.MinMeasured != nil {
			return b.fail(errors.New("min_measured applies to handle_time: measured only"), field("min_measured")...)
		}
		return nil
	}
	if src, err := b.sourceNamed(o.Source); err == nil && workTimeless[src.Type] {
		return b.fail(fmt.Errorf("source %q (type %s) records no work time on its tickets: configure the mean work per ticket, e.g. 25m", o.Source, src.Type), field("handle_time")...)
	}
	g.MinMeasured = DefaultStaffingMinMeasured
	if rs.MinMeasured != nil {
		if *rs.MinMeasured < 1 {
			return b.fail(fmt.Errorf("%d is not 1 or more", *rs.MinMeasured), field("min_measured")...)
		}
		g.MinMeasured = *rs.MinMeasured
	}
	return nil
}

func (b *builder) objectiveNamed(name string) *Objective {
	for i := range b.cfg.Objectives {
		if b.cfg.Objectives[i].Name == name {
			return &b.cfg.Objectives[i]
		}
	}
	return nil
}

// staffingTarget picks the objective's target for the priority: "*" or none stands for the
// objective's only target, so a group never silently plans for one priority of several.
func (b *builder) staffingTarget(g *StaffingGroup, o *Objective, priority string, at []any) error {
	named := o.Clock.Priorities()
	_, hasDefault := o.Clock.Target("*")
	switch {
	case priority == "" || priority == "*":
		switch {
		case len(named) == 0 && hasDefault:
			priority = "*"
		case len(named) == 1 && !hasDefault:
			priority = named[0]
		default:
			list := named
			if hasDefault {
				list = append(list, `"*"`)
			}
			return b.fail(fmt.Errorf("objective %q has targets for %s: name the priority the group handles", o.Name, strings.Join(list, ", ")), at...)
		}
		if priority == "*" {
			g.Priority = ""
		} else {
			g.Priority = priority
		}
	case !slices.Contains(named, priority) && !hasDefault:
		return b.fail(fmt.Errorf("objective %q has no target for priority %q (it has %s)", o.Name, priority, strings.Join(named, ", ")), at...)
	default:
		g.Priority = priority
	}
	lookup := g.Priority
	if lookup == "" {
		lookup = "*"
	}
	g.Target, _ = o.Clock.Target(lookup)
	g.BusinessDays = o.Clock.BusinessDays(lookup)
	return nil
}

// staffingModel checks or defaults the model: Erlang C for targets within the hour around the
// clock, the workload model for the rest.
func (b *builder) staffingModel(g *StaffingGroup, o *Objective, name string, at []any) error {
	alwaysOn := o.Clock.Calendar() == nil || o.Clock.Calendar() == calendar.AlwaysOn
	switch name {
	case "":
		g.Model = StaffingWorkload
		if alwaysOn && g.BusinessDays == 0 && g.Target <= erlangMaxTarget {
			g.Model = StaffingErlang
		}
	case StaffingErlang:
		if g.BusinessDays > 0 {
			return b.fail(fmt.Errorf("the target of objective %q is in working days: Erlang C needs a wait in minutes, use model: workload", o.Name), at...)
		}
		g.Model = name
	case StaffingWorkload:
		g.Model = name
	default:
		return b.fail(fmt.Errorf("unknown model %q (want erlang or workload)", name), at...)
	}
	return nil
}

var (
	dayNames  = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
	hourRange = regexp.MustCompile(`^(\d\d):(\d\d)-(\d\d):(\d\d)$`)
)

// roster reads agents per hour of the week: days ("mon-fri", "sat") to ranges of the day
// ("08:00-18:00", on the hour, "24:00" for midnight) to agents. An hour written twice is an
// error, not a sum: overlapping ranges are most often a slip.
func (b *builder) roster(raw map[string]map[string]float64, at []any) (staffing.Week, error) {
	var w staffing.Week
	var set [staffing.HoursPerWeek]string
	type dayKey struct {
		text     string
		from, to int
	}
	var keys []dayKey
	for days := range raw {
		from, to, err := parseDays(days)
		if err != nil {
			return w, b.fail(err, append(append([]any{}, at...), days)...)
		}
		keys = append(keys, dayKey{days, from, to})
	}
	// In the week's order, so that an overlap names the later entry.
	slices.SortFunc(keys, func(a, b dayKey) int { return cmp.Or(a.from-b.from, a.to-b.to, strings.Compare(a.text, b.text)) })
	for _, k := range keys {
		days, from, to := k.text, k.from, k.to
		for _, hours := range slices.Sorted(maps.Keys(raw[days])) {
			where := append(append([]any{}, at...), days, hours)
			first, last, err := parseRosterHours(hours)
			if err != nil {
				return w, b.fail(err, where...)
			}
			n := raw[days][hours]
			if !(n >= 0) || math.IsInf(n, 0) {
				return w, b.fail(fmt.Errorf("%v agents: want a number, 0 or more", n), where...)
			}
			for d := from; d <= to; d++ {
				for h := d*24 + first; h < d*24+last; h++ {
					if set[h] != "" {
						return w, b.fail(fmt.Errorf("%s %02d:00 is also in %s: ranges of a day must not overlap", dayLabel(d), h%24, set[h]), where...)
					}
					set[h] = days + " " + hours
					w[h] = n
				}
			}
		}
	}
	return w, nil
}

func dayLabel(d int) string {
	for name, i := range dayNames {
		if i == d {
			return name
		}
	}
	return strconv.Itoa(d)
}

func parseDays(s string) (from, to int, err error) {
	a, z, isRange := strings.Cut(s, "-")
	from, ok1 := dayNames[a]
	to, ok2 := from, true
	if isRange {
		to, ok2 = dayNames[z]
	}
	switch {
	case !ok1 || !ok2:
		return 0, 0, fmt.Errorf("%q: want a day (mon, tue, wed, thu, fri, sat, sun) or a range of days (mon-fri)", s)
	case to < from:
		return 0, 0, fmt.Errorf("%q: a range of days runs from Monday to Sunday (write sat-sun, not sun-sat)", s)
	}
	return from, to, nil
}

// parseRosterHours reads "HH:MM-HH:MM" on whole hours into [first, last) hours of the day.
func parseRosterHours(s string) (first, last int, err error) {
	m := hourRange.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, fmt.Errorf("%q: want a range of the day HH:MM-HH:MM, e.g. 08:00-18:00", s)
	}
	first, _ = strconv.Atoi(m[1])
	last, _ = strconv.Atoi(m[3])
	switch {
	case m[2] != "00" || m[4] != "00":
		return 0, 0, fmt.Errorf("%q: the roster is planned by the hour, start and end on the hour", s)
	case first > 23 || last > 24:
		return 0, 0, fmt.Errorf("%q: hours run from 00:00 to 24:00", s)
	case last <= first:
		return 0, 0, fmt.Errorf("%q: the range ends before it starts (split a night shift at 24:00)", s)
	}
	return first, last, nil
}
