package redmine

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Redmine's endpoints, for the apisource driver: the only file that makes requests (through the
// driver's session, which retries, limits and counts them). What the answers mean is
// mapping.go's business.

// settleMargin is how long before the server's answer an update must be for its updated_on (to
// the second) to be final: an issue updated within it may be updated again in the same second,
// showing the same updated_on.
const settleMargin = 2 * time.Second

// listed is one issue of a listing: the raw issue, with its id and update time read from it.
type listed struct {
	raw     json.RawMessage
	id      int
	updated time.Time // as listed; since for an issue whose updated_on does not read
	// bad is why the listing's id or updated_on does not read; the issue is then rejected
	// without a fetch.
	bad *rejection
}

// api is the redmine kind's side of the driver.
type api struct {
	p   *plan
	now func() time.Time

	// mu guards the statuses, read once per sync (session) and only when an issue is mapped.
	mu       sync.Mutex
	statusOf *apisource.Session
	statuses statusSet
}

var _ apisource.Kind[listed] = (*api)(nil)

// listing is GET /issues.json of a project, every status (Redmine lists open issues only by
// default), in the order given.
func (a *api) listing(project, sort string, since time.Time, offset int) apisource.Request {
	q := url.Values{
		"project_id": {project},
		"status_id":  {"*"},
		"sort":       {sort},
		"limit":      {strconv.Itoa(a.p.api.PageSize)},
		"offset":     {strconv.Itoa(offset)},
	}
	if !since.IsZero() {
		// Redmine reads ">=T" as "after T−1 s" (Query#date_clause), and takes only UTC times
		// written with a Z.
		q.Set("updated_on", ">="+since.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return apisource.Request{Path: "issues.json", Query: q, Header: jsonHeader}
}

// jsonHeader asks for JSON: a proxy or a login page in front of Redmine may answer HTML.
var jsonHeader = http.Header{"Accept": {"application/json"}}

// issuePageOf reads a page of project's issue listing.
func (a *api) issuePageOf(s *apisource.Session, project string, req apisource.Request) (*apisource.Response, issuePage, error) {
	resp, err := s.Get(req)
	switch {
	case apisource.IsStatus(err, http.StatusNotFound):
		return nil, issuePage{}, fmt.Errorf("project %q: %w: no such project, or the credentials' user cannot see it: check projects", project, err)
	case apisource.IsStatus(err, http.StatusUnauthorized):
		return nil, issuePage{}, fmt.Errorf("%w; Redmine also answers 401 when its REST API is off (Administration, Settings, API)", err)
	case apisource.IsStatus(err, http.StatusForbidden):
		return nil, issuePage{}, fmt.Errorf("project %q: %w: the credentials' user needs the View issues permission in it", project, err)
	}
	if err != nil {
		return nil, issuePage{}, err
	}
	var page issuePage
	if err := resp.DecodeJSON(&page); err != nil {
		return nil, issuePage{}, err
	}
	if page.Issues == nil {
		// Not an empty page, which Redmine writes "issues": []: a proxy's or a plugin's answer.
		return nil, issuePage{}, fmt.Errorf("GET %s: not a page of issues: no issues key", resp.Endpoint)
	}
	return resp, page, nil
}

// cursor is where each project's listing stands within one second: a Page.Next. The driver
// follows it only when a page does not move past its since, that is when a project has more
// issues updated in the same second than a page holds.
type cursor map[string]int

func parseCursor(next string) (cursor, error) {
	c := cursor{}
	if next == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(next), &c); err != nil {
		return nil, errors.New("the listing's cursor does not read")
	}
	return c, nil
}

// Updated lists the issues of the projects updated at or after since, oldest update first. Each
// project is a listing of its own (Redmine's project_id takes one project, with its
// subprojects); a page is a page of each, merged. When a project has more than a page, the
// merged page ends at the earliest last update of those pages (the cut), so that nothing of
// another project before it is left for later; the driver then lists afresh from the cut. One
// project costs one request per page, as before the framework.
func (a *api) Updated(s *apisource.Session, since time.Time, next, _ string) (apisource.Page[listed], error) {
	offsets, err := parseCursor(next)
	if err != nil {
		return apisource.Page[listed]{}, err
	}
	type rest struct {
		last time.Time // the page's last update
		next int       // the next page's offset
	}
	var (
		entries []apisource.Item[listed]
		cut     time.Time // the earliest last update of the projects with more pages
		more    = map[string]rest{}
		latest  time.Time
	)
	for _, project := range a.p.projects {
		offset := offsets[project]
		resp, page, err := a.issuePageOf(s, project, a.listing(project, "updated_on:asc,id:asc", since, offset))
		if err != nil {
			return apisource.Page[listed]{}, err
		}
		date := a.now()
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			date = t
		}
		var last time.Time
		for i, raw := range page.Issues {
			it := item(raw, offset+i, since, date)
			entries = append(entries, it)
			if it.Value.bad == nil {
				last = it.Value.updated
				if last.After(latest) {
					latest = last
				}
			}
		}
		if n, ok := apisource.NextOffset(offset, len(page.Issues), page.TotalCount); ok {
			if last.IsZero() {
				last = since // a page of issues that do not read: step past it
			}
			more[project] = rest{last, n}
			if cut.IsZero() || last.Before(cut) {
				cut = last
			}
		}
	}
	out := apisource.Page[listed]{Latest: latest}
	if len(more) > 0 {
		out.Latest = cut
		// Followed when the cut is not past since, that is when a project's whole page is
		// within since's second: that project steps by offset, the others are asked the same
		// page again (the driver skips what it has seen). Otherwise the driver lists afresh
		// from the cut.
		c := cursor{}
		for _, project := range a.p.projects {
			c[project] = offsets[project]
			if r, ok := more[project]; ok && !r.last.After(since) {
				c[project] = r.next
			}
		}
		b, _ := json.Marshal(c)
		out.Next = string(b)
	}
	// Merged in update order, up to the cut; an issue of a subproject, listed by its parent
	// too, once.
	slices.SortStableFunc(entries, func(x, y apisource.Item[listed]) int { return x.Updated.Compare(y.Updated) })
	seen := map[string]bool{}
	for _, it := range entries {
		if (!cut.IsZero() && it.Value.updated.After(cut)) || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// item reads a listed issue's id and updated_on. An issue updated within settleMargin of the
// server's date is given an update time a nanosecond early, so that the next listing, seeing
// its real one, fetches it again: a second update within the same second shows the same
// updated_on. n is its place in the listing, naming an issue without an id.
func item(raw json.RawMessage, n int, since, date time.Time) apisource.Item[listed] {
	var head struct {
		ID        int    `json:"id"`
		UpdatedOn string `json:"updated_on"`
	}
	l := listed{raw: raw}
	var terr *rejection
	if json.Unmarshal(raw, &head) == nil {
		l.id = head.ID
		l.updated, terr = parseTime("updated_on", head.UpdatedOn)
	} else {
		l.id = issueID(raw)
	}
	if l.id <= 0 || l.updated.IsZero() {
		is, rj := decodeIssue(raw)
		l.id = cmpID(is.ID, l.id)
		l.bad = cmp.Or(rj, terr, reject("the listing's id or updated_on does not read"))
		l.updated = since
		id := "unreadable:" + strconv.Itoa(n)
		if l.id > 0 {
			id = strconv.Itoa(l.id)
		}
		return apisource.Item[listed]{ID: id, Updated: since, Value: l}
	}
	at := l.updated
	if !l.updated.Before(date.Add(-settleMargin)) {
		at = at.Add(-time.Nanosecond)
	}
	return apisource.Item[listed]{ID: strconv.Itoa(l.id), Updated: at, Value: l}
}

// statusSet returns Redmine's statuses (GET /issue_statuses.json), read once per sync: journals
// name statuses by id only.
func (a *api) statusSet(s *apisource.Session) (statusSet, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.statusOf == s && a.statuses != nil {
		return a.statuses, nil
	}
	resp, err := s.Get(apisource.Request{Path: "issue_statuses.json", Header: jsonHeader})
	if apisource.IsStatus(err, http.StatusNotFound) {
		return nil, fmt.Errorf("%w (is url Redmine's base URL?)", err)
	}
	if err != nil {
		return nil, err
	}
	set, err := decodeStatuses(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", resp.Endpoint, err)
	}
	a.statusOf, a.statuses = s, set
	return set, nil
}

// Ticket fetches an issue with its journals (GET /issues/{id}.json?include=journals) and maps
// it.
func (a *api) Ticket(s *apisource.Session, it apisource.Item[listed]) (ticket.Ticket, *collector.Rejection, error) {
	l := it.Value
	if l.bad != nil {
		r := l.bad.at(l.id)
		return ticket.Ticket{}, &r, nil
	}
	statuses, err := a.statusSet(s)
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	resp, err := s.Get(apisource.Request{Path: "issues/" + strconv.Itoa(l.id) + ".json",
		Query: url.Values{"include": {"journals"}}, Header: jsonHeader})
	if apisource.IsStatus(err, http.StatusNotFound, http.StatusGone) {
		return ticket.Ticket{}, nil, errors.Join(err, apisource.ErrGone)
	}
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	var doc issueDoc
	if err := resp.DecodeJSON(&doc); err != nil {
		return ticket.Ticket{}, nil, err
	}
	if len(doc.Issue) == 0 {
		return ticket.Ticket{}, nil, fmt.Errorf("GET %s: not an issue: no issue key", resp.Endpoint)
	}
	is, rj := decodeIssue(doc.Issue)
	var t ticket.Ticket
	if rj == nil {
		t, rj = a.p.mapIssue(&is, statuses)
	}
	if rj != nil {
		r := rj.at(cmpID(is.ID, l.id))
		return ticket.Ticket{}, &r, nil
	}
	return t, nil, nil
}

// IDs lists the id of every issue of the projects, any status, by id (so that an issue created
// meanwhile lands on the last page rather than shifting the others), a project after the other.
// next is "<project index>:<offset>".
func (a *api) IDs(s *apisource.Session, next string) ([]string, string, error) {
	pi, offset := 0, 0
	if next != "" {
		before, after, _ := strings.Cut(next, ":")
		var err1, err2 error
		pi, err1 = strconv.Atoi(before)
		offset, err2 = strconv.Atoi(after)
		if err1 != nil || err2 != nil || pi < 0 || pi >= len(a.p.projects) || offset < 0 {
			return nil, "", errors.New("the id listing's cursor does not read")
		}
	}
	project := a.p.projects[pi]
	_, page, err := a.issuePageOf(s, project, a.listing(project, "id:asc", time.Time{}, offset))
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(page.Issues))
	for _, raw := range page.Issues {
		if id := issueID(raw); id > 0 {
			ids = append(ids, strconv.Itoa(id))
		}
	}
	switch n, ok := apisource.NextOffset(offset, len(page.Issues), page.TotalCount); {
	case ok:
		return ids, strconv.Itoa(pi) + ":" + strconv.Itoa(n), nil
	case pi+1 < len(a.p.projects):
		return ids, strconv.Itoa(pi+1) + ":0", nil
	}
	return ids, "", nil
}

// cmpID is the first id that is set.
func cmpID(ids ...int) int {
	for _, id := range ids {
		if id > 0 {
			return id
		}
	}
	return 0
}
