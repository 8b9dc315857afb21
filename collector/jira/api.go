package jira

import (
	"encoding/json"
	"errors"
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

// This file is Jira's endpoints, the jira kind's side of apisource.Driver: the search of what
// changed (Updated), the status history and mapping of an issue (Ticket) and the ids in scope
// (IDs). Requests, retries, limits and the watermark are apisource's.
//
// Cloud (the Cloud platform REST API v3):
//   - POST /rest/api/3/search/jql {jql, fields, expand: "changelog", maxResults, nextPageToken}
//     → {issues, nextPageToken, isLast}: the enhanced search, which replaced GET and POST
//     /rest/api/3/search (removed by CHANGE-2046, answering 410 since 2025). Its
//     nextPageToken expires after 7 days; it gives no total.
//   - POST /rest/api/3/changelog/bulkfetch {issueIdsOrKeys (at most 1,000), fieldIds,
//     maxResults, nextPageToken} → {issueChangeLogs[{issueId, changeHistories}],
//     nextPageToken}: the whole status changelog of the issues whose changelog the search cut.
//   - GET /rest/api/3/myself → {timeZone}; GET /rest/api/3/status → [{id, name,
//     statusCategory{key}}].
//
// Data Center (REST API 2):
//   - GET /rest/api/2/search?jql&startAt&maxResults&fields&expand=changelog → {startAt,
//     maxResults, total, issues}.
//   - GET /rest/api/2/issue/{key}?fields=status&expand=changelog: a cut changelog whole.
//   - GET /rest/api/2/myself, GET /rest/api/2/status as above.
//
// The shapes are the OpenAPI description's (jira.js renders it: src/version3/models/
// searchAndReconcileResults.ts, bulkChangelog.ts, issueChangeLog.ts, bulkChangelogRequest.ts).

// metaRefresh is how long the profile's time zone and Jira's status list are kept before they
// are read again.
const metaRefresh = 24 * time.Hour

// bulkIssues is the most issues one bulkfetch request takes.
const bulkIssues = 1000

// maxBulkPages bounds the pages of one bulkfetch, so that a server paging wrong cannot loop.
const maxBulkPages = 1000

// idsPageSize is the page size of the id listing: with one field asked, a search page can be
// large.
const idsPageSize = 1000

// entry is a search result on its way through the driver: the issue, and the page it came on,
// whose cut changelogs are fetched together when the first is needed.
type entry struct {
	is   *issue
	page *pageState
	// full is the whole status changelog, once fetched; gone says the fetch did not find the
	// issue.
	full   []history
	filled bool
	gone   bool
}

type pageState struct{ entries []*entry }

// api is the jira kind's endpoints.
type api struct {
	s   *settings
	now func() time.Time

	mu       sync.Mutex
	loc      *time.Location
	locRead  time.Time
	cats     categories
	catsRead time.Time
	// catsSession is the sync that read the status list last: an unknown status reads it again
	// at most once a sync.
	catsSession *apisource.Session
}

var _ apisource.Kind[*entry] = (*api)(nil)

func (a *api) cloud() bool { return a.s.deployment == Cloud }

// path is an endpoint of the REST API: version 3 on Cloud, 2 on Data Center.
func (a *api) path(endpoint string) string {
	if a.cloud() {
		return "rest/api/3/" + endpoint
	}
	return "rest/api/2/" + endpoint
}

var jsonAccept = http.Header{"Accept": {"application/json"}}

// jsonPost are the headers of a POST whose body is a JSON document.
var jsonPost = http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}}

// searchRequest is the body of a Cloud search.
type searchRequest struct {
	JQL           string   `json:"jql"`
	Fields        []string `json:"fields"`
	Expand        string   `json:"expand,omitempty"`
	MaxResults    int      `json:"maxResults"`
	NextPageToken string   `json:"nextPageToken,omitempty"`
}

// searchPage is a search's answer: Cloud's token and isLast, or Data Center's startAt and total.
type searchPage struct {
	Issues        []json.RawMessage `json:"issues"`
	NextPageToken string            `json:"nextPageToken"`
	IsLast        *bool             `json:"isLast"`
	StartAt       int               `json:"startAt"`
	Total         *int              `json:"total"`
}

// search runs one page of a JQL search. next is Cloud's token, or Data Center's startAt.
func (a *api) search(s *apisource.Session, jql string, fields []string, changelog bool, size int, next string) (*searchPage, *apisource.Response, error) {
	var req apisource.Request
	if a.cloud() {
		body := searchRequest{JQL: jql, Fields: fields, MaxResults: size, NextPageToken: next}
		if changelog {
			body.Expand = "changelog"
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, nil, err
		}
		req = apisource.Request{Method: http.MethodPost, Path: a.path("search/jql"), Body: b, Header: jsonPost}
	} else {
		q := url.Values{"jql": {jql}, "maxResults": {strconv.Itoa(size)}, "fields": {strings.Join(fields, ",")}}
		if next != "" {
			q.Set("startAt", next)
		}
		if changelog {
			q.Set("expand", "changelog")
		}
		req = apisource.Request{Path: a.path("search"), Query: q, Header: jsonAccept}
	}
	resp, err := s.Get(req)
	switch {
	case apisource.IsStatus(err, http.StatusGone):
		fix := "set deployment: cloud, which uses POST /rest/api/3/search/jql"
		if a.cloud() {
			fix = "this source uses POST /rest/api/3/search/jql: is url the site's address?"
		}
		return nil, nil, fmt.Errorf("%w (Jira Cloud removed GET and POST /rest/api/{2,3}/search in 2025, CHANGE-2046: %s)", err, fix)
	case apisource.IsStatus(err, http.StatusBadRequest):
		return nil, nil, fmt.Errorf("%w (Jira refused the search: check jql, and the fields named in the configuration)", err)
	case err != nil:
		return nil, nil, err
	}
	var pg searchPage
	if err := resp.DecodeJSON(&pg); err != nil {
		return nil, nil, err
	}
	if !a.cloud() && pg.Total == nil {
		return nil, nil, fmt.Errorf("%s %s: the answer has no total: is this Jira Data Center's search? (set deployment)", resp.Method, resp.Endpoint)
	}
	return &pg, resp, nil
}

// more says whether a search has a page after pg, and its Next: Cloud's token, or the startAt
// of the next page.
func (a *api) more(pg *searchPage, asked string) (string, bool) {
	if a.cloud() {
		last := pg.IsLast == nil || *pg.IsLast
		if pg.IsLast == nil && pg.NextPageToken != "" {
			last = false // isLast is optional in the description; a token says there is more
		}
		return apisource.Cursor(asked, pg.NextPageToken, last)
	}
	start := 0
	if asked != "" {
		start, _ = strconv.Atoi(asked)
	}
	next, ok := apisource.NextOffset(start, len(pg.Issues), *pg.Total)
	return strconv.Itoa(next), ok
}

// Updated lists the issues updated at or after since, oldest update first; next is the page
// token (Cloud) or offset (Data Center) of the same search.
func (a *api) Updated(s *apisource.Session, since time.Time, next, _ string) (apisource.Page[*entry], error) {
	loc, err := a.location(s)
	if err != nil {
		return apisource.Page[*entry]{}, err
	}
	jql := updatedJQL(a.s.jql, since, loc)
	pg, resp, err := a.search(s, jql, a.s.requested, true, a.s.api.PageSize, next)
	if err != nil && next != "" && a.cloud() && apisource.IsStatus(err, http.StatusBadRequest) {
		// A token past its 7 days (a sync resumed long after): the search again from its first
		// page; what was read already is skipped as seen.
		pg, resp, err = a.search(s, jql, a.s.requested, true, a.s.api.PageSize, "")
	}
	if err != nil {
		return apisource.Page[*entry]{}, err
	}
	var page apisource.Page[*entry]
	ps := &pageState{}
	for i, raw := range pg.Issues {
		is := new(issue)
		if err := json.Unmarshal(raw, is); err != nil {
			return apisource.Page[*entry]{}, fmt.Errorf("%s %s: issue %d of a page does not decode (%v): cannot page past it", resp.Method, resp.Endpoint, i+1, err)
		}
		if is.Key == "" {
			return apisource.Page[*entry]{}, fmt.Errorf("%s %s: issue %d of a page has no key: cannot page past it", resp.Method, resp.Endpoint, i+1)
		}
		upd, err := is.updated()
		if err != nil {
			return apisource.Page[*entry]{}, fmt.Errorf("%s %s: issue %s: %v: cannot page past it", resp.Method, resp.Endpoint, is.Key, err)
		}
		if upd.After(page.Latest) {
			page.Latest = upd
		}
		e := &entry{is: is, page: ps}
		ps.entries = append(ps.entries, e)
		page.Items = append(page.Items, apisource.Item[*entry]{ID: is.Key, Updated: upd, Value: e})
	}
	if n, ok := a.more(pg, next); ok {
		page.Next = n
	}
	return page, nil
}

// Ticket completes an issue's status changelog when the search cut it, and maps the issue.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[*entry]) (ticket.Ticket, *collector.Rejection, error) {
	e := it.Value
	if e.is.Changelog == nil {
		return ticket.Ticket{}, (&rejection{reason: "the search returned no changelog for the issue (expand=changelog ignored?)"}).on(it.ID), nil
	}
	histories := e.is.Changelog.Histories
	if e.is.Changelog.truncated() {
		var err error
		if histories, err = a.fullChangelog(s, e); err != nil {
			return ticket.Ticket{}, nil, err
		}
		if e.gone {
			return ticket.Ticket{}, nil, fmt.Errorf("issue %s: %w", it.ID, apisource.ErrGone)
		}
	}
	changes := statusChanges(histories)
	for attempt := 0; ; attempt++ {
		a.mu.Lock()
		t, rej, err := a.s.mapIssue(e.is, changes, &a.cats)
		a.mu.Unlock()
		var unknown *unknownStatus
		switch {
		case err == nil && rej != nil:
			return ticket.Ticket{}, rej.on(it.ID), nil
		case err == nil:
			return t, nil, nil
		case !errors.As(err, &unknown):
			return ticket.Ticket{}, nil, err
		case attempt > 0 || !a.needStatuses(s):
			return ticket.Ticket{}, (&rejection{reason: unknown.Error(), rule: "a status without a category", setting: "jira.statuses"}).on(it.ID), nil
		}
		if err := a.readStatuses(s); err != nil {
			return ticket.Ticket{}, nil, err
		}
	}
}

// fullChangelog returns the whole status changelog of an issue whose changelog the search cut:
// on Cloud with one bulkfetch for every such issue of its page not read yet, on Data Center by
// reading the issue.
func (a *api) fullChangelog(s *apisource.Session, e *entry) ([]history, error) {
	if e.filled {
		return e.full, nil
	}
	if !a.cloud() {
		resp, err := s.Get(apisource.Request{Path: a.path("issue/" + url.PathEscape(e.is.Key)),
			Query: url.Values{"fields": {"status"}, "expand": {"changelog"}}, Header: jsonAccept})
		if apisource.IsStatus(err, http.StatusNotFound) {
			e.filled, e.gone = true, true
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var is issue
		if err := resp.DecodeJSON(&is); err != nil {
			return nil, err
		}
		if is.Changelog == nil || is.Changelog.truncated() {
			return nil, fmt.Errorf("%s %s: the issue's changelog is cut short here too", resp.Method, resp.Endpoint)
		}
		e.full, e.filled = is.Changelog.Histories, true
		return e.full, nil
	}
	var want []*entry
	for _, o := range e.page.entries {
		if !o.filled && o.is.Changelog.truncated() {
			want = append(want, o)
		}
	}
	for len(want) > 0 {
		n := min(len(want), bulkIssues)
		if err := a.bulkfetch(s, want[:n]); err != nil {
			return nil, err
		}
		want = want[n:]
	}
	return e.full, nil
}

// bulkRequest and bulkPage are POST /rest/api/3/changelog/bulkfetch's.
type bulkRequest struct {
	IssueIDsOrKeys []string `json:"issueIdsOrKeys"`
	FieldIDs       []string `json:"fieldIds"`
	MaxResults     int      `json:"maxResults"`
	NextPageToken  string   `json:"nextPageToken,omitempty"`
}

type bulkPage struct {
	IssueChangeLogs []struct {
		IssueID         string    `json:"issueId"`
		ChangeHistories []history `json:"changeHistories"`
	} `json:"issueChangeLogs"`
	NextPageToken string `json:"nextPageToken"`
}

// bulkfetch reads the status changelogs of entries, every page of them.
func (a *api) bulkfetch(s *apisource.Session, entries []*entry) error {
	body := bulkRequest{FieldIDs: []string{"status"}, MaxResults: 1000}
	byID := map[string]*entry{}
	for _, e := range entries {
		body.IssueIDsOrKeys = append(body.IssueIDsOrKeys, e.is.ID)
		byID[e.is.ID] = e
	}
	got := map[string][]history{}
	for pages := 0; ; pages++ {
		if pages >= maxBulkPages {
			return fmt.Errorf("POST /%s: more than %d pages", a.path("changelog/bulkfetch"), maxBulkPages)
		}
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		resp, err := s.Get(apisource.Request{Method: http.MethodPost, Path: a.path("changelog/bulkfetch"), Body: b, Header: jsonPost})
		if err != nil {
			return err
		}
		var pg bulkPage
		if err := resp.DecodeJSON(&pg); err != nil {
			return err
		}
		for _, l := range pg.IssueChangeLogs {
			got[l.IssueID] = append(got[l.IssueID], l.ChangeHistories...)
		}
		next, ok := apisource.Cursor(body.NextPageToken, pg.NextPageToken, false)
		if !ok {
			break
		}
		body.NextPageToken = next
	}
	for id, e := range byID {
		h, ok := got[id]
		e.full, e.filled, e.gone = h, true, !ok
	}
	return nil
}

// IDs lists the keys of every issue in scope, by id, a page at a time after the id in next.
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	var after int64
	if next != "" {
		n, err := strconv.ParseInt(next, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("not an id listing position: %q", next)
		}
		after = n
	}
	size := min(idsPageSize, a.s.api.PageSize*10)
	pg, resp, err := a.search(s, idsJQL(a.s.jql, after), []string{"created"}, false, size, "")
	if err != nil {
		return nil, "", err
	}
	keys := make([]string, 0, len(pg.Issues))
	var last int64
	for i, raw := range pg.Issues {
		var k struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		}
		_ = json.Unmarshal(raw, &k)
		n, err := strconv.ParseInt(k.ID, 10, 64)
		if err != nil || k.Key == "" {
			return nil, "", fmt.Errorf("%s %s: issue %d of a page has no id and key: cannot page past it", resp.Method, resp.Endpoint, i+1)
		}
		keys = append(keys, k.Key)
		last = max(last, n)
	}
	if _, ok := a.more(pg, ""); !ok || len(keys) == 0 {
		return keys, "", nil
	}
	return keys, strconv.FormatInt(last, 10), nil
}

// location is the time zone Jira reads the JQL's dates in: timezone, else the user's profile's,
// read at most once a day.
func (a *api) location(s *apisource.Session) (*time.Location, error) {
	if a.s.loc != nil {
		return a.s.loc, nil
	}
	a.mu.Lock()
	loc, read := a.loc, a.locRead
	a.mu.Unlock()
	now := a.now()
	if loc != nil && now.Sub(read) < metaRefresh {
		return loc, nil
	}
	resp, err := s.Get(apisource.Request{Path: a.path("myself"), Header: jsonAccept})
	if err != nil {
		return nil, err
	}
	var me struct {
		TimeZone string `json:"timeZone"`
	}
	if err := resp.DecodeJSON(&me); err != nil {
		return nil, err
	}
	if me.TimeZone == "" {
		return nil, fmt.Errorf("%s %s: the profile gives no timeZone: set timezone to the zone Jira reads the user's dates in", resp.Method, resp.Endpoint)
	}
	loc, err = time.LoadLocation(me.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("%s %s: the profile's time zone %q is not one this system knows: set timezone", resp.Method, resp.Endpoint, clip(me.TimeZone))
	}
	a.mu.Lock()
	a.loc, a.locRead = loc, now
	a.mu.Unlock()
	return loc, nil
}

// needStatuses says whether Jira's status list may be read (again) in this sync: it was not yet,
// or it is older than a day, or it was read in another sync.
func (a *api) needStatuses(s *apisource.Session) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.catsSession != s || a.now().Sub(a.catsRead) >= metaRefresh
}

// readStatuses reads Jira's status list: the status category of every status.
func (a *api) readStatuses(s *apisource.Session) error {
	resp, err := s.Get(apisource.Request{Path: a.path("status"), Header: jsonAccept})
	if err != nil {
		return err
	}
	var list []status
	if err := resp.DecodeJSON(&list); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, st := range list {
		a.cats.add(st)
	}
	a.catsRead, a.catsSession = a.now(), s
	return nil
}
