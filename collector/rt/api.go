package rt

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
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

// This file is REST2's endpoints, the rt kind's side of apisource.Driver: the ticket search
// (Updated), a ticket's history (Ticket) and the ids in scope (IDs). The mapping of what comes
// back is in mapping.go; requests, retries, limits and the watermark are apisource's.

// apiPath is REST2's root under RT's URL.
const apiPath = "REST/2.0/"

// historyFields are the transaction fields a ticket's history is read with.
const historyFields = "Type,Field,OldValue,NewValue,Created,Creator"

// historyPerPage is the page size of a history: RT's cap.
const historyPerPage = 100

// maxHistoryPages bounds one ticket's history, 100,000 transactions: past it the sync fails
// rather than loop on a server that pages wrong.
const maxHistoryPages = 1000

// entry is a search item, decoded as far as paging needs: the rest is decoded when it maps, so
// that one bad item is one rejected ticket, not a failed page.
type entry struct {
	raw json.RawMessage
}

// searchFields are the ticket fields the search asks for.
func (p *plan) searchFields() string {
	f := "Status,Created,LastUpdated,Resolved,Due,Priority,SLA,Queue,Requestor,TimeWorked"
	if len(p.fields) > 0 || p.typeField != "" {
		f += ",CustomFields"
	}
	return f
}

// cursor is the (LastUpdated, id) of the last ticket read: the search is ordered by both, and the
// next page starts after it. Paging by this keyset rather than by page number keeps a ticket
// updated during the sync (which moves to the end of the order) from shifting an unread one onto
// a page already read, even among tickets sharing one LastUpdated second (a bulk update).
type cursor struct {
	updated time.Time
	id      uint64
}

func (c cursor) before(d cursor) bool {
	return c.updated.Before(d.updated) || (c.updated.Equal(d.updated) && c.id < d.id)
}

// token is a listing's Next for the driver: the cursor, and the floor the listing was asked from
// (tickets updated before it are not returned, however RT reads the dates).
type token struct {
	floor time.Time
	after cursor
}

func (t token) String() string {
	floor := int64(0)
	if !t.floor.IsZero() {
		floor = t.floor.Unix()
	}
	return fmt.Sprintf("%d.%d.%d", floor, t.after.updated.Unix(), t.after.id)
}

func parseToken(s string) (token, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return token{}, fmt.Errorf("not a listing position: %q", s)
	}
	var n [3]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return token{}, fmt.Errorf("not a listing position: %q", s)
		}
		n[i] = v
	}
	t := token{after: cursor{updated: time.Unix(n[1], 0).UTC(), id: uint64(n[2])}}
	if n[0] != 0 {
		t.floor = time.Unix(n[0], 0).UTC()
	}
	return t, nil
}

// searchQuery is the TicketSQL of one page: the configured query, restricted to tickets updated
// from `from` on (none when zero), and after `after` (when set). RT reads the dates in the user's
// time zone, to the second.
func (p *plan) searchQuery(from time.Time, after *cursor) string {
	q := "(" + p.query + ")"
	if after != nil {
		next := after.updated.Add(time.Second)
		return fmt.Sprintf("%s AND LastUpdated >= '%s' AND (LastUpdated >= '%s' OR id > %d)",
			q, p.sqlTime(after.updated), p.sqlTime(next), after.id)
	}
	if !from.IsZero() {
		return fmt.Sprintf("%s AND LastUpdated >= '%s'", q, p.sqlTime(from))
	}
	return q
}

// sqlTime writes t as TicketSQL reads a date: "2006-01-02 15:04:05" in the user's zone. A wall
// time the zone shows twice (the hour repeated when summer time ends) RT may read as either
// instant: when t is the earlier, the wall time of t less the shift is written instead, which
// reads before t either way. The search reads a little more; what is before the asked time is
// dropped.
func (p *plan) sqlTime(t time.Time) string {
	wall := t.In(p.loc).Format(time.DateTime)
	for _, shift := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if t.Add(shift).In(p.loc).Format(time.DateTime) == wall {
			return t.Add(-shift).In(p.loc).Format(time.DateTime)
		}
	}
	return wall
}

// searchPage is a page of the ticket search.
type searchPage struct {
	Count   int               `json:"count"`
	PerPage int               `json:"per_page"`
	Total   *int              `json:"total"`
	Items   []json.RawMessage `json:"items"`
}

// historyPage is a page of a ticket's history.
type historyPage struct {
	Count int     `json:"count"`
	Page  int     `json:"page"`
	Pages *int    `json:"pages"`
	Items []rtTxn `json:"items"`
}

// api is the rt kind's endpoints.
type api struct {
	p *plan

	// last is where the last listing page of a session ended: the driver asks the page after it
	// afresh from its latest LastUpdated, and the id in the cursor spares listing again the
	// tickets of that second read already.
	mu   sync.Mutex
	last struct {
		s   *apisource.Session
		key cursor
	}
}

var _ apisource.Kind[entry] = (*api)(nil)

// search requests a page of tickets by TicketSQL. fields and order are the search's.
func (a *api) search(s *apisource.Session, q url.Values) (*searchPage, *apisource.Response, error) {
	q.Set("page", "1")
	resp, err := a.get(s, "tickets", q)
	if err != nil {
		return nil, nil, err
	}
	var pg searchPage
	if err := decode(resp, &pg); err != nil {
		return nil, nil, err
	}
	if pg.Count != len(pg.Items) {
		return nil, nil, fmt.Errorf("GET %s: the page says count %d but holds %d items (truncated?)", resp.Endpoint, pg.Count, len(pg.Items))
	}
	return &pg, resp, nil
}

// more says whether the search has a page after pg: RT's total says, else a full page.
func more(resp *apisource.Response, pg *searchPage, perPage int) bool {
	if pg.Total != nil && *pg.Total <= len(pg.Items) {
		return false
	}
	_, ok := apisource.NextPage(resp.Header, 1, perPage, len(pg.Items))
	return ok
}

// Updated lists the tickets updated at or after since, ordered by LastUpdated and id, a page at
// a time; next is the token of the page before.
func (a *api) Updated(s *apisource.Session, since time.Time, next, _ string) (apisource.Page[entry], error) {
	tok := token{floor: since}
	var after *cursor
	switch {
	case next != "":
		t, err := parseToken(next)
		if err != nil {
			return apisource.Page[entry]{}, err
		}
		tok, after = t, &t.after
	case !since.IsZero():
		a.mu.Lock()
		if a.last.s == s && a.last.key.updated.Equal(since) {
			k := a.last.key
			after = &k
		}
		a.mu.Unlock()
	}
	q := url.Values{}
	q.Set("query", a.p.searchQuery(tok.floor, after))
	q["orderby"] = []string{"LastUpdated", "id"}
	q["order"] = []string{"ASC", "ASC"}
	q.Set("per_page", strconv.Itoa(a.p.api.PageSize))
	q.Set("fields", a.p.searchFields())
	q.Set("fields[Queue]", "Name")
	pg, resp, err := a.search(s, q)
	if err != nil {
		return apisource.Page[entry]{}, err
	}
	var page apisource.Page[entry]
	var last *cursor
	for i, raw := range pg.Items {
		key, id, err := itemKey(raw)
		if err != nil {
			return apisource.Page[entry]{}, fmt.Errorf("GET %s: item %d of a page: %v: cannot page past it", resp.Endpoint, i+1, err)
		}
		if last == nil || last.before(key) {
			last = &key
		}
		if key.updated.After(page.Latest) {
			page.Latest = key.updated
		}
		// Read already, or before the asked time: a date RT read differently (a DST hour, a
		// time zone) widened the page.
		if after != nil && !after.before(key) || key.updated.Before(tok.floor) {
			continue
		}
		page.Items = append(page.Items, apisource.Item[entry]{ID: id, Updated: key.updated, Value: entry{raw: raw}})
	}
	if !more(resp, pg, a.p.api.PageSize) {
		a.mu.Lock()
		a.last.s = nil
		a.mu.Unlock()
		return page, nil
	}
	if last == nil || after != nil && !after.before(*last) {
		return apisource.Page[entry]{}, fmt.Errorf("GET %s: a full page held no ticket after the last one read: RT does not order by LastUpdated and id, or reads the dates in another time zone than timezone %q", resp.Endpoint, a.p.loc)
	}
	a.mu.Lock()
	a.last.s, a.last.key = s, *last
	a.mu.Unlock()
	page.Next = token{floor: tok.floor, after: *last}.String()
	return page, nil
}

// Ticket reads the history of a listed ticket and maps both. A ticket that does not decode is
// rejected without its history.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[entry]) (ticket.Ticket, *collector.Rejection, error) {
	var rt rtTicket
	if err := json.Unmarshal(it.Value.raw, &rt); err != nil {
		rj := reject("the item does not decode as a ticket", "the item does not decode as a ticket: %v", err)
		r := rj.asRejection(it.ID)
		return ticket.Ticket{}, &r, nil
	}
	txns, err := a.history(s, it.ID)
	if apisource.IsStatus(err, http.StatusNotFound, http.StatusGone) {
		return ticket.Ticket{}, nil, errors.Join(err, apisource.ErrGone)
	}
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	tk, rj := a.p.mapTicket(&rt, txns)
	if rj != nil {
		r := rj.asRejection(it.ID)
		return ticket.Ticket{}, &r, nil
	}
	return tk, nil, nil
}

// history reads every transaction of a ticket, page by page.
func (a *api) history(s *apisource.Session, id string) ([]rtTxn, error) {
	var all []rtTxn
	for page := 1; ; page++ {
		if page > maxHistoryPages {
			return nil, fmt.Errorf("GET /%sticket/%s/history: more than %d pages", apiPath, id, maxHistoryPages)
		}
		q := url.Values{}
		q.Set("fields", historyFields)
		q.Set("per_page", strconv.Itoa(historyPerPage))
		q.Set("page", strconv.Itoa(page))
		resp, err := a.get(s, "ticket/"+id+"/history", q)
		if err != nil {
			return nil, err
		}
		var pg historyPage
		if err := decode(resp, &pg); err != nil {
			return nil, err
		}
		all = append(all, pg.Items...)
		// pages is absent when the user cannot see every transaction: then a short page ends.
		if pg.Pages != nil && page >= *pg.Pages || pg.Pages == nil && len(pg.Items) < historyPerPage || len(pg.Items) == 0 {
			return all, nil
		}
	}
}

// IDs lists the id of every ticket the query selects, by id, a page at a time from after the id
// in next: a ticket created meanwhile lands on the last page, and one deleted shifts nothing.
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	query := "(" + a.p.query + ")"
	if next != "" {
		n, err := strconv.ParseUint(next, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("not an id listing position: %q", next)
		}
		query += " AND id > " + strconv.FormatUint(n, 10)
	}
	q := url.Values{"query": {query}, "orderby": {"id"}, "order": {"ASC"}, "per_page": {strconv.Itoa(a.p.api.PageSize)}}
	pg, resp, err := a.search(s, q)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(pg.Items))
	var last uint64
	for i, raw := range pg.Items {
		var k struct {
			ID text `json:"id"`
		}
		n, id, ok := uint64(0), "", json.Unmarshal(raw, &k) == nil
		if ok {
			n, id, ok = parseID(k.ID)
		}
		if !ok {
			return nil, "", fmt.Errorf("GET %s: item %d of a page has no ticket id: cannot page past it", resp.Endpoint, i+1)
		}
		ids = append(ids, id)
		last = max(last, n)
	}
	if !more(resp, pg, a.p.api.PageSize) {
		return ids, "", nil
	}
	return ids, strconv.FormatUint(last, 10), nil
}

// get requests path under REST2. RT's refusals keep apisource's wording; a 403 says which RT
// rights the user needs.
func (a *api) get(s *apisource.Session, path string, q url.Values) (*apisource.Response, error) {
	resp, err := s.Get(apisource.Request{Path: apiPath + path, Query: q, Header: http.Header{"Accept": {"application/json"}}})
	if apisource.IsStatus(err, http.StatusForbidden) {
		return nil, fmt.Errorf("%w (RT's rights: ShowTicket and SeeQueue on the query's queues)", err)
	}
	return resp, err
}

// decode reads a REST2 answer: JSON, or an HTML page, which is RT's login page where url misses
// RT's WebPath.
func decode(resp *apisource.Response, out any) error {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
		return fmt.Errorf("GET %s: the server sent an HTML page, not JSON: a login page? (is url RT's address, with its WebPath?)", resp.Endpoint)
	}
	return resp.DecodeJSON(out)
}

// itemKey reads the id and LastUpdated of a search item, which paging needs even when the rest
// of the item does not map.
func itemKey(raw json.RawMessage) (cursor, string, error) {
	var k struct {
		ID          text   `json:"id"`
		LastUpdated string `json:"LastUpdated"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return cursor{}, "", fmt.Errorf("no id and LastUpdated: %v", err)
	}
	n, id, ok := parseID(k.ID)
	if !ok {
		return cursor{}, "", fmt.Errorf("id %q is not a positive whole number", clip(string(k.ID)))
	}
	at, err := rtTime(k.LastUpdated)
	if err != nil || at.IsZero() {
		return cursor{}, "", fmt.Errorf("ticket %s: LastUpdated %q is not a time", id, clip(k.LastUpdated))
	}
	return cursor{updated: at, id: n}, id, nil
}
