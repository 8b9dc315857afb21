package report

import (
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// Staffing is a staffing group of the report: the plan of the latest evaluation (Inputs.Current),
// not of the report's period, from the arrivals of the complete weeks From to To. A group
// without figures has its state and reason, and null figures.
type Staffing struct {
	Group     string    `json:"group"`
	Objective string    `json:"objective"`
	Priority  string    `json:"priority,omitempty"`
	Model     string    `json:"model"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	// HandleTimeSeconds is the mean work per ticket planned with, null without figures;
	// HandleTimeSource "configured" or "measured"; HandleTimeTickets the tickets with a work
	// time a measured one is the mean of (null when configured).
	HandleTimeSeconds *float64 `json:"handle_time_seconds"`
	HandleTimeSource  string   `json:"handle_time_source"`
	HandleTimeTickets *int     `json:"handle_time_tickets"`
	// ExpectedAttainment and ShortHours are the roster's; null without a roster.
	ExpectedAttainment *float64 `json:"expected_attainment"`
	ShortHours         *int     `json:"short_hours"`
	// Hours label the heat map's columns ("00" to "23"); Days its rows, Monday first.
	Hours []string      `json:"hours"`
	Days  []StaffingDay `json:"days"`
}

// StaffingDay is a weekday's hours of a staffing heat map.
type StaffingDay struct {
	Day   string         `json:"day"`
	Cells []StaffingCell `json:"cells"`
}

// StaffingCell is one hour: the agents to schedule, the roster's (null without one), and whether
// the roster is short of them.
type StaffingCell struct {
	Needed   float64  `json:"needed"`
	Rostered *float64 `json:"rostered"`
	Short    bool     `json:"short"`
}

// staffing lists the latest evaluation's groups whose objective is in the report's scope.
func (b *builder) staffing() []Staffing {
	cur := b.in.Current
	if cur == nil {
		return nil
	}
	in := map[string]bool{}
	for _, o := range b.scope.objectives {
		in[o.Name] = true
	}
	var out []Staffing
	for i := range cur.Staffing {
		r := &cur.Staffing[i]
		if !in[r.Objective] {
			continue
		}
		s := Staffing{Group: r.Group, Objective: r.Objective, Priority: r.Priority, Model: r.Model, State: r.State, Reason: r.Reason,
			From: r.From.In(b.loc), To: r.To.In(b.loc), HandleTimeSource: r.HandleTimeSource}
		if r.Published() {
			sec := r.HandleTime.Seconds()
			s.HandleTimeSeconds = &sec
			if r.HandleTimeSource == collector.HandleTimeMeasured {
				n := r.HandleTimeTickets
				s.HandleTimeTickets = &n
			}
			if r.Roster != nil {
				a, short := r.ExpectedAttainment, r.ShortHours()
				s.ExpectedAttainment, s.ShortHours = &a, &short
			}
			for h := range 24 {
				s.Hours = append(s.Hours, fmt.Sprintf("%02d", h))
			}
			for d := range 7 {
				day := StaffingDay{Day: staffing.DayName(d)}
				for h := range 24 {
					k := d*24 + h
					c := StaffingCell{Needed: r.Scheduled[k]}
					if r.Roster != nil {
						v := r.Roster[k]
						c.Rostered = &v
						c.Short = r.Shortfall != nil && r.Shortfall[k] < 0
					}
					day.Cells = append(day.Cells, c)
				}
				s.Days = append(s.Days, day)
			}
		}
		out = append(out, s)
	}
	return out
}

// staffingCell is a heat map cell's path in the model, for the template.
func (p *page) StaffingCell(g, d, h int) string {
	return fmt.Sprintf("staffing[%d].days[%d].cells[%d]", g, d, h)
}
