package config

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/calendar/holidays"
)

var weekdayGroups = map[string][]time.Weekday{
	"weekdays": {time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	"weekend":  {time.Saturday, time.Sunday},
	"everyday": {time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
}

func (b *builder) calendars(raw *rawConfig) error {
	seen := map[string]bool{"24x7": true}
	for i, rc := range raw.Calendars {
		at := []any{"calendars", i}
		if err := b.checkName(rc.Name, seen, at...); err != nil {
			return err
		}
		loc, err := loadLocation(rc.Timezone, b.cfg.Global.Location)
		if err != nil {
			return b.fail(err, append(at, "timezone")...)
		}
		spec := calendar.Spec{Name: rc.Name, Location: loc}
		if err := b.week(&spec, rc.Hours, at); err != nil {
			return err
		}
		if err := b.holidays(&spec, rc.Holidays, at); err != nil {
			return err
		}
		if err := b.halfDays(&spec, rc.HalfDays, at); err != nil {
			return err
		}
		cal, err := calendar.New(spec)
		if err != nil {
			return b.fail(err, append(at, "hours")...)
		}
		b.cfg.Calendars[rc.Name] = cal
	}
	return nil
}

// week fills the spec's working hours from the hours map.
func (b *builder) week(spec *calendar.Spec, hours map[string][]string, at []any) error {
	// Groups first, then single days, each in sorted order: a single day overrides a group that
	// lists it, whatever the order of the keys in the file.
	keys := slices.Sorted(maps.Keys(hours))
	slices.SortStableFunc(keys, func(a, b string) int {
		_, ga := weekdayGroups[strings.ToLower(a)]
		_, gb := weekdayGroups[strings.ToLower(b)]
		switch {
		case ga && !gb:
			return -1
		case gb && !ga:
			return 1
		}
		return 0
	})
	fromGroup := map[time.Weekday]bool{}
	fromDay := map[time.Weekday]bool{}
	for _, key := range keys {
		days, group := weekdayGroups[strings.ToLower(key)]
		if !group {
			d, err := calendar.ParseWeekday(key)
			if err != nil {
				return b.fail(fmt.Errorf("%q is not a weekday, weekdays, weekend or everyday", key), append(at, "hours", key)...)
			}
			days = []time.Weekday{d}
		}
		ivs, err := parseHours(hours[key])
		if err != nil {
			return b.fail(err, append(at, "hours", key)...)
		}
		for _, d := range days {
			switch {
			case group && fromGroup[d], !group && fromDay[d]:
				return b.fail(fmt.Errorf("%s is given working hours twice", d), append(at, "hours", key)...)
			case !group && fromGroup[d]:
				spec.Week[d] = nil // the single day overrides the group
			}
			if group {
				fromGroup[d] = true
			} else {
				fromDay[d] = true
			}
			spec.Week[d] = append(spec.Week[d], ivs...)
		}
	}
	return nil
}

func parseHours(hours []string) ([]calendar.Interval, error) {
	var ivs []calendar.Interval
	for _, h := range hours {
		iv, err := calendar.ParseInterval(h)
		if err != nil {
			return nil, err
		}
		ivs = append(ivs, iv)
	}
	return ivs, nil
}

// holidays fills the spec's holidays: dated, yearly, and the public holidays of a country or
// region over the calendar's span of years.
func (b *builder) holidays(spec *calendar.Spec, list []rawHoliday, at []any) error {
	for j, h := range list {
		here := append(append([]any{}, at...), "holidays", j)
		switch {
		case h.date == "" && h.Country == "":
			if h.Region != "" {
				return b.fail(errors.New("country is required with a region"), append(here, "region")...)
			}
			return b.fail(errors.New("a holiday is a date YYYY-MM-DD, a day of every year MM-DD or {country: XX, region: YY}"), here...)
		case h.Country != "":
			days, err := holidays.Observed(h.Country, h.Region, calendar.DefaultFirstYear, calendar.DefaultLastYear)
			if err != nil {
				field := "country"
				if ce := (*holidays.CodeError)(nil); errors.As(err, &ce) && ce.Region {
					field = "region"
				}
				return b.fail(err, append(here, field)...)
			}
			for _, d := range days {
				spec.Holidays = append(spec.Holidays, d.Date)
			}
		case len(strings.TrimSpace(h.date)) == len("01-02"):
			md, err := calendar.ParseMonthDay(h.date)
			if err != nil {
				return b.fail(err, here...)
			}
			spec.Recurring = append(spec.Recurring, md)
		default:
			d, err := calendar.ParseDate(h.date)
			if err != nil {
				return b.fail(err, here...)
			}
			spec.Holidays = append(spec.Holidays, d)
		}
	}
	return nil
}

// halfDays fills the spec's half days, dated or yearly by the form of their date.
func (b *builder) halfDays(spec *calendar.Spec, list []rawHalfDay, at []any) error {
	dated := map[calendar.Date]bool{}
	yearly := map[calendar.MonthDay]bool{}
	for j, h := range list {
		here := append(append([]any{}, at...), "half_days", j)
		if len(h.Hours) == 0 {
			return b.fail(errors.New(`hours is required, e.g. "09:00-13:00" (list the day as a holiday to close it)`), here...)
		}
		ivs, err := parseHours(h.Hours)
		if err == nil {
			err = calendar.CheckDay(ivs)
		}
		if err != nil {
			return b.fail(err, append(here, "hours")...)
		}
		text := strings.TrimSpace(h.Date)
		switch {
		case text == "":
			return b.fail(errors.New("date is required: YYYY-MM-DD, or MM-DD for every year"), here...)
		case len(text) == len("01-02"):
			md, err := calendar.ParseMonthDay(text)
			if err != nil {
				return b.fail(fmt.Errorf("%q is not a day of the year MM-DD", h.Date), append(here, "date")...)
			}
			if yearly[md] {
				return b.fail(fmt.Errorf("%s is listed twice", md), append(here, "date")...)
			}
			yearly[md] = true
			spec.RecurringHalfDays = append(spec.RecurringHalfDays, calendar.RecurringHalfDay{Day: md, Hours: ivs})
		default:
			d, err := calendar.ParseDate(text)
			if err != nil {
				return b.fail(fmt.Errorf("%q is not a date YYYY-MM-DD", h.Date), append(here, "date")...)
			}
			if dated[d] {
				return b.fail(fmt.Errorf("%s is listed twice", d), append(here, "date")...)
			}
			dated[d] = true
			spec.HalfDays = append(spec.HalfDays, calendar.HalfDay{Date: d, Hours: ivs})
		}
	}
	return nil
}
