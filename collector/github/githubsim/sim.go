// Package githubsim is a GitHub REST API simulator for tests, written from GitHub's documentation
// (the github/docs repository, content/rest/...; the endpoints' shapes as the OpenAPI description
// github/rest-api-description gives them). It serves one repository's issues over httptest with
// the documented response shapes, Link pagination, X-RateLimit-* headers, ETags with conditional
// requests, token authentication, and faults a test injects. It is kept apart from the client
// (collector/github) so that the client is tested against what GitHub documents, not against
// itself.
//
// Documents followed:
//   - List repository issues, GET /repos/{owner}/{repo}/issues (state, labels, sort, direction,
//     since, per_page, page; pull requests are issues with a pull_request key):
//     https://docs.github.com/rest/issues/issues#list-repository-issues
//   - List timeline events for an issue, GET /repos/{owner}/{repo}/issues/{issue_number}/timeline,
//     and the event shapes (closed, reopened, labeled, unlabeled, commented):
//     https://docs.github.com/rest/issues/timeline,
//     content/rest/using-the-rest-api/issue-event-types.md
//   - Pagination by the Link header (rel prev, next, last, first; per_page kept in the links):
//     content/rest/using-the-rest-api/using-pagination-in-the-rest-api.md
//   - Rate limits (x-ratelimit-limit, -remaining, -used, -reset in UTC epoch seconds, -resource;
//     403 or 429 with x-ratelimit-remaining 0 once exhausted; secondary limits with retry-after):
//     content/rest/using-the-rest-api/rate-limits-for-the-rest-api.md
//   - Conditional requests (etag and if-none-match; a 304 does not count against the primary
//     limit): content/rest/using-the-rest-api/best-practices-for-using-the-rest-api.md
//   - Errors ({"message": ..., "documentation_url": ...}; 401 "Bad credentials"):
//     content/rest/using-the-rest-api/troubleshooting-the-rest-api.md
//   - GitHub Enterprise Server serves the same API under /api/v3.
package githubsim

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// User is an account.
type User struct {
	Login string
	// Bot makes the account's type "Bot" rather than "User".
	Bot bool
}

// Comment is an issue comment.
type Comment struct {
	User User
	// Association is the author_association: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE ...
	Association string
	At          time.Time
	Body        string
}

// Event is a timeline event other than a comment: closed (with a state_reason), reopened,
// labeled, unlabeled.
type Event struct {
	Kind        string
	Actor       User
	At          time.Time
	Label       string
	StateReason string
}

// Issue is one issue (or pull request) of the repository.
type Issue struct {
	Number      int
	Title       string
	Author      User
	Labels      []string
	Assignees   []string
	Milestone   string
	State       string // open or closed
	StateReason string // completed, not_planned, duplicate, reopened or ""
	Created     time.Time
	Updated     time.Time
	Closed      time.Time
	PullRequest bool
	Comments    []Comment
	Events      []Event
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// Endpoint is the requests it applies to: "list" (the issues listing), "timeline", or ""
	// for any.
	Endpoint string
	// After lets this many matching requests through first; Times is how many it then hits
	// (0: every one until Clear).
	After, Times int
	// Status answers with this status and a GitHub error body; with RetryAfter set, a
	// Retry-After header too.
	Status     int
	RetryAfter string
	// Truncate sends the right answer's JSON cut in half; BadJSON sends a body that is not JSON.
	Truncate, BadJSON bool
	// Delay holds the answer this long (or until the client gives up).
	Delay time.Duration
	// Revoke revokes every token when it hits: this request and the next are refused with a
	// 401, until Grant (a token revoked mid-sync).
	Revoke bool
}

// Server is a simulated GitHub API for one repository. Its Requests count the requests per
// endpoint: "list", "timeline", "other".
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]
	owner, repo, prefix string

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
	// Prefix is the API's path prefix: "" for api.github.com, "/api/v3" for GitHub Enterprise
	// Server.
	Prefix string
	// Token is the token accepted as "Authorization: Bearer <token>" or "token <token>".
	Token string
	// RateLimit is x-ratelimit-limit (default 5000 per hour).
	RateLimit int
	// Now is the clock of updated_at and of the rate-limit window (default time.Now).
	Now func() time.Time
}

// New starts a simulator serving owner/repo.
func New(owner, repo string, o Options) *Server {
	s := &Server{owner: owner, repo: repo, prefix: strings.TrimSuffix(o.Prefix, "/"), now: o.Now,
		issues: map[int]*Issue{}, tokens: map[string]bool{o.Token: true}, limit: o.RateLimit}
	if s.now == nil {
		s.now = time.Now
	}
	if s.limit == 0 {
		s.limit = 5000
	}
	s.remaining = s.limit
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the base URL a client is configured with.
func (s *Server) APIURL() string { return s.URL + s.prefix }

// Add adds issues (or pull requests) as they are.
func (s *Server) Add(issues ...Issue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, is := range issues {
		c := is
		if c.Updated.IsZero() {
			c.Updated = c.Created
		}
		if c.State == "" {
			c.State = "open"
		}
		s.issues[c.Number] = &c
	}
}

// Edit changes an issue and sets its updated_at to now, as any change on GitHub does.
func (s *Server) Edit(number int, edit func(*Issue)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issues[number]
	edit(is)
	is.Updated = s.now()
}

// CloseIssue closes an issue now, as actor, for reason (completed, not_planned, duplicate).
func (s *Server) CloseIssue(number int, actor User, reason string) {
	s.Edit(number, func(is *Issue) {
		is.State, is.StateReason, is.Closed = "closed", reason, s.now()
		is.Events = append(is.Events, Event{Kind: "closed", Actor: actor, At: s.now(), StateReason: reason})
	})
}

// ReopenIssue reopens an issue now, as actor.
func (s *Server) ReopenIssue(number int, actor User) {
	s.Edit(number, func(is *Issue) {
		is.State, is.StateReason, is.Closed = "open", "reopened", time.Time{}
		is.Events = append(is.Events, Event{Kind: "reopened", Actor: actor, At: s.now()})
	})
}

// AddComment comments on an issue now.
func (s *Server) AddComment(number int, user User, association, body string) {
	s.Edit(number, func(is *Issue) {
		is.Comments = append(is.Comments, Comment{User: user, Association: association, At: s.now(), Body: body})
	})
}

// Label adds (or, with remove, removes) a label now, as actor.
func (s *Server) Label(number int, actor User, label string, remove bool) {
	s.Edit(number, func(is *Issue) {
		kind := "labeled"
		if remove {
			kind = "unlabeled"
			is.Labels = slices.DeleteFunc(is.Labels, func(l string) bool { return l == label })
		} else if !slices.Contains(is.Labels, label) {
			is.Labels = append(is.Labels, label)
			slices.Sort(is.Labels)
		}
		is.Events = append(is.Events, Event{Kind: kind, Actor: actor, At: s.now(), Label: label})
	})
}

// Delete removes an issue (deleted, or transferred to another repository).
func (s *Server) Delete(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.issues, number)
}

// Revoke stops accepting a token.
func (s *Server) Revoke(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
}

// Grant accepts a token (again).
func (s *Server) Grant(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
}

// Issues returns a copy of the issues, by number.
func (s *Server) Issues() map[int]Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]Issue, len(s.issues))
	for n, is := range s.issues {
		out[n] = *is
	}
	return out
}

// SetRemaining sets the requests left in the rate-limit window and its reset.
func (s *Server) SetRemaining(n int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remaining, s.reset = n, reset
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	endpoint, number := s.route(r.URL.Path)
	fault := s.Hit(endpoint)
	s.mu.Unlock()
	if fault != nil && !apitest.Hold(r, fault.Delay) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fault != nil && fault.Revoke {
		s.tokens = map[string]bool{}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	// The simulator's clock, not the host's: a reset or a Retry-After date is read against it.
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	if !s.authorized(r) {
		// troubleshooting-the-rest-api.md: a bad token is a 401 "Bad credentials".
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	if fault != nil && fault.Status != 0 {
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		msg := http.StatusText(fault.Status)
		if fault.Status == http.StatusTooManyRequests || fault.Status == http.StatusForbidden && fault.RetryAfter != "" {
			msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
		}
		s.rateHeaders(w, false)
		writeError(w, fault.Status, msg)
		return
	}
	var (
		body any
		link string
	)
	switch endpoint {
	case "list":
		list, l, bad := s.list(r)
		if bad != "" {
			writeError(w, http.StatusUnprocessableEntity, bad)
			return
		}
		body, link = list, l
	case "timeline":
		is := s.issues[number]
		if is == nil {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		tl, l := s.timeline(r, is)
		body, link = tl, l
	default:
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	out, err := json.Marshal(body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	etag := `W/"` + hexSum(out) + `"`
	w.Header().Set("ETag", etag)
	if link != "" {
		w.Header().Set("Link", link)
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
		s.rateHeaders(w, false) // a 304 does not count against the primary limit
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if s.remaining <= 0 && s.now().Before(s.reset) {
		s.rateHeaders(w, false)
		writeError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
		return
	}
	s.rateHeaders(w, true)
	switch {
	case fault != nil && fault.Truncate:
		out = out[:len(out)/2]
	case fault != nil && fault.BadJSON:
		out = []byte(`[{"number": 1, "title": "x",, "state": "open"}]`)
	}
	_, _ = w.Write(out)
}

// fault returns the fault hitting this request, if any. Callers hold mu.
// Scope is the requests the fault hits (apitest.Scoped).
func (f Fault) Scope() (endpoint string, after, times int) { return f.Endpoint, f.After, f.Times }

func (s *Server) authorized(r *http.Request) bool {
	kind, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return (strings.EqualFold(kind, "bearer") || strings.EqualFold(kind, "token")) && s.tokens[tok]
}

// rateHeaders sets the x-ratelimit-* headers, counting this request when it counts. Callers
// hold mu.
func (s *Server) rateHeaders(w http.ResponseWriter, count bool) {
	now := s.now()
	if !now.Before(s.reset) {
		s.remaining, s.reset = s.limit, now.Add(time.Hour).Truncate(time.Second)
	}
	if count && s.remaining > 0 {
		s.remaining--
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(s.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(s.limit-s.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(code)})
}

func hexSum(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// route names the endpoint of a path. Callers hold mu.
func (s *Server) route(path string) (string, int) {
	rest, ok := strings.CutPrefix(path, s.prefix+"/repos/"+s.owner+"/"+s.repo+"/issues")
	if !ok {
		return "other", 0
	}
	if rest == "" {
		return "list", 0
	}
	num, tail, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	n, err := strconv.Atoi(num)
	if err != nil || tail != "timeline" {
		return "other", 0
	}
	return "timeline", n
}

// list serves the issues listing. Callers hold mu.
func (s *Server) list(r *http.Request) ([]map[string]any, string, string) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open" // the documented default
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, "", fmt.Sprintf("Invalid value for parameter 'since': %q", v)
		}
		since = t
	}
	var want []string
	if v := q.Get("labels"); v != "" {
		want = strings.Split(v, ",")
	}
	var sel []*Issue
	for _, is := range s.issues {
		switch {
		case state != "all" && is.State != state:
		case !since.IsZero() && is.Updated.Before(since):
		case !hasAll(is.Labels, want):
		default:
			sel = append(sel, is)
		}
	}
	sortKey := q.Get("sort")
	desc := q.Get("direction") != "asc"
	slices.SortFunc(sel, func(a, b *Issue) int {
		var c int
		switch sortKey {
		case "updated":
			c = a.Updated.Compare(b.Updated)
		default: // created, the documented default
			c = a.Created.Compare(b.Created)
		}
		if c == 0 {
			c = a.Number - b.Number
		}
		if desc {
			return -c
		}
		return c
	})
	items, p, _, last := page(q, sel)
	out := make([]map[string]any, 0, len(items))
	for _, is := range items {
		out = append(out, s.issueJSON(is))
	}
	return out, s.links(r, p, last), ""
}
