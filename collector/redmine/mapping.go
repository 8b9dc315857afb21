package redmine

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Mapping: Redmine's issues, with their journals, to tickets. Pure functions of what the API
// answered and the configuration; nothing here does I/O.

// statusSet is Redmine's statuses by id (GET /issue_statuses.json): journals name statuses by id
// only.
type statusSet map[int]status

// decodeStatuses reads /issue_statuses.json.
func decodeStatuses(body []byte) (statusSet, error) {
	var l statusList
	if err := json.Unmarshal(body, &l); err != nil {
		return nil, fmt.Errorf("not a list of issue statuses: %w", err)
	}
	if l.IssueStatuses == nil {
		return nil, fmt.Errorf("not a list of issue statuses: no issue_statuses key")
	}
	set := statusSet{}
	for _, s := range l.IssueStatuses {
		set[s.ID] = status(s)
	}
	return set, nil
}

// rejection is why an issue does not map; rule and setting as in collector.Rejection.
type rejection struct{ reason, rule, setting string }

func (r *rejection) at(id int) collector.Rejection {
	where := "issue #" + strconv.Itoa(id)
	if id <= 0 {
		where = "an issue without an id"
	}
	return collector.Rejection{Where: where, Reason: r.reason, Rule: r.rule, Setting: r.setting}
}

func reject(format string, args ...any) *rejection {
	return &rejection{reason: fmt.Sprintf(format, args...)}
}

// decodeIssue decodes one issue of a list page or of GET /issues/{id}.json.
func decodeIssue(raw json.RawMessage) (issue, *rejection) {
	var is issue
	if err := json.Unmarshal(raw, &is); err != nil {
		return issue{ID: issueID(raw)}, reject("not an issue Redmine's API writes: %v", err)
	}
	if is.ID <= 0 {
		return is, reject("no id")
	}
	return is, nil
}

// parseTime reads a time as Redmine's API writes it (RFC 3339, UTC).
func parseTime(what, v string) (time.Time, *rejection) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if v == "" {
			return time.Time{}, reject("%s is missing", what)
		}
		return time.Time{}, reject("%s %q is not an RFC 3339 time", what, v)
	}
	return t, nil
}

// dated is a journal with its time read.
type dated struct {
	*journal
	at time.Time
}

// statusChange is a journal's change of status.
type statusChange struct {
	at        time.Time
	journal   int
	from, to  int
	fromKnown bool // old_value was set
}

// mapIssue turns an issue fetched with its journals into a ticket, or says why it cannot.
//
// The status history starts at creation in the status the first status change left (the current
// status when there was none), then follows each journal detail changing status_id, at the
// journal's time. Redmine journals every status change, so the history ends in the issue's
// status; when it does not (a change made in the database, or by a plugin that journals
// nothing), a closed issue is taken as closed at its closed_on, and any other is rejected.
func (p *plan) mapIssue(is *issue, statuses statusSet) (ticket.Ticket, *rejection) {
	created, rj := parseTime("created_on", is.CreatedOn)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	if is.Status == nil {
		return ticket.Ticket{}, reject("no status")
	}
	if is.Journals == nil {
		return ticket.Ticket{}, reject("no journals in Redmine's answer, so no status history")
	}
	journals := make([]dated, len(is.Journals))
	for i := range is.Journals {
		j := &is.Journals[i]
		at, rj := parseTime(fmt.Sprintf("journal #%d: created_on", j.ID), j.CreatedOn)
		if rj != nil {
			return ticket.Ticket{}, rj
		}
		journals[i] = dated{j, at}
	}
	// Redmine lists journals by id, which is their order of creation; their times follow it
	// unless a clock went back. Time decides, id breaks ties.
	slices.SortStableFunc(journals, func(a, b dated) int { return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.ID, b.ID)) })

	changes, rj := statusChanges(journals)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	history, rj := p.history(is, created, changes, statuses)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	t := ticket.Ticket{
		ID:            strconv.Itoa(is.ID),
		Created:       created,
		History:       history,
		FirstResponse: p.firstResponse(is, journals, changes, statuses),
	}
	if is.Priority != nil {
		t.Priority = is.Priority.Name
	}
	var err error
	if t.Type, _, err = p.value(is, p.typ); err != nil {
		return ticket.Ticket{}, reject("%v", err)
	}
	if t.Group, _, err = p.value(is, p.group); err != nil {
		return ticket.Ticket{}, reject("%v", err)
	}
	for i, name := range p.fieldNames {
		v, ok, err := p.value(is, p.fields[i])
		if err != nil {
			return ticket.Ticket{}, reject("%v", err)
		}
		if ok {
			if t.Fields == nil {
				t.Fields = map[string]string{}
			}
			t.Fields[name] = v
		}
	}
	if t.WorkTime, rj = workTime(is); rj != nil {
		return ticket.Ticket{}, rj
	}
	if err := t.Validate(); err != nil {
		// Validate names the ticket by its id, which Where already does.
		return ticket.Ticket{}, reject("%s", strings.TrimPrefix(err.Error(), "ticket "+t.ID+": "))
	}
	return t, nil
}

// maxSpentHours bounds spent_hours: a larger value is not a ticket's work, and would overflow a
// duration.
const maxSpentHours = 1e6

// workTime is the issue's spent_hours, to the second: Redmine keeps hours as a float (0.6333...
// for 38 minutes logged), so the seconds are rounded, not cut.
func workTime(is *issue) (time.Duration, *rejection) {
	if is.SpentHours == nil {
		return 0, nil
	}
	h := *is.SpentHours
	if !(h >= 0 && h <= maxSpentHours) {
		return 0, &rejection{reason: fmt.Sprintf("spent_hours %v is not a number of hours, 0 or more", h), rule: "spent_hours is not a number of hours, 0 or more"}
	}
	return time.Duration(math.Round(h*3600)) * time.Second, nil
}

// statusChanges lists the journals' status changes in order.
func statusChanges(journals []dated) ([]statusChange, *rejection) {
	var out []statusChange
	for _, j := range journals {
		for _, d := range j.Details {
			if d.Property != "attr" || d.Name != "status_id" {
				continue
			}
			c := statusChange{at: j.at, journal: j.ID}
			if d.NewValue == nil {
				return nil, reject("journal #%d: a status change without a new status", j.ID)
			}
			var err error
			if c.to, err = strconv.Atoi(*d.NewValue); err != nil {
				return nil, reject("journal #%d: status id %q is not a number", j.ID, *d.NewValue)
			}
			if d.OldValue != nil {
				if c.from, err = strconv.Atoi(*d.OldValue); err != nil {
					return nil, reject("journal #%d: status id %q is not a number", j.ID, *d.OldValue)
				}
				c.fromKnown = true
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// history builds the status history from the status changes.
func (p *plan) history(is *issue, created time.Time, changes []statusChange, statuses statusSet) ([]ticket.StatusChange, *rejection) {
	name := func(id int, journal int) (string, *rejection) {
		if s, ok := statuses[id]; ok {
			return s.Name, nil
		}
		if id == is.Status.ID && is.Status.Name != "" {
			return is.Status.Name, nil
		}
		if journal == 0 {
			return "", reject("status id %d is not among Redmine's statuses (/issue_statuses.json)", id)
		}
		return "", reject("journal #%d: status id %d is not among Redmine's statuses (/issue_statuses.json): was it deleted?", journal, id)
	}
	entry := func(at time.Time, id, journal int) (ticket.StatusChange, *rejection) {
		n, rj := name(id, journal)
		if rj != nil {
			return ticket.StatusChange{}, rj
		}
		cat := p.category(n)
		if cat == ticket.Unmapped {
			return ticket.StatusChange{}, &rejection{
				reason:  fmt.Sprintf("status %q has no category: list it under statuses, or set default_category (the category of statuses not listed)", n),
				rule:    fmt.Sprintf("status %q is not listed under statuses", n),
				setting: "redmine.statuses",
			}
		}
		return ticket.StatusChange{At: at, Status: n, Category: cat}, nil
	}

	initial, initialJournal := is.Status.ID, 0
	if len(changes) > 0 {
		if !changes[0].fromKnown {
			return nil, reject("journal #%d: the first status change does not say the status it left, so the status at creation is unknown", changes[0].journal)
		}
		initial, initialJournal = changes[0].from, changes[0].journal
	}
	first, rj := entry(created, initial, initialJournal)
	if rj != nil {
		return nil, rj
	}
	h := make([]ticket.StatusChange, 0, len(changes)+2)
	h = append(h, first)
	last := initial
	for _, c := range changes {
		e, rj := entry(c.at, c.to, c.journal)
		if rj != nil {
			return nil, rj
		}
		h = append(h, e)
		last = c.to
	}
	if last != is.Status.ID {
		lastName, _ := name(last, 0)
		if !is.Status.IsClosed || is.ClosedOn == nil {
			return nil, reject("the journals end in status %q, but the issue is %q: a status change was not journaled, so its time is unknown", lastName, is.Status.Name)
		}
		closedOn, rj := parseTime("closed_on", *is.ClosedOn)
		if rj != nil {
			return nil, rj
		}
		e, rj := entry(closedOn, is.Status.ID, 0)
		if rj != nil {
			return nil, rj
		}
		h = append(h, e)
	}
	return h, nil
}

// firstResponse is the earliest of the enabled first-response events; zero when none happened.
func (p *plan) firstResponse(is *issue, journals []dated, changes []statusChange, statuses statusSet) time.Time {
	var first time.Time
	if p.responseNotes {
		for _, j := range journals {
			// A note by someone other than the author; a deleted author's issues belong to
			// Redmine's Anonymous user, so any named user is someone else.
			other := j.User != nil && (is.Author == nil || j.User.ID != is.Author.ID)
			if other && !j.PrivateNotes && strings.TrimSpace(j.Notes) != "" {
				first = j.at
				break
			}
		}
	}
	if len(p.responseStatus) > 0 {
		for _, c := range changes {
			s, ok := statuses[c.to]
			if !ok && c.to == is.Status.ID {
				s = *is.Status
			}
			if p.responseStatus[strings.ToLower(strings.TrimSpace(s.Name))] {
				if first.IsZero() || c.at.Before(first) {
					first = c.at
				}
				break
			}
		}
	}
	return first
}

// value is the issue's value of an attribute; false when the issue has none.
func (p *plan) value(is *issue, a attribute) (string, bool, error) {
	var n *named
	switch a.kind {
	case "project":
		n = is.Project
	case "tracker":
		n = is.Tracker
	case "category":
		n = is.Category
	case "assigned_to":
		n = is.AssignedTo
	case "author":
		n = is.Author
	case "fixed_version":
		n = is.FixedVersion
	case "custom_field":
		cf := findCustomField(is.CustomFields, a.name)
		if cf == nil {
			return "", false, nil
		}
		vs, err := cf.values()
		if err != nil || len(vs) == 0 {
			return "", false, err
		}
		return strings.Join(vs, ", "), true, nil
	}
	if n == nil || n.Name == "" {
		return "", false, nil
	}
	return n.Name, true, nil
}

// findCustomField finds a custom field by name: as written, else ignoring case.
func findCustomField(cfs []customField, name string) *customField {
	for i := range cfs {
		if cfs[i].Name == name {
			return &cfs[i]
		}
	}
	for i := range cfs {
		if strings.EqualFold(cfs[i].Name, name) {
			return &cfs[i]
		}
	}
	return nil
}
