package jira

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// This file maps a Jira issue, with its status changes, to a ticket. It is pure: the endpoints
// (api.go) fetch what it needs first.

// categories resolves Jira status ids and names to their Jira status category key (new,
// indeterminate, done), from the issue's own status and Jira's status list.
type categories struct {
	byID   map[string]string
	byName map[string]string // lower-cased names
}

func (c *categories) add(st status) {
	if c.byID == nil {
		c.byID, c.byName = map[string]string{}, map[string]string{}
	}
	if st.StatusCategory.Key == "" {
		return
	}
	if st.ID != "" {
		c.byID[st.ID] = st.StatusCategory.Key
	}
	if st.Name != "" {
		c.byName[strings.ToLower(st.Name)] = st.StatusCategory.Key
	}
}

func (c *categories) lookup(id, name string) (string, bool) {
	if k, ok := c.byID[id]; ok && id != "" {
		return k, true
	}
	k, ok := c.byName[strings.ToLower(name)]
	return k, ok
}

// change is a status change read from the changelog: from one status to another at an instant.
type change struct {
	at               time.Time
	fromID, fromName string
	toID, toName     string
}

// statusChanges reads the status changes of histories, in time order (the changelog's own order
// among changes at one instant).
func statusChanges(histories []history) []change {
	hs := slices.Clone(histories)
	slices.SortStableFunc(hs, func(a, b history) int {
		if c := a.Created.Compare(b.Created.Time); c != 0 {
			return c
		}
		ai, aerr := strconv.ParseInt(a.ID, 10, 64)
		bi, berr := strconv.ParseInt(b.ID, 10, 64)
		if aerr == nil && berr == nil {
			return cmp.Compare(ai, bi)
		}
		return 0
	})
	var out []change
	for _, h := range hs {
		for _, it := range h.Items {
			if it.FieldID != "status" && !(it.FieldID == "" && strings.EqualFold(it.Field, "status")) {
				continue
			}
			out = append(out, change{at: h.Created.Time, fromID: deref(it.From), fromName: deref(it.FromString),
				toID: deref(it.To), toName: deref(it.ToString)})
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// unknownStatus is a status that no name in statuses and no known status category maps.
type unknownStatus struct{ name string }

func (u *unknownStatus) Error() string {
	return fmt.Sprintf("status %q has no category: list it under statuses (Jira's status list does not give its status category)", u.name)
}

// category maps a status: by its name in statuses, else by its Jira status category.
func (s *settings) category(id, name string, cats *categories) (ticket.Category, error) {
	if c, ok := s.statuses[strings.ToLower(strings.TrimSpace(name))]; ok {
		return c, nil
	}
	if key, ok := cats.lookup(id, name); ok {
		if c, ok := s.categories[key]; ok {
			return c, nil
		}
		return ticket.Unmapped, fmt.Errorf("status %q is in Jira's status category %q, which status_categories does not map: list the status under statuses", name, key)
	}
	return ticket.Unmapped, &unknownStatus{name: name}
}

// rejection is a mapping failure: its reason, the same without the issue's own values (to group
// by), and the setting it does not fit.
type rejection struct{ reason, rule, setting string }

func (r *rejection) on(key string) *collector.Rejection {
	return &collector.Rejection{Where: key, Reason: r.reason, Rule: cmp.Or(r.rule, r.reason), Setting: r.setting}
}

// mapIssue builds an issue's ticket from the issue and its status changes (the whole
// changelog's). cats must know the category of every status the changes name that statuses does
// not: an unknown one is an *unknownStatus error, for the caller to read Jira's status list and
// try again.
func (s *settings) mapIssue(is *issue, changes []change, cats *categories) (ticket.Ticket, *rejection, error) {
	var created jiraTime
	if ok, err := is.field("created", &created); err != nil || !ok || created.IsZero() {
		return ticket.Ticket{}, &rejection{reason: "the issue has no created date", rule: "issue without fields.created"}, nil
	}
	var cur status
	if ok, err := is.field("status", &cur); err != nil || !ok || cur.Name == "" {
		return ticket.Ticket{}, &rejection{reason: "the issue has no status", rule: "issue without fields.status"}, nil
	}
	cats.add(cur)
	t := ticket.Ticket{ID: is.Key, Created: created.Time, Fields: map[string]string{}}
	var err error
	if t.Priority, err = s.value(is, s.priority); err != nil {
		return ticket.Ticket{}, valueRejection(err, "priority"), nil
	}
	if t.Type, err = s.value(is, s.typ); err != nil {
		return ticket.Ticket{}, valueRejection(err, "type"), nil
	}
	if t.Group, err = s.value(is, s.group); err != nil {
		return ticket.Ticket{}, valueRejection(err, "group"), nil
	}
	for _, f := range s.fields {
		v, err := s.value(is, f.source)
		if err != nil {
			return ticket.Ticket{}, valueRejection(err, "fields."+f.field), nil
		}
		if v != "" {
			t.Fields[f.field] = v
		}
	}

	// The history: the status at creation (the first change's from, else the current one), then
	// each change. Times before the creation (an import's) count from it, and the history never
	// goes back.
	first := change{toID: cur.ID, toName: cur.Name}
	if len(changes) > 0 {
		first = change{toID: changes[0].fromID, toName: changes[0].fromName}
	}
	steps := append([]change{first}, changes...)
	for i, c := range steps {
		cat, err := s.category(c.toID, c.toName, cats)
		if err != nil {
			if _, ok := err.(*unknownStatus); ok {
				return ticket.Ticket{}, nil, err
			}
			return ticket.Ticket{}, &rejection{reason: err.Error(), setting: "jira.statuses"}, nil
		}
		at := t.Created
		if i > 0 && c.at.After(at) {
			at = c.at
		}
		if n := len(t.History); n > 0 {
			if at.Before(t.History[n-1].At) {
				at = t.History[n-1].At
			}
			if t.History[n-1].Status == c.toName {
				continue
			}
		}
		t.History = append(t.History, ticket.StatusChange{At: at, Status: c.toName, Category: cat})
	}

	for _, f := range s.slaFields {
		cycles, err := slaCycles(f, is.Fields[f], s.clocks)
		if err != nil {
			return ticket.Ticket{}, &rejection{reason: err.Error(), setting: "jira.sla_fields"}, nil
		}
		t.Native = append(t.Native, cycles...)
	}
	slices.SortStableFunc(t.Native, func(a, b ticket.NativeSLA) int { return a.Start.Compare(b.Start) })

	if s.responseField != "" {
		var at jiraTime
		if _, err := is.field(s.responseField, &at); err != nil {
			return ticket.Ticket{}, &rejection{reason: err.Error() + ": not a date-time", rule: "first_response.field is not a date-time", setting: "jira.first_response.field"}, nil
		}
		t.FirstResponse = at.Time
	}
	if t.FirstResponse.IsZero() && s.responseSLA != "" {
		for _, n := range t.Native {
			if n.Name == s.responseSLA && !n.Stop.IsZero() {
				t.FirstResponse = n.Stop
				break
			}
		}
	}
	if !t.FirstResponse.IsZero() && t.FirstResponse.Before(t.Created) {
		t.FirstResponse = t.Created
	}
	if t.WorkTime, err = workTime(is); err != nil {
		return ticket.Ticket{}, &rejection{reason: err.Error(), rule: "fields.timespent is not a number of seconds, 0 or more"}, nil
	}
	return t, nil, nil
}

// fieldTimeSpent is Jira's time tracking field of the work logged on an issue: whole seconds,
// null when nobody logged any (Jira Cloud platform REST API, the IssueBean's fields;
// TimeTrackingDetails.timeSpentSeconds: "Time worked on this issue in seconds"). Work logged on
// sub-tasks is aggregatetimespent's, and is the sub-tasks' own tickets' work time.
const fieldTimeSpent = "timespent"

// workTime reads the issue's timespent: 0 for null or absent (time tracking off).
func workTime(is *issue) (time.Duration, error) {
	var sec float64
	if _, err := is.field(fieldTimeSpent, &sec); err != nil {
		return 0, err
	}
	if sec < 0 || sec > math.MaxInt64/float64(time.Second) {
		return 0, fmt.Errorf("field %s: %v seconds", fieldTimeSpent, sec)
	}
	return time.Duration(sec) * time.Second, nil
}

// value is the text of a Jira field of the issue ("" for none).
func (s *settings) value(is *issue, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	v, err := display(is.Fields[name])
	if err != nil {
		return "", fmt.Errorf("field %s: %v", name, err)
	}
	return v, nil
}

func valueRejection(err error, key string) *rejection {
	return &rejection{reason: err.Error(), rule: "the value of " + key + "'s field cannot be shown as text", setting: "jira." + key}
}
