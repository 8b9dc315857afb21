package config

import (
	"errors"
	"fmt"
	"slices"
)

// report checks global.report and fills in its defaults.
func (b *builder) report(raw rawReportContents) (Report, error) {
	at := func(f ...any) []any { return append([]any{"global", "report"}, f...) }
	r := Report{Top: DefaultReportTop, RecurringIncidents: DefaultRecurringIncidents,
		ProblemFields: slices.Clone(DefaultProblemFields), IncidentTypes: slices.Clone(DefaultIncidentTypes)}
	if raw.Top != nil {
		if *raw.Top < 1 || *raw.Top > MaxReportTop {
			return r, b.fail(fmt.Errorf("%d is not between 1 and %d", *raw.Top, MaxReportTop), at("top")...)
		}
		r.Top = *raw.Top
	}
	if raw.RecurringIncidents != nil {
		if *raw.RecurringIncidents < 1 {
			return r, b.fail(fmt.Errorf("%d is not a count of incidents of 1 or more", *raw.RecurringIncidents), at("recurring_incidents")...)
		}
		r.RecurringIncidents = *raw.RecurringIncidents
	}
	// An explicit empty list is kept: no problem trends, or every ticket type.
	if raw.ProblemFields != nil {
		r.ProblemFields = raw.ProblemFields
	}
	if raw.IncidentTypes != nil {
		r.IncidentTypes = raw.IncidentTypes
	}
	for _, l := range []struct {
		key  string
		list []string
	}{{"problem_fields", r.ProblemFields}, {"incident_types", r.IncidentTypes}} {
		key, list := l.key, l.list
		for i, v := range list {
			switch {
			case v == "":
				return r, b.fail(errors.New("empty name"), at(key, i)...)
			case slices.Index(list, v) < i:
				return r, b.fail(fmt.Errorf("%q is listed twice", v), at(key, i)...)
			}
		}
	}
	return r, nil
}
