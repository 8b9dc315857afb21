package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/kpi"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// businessDays matches a target in working days: "5bd".
var businessDays = regexp.MustCompile(`^(\d{1,4})\s*bd$`)

// maxBusinessDays mirrors the clock's bound, so the error points at the target's line.
const maxBusinessDays = 2500

// dayUnits matches the units of a Prometheus duration that count whole days of 24 hours.
var dayUnits = regexp.MustCompile(`[0-9](d|w|y)`)

// clockTargets reads an objective's targets into the clock spec: business time ("4h", "3d") or
// working days ("5bd"). A target in days of 24 hours on a business-hours calendar loads, with a
// warning: "5d" there is 120 hours of working time, twelve 10-hour days, where "5bd" is five.
func (b *builder) clockTargets(spec *ticket.ClockSpec, targets map[string]string, calName string, at []any) error {
	field := func(prio string) []any { return append(append([]any{}, at...), "targets", prio) }
	for _, prio := range slices.Sorted(maps.Keys(targets)) {
		text := strings.TrimSpace(targets[prio])
		if m := businessDays.FindStringSubmatch(text); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > maxBusinessDays {
				return b.fail(fmt.Errorf("%q is not a number of working days between 1bd and %dbd", text, maxBusinessDays), field(prio)...)
			}
			spec.BusinessDays[prio] = n
			continue
		}
		d, err := parseDuration(text)
		if err != nil {
			return b.fail(fmt.Errorf("%q is neither a duration (e.g. 30m, 4h) nor working days (e.g. 5bd)", text), field(prio)...)
		}
		spec.Targets[prio] = d
		if spec.Calendar != calendar.AlwaysOn && dayUnits.MatchString(text) {
			b.warn(dayTargetWarning(text, d, calName), field(prio)...)
		}
	}
	return nil
}

// wholeDays matches a duration of whole days alone, "5d", the form a manager writes meaning
// working days.
var wholeDays = regexp.MustCompile(`^(\d+)d$`)

func dayTargetWarning(text string, d time.Duration, calName string) string {
	h := strconv.FormatFloat(d.Hours(), 'f', -1, 64) + "h"
	if m := wholeDays.FindStringSubmatch(text); m != nil {
		return fmt.Sprintf("%s is %s of working time in calendar %q, not %s working days: write %sbd for working days, or %s to keep this target without this warning",
			text, h, calName, m[1], m[1], h)
	}
	return fmt.Sprintf("%s is %s of working time in calendar %q, not a number of working days: write Nbd for working days, or %s to keep this target without this warning",
		text, h, calName, h)
}

// warn records a positioned note on a setting that loads but may not mean what it says.
func (b *builder) warn(msg string, path ...any) {
	err := b.fail(fmt.Errorf("%s", msg), path...)
	b.cfg.Warnings = append(b.cfg.Warnings, err.Error())
}

// kpiThreshold checks that a KPI's target or red is written in the KPI's unit: a percentage only
// for a ratio KPI, and a ratio KPI's plain number not above 1.
func kpiThreshold(kind kpi.Kind, name string, v kpiValue) error {
	switch unit := kind.Unit(); {
	case v.pct && unit != "ratio":
		return fmt.Errorf("%s %s is a percentage, but %s is measured in %s", name, v.text, kind, unit)
	case unit == "ratio" && !v.pct && v.v > 1:
		return fmt.Errorf("%s %s is not a ratio between 0 and 1 %s", name, v.text, ratioHint(v.text, v.v))
	}
	return nil
}
