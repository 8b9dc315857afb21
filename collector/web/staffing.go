package web

import (
	"fmt"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// StaffingJSON is a staffing group in /api/v1/staffing. A group whose source is stale or holds
// too few complete weeks has state other than "ok", a reason, and null figures: never zeros.
type StaffingJSON struct {
	Group     string `json:"group"`
	Objective string `json:"objective"`
	Service   string `json:"service"`
	// Priority is empty for every ticket of the objective.
	Priority   string                 `json:"priority"`
	Model      string                 `json:"model"`
	Parameters StaffingParametersJSON `json:"parameters"`
	State      string                 `json:"state"`
	Reason     string                 `json:"reason,omitempty"`
	// From and To bound the complete weeks averaged.
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Tickets *int      `json:"tickets"`
	// Hours are the 168 hours of the week from Monday 00:00 in the parameters' timezone.
	Hours              []StaffingHourJSON `json:"hours"`
	ExpectedAttainment *float64           `json:"expected_attainment"`
	// ExpectedAttainmentStdErr is the standard error of a simulated expected attainment (the
	// workload model); absent when it is computed (Erlang C).
	ExpectedAttainmentStdErr *float64 `json:"expected_attainment_stderr,omitempty"`
	ShortHours               *int     `json:"short_hours"`
	// CurrentHour and NextHour index Hours.
	CurrentHour int `json:"current_hour"`
	NextHour    int `json:"next_hour"`
}

// StaffingParametersJSON is what a group is planned with.
type StaffingParametersJSON struct {
	// TargetSeconds is the target in working time; BusinessDays instead when it is in working days.
	TargetSeconds float64 `json:"target_seconds,omitempty"`
	BusinessDays  int     `json:"business_days,omitempty"`
	Goal          float64 `json:"goal"`
	// HandleTimeSeconds is the mean work per ticket planned with; null while a measured one is
	// unknown. HandleTimeSource is "configured" or "measured", HandleTimeTickets the tickets with
	// a work time a measured one is the mean of (null when configured or unknown).
	HandleTimeSeconds *float64 `json:"handle_time_seconds"`
	HandleTimeSource  string   `json:"handle_time_source"`
	HandleTimeTickets *int     `json:"handle_time_tickets"`
	Weeks             int      `json:"weeks"`
	MaxOccupancy      float64  `json:"max_occupancy"`
	Shrinkage         float64  `json:"shrinkage"`
	Timezone          string   `json:"timezone"`
}

// StaffingHourJSON is one hour of the week. Roster and shortfall are null without a roster;
// shortfall is roster − scheduled, negative where the roster is short.
type StaffingHourJSON struct {
	Day             string   `json:"day"`
	Hour            int      `json:"hour"`
	ArrivalsMean    float64  `json:"arrivals_mean"`
	ArrivalsStdDev  float64  `json:"arrivals_stddev"`
	AgentsWorking   float64  `json:"agents_working"`
	AgentsScheduled float64  `json:"agents_scheduled"`
	Roster          *float64 `json:"roster"`
	Shortfall       *float64 `json:"shortfall"`
}

// weekdays names the days of a staffing.Week, Monday first.
var weekdays = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// StaffingsJSON is the body of /api/v1/staffing.
func StaffingsJSON(s *collector.Snapshot) []StaffingJSON {
	out := make([]StaffingJSON, 0, len(s.Staffing))
	for i := range s.Staffing {
		r := &s.Staffing[i]
		j := StaffingJSON{Group: r.Group, Objective: r.Objective, Service: r.Service, Priority: r.Priority, Model: r.Model,
			Parameters: StaffingParametersJSON{TargetSeconds: r.Target.Seconds(), BusinessDays: r.BusinessDays, Goal: r.Goal,
				HandleTimeSource: r.HandleTimeSource, Weeks: r.Weeks, MaxOccupancy: r.MaxOccupancy, Shrinkage: r.Shrinkage,
				Timezone: r.Timezone},
			State: r.State, Reason: r.Reason, From: r.From, To: r.To, CurrentHour: r.CurrentHour, NextHour: r.NextHour}
		if r.BusinessDays > 0 {
			j.Parameters.TargetSeconds = 0
		}
		if r.HandleTimeKnown() {
			sec := r.HandleTime.Seconds()
			j.Parameters.HandleTimeSeconds = &sec
		}
		if r.HandleTimeSource == collector.HandleTimeMeasured && r.HandleTimeTickets > 0 {
			n := r.HandleTimeTickets
			j.Parameters.HandleTimeTickets = &n
		}
		if r.Published() {
			tickets, short := r.Tickets, r.ShortHours()
			j.Tickets = &tickets
			j.Hours = make([]StaffingHourJSON, len(r.Arrivals))
			for h := range r.Arrivals {
				hj := StaffingHourJSON{Day: weekdays[h/24], Hour: h % 24, ArrivalsMean: r.Arrivals[h], ArrivalsStdDev: r.ArrivalsStdDev[h],
					AgentsWorking: r.Working[h], AgentsScheduled: r.Scheduled[h]}
				if r.Roster != nil && r.Shortfall != nil {
					roster, shortfall := r.Roster[h], r.Shortfall[h]
					hj.Roster, hj.Shortfall = &roster, &shortfall
				}
				j.Hours[h] = hj
			}
			if r.Roster != nil {
				a := r.ExpectedAttainment
				j.ExpectedAttainment, j.ShortHours = &a, &short
				if r.ExpectedAttainmentStdErr > 0 {
					se := r.ExpectedAttainmentStdErr
					j.ExpectedAttainmentStdErr = &se
				}
			}
		}
		out = append(out, j)
	}
	return out
}

// staffingView is a staffing group on the status page: a heat map hour × weekday as a table,
// each cell the roster against the agents to schedule, short cells marked by class and word.
type staffingView struct {
	Group, Model, State, Reason string
	// HandleTime says the handle time planned with and where it comes from ("Handle time 38m,
	// measured over 412 tickets"); empty without figures.
	HandleTime string
	// Attainment is the roster's expected attainment, empty without a roster.
	Attainment string
	Short      int
	HasRoster  bool
	Hours      []string
	Days       []staffingDay
}

type staffingDay struct {
	Name  string
	Cells []staffingCell
}

type staffingCell struct {
	// Text is "roster/need" with a roster, the need alone without; Class is short, met or idle;
	// Label says it in words for screen readers.
	Text, Class, Label string
}

func staffingViews(s *collector.Snapshot) []staffingView {
	var out []staffingView
	for i := range s.Staffing {
		r := &s.Staffing[i]
		v := staffingView{Group: r.Group, Model: r.Model, State: r.State, Reason: r.Reason, HasRoster: r.Roster != nil}
		if r.Published() {
			v.HandleTime = handleTimeLine(r)
			for h := range 24 {
				v.Hours = append(v.Hours, fmt.Sprintf("%02d", h))
			}
			if r.Roster != nil {
				v.Attainment = fmt.Sprintf("%.1f%%", 100*r.ExpectedAttainment)
				if se := r.ExpectedAttainmentStdErr; se > 0 {
					v.Attainment += fmt.Sprintf(" (± %.1f points, simulated)", 100*se)
				}
				v.Short = r.ShortHours()
			}
			for d := range 7 {
				day := staffingDay{Name: staffing.DayName(d)}
				for h := range 24 {
					k := d*24 + h
					need := r.Scheduled[k]
					c := staffingCell{Text: fmt.Sprintf("%g", need), Class: "idle", Label: fmt.Sprintf("%g needed", need)}
					if need > 0 {
						c.Class = "met"
					}
					if r.Roster != nil {
						c.Text = fmt.Sprintf("%g/%g", r.Roster[k], need)
						c.Label = fmt.Sprintf("%g rostered, %g needed", r.Roster[k], need)
						if r.Shortfall != nil && r.Shortfall[k] < 0 {
							c.Class, c.Text, c.Label = "short", c.Text+" ▼", c.Label+fmt.Sprintf(", %g short", -r.Shortfall[k])
						} else if need == 0 && r.Roster[k] == 0 {
							c.Class = "idle"
						}
					}
					day.Cells = append(day.Cells, c)
				}
				v.Days = append(v.Days, day)
			}
		}
		out = append(out, v)
	}
	return out
}

// handleTimeLine is the status page's line on a group's handle time.
func handleTimeLine(r *collector.StaffingResult) string {
	d := display.Duration(r.HandleTime.Seconds())
	if r.HandleTimeSource == collector.HandleTimeMeasured {
		return fmt.Sprintf("Handle time %s, measured over %s tickets", d, display.Count(float64(r.HandleTimeTickets)))
	}
	return fmt.Sprintf("Handle time %s, configured", d)
}
