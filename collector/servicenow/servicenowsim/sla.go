package servicenowsim

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// This file is the simulator's SLA engine: it attaches, pauses, resumes, completes and cancels
// task_sla records as ServiceNow's 2011 engine does, from these documents:
//
//   - SLA conditions (start, cancel, pause, resume, stop, reset, and their order of
//     evaluation: attach if start matches and stop and cancel do not; complete if stop
//     matches; pause if pause matches; resume if pause no longer matches; cancel if start no
//     longer matches): ServiceNow/ServiceNowDocs,
//     markdown/it-service-management/service-level-management/c_SLAConditions.md@1911a1db;
//   - the Task SLA table (stage in_progress, paused, completed, cancelled; "Breach time is the
//     same as Planned end time", adjusted for the business pause duration; original breach
//     time as first computed): .../r_TaskSLATable.md@32bcdf80;
//   - elapsed and percentage fields are recalculated by the engine's events and scheduled jobs,
//     not live (.../c_ScheduledJobsForSLA.md, t_SLACalculationOnTaskDisplay.md): here they are
//     computed when the engine touches the record, and stale in between;
//   - has_breached is set by the breach timer when planned_end_time passes; the stage stays
//     in_progress (the Breached stage is the 2010 engine's).
//
// A completed SLA does not block a new one: when a resolved incident is reopened, the start
// condition matches again and a new task_sla attaches, which is how instances behave with the
// base system's definitions.

// Schedule is a weekly business schedule in a time zone (ServiceNow's cmn_schedule with weekly
// spans), with closed dates. A nil *Schedule is 24x7.
type Schedule struct {
	Name     string
	Location *time.Location
	// Open and Close are minutes after midnight of each weekday's span, by time.Weekday; a day
	// with Close <= Open is closed.
	Open, Close [7]int
	// Holidays are closed dates, "2006-01-02".
	Holidays []string
}

// Weekdays is a schedule open Monday to Friday from open to close ("08:00", "18:00").
func Weekdays(name string, loc *time.Location, open, close string, holidays ...string) *Schedule {
	o, c := minutes(open), minutes(close)
	s := &Schedule{Name: name, Location: loc, Holidays: holidays}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Open[d], s.Close[d] = o, c
	}
	return s
}

func minutes(hhmm string) int {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(fmt.Sprintf("servicenowsim: %q is not HH:MM", hhmm))
	}
	return t.Hour()*60 + t.Minute()
}

// maxScheduleDays bounds a walk through the schedule (ten years).
const maxScheduleDays = 3660

// span returns the open span of the day holding t, in the schedule's zone.
func (s *Schedule) span(day time.Time) (time.Time, time.Time, bool) {
	wd := day.Weekday()
	if s.Close[wd] <= s.Open[wd] || slices.Contains(s.Holidays, day.Format(time.DateOnly)) {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, s.Open[wd], 0, 0, s.Location), time.Date(y, m, d, 0, s.Close[wd], 0, 0, s.Location), true
}

// Work is the business time between from and to.
func (s *Schedule) Work(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if s == nil {
		return to.Sub(from)
	}
	var total time.Duration
	y, m, d := from.In(s.Location).Date()
	for i := 0; i < maxScheduleDays; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, s.Location)
		a, b, ok := s.span(day)
		if !ok {
			continue
		}
		if !a.Before(to) {
			break
		}
		a, b = later(a, from), earlier(b, to)
		if b.After(a) {
			total += b.Sub(a)
		}
	}
	return total
}

// Add is the instant at which d of business time has passed since from.
func (s *Schedule) Add(from time.Time, d time.Duration) time.Time {
	if s == nil {
		return from.Add(d)
	}
	y, m, dd := from.In(s.Location).Date()
	for i := 0; i < maxScheduleDays; i++ {
		day := time.Date(y, m, dd+i, 12, 0, 0, 0, s.Location)
		a, b, ok := s.span(day)
		if !ok || !b.After(from) {
			continue
		}
		a = later(a, from)
		if avail := b.Sub(a); d <= avail {
			return a.Add(d)
		} else {
			d -= avail
		}
	}
	return from.Add(maxScheduleDays * 24 * time.Hour)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// SLADefinition is a contract_sla record with the conditions the simulator models.
type SLADefinition struct {
	Name string
	// Target is contract_sla.target: "response" or "resolution". A response SLA stops when the
	// task leaves state New (1); a resolution SLA stops at Resolved (6) or Closed (7).
	Target string
	// Table is the task table it applies to (incident).
	Table string
	// Priority, when set, is the start condition's priority: a task whose priority changes
	// away cancels the SLA ("start conditions are not met").
	Priority string
	Duration time.Duration
	// Schedule is nil for 24x7.
	Schedule *Schedule
	// PauseOnHold pauses a resolution SLA while the incident is On Hold (3), with one of
	// PauseHoldReasons when that is set.
	PauseOnHold      bool
	PauseHoldReasons []string
	// RetroactiveStart starts the SLA at the task's opened_at rather than when it attached.
	RetroactiveStart bool
}

const (
	stateNew        = "1"
	stateOnHold     = "3"
	stateResolved   = "6"
	stateClosed     = "7"
	stateCanceled   = "8"
	changeCanceled  = "4"
	changeClosed    = "3"
	stageInProgress = "in_progress"
	stagePaused     = "paused"
	stageCompleted  = "completed"
	stageCancelled  = "cancelled"
)

func (d *SLADefinition) starts(task record) bool {
	if task["sys_class_name"] != d.Table {
		return false
	}
	if d.Priority != "" && task["priority"] != d.Priority {
		return false
	}
	return !d.cancels(task)
}

func (d *SLADefinition) cancels(task record) bool {
	st := task["state"]
	if task["sys_class_name"] == "change_request" {
		return st == changeCanceled
	}
	return st == stateCanceled
}

func (d *SLADefinition) stops(task record) bool {
	st := task["state"]
	if d.Target == "response" {
		return st != stateNew
	}
	if task["sys_class_name"] == "change_request" {
		return st == changeClosed
	}
	return st == stateResolved || st == stateClosed
}

func (d *SLADefinition) pauses(task record) bool {
	return d.PauseOnHold && d.Target == "resolution" && task["state"] == stateOnHold &&
		(len(d.PauseHoldReasons) == 0 || slices.Contains(d.PauseHoldReasons, task["hold_reason"]))
}

// runSLAs evaluates the definitions against a task just inserted or updated at now. Callers
// hold mu.
func (s *Server) runSLAs(task record, now time.Time) {
	s.breachJobs(now)
	for _, def := range s.defs {
		active := false
		for _, ts := range s.tables["task_sla"].rows {
			if ts["task"] == task["sys_id"] && ts["sla"] == def.sysID && ts["active"] == "true" {
				active = true
			}
		}
		if !active && def.starts(task) && !def.stops(task) {
			s.attach(def, task, now)
		}
	}
	for _, ts := range s.tables["task_sla"].rows {
		if ts["task"] != task["sys_id"] || ts["active"] != "true" {
			continue
		}
		def := s.defByID(ts["sla"])
		switch {
		case def.stops(task):
			s.complete(def, ts, now)
		case !def.starts(task):
			s.cancel(def, ts, now)
		case def.pauses(task) && ts["stage"] == stageInProgress:
			ts["stage"], ts["pause_time"] = stagePaused, stamp(now)
			s.timings(def, ts, now)
		case !def.pauses(task) && ts["stage"] == stagePaused:
			s.resume(def, ts, now)
		}
	}
}

// slaDef is a definition with its contract_sla sys_id.
type slaDef struct {
	*SLADefinition
	sysID string
}

func (s *Server) defByID(id string) *slaDef {
	for _, d := range s.defs {
		if d.sysID == id {
			return d
		}
	}
	panic("servicenowsim: task_sla of an unknown definition " + id)
}

func (s *Server) attach(def *slaDef, task record, now time.Time) {
	start := now
	if def.RetroactiveStart {
		if t, ok := parseStamp(task["opened_at"]); ok {
			start = t
		}
	}
	end := def.Schedule.Add(start, def.Duration)
	ts := record{
		"sys_id": s.newID(), "task": task["sys_id"], "sla": def.sysID, "stage": stageInProgress, "active": "true",
		"has_breached": "false", "start_time": stamp(start), "planned_end_time": stamp(end), "original_breach_time": stamp(end),
		"end_time": "", "pause_time": "", "pause_duration": durationValue(0), "business_pause_duration": durationValue(0),
		"schedule": "", "timezone": "", "sys_created_on": stamp(now), "sys_updated_on": stamp(now),
	}
	if def.Schedule != nil {
		ts["schedule"], ts["timezone"] = def.Schedule.Name, def.Schedule.Location.String()
	}
	s.tables["task_sla"].add(ts)
	s.timings(def, ts, now)
}

// pauseTotals are the business and actual pause recorded, plus the running one up to now.
func (s *Server) pauseTotals(def *slaDef, ts record, now time.Time) (time.Duration, time.Duration) {
	bp, _ := parseDuration(ts["business_pause_duration"])
	p, _ := parseDuration(ts["pause_duration"])
	if ts["stage"] == stagePaused {
		from, _ := parseStamp(ts["pause_time"])
		bp += def.Schedule.Work(from, now)
		p += now.Sub(from)
	}
	return bp, p
}

func (s *Server) resume(def *slaDef, ts record, now time.Time) {
	bp, p := s.pauseTotals(def, ts, now)
	start, _ := parseStamp(ts["start_time"])
	ts["stage"], ts["pause_time"] = stageInProgress, ""
	ts["business_pause_duration"], ts["pause_duration"] = durationValue(bp), durationValue(p)
	// Breach time is the start plus the duration plus the business pause, on the schedule.
	ts["planned_end_time"] = stamp(def.Schedule.Add(start, def.Duration+bp))
	s.timings(def, ts, now)
}

func (s *Server) complete(def *slaDef, ts record, now time.Time) {
	if ts["stage"] == stagePaused {
		s.resume(def, ts, now)
	}
	if end, _ := parseStamp(ts["planned_end_time"]); now.After(end) {
		ts["has_breached"] = "true"
	}
	ts["stage"], ts["active"], ts["end_time"] = stageCompleted, "false", stamp(now)
	s.timings(def, ts, now)
}

func (s *Server) cancel(def *slaDef, ts record, now time.Time) {
	ts["stage"], ts["active"], ts["end_time"] = stageCancelled, "false", stamp(now)
	s.timings(def, ts, now)
}

// breachJobs runs the breach timers due by now: each active SLA in progress whose
// planned_end_time has passed is marked breached, as of that time. A timer runs after its
// instant, so an update in the same second as planned_end_time completes the SLA first, met
// (in ServiceNow the two race). Callers hold mu.
func (s *Server) breachJobs(now time.Time) {
	for _, ts := range s.tables["task_sla"].rows {
		if ts["active"] != "true" || ts["stage"] != stageInProgress || ts["has_breached"] == "true" {
			continue
		}
		end, _ := parseStamp(ts["planned_end_time"])
		if end.Before(now) {
			ts["has_breached"] = "true"
			s.timings(s.defByID(ts["sla"]), ts, end)
		}
	}
}

// timings writes the elapsed, percentage and time-left fields as of at, and marks the record
// updated then. They are not touched again until the engine next handles the record: stale.
func (s *Server) timings(def *slaDef, ts record, at time.Time) {
	start, _ := parseStamp(ts["start_time"])
	stop := at
	if e, ok := parseStamp(ts["end_time"]); ok {
		stop = e
	}
	bp, p := s.pauseTotals(def, ts, stop)
	business := def.Schedule.Work(start, stop) - bp
	actual := stop.Sub(start) - p
	ts["business_duration"], ts["duration"] = durationValue(business), durationValue(actual)
	pct := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(def.Duration)*100, 'f', 2, 64)
	}
	ts["business_percentage"], ts["percentage"] = pct(business), pct(actual)
	ts["business_time_left"], ts["time_left"] = durationValue(max(def.Duration-business, 0)), durationValue(max(def.Duration-actual, 0))
	ts["sys_updated_on"] = stamp(at)
}

// durationValue writes a duration as the Table API does with display values off: a date-time
// counted from the epoch ("1970-01-01 02:30:00" for 2h30m).
func durationValue(d time.Duration) string {
	return time.Unix(0, 0).UTC().Add(d.Truncate(time.Second)).Format(time.DateTime)
}

func parseDuration(v string) (time.Duration, bool) {
	t, err := time.ParseInLocation(time.DateTime, v, time.UTC)
	if err != nil {
		return 0, false
	}
	return t.Sub(time.Unix(0, 0)), true
}
