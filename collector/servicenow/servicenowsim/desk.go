package servicenowsim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the test's side of the simulator: it creates and updates records as a user of
// the instance would, with what the base system's business rules do on each write (sys fields,
// sys_audit rows, resolved_at and closed_at, reopen_count, reassignment_count, the hold reason
// cleared off hold) and the SLA engine run after it.

// AddGroup adds an assignment group and returns its sys_id.
func (s *Server) AddGroup(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	s.tables["sys_user_group"].add(record{"sys_id": id, "name": name})
	return id
}

// AddSLA adds an SLA definition (a contract_sla record) and returns its sys_id. It applies to
// the tasks written after it.
func (s *Server) AddSLA(def SLADefinition) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &slaDef{SLADefinition: &def, sysID: s.newID()}
	s.defs = append(s.defs, d)
	sched := ""
	if def.Schedule != nil {
		sched = def.Schedule.Name
	}
	s.tables["contract_sla"].add(record{"sys_id": d.sysID, "name": def.Name, "target": def.Target, "type": "SLA",
		"collection": def.Table, "duration": durationValue(def.Duration), "schedule": sched})
	return d.sysID
}

// prefixes are the number prefixes of the task tables, and their first numbers.
var prefixes = map[string]struct {
	prefix string
	first  int
}{"incident": {"INC", 10001}, "change_request": {"CHG", 30001}}

// Create inserts a task (incident or change_request) now and returns its number. Fields not
// given take the base system's defaults: state New, priority 4 (5 for a change), opened_at now.
// A number given is kept (an import).
func (s *Server) Create(tableName string, f Fields) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[tableName]
	p, ok := prefixes[tableName]
	if t == nil || !ok {
		panic("servicenowsim: Create on " + tableName)
	}
	now := s.now()
	r := record{}
	for _, c := range t.columns {
		r[c] = ""
	}
	r["sys_class_name"], r["active"], r["sys_mod_count"], r["reassignment_count"] = tableName, "true", "0", "0"
	r["state"], r["priority"], r["impact"], r["urgency"] = "1", "4", "3", "3"
	if tableName == "change_request" {
		r["state"], r["priority"] = "-5", "4"
	} else {
		r["reopen_count"] = "0"
	}
	r["opened_at"] = stamp(now)
	for k, v := range f {
		if !t.has(k) {
			panic("servicenowsim: " + tableName + " has no field " + k)
		}
		r[k] = v
	}
	r["sys_id"], r["sys_created_on"], r["sys_updated_on"] = s.newID(), stamp(now), stamp(now)
	if r["number"] == "" {
		s.numbers[tableName]++
		r["number"] = fmt.Sprintf("%s%07d", p.prefix, p.first+s.numbers[tableName]-1)
	}
	t.add(r)
	s.byNumber[r["number"]] = r
	if !s.o.NoInsertAudit {
		for _, k := range slices.Sorted(maps.Keys(r)) {
			if r[k] != "" && audited(k) {
				s.audit(tableName, r, k, "", r[k], now)
			}
		}
	}
	s.runSLAs(r, now)
	return r["number"]
}

// audited says whether changes of a field are written to sys_audit: every field but the
// system fields.
func audited(field string) bool {
	return !strings.HasPrefix(field, "sys_") && field != "number"
}

func (s *Server) audit(tableName string, r record, field, old, new string, at time.Time) {
	s.tables["sys_audit"].add(record{"sys_id": s.newID(), "tablename": tableName, "documentkey": r["sys_id"], "fieldname": field,
		"oldvalue": old, "newvalue": new, "record_checkpoint": r["sys_mod_count"], "user": "admin", "reason": "",
		"sys_created_on": stamp(at)})
}

// find returns a task by number. Callers hold mu.
func (s *Server) find(number string) (string, record) {
	r, ok := s.byNumber[number]
	if !ok {
		panic("servicenowsim: no task " + number)
	}
	return r["sys_class_name"], r
}

// Update changes a task now, as a user saving its form: the business rules run, the changes
// are audited, and the SLA engine runs.
func (s *Server) Update(number string, f Fields) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tableName, r := s.find(number)
	now := s.now()
	old := maps.Clone(r)
	for k, v := range f {
		if !s.tables[tableName].has(k) {
			panic("servicenowsim: " + tableName + " has no field " + k)
		}
		r[k] = v
	}
	st, was := r["state"], old["state"]
	if tableName == "incident" {
		if st != stateOnHold {
			r["hold_reason"] = ""
		}
		switch {
		case st == stateResolved && was != stateResolved:
			r["resolved_at"] = stamp(now)
		case st == stateClosed && was != stateClosed:
			r["closed_at"] = stamp(now)
			if r["resolved_at"] == "" {
				r["resolved_at"] = stamp(now)
			}
		case (was == stateResolved || was == stateClosed) && st != stateResolved && st != stateClosed && st != stateCanceled:
			n, _ := strconv.Atoi(r["reopen_count"])
			r["reopen_count"], r["resolved_at"], r["closed_at"] = strconv.Itoa(n+1), "", ""
		}
		r["active"] = strconv.FormatBool(st != stateClosed && st != stateCanceled)
	} else {
		if st == changeClosed && was != changeClosed {
			r["closed_at"] = stamp(now)
		}
		r["active"] = strconv.FormatBool(st != changeClosed && st != changeCanceled)
	}
	if r["assignment_group"] != old["assignment_group"] && old["assignment_group"] != "" {
		n, _ := strconv.Atoi(r["reassignment_count"])
		r["reassignment_count"] = strconv.Itoa(n + 1)
	}
	n, _ := strconv.Atoi(r["sys_mod_count"])
	r["sys_mod_count"], r["sys_updated_on"] = strconv.Itoa(n+1), stamp(now)
	for _, k := range slices.Sorted(maps.Keys(r)) {
		if r[k] != old[k] && audited(k) {
			s.audit(tableName, r, k, old[k], r[k], now)
		}
	}
	s.runSLAs(r, now)
}

// Set changes fields of a task without anything else: no sys_updated_on, no audit, no business
// rule, no SLA engine, as a background script with setWorkflow(false) and
// autoSysFields(false) does. With "sys_updated_on" among the fields it moves that too.
func (s *Server) Set(number string, f Fields) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r := s.find(number)
	maps.Copy(r, f)
}

// Delete deletes a task.
func (s *Server) Delete(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, r := s.find(number)
	t := s.tables[name]
	t.rows = slices.DeleteFunc(t.rows, func(x record) bool { return x["sys_id"] == r["sys_id"] })
	delete(s.byNumber, number)
}

// Hide makes a read ACL hide a task from the API user (it still counts in paging).
func (s *Server) Hide(number string, hidden bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r := s.find(number)
	s.hidden[r["sys_id"]] = hidden
}

// HideTable makes read ACLs hide every row of a table from the API user: its listings come
// empty (with their paging), as ServiceNow answers a user who may read none of the rows.
func (s *Server) HideTable(name string, hidden bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hiddenTables[name] = hidden
}

// Task returns a task's fields.
func (s *Server) Task(number string) Fields {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, r := s.find(number)
	return Fields(maps.Clone(r))
}

// Numbers returns the numbers of a table's tasks, in creation order.
func (s *Server) Numbers(tableName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.tables[tableName].rows {
		out = append(out, r["number"])
	}
	return out
}

// TaskSLA is a task_sla record as the engine keeps it: what ServiceNow itself reports of an
// SLA on a task.
type TaskSLA struct {
	Name, Target, Stage string
	HasBreached         bool
	Start, PlannedEnd   time.Time
	End                 time.Time // zero while active
	// BusinessElapsed is business_duration as last computed (stale while the SLA runs).
	BusinessElapsed time.Duration
}

// TaskSLAs returns the task_sla records of a task, in start order, after the breach timers due
// now have run.
func (s *Server) TaskSLAs(number string) []TaskSLA {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.breachJobs(s.now())
	_, task := s.find(number)
	var out []TaskSLA
	for _, ts := range s.tables["task_sla"].rows {
		if ts["task"] != task["sys_id"] {
			continue
		}
		def := s.defByID(ts["sla"])
		start, _ := parseStamp(ts["start_time"])
		end, _ := parseStamp(ts["planned_end_time"])
		stop, _ := parseStamp(ts["end_time"])
		bd, _ := parseDuration(ts["business_duration"])
		out = append(out, TaskSLA{Name: def.Name, Target: def.Target, Stage: ts["stage"], HasBreached: ts["has_breached"] == "true",
			Start: start, PlannedEnd: end, End: stop, BusinessElapsed: bd})
	}
	slices.SortStableFunc(out, func(a, b TaskSLA) int { return a.Start.Compare(b.Start) })
	return out
}

// Count returns the rows of a table.
func (s *Server) Count(tableName string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tables[tableName].rows)
}
