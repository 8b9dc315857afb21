// Package holidays computes the public holidays of a country or of one of its regions, year by
// year, from the tables of github.com/rickar/cal/v2, so that a calendar need not list by hand the
// holidays that move with Easter or with the weekday.
//
// A holiday counts on the day it is observed, the day the office is closed: when a country moves a
// holiday that falls on a weekend (the United States to the Friday before a Saturday or the Monday
// after a Sunday, the United Kingdom to the next Monday), only the moved day is returned, and it
// may fall in the year before (New Year's Day on a Saturday is observed on 31 December).
package holidays

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rickar/cal/v2"

	"github.com/sla-exporter/sla_exporter/slo/calendar"
)

// Holiday is one observed public holiday.
type Holiday struct {
	Date calendar.Date
	// Name is the holiday's name as the library gives it, usually in the country's language.
	Name string
}

type country struct {
	// national is the country's list; nil when the library only has regional lists.
	national []*cal.Holiday
	regions  map[string][]*cal.Holiday
}

// Countries lists the country codes known, sorted.
func Countries() []string {
	return slices.Sorted(maps.Keys(countries))
}

// Regions lists the region codes of a country, sorted; none when the country has no regional
// lists or is not known.
func Regions(code string) []string {
	return slices.Sorted(maps.Keys(countries[strings.ToUpper(strings.TrimSpace(code))].regions))
}

// Observed returns the public holidays of a country (an ISO 3166-1 code such as "DE"), or of one
// of its regions (an ISO 3166-2 subdivision code such as "BY", with or without "DE-"), observed in
// the years first..last, sorted by date. A region's list is whole: it holds the national holidays
// observed there. Codes are read in any letter case. The error of an unknown code lists the known
// ones.
func Observed(countryCode, regionCode string, first, last int) ([]Holiday, error) {
	lists, err := lookup(countryCode, regionCode)
	if err != nil {
		return nil, err
	}
	seen := map[calendar.Date]bool{}
	var out []Holiday
	// One year either side: an observed day may move across a new year.
	for y := first - 1; y <= last+1; y++ {
		for _, h := range lists {
			_, observed := h.Calc(y)
			if observed.IsZero() {
				continue // not observed that year (before its first year, or an exception)
			}
			yy, m, d := observed.Date()
			date := calendar.Date{Year: yy, Month: m, Day: d}
			if yy < first || yy > last || seen[date] {
				continue
			}
			seen[date] = true
			out = append(out, Holiday{Date: date, Name: h.Name})
		}
	}
	slices.SortFunc(out, func(a, b Holiday) int { return compareDates(a.Date, b.Date) })
	return out, nil
}

// CodeError is Observed's error for a country or region it has no list for. Region says which
// of the two codes is at fault, so a configuration can point at it.
type CodeError struct {
	Region bool
	msg    string
}

func (e *CodeError) Error() string { return e.msg }

func lookup(countryCode, regionCode string) ([]*cal.Holiday, error) {
	code := strings.ToUpper(strings.TrimSpace(countryCode))
	c, ok := countries[code]
	if !ok {
		return nil, &CodeError{msg: fmt.Sprintf("unknown country %q (known: %s)", countryCode, strings.Join(Countries(), ", "))}
	}
	region := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(regionCode)), code+"-")
	switch {
	case region == "" && c.national == nil:
		return nil, &CodeError{Region: true, msg: fmt.Sprintf("country %s has only regional holidays: set a region (%s)", code, strings.Join(Regions(code), ", "))}
	case region == "":
		return c.national, nil
	case len(c.regions) == 0:
		return nil, &CodeError{Region: true, msg: fmt.Sprintf("country %s has no regional holidays in the tables (list a region's own holidays as dates)", code)}
	}
	list, ok := c.regions[region]
	if !ok {
		return nil, &CodeError{Region: true, msg: fmt.Sprintf("country %s has no region %q (regions: %s)", code, regionCode, strings.Join(Regions(code), ", "))}
	}
	return list, nil
}

func compareDates(a, b calendar.Date) int {
	switch {
	case a.Year != b.Year:
		return a.Year - b.Year
	case a.Month != b.Month:
		return int(a.Month) - int(b.Month)
	}
	return a.Day - b.Day
}
