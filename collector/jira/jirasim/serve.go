package jirasim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// tokenLife is how long a nextPageToken is good for: "This token will expire in 7 days".
const tokenLife = 7 * 24 * time.Hour

// removed is the answer of the search endpoints Jira Cloud removed (CHANGE-2046).
const removed = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"

func (s *Server) endpoint(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/search/jql"), strings.HasSuffix(p, "/search"):
		return "search"
	case strings.HasSuffix(p, "/changelog/bulkfetch"):
		return "bulkfetch"
	case strings.Contains(p, "/issue/"):
		return "issue"
	case strings.HasSuffix(p, "/myself"):
		return "myself"
	case strings.HasSuffix(p, "/status"):
		return "status"
	}
	return "other"
}

func jiraError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
	_, _ = w.Write(b)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.o.DataCenter {
		return r.Header.Get("Authorization") == "Bearer "+s.o.Token
	}
	u, p, ok := r.BasicAuth()
	return ok && u == s.o.Email && p == s.o.Token
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ep := s.endpoint(r)
	f := s.Hit(ep)
	s.mu.Lock()
	s.log = append(s.log, r.Method+" "+r.URL.Path)
	if f != nil && f.Revoke {
		s.revoked = true
	}
	revoked := s.revoked
	s.mu.Unlock()
	if f != nil && !apitest.Hold(r, f.Delay) {
		return
	}
	if revoked || !s.authorized(r) {
		jiraError(w, http.StatusUnauthorized, "Client must be authenticated to access this resource.")
		return
	}
	if !s.rateLimit(w) {
		return
	}
	if f != nil && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
			w.Header().Set("RateLimit-Reason", "jira-burst-based")
		}
		jiraError(w, f.Status, http.StatusText(f.Status))
		return
	}
	code, body := s.route(r, ep)
	if f != nil && f.Truncate {
		body = body[:len(body)/2]
	}
	if f != nil && f.BadJSON {
		body = []byte(`{"issues": [{"id": "1",,}]}`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// rateLimit counts a request against the window, setting the headers; false when refused.
func (s *Server) rateLimit(w http.ResponseWriter) bool {
	if s.o.RateLimit <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if win := now.Truncate(s.o.RateWindow); !win.Equal(s.window) {
		s.window, s.used = win, 0
	}
	reset := s.window.Add(s.o.RateWindow)
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.o.RateLimit))
	if s.used >= s.o.RateLimit {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", reset.UTC().Format("2006-01-02T15:04Z"))
		w.Header().Set("Retry-After", strconv.Itoa(int(reset.Sub(now).Seconds()+0.999)))
		w.Header().Set("RateLimit-Reason", "jira-burst-based")
		jiraError(w, http.StatusTooManyRequests, "Rate limit exceeded.")
		return false
	}
	s.used++
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(s.o.RateLimit-s.used))
	return true
}

func (s *Server) route(r *http.Request, ep string) (int, []byte) {
	p := r.URL.Path
	v := "3"
	if s.o.DataCenter {
		v = "2"
	}
	switch {
	case !s.o.DataCenter && (p == "/rest/api/3/search" || p == "/rest/api/2/search"):
		return s.errorBody(http.StatusGone, removed)
	case p == "/rest/api/3/search/jql" && !s.o.DataCenter && r.Method == http.MethodPost:
		var req struct {
			JQL           string   `json:"jql"`
			Fields        []string `json:"fields"`
			Expand        string   `json:"expand"`
			MaxResults    *int     `json:"maxResults"`
			NextPageToken string   `json:"nextPageToken"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			return s.errorBody(http.StatusBadRequest, "Invalid request payload. Refer to the REST API documentation and try again.")
		}
		max := 50
		if req.MaxResults != nil {
			max = *req.MaxResults
		}
		return s.search(req.JQL, req.Fields, strings.Contains(req.Expand, "changelog"), max, req.NextPageToken, "")
	case p == "/rest/api/2/search" && s.o.DataCenter && r.Method == http.MethodGet:
		q := r.URL.Query()
		max := 50
		if m := q.Get("maxResults"); m != "" {
			max, _ = strconv.Atoi(m)
		}
		var fields []string
		if f := q.Get("fields"); f != "" {
			fields = strings.Split(f, ",")
		}
		return s.search(q.Get("jql"), fields, strings.Contains(q.Get("expand"), "changelog"), max, "", cmpOr(q.Get("startAt"), "0"))
	case p == "/rest/api/3/changelog/bulkfetch" && !s.o.DataCenter && r.Method == http.MethodPost:
		return s.bulkfetch(r)
	case strings.HasPrefix(p, "/rest/api/2/issue/") && s.o.DataCenter:
		return s.issue(strings.TrimPrefix(p, "/rest/api/2/issue/"), r)
	case p == "/rest/api/"+v+"/myself":
		return 200, mustJSON(map[string]any{"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "SLA exporter",
			"emailAddress": s.o.Email, "timeZone": s.loc.String(), "locale": "en_US", "active": true})
	case p == "/rest/api/"+v+"/status":
		var list []any
		for _, st := range s.o.Statuses {
			list = append(list, statusJSON(st))
		}
		return 200, mustJSON(list)
	}
	return s.errorBody(http.StatusNotFound, "null for uri: "+p)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) errorBody(code int, msg string) (int, []byte) {
	return code, mustJSON(map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// query is the JQL subset the simulator reads.
type query struct {
	projects []string
	since    time.Time
	afterID  int64
	byID     bool
}

var (
	jqlPattern   = regexp.MustCompile(`^\((.*)\)(?: AND updated >= '([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2})')?(?: AND id > ([0-9]+))? ORDER BY (updated ASC, id ASC|id ASC)$`)
	scopePattern = regexp.MustCompile(`^project (?:= ([A-Z][A-Z0-9]*)|in \(([A-Z0-9, ]+)\))$`)
)

// parseJQL reads a JQL, or says what Jira would of one it cannot read; a date is read in the profile's zone, a wall time shown twice as the
// later instant (the reading that would skip the most, to hold the client to its care).
func (s *Server) parseJQL(jql string) (query, string) {
	m := jqlPattern.FindStringSubmatch(jql)
	if m == nil {
		return query{}, fmt.Sprintf("Error in the JQL Query: the simulator reads only its subset: %q", jql)
	}
	sc := scopePattern.FindStringSubmatch(strings.TrimSpace(m[1]))
	if sc == nil {
		return query{}, fmt.Sprintf("Error in the JQL Query: the scope %q is not project = KEY or project in (...)", m[1])
	}
	var q query
	if sc[1] != "" {
		q.projects = []string{sc[1]}
	} else {
		for _, p := range strings.Split(sc[2], ",") {
			q.projects = append(q.projects, strings.TrimSpace(p))
		}
	}
	if m[2] != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", m[2], s.loc)
		if err != nil {
			return query{}, fmt.Sprintf("Date value '%s' for field 'updated' is invalid.", m[2])
		}
		if t.Add(time.Hour).In(s.loc).Format("2006-01-02 15:04") == m[2] {
			t = t.Add(time.Hour)
		}
		q.since = t
	}
	if m[3] != "" {
		q.afterID, _ = strconv.ParseInt(m[3], 10, 64)
	}
	q.byID = m[4] == "id ASC"
	return q, ""
}

// token is a nextPageToken: the offset into a search, the search's text, and when it was given.
func (s *Server) token(jql string, offset int) string {
	raw := fmt.Sprintf("%d|%d|%s", offset, s.now().Unix(), jql)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func (s *Server) readToken(tok, jql string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 || parts[2] != jql {
		return 0, false
	}
	off, err1 := strconv.Atoi(parts[0])
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || s.now().Sub(time.Unix(at, 0)) > tokenLife {
		return 0, false
	}
	return off, true
}

// search answers a search: Cloud's with a token (startAt empty), Data Center's with startAt.
func (s *Server) search(jql string, fields []string, changelog bool, max int, tok, startAt string) (int, []byte) {
	s.mu.Lock()
	q, msg := s.parseJQL(jql)
	if msg != "" {
		s.mu.Unlock()
		return s.errorBody(http.StatusBadRequest, msg)
	}
	max = min(max, s.o.PageMax)
	if max <= 0 {
		max = min(50, s.o.PageMax)
	}
	var found []*Issue
	for _, is := range s.issues {
		if !slices.Contains(q.projects, is.Project) || (!q.since.IsZero() && is.Updated.Before(q.since)) || is.ID <= q.afterID {
			continue
		}
		found = append(found, is)
	}
	slices.SortFunc(found, func(a, b *Issue) int {
		if !q.byID {
			if c := a.Updated.Compare(b.Updated); c != 0 {
				return c
			}
		}
		return int(a.ID - b.ID)
	})
	offset := 0
	switch {
	case tok != "":
		var ok bool
		if offset, ok = s.readToken(tok, jql); !ok {
			s.mu.Unlock()
			return s.errorBody(http.StatusBadRequest, "The provided next page token is invalid or expired.")
		}
	case startAt != "":
		offset, _ = strconv.Atoi(startAt)
	}
	end := min(offset+max, len(found))
	var issues []any
	for _, is := range found[min(offset, len(found)):end] {
		issues = append(issues, s.render(is, fields, changelog, s.o.ChangelogMax))
	}
	if issues == nil {
		issues = []any{}
	}
	var out map[string]any
	if s.o.DataCenter {
		out = map[string]any{"expand": "schema,names", "startAt": offset, "maxResults": max, "total": len(found), "issues": issues}
	} else {
		out = map[string]any{"issues": issues, "isLast": end >= len(found)}
		if end < len(found) {
			out["nextPageToken"] = s.token(jql, end)
		}
	}
	s.pages++
	page, after := s.pages, s.afterPage
	s.mu.Unlock()
	body := mustJSON(out)
	if after != nil {
		after(page)
	}
	return 200, body
}

// issue answers Data Center's GET /rest/api/2/issue/{key}.
func (s *Server) issue(key string, r *http.Request) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[key]
	if !ok {
		return s.errorBody(http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
	}
	q := r.URL.Query()
	var fields []string
	if f := q.Get("fields"); f != "" {
		fields = strings.Split(f, ",")
	}
	return 200, mustJSON(s.render(is, fields, strings.Contains(q.Get("expand"), "changelog"), 0))
}

// bulkfetch answers POST /rest/api/3/changelog/bulkfetch: the histories of the issues asked, a
// page of maxResults histories at a time.
func (s *Server) bulkfetch(r *http.Request) (int, []byte) {
	var req struct {
		IssueIDsOrKeys []string `json:"issueIdsOrKeys"`
		FieldIDs       []string `json:"fieldIds"`
		MaxResults     int      `json:"maxResults"`
		NextPageToken  string   `json:"nextPageToken"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.IssueIDsOrKeys) == 0 || len(req.IssueIDsOrKeys) > 1000 {
		return s.errorBody(http.StatusBadRequest, "issueIdsOrKeys must hold 1 to 1000 issues.")
	}
	if req.MaxResults <= 0 || req.MaxResults > 1000 {
		req.MaxResults = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type one struct {
		issue string
		h     map[string]any
	}
	var all []one
	for _, k := range req.IssueIDsOrKeys {
		for _, is := range s.issues {
			if k != is.Key && k != strconv.FormatInt(is.ID, 10) {
				continue
			}
			for _, h := range s.histories(is) {
				if hh := filterItems(h, req.FieldIDs); hh != nil {
					all = append(all, one{strconv.FormatInt(is.ID, 10), hh})
				}
			}
		}
	}
	offset := 0
	if req.NextPageToken != "" {
		n, err := strconv.Atoi(req.NextPageToken)
		if err != nil {
			return s.errorBody(http.StatusBadRequest, "The provided next page token is invalid or expired.")
		}
		offset = n
	}
	end := min(offset+req.MaxResults, len(all))
	var logs []map[string]any
	for _, o := range all[min(offset, len(all)):end] {
		if n := len(logs); n > 0 && logs[n-1]["issueId"] == o.issue {
			logs[n-1]["changeHistories"] = append(logs[n-1]["changeHistories"].([]map[string]any), o.h)
			continue
		}
		logs = append(logs, map[string]any{"issueId": o.issue, "changeHistories": []map[string]any{o.h}})
	}
	out := map[string]any{"issueChangeLogs": logs}
	if logs == nil {
		out["issueChangeLogs"] = []any{}
	}
	if end < len(all) {
		out["nextPageToken"] = strconv.Itoa(end)
	}
	return 200, mustJSON(out)
}

// filterItems keeps a history's items of the fields asked (all when none); nil when none is left.
func filterItems(h map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return h
	}
	var items []map[string]any
	for _, it := range h["items"].([]map[string]any) {
		if slices.Contains(fields, it["fieldId"].(string)) {
			items = append(items, it)
		}
	}
	if items == nil {
		return nil
	}
	out := map[string]any{}
	for k, v := range h {
		out[k] = v
	}
	out["items"] = items
	return out
}
