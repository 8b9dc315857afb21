package report

import (
	"cmp"
	"slices"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// problemPeriods is how many periods the problem trends count, the report's the last: enough to
// tell a recurring problem from a bad month.
const problemPeriods = 6

// problems counts the incidents created in each of the last periods by the values of the
// configured fields, and flags as problem candidates the values with at least the configured
// number of incidents in the report's period. nil when the report reads no tickets or no field
// is configured.
func (b *builder) problems() *Problems {
	rc := b.cfg.Global.Report
	if len(b.scope.ticketSources) == 0 || len(rc.ProblemFields) == 0 {
		return nil
	}
	ws := b.trend[len(b.trend)-problemPeriods:]
	p := &Problems{IncidentTypes: append([]string{}, rc.IncidentTypes...), Threshold: rc.RecurringIncidents,
		Fields: []ProblemField{}, Absent: []string{}, Candidates: []Candidate{}}
	for _, w := range ws {
		p.Periods = append(p.Periods, w.Label)
		held := false
		for _, src := range b.scope.ticketSources {
			held = held || b.ticketsReach(src, w)
		}
		p.Held = append(p.Held, held)
	}
	counts := map[string]map[string][]int{}
	carried := map[string]bool{}
	var sel ticket.Selector
	if len(rc.IncidentTypes) > 0 {
		sel = ticket.Selector{ticket.SelectType: rc.IncidentTypes}
	}
	for _, src := range b.scope.ticketSources {
		st := b.data.Tickets[src]
		if st == nil {
			continue
		}
		keep := b.ticketFilter(st, sel, nil)
		for i := range st.Len() {
			v := st.View(i)
			if keep != nil && !keep(v) {
				continue
			}
			j := slices.IndexFunc(ws, func(w window) bool {
				return v.Created() >= w.Start.Unix() && v.Created() < b.measuredEnd(w).Unix()
			})
			for _, f := range rc.ProblemFields {
				val, ok := attribute(v, f)
				carried[f] = carried[f] || ok && val != ""
				if j < 0 || val == "" {
					continue
				}
				if counts[f] == nil {
					counts[f] = map[string][]int{}
				}
				if counts[f][val] == nil {
					counts[f][val] = make([]int, len(ws))
				}
				counts[f][val][j]++
			}
		}
	}
	last := len(ws) - 1
	for _, f := range rc.ProblemFields {
		if !carried[f] {
			p.Absent = append(p.Absent, f)
			continue
		}
		pf := ProblemField{Field: f, Rows: []ProblemRow{}}
		var all []ProblemRow
		for val, c := range counts[f] {
			r := ProblemRow{Value: val, Counts: c, Change: c[last] - c[last-1], Candidate: c[last] >= rc.RecurringIncidents}
			r.ChangeRatio = ptr(float64(r.Change)/float64(c[last-1]), c[last-1] > 0)
			all = append(all, r)
		}
		slices.SortFunc(all, func(a, c ProblemRow) int {
			if x := cmp.Compare(c.Counts[last], a.Counts[last]); x != 0 {
				return x
			}
			return cmp.Compare(a.Value, c.Value)
		})
		for i, r := range all {
			if r.Candidate {
				p.Candidates = append(p.Candidates, Candidate{Field: f, Value: r.Value, Count: r.Counts[last]})
			}
			if i < rc.Top || r.Candidate {
				pf.Rows = append(pf.Rows, r)
			} else {
				pf.Others += r.Counts[last]
			}
		}
		p.Fields = append(p.Fields, pf)
	}
	slices.SortStableFunc(p.Candidates, func(a, c Candidate) int { return cmp.Compare(c.Count, a.Count) })
	return p
}

// attribute is a ticket's value of a problem field: priority, type and group are the ticket's
// own, anything else a free field.
func attribute(v ticket.View, field string) (string, bool) {
	switch field {
	case ticket.SelectPriority:
		return v.Priority(), true
	case ticket.SelectType:
		return v.Type(), true
	case ticket.SelectGroup:
		return v.Group(), true
	}
	return v.Field(field)
}
