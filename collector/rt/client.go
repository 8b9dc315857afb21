package rt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// This file is REST2's endpoints and paging: what is requested and how a response is read. The
// mapping of what comes back is in mapping.go, the sync's order of requests in source.go.

// apiPath is REST2's root under RT's URL.
const apiPath = "/REST/2.0"

// historyFields are the transaction fields a ticket's history is read with.
const historyFields = "Type,Field,OldValue,NewValue,Created,Creator"

// historyPerPage is the page size of a history: RT's cap.
const historyPerPage = 100

// maxHistoryPages bounds one ticket's history, 100,000 transactions: past it the sync fails
// rather than loop on a server that pages wrong.
const maxHistoryPages = 1000

// maxBody bounds one response; a variable for the tests.
var maxBody int64 = 64 << 20

// searchFields are the ticket fields the search asks for.
func (p *plan) searchFields() string {
	f := "Status,Created,LastUpdated,Resolved,Due,Priority,SLA,Queue,Requestor"
	if len(p.fields) > 0 || p.typeField != "" {
		f += ",CustomFields"
	}
	return f
}

// cursor is the (LastUpdated, id) of the last ticket read: the search is ordered by both, and
// the next page starts after it. Paging by keyset rather than by page number keeps a ticket
// updated during the sync (which moves to the end of the order) from shifting an unread one
// onto a page already read.
type cursor struct {
	updated time.Time
	id      uint64
}

func (c cursor) before(d cursor) bool {
	return c.updated.Before(d.updated) || (c.updated.Equal(d.updated) && c.id < d.id)
}

// searchQuery is the TicketSQL of one page: the configured query, restricted to tickets updated
// from `from` on (none when zero), and after `after` (when set). RT reads the dates in the
// user's time zone, to the second.
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

// sqlTime writes t as TicketSQL reads a date: "2006-01-02 15:04:05" in the user's zone.
func (p *plan) sqlTime(t time.Time) string { return t.In(p.loc).Format(time.DateTime) }

// searchPage is a page of the ticket search. Items are decoded one by one, so that one bad item
// is one rejected ticket, not a failed page.
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

// api is REST2 over one HTTP client.
type api struct {
	plan *plan
	http *http.Client
}

// search reads the first page of the tickets matching query, oldest update first.
func (a *api) search(ctx context.Context, query string) (*searchPage, error) {
	q := url.Values{}
	q.Set("query", query)
	q["orderby"] = []string{"LastUpdated", "id"}
	q["order"] = []string{"ASC", "ASC"}
	q.Set("page", "1")
	q.Set("per_page", strconv.Itoa(a.plan.perPage))
	q.Set("fields", a.plan.searchFields())
	q.Set("fields[Queue]", "Name")
	var pg searchPage
	if err := a.get(ctx, "/tickets", q, &pg); err != nil {
		return nil, err
	}
	if pg.Count != len(pg.Items) {
		return nil, fmt.Errorf("GET %s%s/tickets: the page says count %d but holds %d items (truncated?)", a.plan.display, apiPath, pg.Count, len(pg.Items))
	}
	return &pg, nil
}

// history reads every transaction of a ticket, page by page.
func (a *api) history(ctx context.Context, id string) ([]rtTxn, error) {
	var all []rtTxn
	for page := 1; ; page++ {
		if page > maxHistoryPages {
			return nil, fmt.Errorf("GET %s%s/ticket/%s/history: more than %d pages", a.plan.display, apiPath, id, maxHistoryPages)
		}
		q := url.Values{}
		q.Set("fields", historyFields)
		q.Set("per_page", strconv.Itoa(historyPerPage))
		q.Set("page", strconv.Itoa(page))
		var pg historyPage
		if err := a.get(ctx, "/ticket/"+id+"/history", q, &pg); err != nil {
			return nil, err
		}
		all = append(all, pg.Items...)
		// pages is absent when the user cannot see every transaction: then a short page ends.
		if pg.Pages != nil && page >= *pg.Pages || pg.Pages == nil && len(pg.Items) < historyPerPage || len(pg.Items) == 0 {
			return all, nil
		}
	}
}

// get requests path under REST2 and decodes its JSON into out. Errors name the endpoint without
// its query, and never a credential.
func (a *api) get(ctx context.Context, path string, q url.Values, out any) error {
	u := *a.plan.base
	u.Path += apiPath + path
	u.RawQuery = q.Encode()
	where := "GET " + a.plan.display + apiPath + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil { // cannot happen with a URL that parsed
		return fmt.Errorf("%s: cannot build the request", where)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // its URL has the query
		}
		return fmt.Errorf("%s: %w", where, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("%s: reading the response: %w", where, err)
	}
	if int64(len(body)) > maxBody {
		return fmt.Errorf("%s: the response is larger than %d MiB", where, maxBody>>20)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		return fmt.Errorf("%s: HTTP 401 Unauthorized: RT refused the credentials: check http_client_config (authorization's credentials_file holds a valid auth token?)", where)
	case code == http.StatusForbidden:
		return fmt.Errorf("%s: HTTP 403 Forbidden: the user of http_client_config's credentials may not see this (rights ShowTicket, SeeQueue?)", where)
	case code < 200 || code > 299:
		msg := fmt.Sprintf("%s: HTTP %d %s", where, code, http.StatusText(code))
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &e) == nil && strings.TrimSpace(e.Message) != "" {
			msg += ": RT says " + strconv.Quote(clip(strings.TrimSpace(e.Message)))
		}
		return errors.New(msg)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
		return fmt.Errorf("%s: the server sent an HTML page, not JSON: a login page? (is url RT's address, with its WebPath?)", where)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: the response is not REST2's JSON: %w", where, err)
	}
	return nil
}
