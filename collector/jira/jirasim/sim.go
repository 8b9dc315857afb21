// Package jirasim is a Jira REST API simulator for tests, written from Atlassian's
// documentation, kept apart from the client (collector/jira) so that the client is tested
// against what Atlassian documents, not against itself. It serves one site's issues over
// httptest, as Jira Cloud or as Jira Data Center, with JSM's SLA fields computed from each
// issue's history.
//
// Documents followed (the Cloud platform REST API v3 reference and its OpenAPI description, as
// the public client MrRefactoring/jira.js renders it; the Data Center REST API 2 reference; the
// JSM REST API for the SLA shapes):
//   - POST /rest/api/3/search/jql, "Search for issues using JQL enhanced search": body {jql,
//     fields, expand, maxResults, nextPageToken}; answer {issues, nextPageToken, isLast}; no
//     total; without fields only the id comes back; the token "will expire in 7 days"
//     (jira.js src/version3/parameters/searchForIssuesUsingJqlEnhancedSearchPost.ts,
//     models/searchAndReconcileResults.ts). GET and POST /rest/api/{2,3}/search answer 410
//     with the errorMessages Jira Cloud sends since CHANGE-2046 (quoted in
//     jenkinsci/jira-plugin#741, adyscorpius/logseq-jira#34).
//   - POST /rest/api/3/changelog/bulkfetch {issueIdsOrKeys, fieldIds, maxResults,
//     nextPageToken} → {issueChangeLogs[{issueId, changeHistories}], nextPageToken}
//     (models/bulkChangelogRequest.ts, bulkChangelog.ts, issueChangeLog.ts).
//   - GET /rest/api/2/search?jql&startAt&maxResults&fields&expand → {startAt, maxResults,
//     total, issues} (Data Center; the page capped by jira.search.views.default.max).
//   - GET /rest/api/2/issue/{key}?fields&expand=changelog (Data Center).
//   - GET /rest/api/{3,2}/myself → {accountId, displayName, emailAddress, timeZone, locale};
//     GET /rest/api/{3,2}/status → [{id, name, statusCategory{id, key, name}}].
//   - The changelog of an issue: {startAt, maxResults, total, histories[{id, author, created,
//     items[{field, fieldtype, fieldId, from, fromString, to, toString}]}]}, cut at
//     ChangelogMax histories in a search (models/pageOfChangelogs.ts, changelog.ts,
//     changeDetails.ts).
//   - JSM SLA fields: {id, name, _links, completedCycles[{startTime, stopTime, breachTime,
//     breached, goalDuration, elapsedTime, remainingTime}], ongoingCycle{startTime,
//     breachTime, breached, paused, withinCalendarHours, goalDuration, elapsedTime,
//     remainingTime}, slaDisplayFormat}; dates {iso8601, jira, friendly, epochMillis},
//     durations {millis, friendly} (jira.js src/serviceDesk/models/slaInformation*.ts,
//     date.ts, duration.ts).
//   - JQL: `updated >= 'yyyy-MM-dd HH:mm'` read in the searching user's profile time zone, to
//     the minute; `id > N`; ORDER BY updated, id.
//   - Rate limits: 429 with Retry-After (seconds), X-RateLimit-Limit, X-RateLimit-Remaining,
//     X-RateLimit-Reset (an ISO 8601 time) and RateLimit-Reason ("Rate limiting" in the Cloud
//     platform REST API's documentation).
//   - Auth: Cloud takes basic auth with an account's email and an API token; Data Center a
//     personal access token as a bearer token. Anything else is a 401.
//
// What it does not model: JQL beyond the subset the client writes (scope `project = KEY` or
// `project in (A, B)`), fields other than those named in Issue, comments, rich text, issue
// security, permissions other than the token, JSM calendars' holidays, SLA goals chosen by JQL
// (goals are by priority), and the search index's lag behind writes.
package jirasim

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// Change is a status change of an issue.
type Change struct {
	At       time.Time
	From, To string // status names
}

// Issue is one issue of the site.
type Issue struct {
	ID       int64
	Key      string
	Project  string
	Type     string
	Priority string
	Status   string // the current status; Changes lead to it
	// Components and the custom fields' JSON values (a request type, organizations ...).
	Components []string
	Custom     map[string]any
	Created    time.Time
	Updated    time.Time
	Changes    []Change
	// Responded is the first response for customers (zero: none), which stops the response SLA;
	// it is also the value of the "Date of First Response" field when ResponseField is set.
	Responded time.Time
	// Noise are changes of other fields, which the changelog holds besides the status changes.
	Noise []time.Time
	// TimeSpent is the work logged on the issue (the timespent field, in seconds; null when
	// zero, as Jira shows an issue nobody logged work on).
	TimeSpent time.Duration
}

func (is *Issue) initialStatus() string {
	if len(is.Changes) > 0 {
		return is.Changes[0].From
	}
	return is.Status
}

// Status is a workflow status.
type Status struct {
	ID, Name string
	// Category is the status category key: new, indeterminate or done.
	Category string
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// Endpoint is the requests it applies to: "search", "bulkfetch", "issue", "myself",
	// "status", or "" for any.
	Endpoint     string
	After, Times int
	// Status answers with this status and a Jira error body; RetryAfter adds Retry-After.
	Status     int
	RetryAfter string
	// Truncate cuts the right answer's JSON in half; BadJSON sends a body that is not JSON.
	Truncate, BadJSON bool
	// Delay holds the answer this long (or until the client gives up).
	Delay time.Duration
	// Revoke revokes the credentials when it hits: this request and the next get 401 until
	// Grant.
	Revoke bool
}

// Scope is apitest.Scoped's.
func (f Fault) Scope() (string, int, int) { return f.Endpoint, f.After, f.Times }

// Options configure a simulator.
type Options struct {
	// DataCenter serves Jira Data Center's REST API 2 instead of Cloud's.
	DataCenter bool
	// Email and Token are Cloud's basic auth; Token alone is Data Center's personal access
	// token.
	Email, Token string
	// TimeZone is the API user's profile time zone (default UTC).
	TimeZone string
	// Statuses are the workflow's statuses (default: JSM's service request workflow).
	Statuses []Status
	// SLAs are the JSM SLAs, each served as its custom field.
	SLAs []SLA
	// ResponseField, when set, is a date-time custom field holding Responded.
	ResponseField string
	// PageMax caps maxResults (default 5000 on Cloud, 1000 on Data Center); ChangelogMax the
	// histories of a changelog in a search (default 100).
	PageMax, ChangelogMax int
	// RateLimit is the requests allowed per RateWindow (0: no limit).
	RateLimit  int
	RateWindow time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DefaultStatuses are a JSM service request workflow's.
func DefaultStatuses() []Status {
	return []Status{
		{ID: "10001", Name: "Waiting for support", Category: "new"},
		{ID: "10002", Name: "In Progress", Category: "indeterminate"},
		{ID: "10003", Name: "Waiting for customer", Category: "indeterminate"},
		{ID: "10004", Name: "Reopened", Category: "indeterminate"},
		{ID: "10005", Name: "Resolved", Category: "done"},
		{ID: "10006", Name: "Canceled", Category: "done"},
		{ID: "10007", Name: "Closed", Category: "done"},
	}
}

// Server is a simulated Jira site. Requests counts per endpoint: "search", "bulkfetch",
// "issue", "myself", "status", "other".
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]
	o Options

	mu      sync.Mutex
	now     func() time.Time
	loc     *time.Location
	issues  map[string]*Issue
	revoked bool
	// window and used are the rate limit's current window and the requests it served.
	window time.Time
	used   int
	// afterPage runs after each search page is served (a change between two pages).
	afterPage func(page int)
	pages     int
	log       []string
}

// New starts a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Statuses == nil {
		o.Statuses = DefaultStatuses()
	}
	if o.PageMax == 0 {
		o.PageMax = 5000
		if o.DataCenter {
			o.PageMax = 1000
		}
	}
	if o.ChangelogMax == 0 {
		o.ChangelogMax = 100
	}
	loc := time.UTC
	if o.TimeZone != "" {
		var err error
		if loc, err = time.LoadLocation(o.TimeZone); err != nil {
			panic(err)
		}
	}
	s := &Server{o: o, now: o.Now, loc: loc, issues: map[string]*Issue{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Add puts an issue on the site (replacing one with its key). Updated defaults to the latest of
// Created, the changes and the response.
func (s *Server) Add(is Issue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.Updated.IsZero() {
		is.Updated = is.Created
		for _, c := range is.Changes {
			is.Updated = later(is.Updated, c.At)
		}
		is.Updated = later(is.Updated, is.Responded)
		for _, n := range is.Noise {
			is.Updated = later(is.Updated, n)
		}
	}
	if is.Status == "" {
		is.Status = "Waiting for support"
		if n := len(is.Changes); n > 0 {
			is.Status = is.Changes[n-1].To
		}
	}
	s.issues[is.Key] = &is
}

// Transition moves an issue to status at the simulator's now.
func (s *Server) Transition(key, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issues[key]
	now := s.now()
	is.Changes = append(is.Changes, Change{At: now, From: is.Status, To: to})
	is.Status, is.Updated = to, now
}

// Edit changes an issue at the simulator's now: edit gets the issue, and a change of another
// field is logged.
func (s *Server) Edit(key string, edit func(*Issue)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issues[key]
	edit(is)
	now := s.now()
	is.Noise = append(is.Noise, now)
	is.Updated = now
}

// Delete removes an issue.
func (s *Server) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.issues, key)
}

// Issue returns a copy of an issue.
func (s *Server) Issue(key string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[key]
	if !ok {
		return Issue{}, false
	}
	return *is, true
}

// Keys lists the issues' keys.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.issues {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AfterPage sets a function run after each search page is served, with the page's number from
// 1 (counted over the simulator's life): a test changes issues between two pages with it.
func (s *Server) AfterPage(f func(page int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterPage = f
}

// Grant restores revoked credentials.
func (s *Server) Grant() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = false
}

// NativeCycles returns the cycles of the SLA named name on the issue at the simulator's now:
// the native verdicts the site reports.
func (s *Server) NativeCycles(key, name string) []Cycle {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issues[key]
	for i := range s.o.SLAs {
		if s.o.SLAs[i].Name == name {
			return s.o.SLAs[i].Cycles(s, is, s.now())
		}
	}
	return nil
}

// Log is the requests served: "METHOD path", in order.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// done says whether a status is in the done category.
func (s *Server) done(name string) bool {
	for _, st := range s.o.Statuses {
		if st.Name == name {
			return st.Category == "done"
		}
	}
	return false
}

func (s *Server) statusByName(name string) Status {
	for _, st := range s.o.Statuses {
		if st.Name == name {
			return st
		}
	}
	return Status{ID: "0", Name: name, Category: "undefined"}
}
