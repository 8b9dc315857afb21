package servicenow

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// This file is the Table API's endpoints, the servicenow kind's side of apisource.Driver: the
// listing of the task table (Updated), the status history and task_sla records of the tickets
// of a page (Ticket, in batches), and the ids in scope (IDs). The mapping is in mapping.go.

// tablePath is the Table API under the instance's URL.
const tablePath = "api/now/table/"

// detailChunk is how many tickets' sys_audit or task_sla rows one request asks for: sys_ids
// in an IN condition, about 1.7 KB of URL, well under what instances accept.
const detailChunk = 50

// detailLimit is the page size of sys_audit and task_sla reads.
const detailLimit = 1000

// maxDetailPages bounds one batch's detail pages (a million rows): past it the sync fails
// rather than loop on an instance that pages wrong.
const maxDetailPages = 1000

// entry is a row of the listing, with the batch of its page.
type entry struct {
	r     row
	sysID string
	b     *batch
	i     int // its index in b.ids
}

// batch is the tickets of one listing page whose details are read together: a ticket's
// history and SLAs are fetched with those of the tickets after it on the page, so that a first
// sync costs a request per detailChunk tickets rather than per ticket. Tickets the driver
// skips (seen, unchanged) before a fetched one are never asked for.
type batch struct {
	ids     []string
	fetched map[string]bool
	audits  map[string][]row
	slas    map[string][]row
}

// api is the servicenow kind's endpoints.
type api struct {
	s *settings

	// last is where the last listing page of a session ended: the driver asks the page after
	// it afresh from its latest sys_updated_on, and the sys_id in the cursor spares listing
	// again the rows of that second read already.
	mu   sync.Mutex
	last struct {
		s   *apisource.Session
		key cursor
	}
}

var _ apisource.Kind[entry] = (*api)(nil)

// get requests a table with the parameters every request of the source has: stored values
// (dates in UTC, choice values, sys_ids), no reference links, the fields named.
func (a *api) get(s *apisource.Session, table, query string, fields []string, limit, offset int) (*apisource.Response, *listing, error) {
	q := url.Values{}
	q.Set("sysparm_query", query)
	q.Set("sysparm_fields", strings.Join(fields, ","))
	q.Set("sysparm_display_value", "false")
	q.Set("sysparm_exclude_reference_link", "true")
	q.Set("sysparm_limit", strconv.Itoa(limit))
	if offset > 0 {
		q.Set("sysparm_offset", strconv.Itoa(offset))
	}
	resp, err := s.Get(apisource.Request{Path: tablePath + table, Query: q, Header: http.Header{"Accept": {"application/json"}}})
	if apisource.IsStatus(err, http.StatusForbidden) {
		return nil, nil, fmt.Errorf("%w (the user needs read access to %s: a role with its read ACLs%s)", err, table, auditHint(table))
	}
	if err != nil {
		return nil, nil, err
	}
	var l listing
	if err := resp.DecodeJSON(&l); err != nil {
		return nil, nil, err
	}
	return resp, &l, nil
}

func auditHint(table string) string {
	if table == "sys_audit" {
		return "; sys_audit is readable by admin only in the base system"
	}
	return ""
}

// more says whether a page has one after it: the Link header's rel="next"; without a Link
// header, X-Total-Count; without either, a full page. A page may hold fewer rows than asked
// and still have more: read ACLs remove rows after the page is cut.
func more(resp *apisource.Response, got, offset, limit int) bool {
	if len(resp.Header.Values("Link")) > 0 {
		return apisource.NextLink(resp.Header) != ""
	}
	if v := resp.Header.Get("X-Total-Count"); v != "" {
		if total, err := strconv.Atoi(v); err == nil {
			return offset+limit < total
		}
	}
	return got >= limit
}

// listingFields are the fields the listing asks for.
func (a *api) listingFields() []string {
	f := []string{"sys_id", "number", "sys_updated_on", "sys_created_on", "opened_at", "state", "priority",
		"assignment_group", "assignment_group.name", "reassignment_count", "close_code", "closed_at", "sys_mod_count", "time_worked"}
	if a.s.incident {
		f = append(f, "hold_reason", "reopen_count", "resolved_at")
	}
	for _, fm := range a.s.fields {
		f = append(f, fm.path)
	}
	return f
}

// Updated lists the records updated at or after since, ordered by sys_updated_on and sys_id, a
// page at a time; next is the token of the page before.
func (a *api) Updated(s *apisource.Session, since time.Time, next, _ string) (apisource.Page[entry], error) {
	tok := token{floor: since}
	var after *cursor
	switch {
	case next != "":
		t, err := parseToken(next)
		if err != nil {
			return apisource.Page[entry]{}, err
		}
		tok = t
		if t.set {
			after = &t.after
		}
	case !since.IsZero():
		a.mu.Lock()
		if a.last.s == s && a.last.key.at.Equal(since) {
			k := a.last.key
			after = &k
		}
		a.mu.Unlock()
	}
	ks := keyset{table: a.s.table, scope: a.s.query, timeField: "sys_updated_on", fields: a.listingFields(), limit: a.s.api.PageSize}
	rows, resp, hasMore, err := ks.page(a, s, tok.floor, after, tok.offset)
	if err != nil {
		return apisource.Page[entry]{}, err
	}
	var page apisource.Page[entry]
	b := &batch{fetched: map[string]bool{}, audits: map[string][]row{}, slas: map[string][]row{}}
	var last *cursor
	for _, kr := range rows {
		if last == nil || last.before(kr.key) {
			k := kr.key
			last = &k
		}
		if kr.key.at.After(page.Latest) {
			page.Latest = kr.key.at
		}
		if after != nil && !after.before(kr.key) || kr.key.at.Before(tok.floor) {
			continue // read already, or before the asked time
		}
		e := entry{r: kr.r, sysID: kr.key.id, b: b, i: len(b.ids)}
		b.ids = append(b.ids, kr.key.id)
		page.Items = append(page.Items, apisource.Item[entry]{ID: ticketID(kr.r), Updated: kr.key.at, Value: e})
	}
	if !hasMore {
		a.mu.Lock()
		a.last.s = nil
		a.mu.Unlock()
		return page, nil
	}
	switch {
	case last == nil:
		// Every row of the page was hidden by read ACLs: the same position, the next offset.
		page.Next = token{floor: tok.floor, after: derefOr(after), set: after != nil, offset: tok.offset + a.s.api.PageSize}.String()
		return page, nil
	case after != nil && !after.before(*last):
		return apisource.Page[entry]{}, fmt.Errorf("GET %s: a full page held no record after the last one read: the instance does not order by sys_updated_on and sys_id", resp.Endpoint)
	}
	a.mu.Lock()
	a.last.s, a.last.key = s, *last
	a.mu.Unlock()
	page.Next = token{floor: tok.floor, after: *last, set: true}.String()
	return page, nil
}

func derefOr(c *cursor) cursor {
	if c == nil {
		return cursor{}
	}
	return *c
}

// ticketID is how a record is named: its number (INC0010001), else its sys_id.
func ticketID(r row) string {
	if n := strings.TrimSpace(r.get("number")); n != "" {
		return n
	}
	return "sys_id:" + r.get("sys_id")
}

// Ticket reads the details of the record's batch from it on, when not read yet, and maps it.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[entry]) (ticket.Ticket, *collector.Rejection, error) {
	e := it.Value
	if !e.b.fetched[e.sysID] {
		end := min(e.i+detailChunk, len(e.b.ids))
		var ids []string
		for _, id := range e.b.ids[e.i:end] {
			if !e.b.fetched[id] {
				ids = append(ids, id)
			}
		}
		if err := a.details(s, e.b, ids); err != nil {
			return ticket.Ticket{}, nil, err
		}
	}
	t, rej := a.s.mapTicket(e.r, e.b.audits[e.sysID], e.b.slas[e.sysID])
	if rej != nil {
		r := rej.at(it.ID)
		return ticket.Ticket{}, &r, nil
	}
	return t, nil, nil
}

// auditFields and slaFields are what the detail reads ask for.
var (
	auditFields = []string{"sys_id", "documentkey", "fieldname", "oldvalue", "newvalue", "record_checkpoint", "sys_created_on"}
	slaFields   = []string{"sys_id", "task", "sla", "sla.name", "stage", "has_breached", "start_time", "end_time", "planned_end_time", "sys_created_on"}
)

// details reads the status changes (sys_audit) and, with native_slas, the task_sla records of
// the tickets ids, into b.
func (a *api) details(s *apisource.Session, b *batch, ids []string) error {
	in := strings.Join(ids, ",")
	audited := "fieldname=state"
	if a.s.incident {
		audited = "fieldnameINstate,hold_reason"
	}
	audits, err := a.readAll(s, "sys_audit", "tablename="+a.s.table+"^documentkeyIN"+in+"^"+audited, auditFields)
	if err != nil {
		return err
	}
	var slas []row
	if a.s.native != nil {
		if slas, err = a.readAll(s, "task_sla", "taskIN"+in, slaFields); err != nil {
			return err
		}
	}
	for _, r := range audits {
		b.audits[r.get("documentkey")] = append(b.audits[r.get("documentkey")], r)
	}
	for _, r := range slas {
		b.slas[r.get("task")] = append(b.slas[r.get("task")], r)
	}
	for _, id := range ids {
		b.fetched[id] = true
	}
	return nil
}

// readAll reads every row of a table the query selects, by keyset on (sys_created_on, sys_id).
func (a *api) readAll(s *apisource.Session, table, query string, fields []string) ([]row, error) {
	ks := keyset{table: table, scope: query, timeField: "sys_created_on", fields: fields, limit: detailLimit}
	var (
		out    []row
		after  *cursor
		offset int
	)
	for range maxDetailPages {
		rows, resp, hasMore, err := ks.page(a, s, time.Time{}, after, offset)
		if err != nil {
			return nil, err
		}
		var last *cursor
		for _, kr := range rows {
			if after != nil && !after.before(kr.key) {
				continue
			}
			out = append(out, kr.r)
			if last == nil || last.before(kr.key) {
				k := kr.key
				last = &k
			}
		}
		switch {
		case !hasMore:
			return out, nil
		case last == nil && len(rows) == 0:
			offset += detailLimit // a page hidden whole by read ACLs
		case last == nil:
			return nil, fmt.Errorf("GET %s: a full page held no row after the last one read: the instance does not order by sys_created_on and sys_id", resp.Endpoint)
		default:
			after, offset = last, 0
		}
	}
	return nil, fmt.Errorf("GET /%s%s: more than %d pages for %d tickets", tablePath, table, maxDetailPages, detailChunk)
}

// IDs lists the id of every record in scope, by sys_id, a page at a time from after the
// sys_id in next.
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	var after *cursor
	offset := 0
	if next != "" {
		id, off, _ := strings.Cut(next, ":")
		n, err := strconv.Atoi(off)
		if err != nil || n < 0 || (id != "" && !validID(id)) {
			return nil, "", fmt.Errorf("not an id listing position: %q", next)
		}
		offset = n
		if id != "" {
			after = &cursor{id: id}
		}
	}
	ks := keyset{table: a.s.table, scope: a.s.query, fields: []string{"sys_id", "number"}, limit: a.s.api.PageSize}
	rows, resp, hasMore, err := ks.page(a, s, time.Time{}, after, offset)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(rows))
	var last *cursor
	for _, kr := range rows {
		ids = append(ids, ticketID(kr.r))
		if last == nil || last.before(kr.key) {
			k := kr.key
			last = &k
		}
	}
	switch {
	case !hasMore:
		return ids, "", nil
	case last == nil:
		return ids, derefOr(after).id + ":" + strconv.Itoa(offset+a.s.api.PageSize), nil
	case after != nil && !after.before(*last):
		return nil, "", fmt.Errorf("GET %s: a full page held no record after the last one read: the instance does not order by sys_id", resp.Endpoint)
	}
	return ids, last.id + ":0", nil
}
