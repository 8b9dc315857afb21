package servicenow

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// This file turns a task record, its sys_audit rows and its task_sla records into a ticket: pure
// functions of the decoded rows and the settings.

// rejection is why a record does not map: reason names the record's values, rule does not, and
// setting is the configuration key it does not fit, if that is the cause.
type rejection struct {
	reason, rule, setting string
}

func reject(rule, format string, args ...any) *rejection {
	return &rejection{reason: fmt.Sprintf(format, args...), rule: rule}
}

// at places r at the record with the given id.
func (r *rejection) at(id string) collector.Rejection {
	return collector.Rejection{Where: id, Reason: r.reason, Rule: r.rule, Setting: r.setting}
}

// change is one audited change of state or hold_reason.
type change struct {
	at           time.Time
	checkpoint   int
	field        string
	old, new     string
	auditRecord  string
	insertRecord bool
}

// mapTicket builds the ticket of a record from its audit rows (state and hold_reason changes)
// and task_sla rows.
func (s *settings) mapTicket(r row, audits, slas []row) (ticket.Ticket, *rejection) {
	number := strings.TrimSpace(r.get("number"))
	if number == "" {
		return ticket.Ticket{}, reject("number is empty", "number is empty (record %s)", r.get("sys_id"))
	}
	t := ticket.Ticket{ID: number, Type: s.typ, Fields: map[string]string{FieldSysID: r.get("sys_id")}}
	var rj *rejection
	if t.Created, rj = s.created(r); rj != nil {
		return ticket.Ticket{}, rj
	}
	if p := strings.TrimSpace(r.get("priority")); p != "" {
		t.Priority = cmp.Or(s.prios[p], p)
	}
	t.Group = cmp.Or(r.get("assignment_group.name"), r.get("assignment_group"))
	n, err := r.int("reassignment_count")
	if err != nil {
		return ticket.Ticket{}, reject("reassignment_count is not a whole number", "%v", err)
	}
	t.Reassignments = n
	if t.WorkTime, err = r.duration("time_worked"); err != nil {
		return ticket.Ticket{}, reject("time_worked is not a duration", "%v", err)
	}
	if v := r.get("close_code"); v != "" {
		t.Fields[FieldCloseCode] = v
	}
	if s.incident {
		if _, err := r.int("reopen_count"); err != nil {
			return ticket.Ticket{}, reject("reopen_count is not a whole number", "%v", err)
		}
		t.Fields[FieldReopenCount] = cmp.Or(r.get("reopen_count"), "0")
	}
	for _, f := range s.fields {
		if v := r.get(f.path); v != "" {
			t.Fields[f.field] = v
		}
	}
	if t.History, t.FirstResponse, rj = s.history(r, t.Created, audits); rj != nil {
		return ticket.Ticket{}, rj
	}
	if t.Native, rj = s.nativeSLAs(slas); rj != nil {
		return ticket.Ticket{}, rj
	}
	return t, nil
}

// created is opened_at, else sys_created_on.
func (s *settings) created(r row) (time.Time, *rejection) {
	for _, f := range []string{"opened_at", "sys_created_on"} {
		at, err := r.time(f)
		if err != nil {
			return time.Time{}, reject(f+" is not a date-time", "%v", err)
		}
		if !at.IsZero() {
			return at, nil
		}
	}
	return time.Time{}, reject("opened_at and sys_created_on are empty", "opened_at and sys_created_on are empty")
}

// status is the name and category of a state with a hold reason.
func (s *settings) status(state, hold string) (string, ticket.Category, *rejection) {
	cat, ok := s.states[state]
	if !ok {
		return "", 0, &rejection{
			reason: fmt.Sprintf("state %q has no mapping (known: %s): add it to states", clip(state), knownStates(s.names)),
			rule:   "a state without a mapping", setting: "states"}
	}
	name := s.names[state]
	if s.incident && cat == ticket.Paused && hold != "" {
		name += " (" + cmp.Or(holdReasons[hold], "hold_reason "+hold) + ")"
	}
	if s.incident && cat == ticket.Paused && s.paused != nil && !slices.Contains(s.paused, hold) {
		cat = ticket.Open // On Hold for a reason that does not pause
	}
	return name, cat, nil
}

// history replays the audited changes of state and hold_reason from the state at the insert (the
// first change's old value; an insert's audit row, with no old value, is the state it was
// inserted in). A state the audit does not reach (an update made without auditing) is taken from
// the record, at resolved_at, closed_at or sys_updated_on. Times before creation are taken as
// the creation, and the history never goes backwards. The first response is the first entry
// into a response state.
func (s *settings) history(r row, created time.Time, audits []row) ([]ticket.StatusChange, time.Time, *rejection) {
	changes, rj := parseChanges(audits)
	if rj != nil {
		return nil, time.Time{}, rj
	}
	state, hold := r.get("state"), r.get("hold_reason")
	if rj := s.checkAudited(r, changes); rj != nil {
		return nil, time.Time{}, rj
	}
	firstState, firstHold := true, true
	for _, c := range changes {
		switch {
		case c.field == "state" && firstState:
			state, firstState = cmp.Or(c.old, c.new), false
		case c.field == "hold_reason" && firstHold:
			hold, firstHold = c.old, false
			if c.insertRecord {
				hold = c.new
			}
		}
	}
	var (
		hist     []ticket.StatusChange
		response time.Time
	)
	emit := func(at time.Time) *rejection {
		name, cat, rj := s.status(state, hold)
		if rj != nil {
			return rj
		}
		at = later(at, created)
		if n := len(hist); n > 0 {
			at = later(at, hist[n-1].At)
		}
		if response.IsZero() && slices.Contains(s.response, state) {
			response = at
		}
		if n := len(hist); n > 0 && hist[n-1].Status == name && hist[n-1].Category == cat {
			return nil
		}
		hist = append(hist, ticket.StatusChange{At: at, Status: name, Category: cat})
		return nil
	}
	// The state at creation is the insert's, from when the record was saved: opened_at may be
	// earlier (the form opened, the call taken, an import's original time), and until the insert
	// the ticket is open, as the engine takes a ticket before its first status.
	inserted, err := r.time("sys_created_on")
	if err != nil {
		return nil, time.Time{}, reject("sys_created_on is not a date-time", "%v", err)
	}
	if rj := emit(later(inserted, created)); rj != nil {
		return nil, time.Time{}, rj
	}
	for i := 0; i < len(changes); {
		j := i
		for ; j < len(changes) && changes[j].at.Equal(changes[i].at) && changes[j].checkpoint == changes[i].checkpoint; j++ {
			if changes[j].field == "state" {
				state = changes[j].new
			} else {
				hold = changes[j].new
			}
		}
		if rj := emit(changes[i].at); rj != nil {
			return nil, time.Time{}, rj
		}
		i = j
	}
	// The record's own state wins over an audit trail that lost a change.
	if cur, curHold := r.get("state"), r.get("hold_reason"); cur != state || (s.incident && curHold != hold) {
		state, hold = cur, curHold
		at, rj := s.fallbackTime(r, cur)
		if rj != nil {
			return nil, time.Time{}, rj
		}
		if rj := emit(at); rj != nil {
			return nil, time.Time{}, rj
		}
	}
	return hist, response, nil
}

// checkAudited refuses a record that was updated and is now resolved, closed or canceled, but
// has no audited change of state: the user cannot read sys_audit (a row-level ACL answers no
// rows rather than an error), or the table is not audited. Its history would otherwise read as
// resolved from its creation. A record inserted in that state and never updated is taken as
// it is.
func (s *settings) checkAudited(r row, changes []change) *rejection {
	if !s.states[r.get("state")].Stopped() || slices.ContainsFunc(changes, func(c change) bool { return c.field == "state" }) {
		return nil
	}
	updates, err := r.int("sys_mod_count")
	if err != nil {
		return reject("sys_mod_count is not a whole number", "%v", err)
	}
	if updates == 0 {
		return nil
	}
	return reject("an updated record without audited state changes",
		"state %s (%s) after %d updates, but no sys_audit row of a state change: can the user read sys_audit (admin only in the base system), and is %s audited?",
		r.get("state"), s.names[r.get("state")], updates, s.table)
}

// fallbackTime is when a state missing from the audit began, as the record tells: resolved_at
// for a resolved one, closed_at for a closed one, else the last update.
func (s *settings) fallbackTime(r row, state string) (time.Time, *rejection) {
	field := "sys_updated_on"
	switch s.states[state] {
	case ticket.Resolved:
		if r.get("resolved_at") != "" {
			field = "resolved_at"
		}
	case ticket.Closed:
		if r.get("closed_at") != "" {
			field = "closed_at"
		}
	}
	at, err := r.time(field)
	if err != nil {
		return time.Time{}, reject(field+" is not a date-time", "%v", err)
	}
	return at, nil
}

// parseChanges reads the audit rows of a record, in the order they were made: by time, then by
// record_checkpoint (the record's update count, which orders two updates of one second).
func parseChanges(audits []row) ([]change, *rejection) {
	out := make([]change, 0, len(audits))
	for _, a := range audits {
		at, err := a.time("sys_created_on")
		if err == nil && at.IsZero() {
			err = fmt.Errorf("sys_created_on is empty")
		}
		if err != nil {
			return nil, reject("a sys_audit row without a time", "sys_audit %s: %v", a.get("sys_id"), err)
		}
		cp, err := a.int("record_checkpoint")
		if err != nil {
			return nil, reject("a sys_audit row with a bad record_checkpoint", "sys_audit %s: %v", a.get("sys_id"), err)
		}
		old := a.get("oldvalue")
		out = append(out, change{at: at, checkpoint: cp, field: a.get("fieldname"), old: old, new: a.get("newvalue"),
			auditRecord: a.get("sys_id"), insertRecord: old == "" && cp == 0})
	}
	slices.SortStableFunc(out, func(x, y change) int {
		return cmp.Or(x.at.Compare(y.at), cmp.Compare(x.checkpoint, y.checkpoint))
	})
	return out, nil
}

// nativeSLAs maps task_sla rows to the tool's own SLA cycles, in start order. A cancelled
// task_sla (its start condition stopped matching: a priority change attaches another
// definition's) is no verdict and is left out. The deadline is planned_end_time, which the SLA
// engine moves by the business time paused; a paused cycle has none (it moves on resume). The
// elapsed and percentage fields are not read: ServiceNow recalculates them only on its own
// events and jobs, so they are stale; a running cycle past its planned_end_time at the sync is
// breached, whether or not the breach timer has run yet (at planned_end_time itself it is not,
// as the exporter's cycle at its deadline is not).
func (s *settings) nativeSLAs(slas []row) ([]ticket.NativeSLA, *rejection) {
	if len(slas) == 0 {
		return nil, nil
	}
	now := s.now()
	var out []ticket.NativeSLA
	for _, r := range slas {
		id := r.get("sys_id")
		stage := r.get("stage")
		if stage == "cancelled" {
			continue
		}
		var times [3]time.Time
		for i, f := range []string{"start_time", "planned_end_time", "end_time"} {
			at, err := r.time(f)
			if err != nil {
				return nil, reject("a task_sla with a bad "+f, "task_sla %s: %v", id, err)
			}
			times[i] = at
		}
		if times[0].IsZero() {
			return nil, reject("a task_sla without a start_time", "task_sla %s: start_time is empty", id)
		}
		name := cmp.Or(r.get("sla.name"), "sla "+r.get("sla"))
		n := ticket.NativeSLA{Name: name, Clock: s.native[name], Start: times[0], Breached: r.get("has_breached") == "true"}
		switch stage {
		case "in_progress", "breached": // breached: the 2010 engine's stage of a running, breached SLA
			n.Deadline = times[1]
			n.Breached = n.Breached || stage == "breached" || (!times[1].IsZero() && times[1].Before(now))
		case "paused":
			n.Paused = true
		case "completed":
			n.Deadline, n.Stop = times[1], times[2]
			if n.Stop.IsZero() {
				return nil, reject("a completed task_sla without an end_time", "task_sla %s: stage completed but end_time is empty", id)
			}
		default:
			return nil, reject("a task_sla of an unknown stage",
				"task_sla %s: stage %q is not in_progress, paused, completed or cancelled", id, clip(stage))
		}
		// In whole seconds, as the ticket store keeps them.
		if (!n.Stop.IsZero() && n.Stop.Unix() < n.Start.Unix()) || (!n.Deadline.IsZero() && n.Deadline.Unix() < n.Start.Unix()) {
			return nil, reject("a task_sla ending before it starts",
				"task_sla %s: planned_end_time or end_time is before start_time", id)
		}
		out = append(out, n)
	}
	slices.SortStableFunc(out, func(a, b ticket.NativeSLA) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
