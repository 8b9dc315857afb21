package rt

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// This file turns REST2's JSON into tickets: pure functions of the decoded records and the plan,
// with no I/O, so that recorded responses test them whole.

// text is a JSON string or number: REST2 writes ids and numeric fields either way (a ticket's id
// is a number in /ticket/{id} and a string in search results). null is "".
type text string

// UnmarshalJSON takes a string, a number or null.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*t = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number, got %s", kindOf(b))
	}
	*t = text(n.String())
	return nil
}

// kindOf names the JSON type of a value, for messages that must not quote it.
func kindOf(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "another value"
}

// ref is a reference to another record (a queue, a user), with the fields asked of it.
type ref struct {
	Type text `json:"type"`
	ID   text `json:"id"`
	// Name is a queue's name, when fields[Queue]=Name asked for it.
	Name string `json:"Name"`
}

// customField is one entry of a ticket's CustomFields.
type customField struct {
	Name   string            `json:"name"`
	Values []json.RawMessage `json:"values"`
}

// rtTicket is an item of the ticket search, with the fields the source asks for (searchFields).
type rtTicket struct {
	ID           text          `json:"id"`
	Status       string        `json:"Status"`
	Created      string        `json:"Created"`
	LastUpdated  string        `json:"LastUpdated"`
	Resolved     string        `json:"Resolved"`
	Due          string        `json:"Due"`
	Priority     text          `json:"Priority"`
	SLA          string        `json:"SLA"`
	Queue        ref           `json:"Queue"`
	Requestor    []ref         `json:"Requestor"`
	CustomFields []customField `json:"CustomFields"`
	// TimeWorked is the ticket's Worked time in minutes, the sum of the time agents entered on
	// its updates (RT::Ticket's TimeWorked core field; "0" or empty when none).
	TimeWorked text `json:"TimeWorked"`
}

// rtTxn is an item of a ticket's history, with the fields historyFields asks for.
type rtTxn struct {
	ID text `json:"id"`
	// Record is REST2's record type, "transaction". It must have a field of its own: encoding/json
	// matches keys case-insensitively when no field has the exact name, so without it "type"
	// would overwrite Type, or not, as the order of the keys (random in Perl) falls.
	Record   string `json:"type"`
	Type     string `json:"Type"`
	Field    string `json:"Field"`
	OldValue text   `json:"OldValue"`
	NewValue text   `json:"NewValue"`
	Created  string `json:"Created"`
	Creator  ref    `json:"Creator"`
}

// systemUser is RT's own user: its transactions (a status set by a scrip, a Due recomputed) are
// nobody's response.
const systemUser = "RT_System"

// rejection is why a record does not map: reason names the record's values, rule does not, and
// setting is the configuration key it does not fit, if that is the cause.
type rejection struct {
	reason, rule, setting string
}

func reject(rule, format string, args ...any) *rejection {
	return &rejection{reason: fmt.Sprintf(format, args...), rule: rule}
}

// asRejection places r at the ticket with the given id.
func (r *rejection) asRejection(id string) collector.Rejection {
	where := "ticket " + id
	if id == "" {
		where = "a ticket without an id"
	}
	return collector.Rejection{Where: where, Reason: r.reason, Rule: r.rule, Setting: r.setting}
}

// parseID reads a ticket's id, a positive whole number, and writes it in canonical form.
func parseID(id text) (uint64, string, bool) {
	n, err := strconv.ParseUint(string(id), 10, 63)
	if err != nil || n == 0 {
		return 0, "", false
	}
	return n, strconv.FormatUint(n, 10), true
}

// ticketID reads a ticket's id.
func ticketID(it *rtTicket) (string, *rejection) {
	_, id, ok := parseID(it.ID)
	if !ok {
		return "", reject("id is not a positive whole number", "id %q is not a positive whole number", clip(string(it.ID)))
	}
	return id, nil
}

// rtTime reads a REST2 time: RFC 3339 in UTC. RT writes an unset date as the Unix epoch; it and
// "" are the zero time.
func rtTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Unix() == 0 {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}

// timeField reads the named time field of a record; set says it must not be unset.
func timeField(name, v string, set bool) (time.Time, *rejection) {
	t, err := rtTime(v)
	if err != nil {
		return time.Time{}, reject(name+" is not an RFC 3339 time", "%s %q is not an RFC 3339 time", name, clip(v))
	}
	if set && t.IsZero() {
		return time.Time{}, reject(name+" is unset", "%s is unset", name)
	}
	return t, nil
}

// mapTicket builds the ticket of a search item and its history transactions, or says why it
// does not map.
func (p *plan) mapTicket(it *rtTicket, txns []rtTxn) (ticket.Ticket, *rejection) {
	id, rj := ticketID(it)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	tk := ticket.Ticket{ID: id, Group: it.Queue.Name}
	if tk.Group == "" {
		tk.Group = string(it.Queue.ID)
	}
	if tk.Created, rj = timeField("Created", it.Created, true); rj != nil {
		return ticket.Ticket{}, rj
	}
	if strings.TrimSpace(it.Status) == "" {
		return ticket.Ticket{}, reject("Status is empty", "Status is empty (can the user see the ticket?)")
	}

	// Priority, by the ranges.
	pr := strings.TrimSpace(string(it.Priority))
	n, err := strconv.ParseInt(pr, 10, 64)
	if err != nil {
		return ticket.Ticket{}, reject("Priority is not a whole number", "Priority %q is not a whole number", clip(pr))
	}
	name, ok := p.priority(n)
	if !ok {
		rj := reject("Priority is in no range of priority_ranges", "Priority %d is in no range of priority_ranges", n)
		rj.setting = "rt.priority_ranges"
		return ticket.Ticket{}, rj
	}
	tk.Priority = name

	// History, oldest first. The history endpoint pages by id; ties in time keep id order.
	sorted, rj := sortTxns(txns)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	if !slices.ContainsFunc(sorted, func(t timedTxn) bool { return t.Type == "Create" }) {
		return ticket.Ticket{}, reject("history has no Create transaction", "history has no Create transaction (can the user see the ticket's transactions?)")
	}
	initial := it.Status
	for _, t := range sorted {
		if isStatusChange(t.rtTxn) {
			if old := strings.TrimSpace(string(t.OldValue)); old != "" {
				initial = old
			}
			break
		}
	}
	add := func(at time.Time, status string) *rejection {
		status = strings.TrimSpace(status)
		cat, ok := p.statuses[strings.ToLower(status)]
		if !ok {
			rj := reject(fmt.Sprintf("status %q is not listed under statuses", status),
				"status %q has no category: list it under statuses", clip(status))
			rj.setting = "rt.statuses"
			return rj
		}
		tk.History = append(tk.History, ticket.StatusChange{At: at, Status: status, Category: cat})
		return nil
	}
	if rj := add(tk.Created, initial); rj != nil {
		return ticket.Ticket{}, rj
	}
	requestors := map[string]bool{}
	for _, r := range it.Requestor {
		requestors[string(r.ID)] = true
	}
	for _, t := range sorted {
		if isStatusChange(t.rtTxn) {
			if rj := add(t.at, string(t.NewValue)); rj != nil {
				return ticket.Ticket{}, rj
			}
		}
		if tk.FirstResponse.IsZero() && p.isResponse(t.rtTxn, requestors) {
			tk.FirstResponse = t.at
		}
	}

	// Fields: RT's Due and SLA level, the custom fields.
	due, rj := timeField("Due", it.Due, false)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	fields := map[string]string{}
	if !due.IsZero() {
		fields[FieldDue] = due.Format(time.RFC3339)
	}
	if sla := strings.TrimSpace(it.SLA); sla != "" {
		fields[FieldSLA] = sla
	}
	values, rj := customFieldValues(it.CustomFields)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	for _, f := range p.fields {
		if v, ok := values[f.customField]; ok && v != "" {
			fields[f.field] = v
		}
	}
	if p.typeField != "" {
		tk.Type = values[p.typeField]
	}
	tk.Fields = fields
	if tk.WorkTime, rj = timeWorked(it.TimeWorked); rj != nil {
		return ticket.Ticket{}, rj
	}

	if err := tk.Validate(); err != nil {
		// "ticket 12: resolved at ... is before creation ...": the id is in Where already.
		msg := strings.TrimPrefix(err.Error(), "ticket "+id+": ")
		return ticket.Ticket{}, reject(ruleOf(msg), "%s", msg)
	}
	return tk, nil
}

// maxTimeWorked bounds TimeWorked, in minutes: a century is no ticket's work.
const maxTimeWorked = 100 * 365 * 24 * 60

// timeWorked reads TimeWorked, whole minutes; empty is none.
func timeWorked(v text) (time.Duration, *rejection) {
	s := strings.TrimSpace(string(v))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > maxTimeWorked {
		return 0, reject("TimeWorked is not a whole number of minutes, 0 or more", "TimeWorked %q is not a whole number of minutes, 0 or more", clip(s))
	}
	return time.Duration(n) * time.Minute, nil
}

// ruleOf is a ticket.Validate message without its times, for grouping.
func ruleOf(msg string) string {
	switch {
	case strings.Contains(msg, "is before creation"):
		return "a transaction is dated before the ticket's creation"
	case strings.Contains(msg, "status changes, more than"):
		return "more status changes than are kept"
	}
	return msg
}

// isStatusChange reports whether t changed the ticket's status.
func isStatusChange(t rtTxn) bool {
	return t.Type == "Status" || (t.Type == "Set" && t.Field == "Status")
}

// isResponse reports whether t is a response: of a type first_response counts, by a user who
// is neither a requestor nor RT itself.
func (p *plan) isResponse(t rtTxn, requestors map[string]bool) bool {
	typ := t.Type
	if isStatusChange(t) {
		typ = "Status"
	}
	by := string(t.Creator.ID)
	return p.response[typ] && by != "" && by != systemUser && !requestors[by]
}

// timedTxn is a transaction with its time read.
type timedTxn struct {
	rtTxn
	at  time.Time
	seq uint64
}

// sortTxns reads the transactions' times and orders them by time, then id.
func sortTxns(txns []rtTxn) ([]timedTxn, *rejection) {
	out := make([]timedTxn, 0, len(txns))
	for _, t := range txns {
		at, rj := timeField("Created", t.Created, true)
		if rj != nil {
			rj.rule = "transaction " + rj.rule
			rj.reason = fmt.Sprintf("transaction %s: %s", clip(string(t.ID)), rj.reason)
			return nil, rj
		}
		seq, _ := strconv.ParseUint(string(t.ID), 10, 64)
		out = append(out, timedTxn{rtTxn: t, at: at, seq: seq})
	}
	slices.SortStableFunc(out, func(a, b timedTxn) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq))
	})
	return out, nil
}

// customFieldValues reads a ticket's custom fields by name, several values joined by ", ".
func customFieldValues(cfs []customField) (map[string]string, *rejection) {
	out := make(map[string]string, len(cfs))
	for _, cf := range cfs {
		vals := make([]string, 0, len(cf.Values))
		for _, raw := range cf.Values {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, reject("a custom field holds a value that is not text",
					"custom field %q holds %s, not text (an image or a file?)", clip(cf.Name), kindOf(bytes.TrimSpace(raw)))
			}
			if s = strings.TrimSpace(s); s != "" {
				vals = append(vals, s)
			}
		}
		out[cf.Name] = strings.Join(vals, ", ")
	}
	return out, nil
}

// clip bounds a value quoted in a message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	for i := max; i > 0; i-- {
		if s[i]&0xC0 != 0x80 { // not inside a UTF-8 sequence
			return s[:i] + "…"
		}
	}
	return "…"
}
