// Package gitlabsim is a GitLab REST API (v4) simulator for tests, written from GitLab's
// documentation. It serves one project's issues over httptest with the documented response
// shapes, offset pagination (X-Page, X-Next-Page, X-Total ... and Link), the RateLimit-* headers,
// token authentication, and faults a test injects. It is kept apart from the client
// (collector/gitlab) so that the client is tested against what GitLab documents.
//
// Documents followed (docs.gitlab.com; the gitlab-org/gitlab repository's doc/api/):
//   - List project issues, GET /projects/:id/issues (state, labels, issue_type, updated_after,
//     order_by, sort, per_page, page; incidents carry issue_type "incident" and a severity):
//     https://docs.gitlab.com/ee/api/issues.html#list-project-issues
//   - Resource state events, GET /projects/:id/issues/:issue_iid/resource_state_events (state
//     closed or reopened; the creation is not an event):
//     https://docs.gitlab.com/ee/api/resource_state_events.html
//   - Resource label events, GET /projects/:id/issues/:issue_iid/resource_label_events (action
//     add or remove): https://docs.gitlab.com/ee/api/resource_label_events.html
//   - Notes, GET /projects/:id/issues/:issue_iid/notes?sort=asc&order_by=created_at (system
//     notes record changes; user notes are comments): https://docs.gitlab.com/ee/api/notes.html
//   - Pagination (X-Page, X-Per-Page, X-Next-Page, X-Prev-Page, X-Total, X-Total-Pages, and a
//     Link header; per_page at most 100; the totals are left out past 10,000 results):
//     https://docs.gitlab.com/ee/api/rest/index.html#pagination
//   - Rate limits (RateLimit-Limit, -Observed, -Remaining, -Reset as a Unix time, -ResetTime as
//     an HTTP date; 429 with Retry-After):
//     https://docs.gitlab.com/ee/administration/settings/user_and_ip_rate_limits.html
//   - Authentication (PRIVATE-TOKEN header or Authorization: Bearer; 401 {"message": "401
//     Unauthorized"}): https://docs.gitlab.com/ee/api/rest/authentication.html
package gitlabsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// User is an account.
type User struct {
	Username string
	Bot      bool
}

// Note is a note on an issue: a comment, or (System) a record of a change.
type Note struct {
	Author   User
	At       time.Time
	Body     string
	System   bool
	Internal bool
}

// StateEvent is a resource state event: closed or reopened.
type StateEvent struct {
	User  User
	At    time.Time
	State string
}

// LabelEvent is a resource label event: add or remove.
type LabelEvent struct {
	User   User
	At     time.Time
	Label  string
	Action string
}

// Issue is one issue of the project.
type Issue struct {
	IID       int
	Title     string
	Author    User
	Labels    []string
	Assignees []string
	Milestone string
	State     string // opened or closed
	Type      string // issue, incident, test_case, task
	Severity  string // UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL
	Created   time.Time
	Updated   time.Time
	Closed    time.Time
	Notes     []Note
	States    []StateEvent
	LabelLog  []LabelEvent
	// TimeSpent is the time spent logged on the issue (/spend), shown whole seconds in
	// time_stats.total_time_spent.
	TimeSpent time.Duration
}

// Fault is a failure the simulator answers with (as githubsim's).
type Fault struct {
	// Endpoint is "list", "state_events", "label_events", "notes", or "" for any.
	Endpoint     string
	After, Times int
	Status       int
	RetryAfter   string
	Truncate     bool
	BadJSON      bool
	Delay        time.Duration
}

// Server is a simulated GitLab API for one project.
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]
	project string

	mu        sync.Mutex
	now       func() time.Time
	issues    map[int]*Issue
	tokens    map[string]bool
	limit     int
	remaining int
	reset     time.Time
}

// Options configure a simulator.
type Options struct {
	// Token is accepted as PRIVATE-TOKEN or Authorization: Bearer.
	Token string
	// RateLimit is requests per minute (default 2000, GitLab.com's authenticated API limit).
	RateLimit int
	Now       func() time.Time
}

// New starts a simulator serving the project at path (group/name).
func New(project string, o Options) *Server {
	s := &Server{project: project, now: o.Now, issues: map[int]*Issue{}, tokens: map[string]bool{o.Token: true}, limit: o.RateLimit}
	if s.now == nil {
		s.now = time.Now
	}
	if s.limit == 0 {
		s.limit = 2000
	}
	s.remaining = s.limit
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the base URL a client is configured with: a self-managed instance's /api/v4.
func (s *Server) APIURL() string { return s.URL + "/api/v4" }

// Add adds issues as they are.
func (s *Server) Add(issues ...Issue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, is := range issues {
		c := is
		if c.Updated.IsZero() {
			c.Updated = c.Created
		}
		if c.State == "" {
			c.State = "opened"
		}
		if c.Type == "" {
			c.Type = "issue"
		}
		s.issues[c.IID] = &c
	}
}

// Edit changes an issue and sets its updated_at to now.
func (s *Server) Edit(iid int, edit func(*Issue)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issues[iid]
	edit(is)
	is.Updated = s.now()
}

// AddNote comments on an issue now.
func (s *Server) AddNote(iid int, author User, body string) {
	s.Edit(iid, func(is *Issue) { is.Notes = append(is.Notes, Note{Author: author, At: s.now(), Body: body}) })
}

// CloseIssue closes an issue now; ReopenIssue reopens it. Both leave a system note, as GitLab does.
func (s *Server) CloseIssue(iid int, user User) {
	s.Edit(iid, func(is *Issue) {
		is.State, is.Closed = "closed", s.now()
		is.States = append(is.States, StateEvent{User: user, At: s.now(), State: "closed"})
		is.Notes = append(is.Notes, Note{Author: user, At: s.now(), Body: "closed", System: true})
	})
}

// ReopenIssue reopens an issue now.
func (s *Server) ReopenIssue(iid int, user User) {
	s.Edit(iid, func(is *Issue) {
		is.State, is.Closed = "opened", time.Time{}
		is.States = append(is.States, StateEvent{User: user, At: s.now(), State: "reopened"})
		is.Notes = append(is.Notes, Note{Author: user, At: s.now(), Body: "reopened", System: true})
	})
}

// Delete removes an issue (deleted, or moved to another project).
func (s *Server) Delete(iid int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.issues, iid)
}

// Issues returns a copy of the issues, by iid.
func (s *Server) Issues() map[int]Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]Issue, len(s.issues))
	for n, is := range s.issues {
		out[n] = *is
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	endpoint, iid := s.route(r)
	fault := s.Hit(endpoint)
	s.mu.Unlock()
	if fault != nil && !apitest.Hold(r, fault.Delay) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Date", s.now().UTC().Format(http.TimeFormat))
	tok := r.Header.Get("Private-Token")
	if kind, bearer, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(kind, "bearer") {
		tok = bearer
	}
	if !s.tokens[tok] {
		writeError(w, http.StatusUnauthorized, "401 Unauthorized")
		return
	}
	s.rateHeaders(h)
	if fault != nil && fault.Status != 0 {
		if fault.RetryAfter != "" {
			h.Set("Retry-After", fault.RetryAfter)
		}
		writeError(w, fault.Status, strconv.Itoa(fault.Status)+" "+http.StatusText(fault.Status))
		return
	}
	if s.remaining <= 0 {
		h.Set("Retry-After", strconv.Itoa(int(s.reset.Sub(s.now()).Seconds())))
		writeError(w, http.StatusTooManyRequests, "Retry later")
		return
	}
	var body any
	switch endpoint {
	case "list":
		body = s.list(w, r)
	case "state_events", "label_events", "notes":
		is := s.issues[iid]
		if is == nil {
			writeError(w, http.StatusNotFound, "404 Issue Not Found")
			return
		}
		body = s.sub(w, r, endpoint, is)
	default:
		writeError(w, http.StatusNotFound, "404 Not Found")
		return
	}
	out, _ := json.Marshal(body)
	switch {
	case fault != nil && fault.Truncate:
		out = out[:len(out)/2]
	case fault != nil && fault.BadJSON:
		out = []byte(`{"message": "500 Internal Server Error"`)
	}
	_, _ = w.Write(out)
}

// Scope is the requests the fault hits (apitest.Scoped).
func (f Fault) Scope() (endpoint string, after, times int) { return f.Endpoint, f.After, f.Times }

// rateHeaders counts the request in a one-minute window and sets the RateLimit-* headers.
func (s *Server) rateHeaders(h http.Header) {
	now := s.now()
	if !now.Before(s.reset) {
		s.remaining, s.reset = s.limit, now.Add(time.Minute).Truncate(time.Second)
	}
	if s.remaining > 0 {
		s.remaining--
	}
	h.Set("RateLimit-Limit", strconv.Itoa(s.limit))
	h.Set("RateLimit-Observed", strconv.Itoa(s.limit-s.remaining))
	h.Set("RateLimit-Remaining", strconv.Itoa(s.remaining))
	h.Set("RateLimit-Reset", strconv.FormatInt(s.reset.Unix(), 10))
	h.Set("RateLimit-ResetTime", s.reset.UTC().Format(http.TimeFormat))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// route names the endpoint of a request. The project is addressed by its URL-encoded path.
func (s *Server) route(r *http.Request) (string, int) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/v4/projects/"+url.PathEscape(s.project)+"/issues")
	if !ok {
		return "other", 0
	}
	if rest == "" {
		return "list", 0
	}
	num, tail, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	n, err := strconv.Atoi(num)
	if err != nil {
		return "other", 0
	}
	switch tail {
	case "resource_state_events", "resource_label_events":
		return strings.TrimPrefix(tail, "resource_"), n
	case "notes":
		return "notes", n
	}
	return "other", 0
}

// paginate cuts items by page and per_page and sets the pagination headers (leaving out the
// totals past 10,000 results, as GitLab does).
func paginate[T any](w http.ResponseWriter, r *http.Request, base string, items []T) []T {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 20
	}
	per = min(per, 100)
	p, err := strconv.Atoi(q.Get("page"))
	if err != nil || p < 1 {
		p = 1
	}
	last := max((len(items)+per-1)/per, 1)
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(p))
	h.Set("X-Per-Page", strconv.Itoa(per))
	at := func(n int) string {
		q.Set("page", strconv.Itoa(n))
		return "<" + base + r.URL.EscapedPath() + "?" + q.Encode() + ">"
	}
	var links []string
	h.Set("X-Prev-Page", "")
	h.Set("X-Next-Page", "")
	if p > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(p-1))
		links = append(links, at(p-1)+`; rel="prev"`)
	}
	if p < last {
		h.Set("X-Next-Page", strconv.Itoa(p+1))
		links = append(links, at(p+1)+`; rel="next"`)
	}
	links = append(links, at(1)+`; rel="first"`)
	if len(items) <= 10_000 {
		h.Set("X-Total", strconv.Itoa(len(items)))
		h.Set("X-Total-Pages", strconv.Itoa(last))
		links = append(links, at(last)+`; rel="last"`)
	}
	h.Set("Link", strings.Join(links, ", "))
	from := min((p-1)*per, len(items))
	return items[from:min(from+per, len(items))]
}

// list serves the project's issues.
func (s *Server) list(w http.ResponseWriter, r *http.Request) []map[string]any {
	q := r.URL.Query()
	var after time.Time
	if v := q.Get("updated_after"); v != "" {
		after, _ = time.Parse(time.RFC3339, v)
	}
	var want []string
	if v := q.Get("labels"); v != "" {
		want = strings.Split(v, ",")
	}
	var sel []*Issue
	for _, is := range s.issues {
		switch {
		case q.Get("state") != "" && q.Get("state") != "all" && is.State != q.Get("state"):
		case q.Get("issue_type") != "" && is.Type != q.Get("issue_type"):
		case !after.IsZero() && is.Updated.Before(after):
		case !hasAll(is.Labels, want):
		default:
			sel = append(sel, is)
		}
	}
	desc := q.Get("sort") != "asc"
	slices.SortFunc(sel, func(a, b *Issue) int {
		c := a.Created.Compare(b.Created)
		if q.Get("order_by") == "updated_at" {
			c = a.Updated.Compare(b.Updated)
		}
		if c == 0 {
			c = a.IID - b.IID
		}
		if desc {
			return -c
		}
		return c
	})
	page := paginate(w, r, s.URL, sel)
	out := make([]map[string]any, 0, len(page))
	for _, is := range page {
		out = append(out, s.issueJSON(is))
	}
	return out
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func userJSON(u User) map[string]any {
	return map[string]any{"id": len(u.Username), "username": u.Username, "name": u.Username, "state": "active", "bot": u.Bot,
		"web_url": "https://gitlab.example.com/" + u.Username}
}

// issueJSON is an issue as list-project-issues shows it.
func (s *Server) issueJSON(is *Issue) map[string]any {
	assignees := make([]any, 0, len(is.Assignees))
	for _, a := range is.Assignees {
		assignees = append(assignees, userJSON(User{Username: a}))
	}
	var milestone any
	if is.Milestone != "" {
		milestone = map[string]any{"id": 1, "title": is.Milestone, "state": "active"}
	}
	userNotes := 0
	for _, n := range is.Notes {
		if !n.System {
			userNotes++
		}
	}
	severity := is.Severity
	if severity == "" {
		severity = "UNKNOWN"
	}
	return map[string]any{
		"id": 100000 + is.IID, "iid": is.IID, "project_id": 42, "title": is.Title, "description": "",
		"state": is.State, "created_at": stamp(is.Created), "updated_at": stamp(is.Updated), "closed_at": stamp(is.Closed),
		"labels": append([]string{}, is.Labels...), "milestone": milestone, "assignees": assignees, "author": userJSON(is.Author),
		"type": strings.ToUpper(is.Type), "issue_type": is.Type, "severity": severity, "user_notes_count": userNotes,
		"confidential": false, "web_url": "https://gitlab.example.com/" + s.project + "/-/issues/" + strconv.Itoa(is.IID),
		"time_stats": timeStatsJSON(is.TimeSpent),
	}
}

// timeStatsJSON is an issue's time_stats as the issues API shows it: estimate and time spent in
// seconds, and their human forms (null when none).
func timeStatsJSON(spent time.Duration) map[string]any {
	var human any
	if spent > 0 {
		human = strings.TrimSuffix(strings.TrimSuffix(spent.Truncate(time.Minute).String(), "0s"), "0m")
	}
	return map[string]any{"time_estimate": 0, "total_time_spent": int64(spent / time.Second),
		"human_time_estimate": nil, "human_total_time_spent": human}
}

// sub serves an issue's state events, label events or notes, paged.
func (s *Server) sub(w http.ResponseWriter, r *http.Request, endpoint string, is *Issue) []map[string]any {
	var all []map[string]any
	switch endpoint {
	case "state_events":
		for i, e := range is.States {
			all = append(all, map[string]any{"id": 100 + i, "user": userJSON(e.User), "created_at": stamp(e.At),
				"resource_type": "Issue", "resource_id": 100000 + is.IID, "state": e.State})
		}
	case "label_events":
		for i, e := range is.LabelLog {
			all = append(all, map[string]any{"id": 200 + i, "user": userJSON(e.User), "created_at": stamp(e.At),
				"resource_type": "Issue", "resource_id": 100000 + is.IID, "action": e.Action,
				"label": map[string]any{"id": len(e.Label), "name": e.Label, "color": "#ededed"}})
		}
	case "notes":
		notes := slices.Clone(is.Notes)
		slices.SortStableFunc(notes, func(a, b Note) int { return a.At.Compare(b.At) })
		if r.URL.Query().Get("sort") == "desc" || r.URL.Query().Get("sort") == "" {
			slices.Reverse(notes) // GitLab's default order is newest first
		}
		for i, n := range notes {
			all = append(all, map[string]any{"id": 300 + i, "body": n.Body, "author": userJSON(n.Author), "created_at": stamp(n.At),
				"updated_at": stamp(n.At), "system": n.System, "internal": n.Internal, "confidential": n.Internal,
				"noteable_type": "Issue", "noteable_iid": is.IID})
		}
	}
	return paginate(w, r, s.URL, all)
}
