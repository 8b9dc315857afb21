package redmine

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRedmine answers the three endpoints the source uses as Redmine 5.0 does, from issues held
// in memory: for paging, watermarks and faults, which a recording cannot replay. It keeps
// Redmine's quirks: updated_on shown to the second but stored finer, ">=T" meaning "after T-1s"
// (Query#date_clause), 404 for an unknown project.
type fakeRedmine struct {
	t *testing.T

	mu       sync.Mutex
	issues   map[int]*fakeIssue
	statuses []status
	// date is the Date header of every answer; none when zero.
	date time.Time
	// before, when set, runs before each request is answered, and answers it instead when it
	// returns true.
	before func(w http.ResponseWriter, r *http.Request) bool
	// lists and fetches count list pages and issue fetches; requests lists every request line.
	lists, fetches int
	fetchesOf      map[int]int
	requests       []string
}

// fakeIssue is an issue of the fake: a New Normal Support issue by carol unless doc says more.
type fakeIssue struct {
	id      int
	project string // its identifier: support unless set
	created time.Time
	updated time.Time // to the nanosecond; shown to the second
	// doc replaces keys of the issue's JSON (status, journals ...).
	doc map[string]any
}

func newFake(t *testing.T) (*fakeRedmine, *httptest.Server) {
	f := &fakeRedmine{t: t, issues: map[int]*fakeIssue{}, fetchesOf: map[int]int{}, statuses: []status{
		{1, "New", false}, {2, "In Progress", false}, {3, "Resolved", false},
		{4, "Feedback", false}, {5, "Closed", true}, {6, "Rejected", true},
	}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// add adds n issues with ids from first, the ith updated at start + i×step (+ 0.5 s: Redmine
// keeps microseconds).
func (f *fakeRedmine) add(first, n int, start time.Time, step time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range n {
		u := start.Add(time.Duration(i)*step + 500*time.Millisecond)
		f.issues[first+i] = &fakeIssue{id: first + i, created: start.Add(-time.Hour), updated: u}
	}
}

// touch sets an issue's update time (and doc keys).
func (f *fakeRedmine) touch(id int, updated time.Time, doc map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.issues[id]
	is.updated = updated
	if doc != nil {
		is.doc = doc
	}
}

func (is *fakeIssue) json(journals bool) map[string]any {
	m := map[string]any{
		"id":          is.id,
		"project":     map[string]any{"id": 1, "name": cmp.Or(is.project, "support")},
		"tracker":     map[string]any{"id": 3, "name": "Support"},
		"status":      map[string]any{"id": 1, "name": "New", "is_closed": false},
		"priority":    map[string]any{"id": 2, "name": "Normal"},
		"author":      map[string]any{"id": 6, "name": "Carol Customer"},
		"subject":     fmt.Sprintf("issue %d", is.id),
		"description": nil,
		"created_on":  is.created.UTC().Format(time.RFC3339),
		"updated_on":  is.updated.UTC().Truncate(time.Second).Format(time.RFC3339),
		"closed_on":   nil,
	}
	if journals {
		m["journals"] = []any{}
	}
	for k, v := range is.doc {
		if k == "journals" && !journals {
			continue
		}
		m[k] = v
	}
	return m
}

func (f *fakeRedmine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	before := f.before
	f.mu.Unlock()
	if before != nil && before(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.date.IsZero() {
		w.Header()["Date"] = nil
	} else {
		w.Header().Set("Date", f.date.UTC().Format(http.TimeFormat))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	q := r.URL.Query()
	switch {
	case r.URL.Path == "/issue_statuses.json":
		writeJSON(w, map[string]any{"issue_statuses": f.statuses})
	case r.URL.Path == "/issues.json":
		f.lists++
		project := q.Get("project_id")
		if !slices.Contains([]string{"support", "infra", "internal"}, project) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		byID := q.Get("sort") == "id:asc"
		if q.Get("status_id") != "*" || (q.Get("sort") != "updated_on:asc,id:asc" && !byID) {
			f.t.Errorf("list without status_id=* and a sort: %s", r.URL.RawQuery)
		}
		var after time.Time
		if v := q.Get("updated_on"); v != "" {
			ts, ok := strings.CutPrefix(v, ">=")
			t, err := time.Parse("2006-01-02T15:04:05Z", ts)
			if !ok || err != nil {
				w.WriteHeader(http.StatusUnprocessableEntity)
				writeJSON(w, map[string]any{"errors": []string{"Updated is invalid"}})
				return
			}
			after = t.Add(-time.Second)
		}
		var list []*fakeIssue
		for _, is := range f.issues {
			if cmp.Or(is.project, "support") == project && (after.IsZero() || is.updated.After(after)) {
				list = append(list, is)
			}
		}
		slices.SortFunc(list, func(a, b *fakeIssue) int { return cmp.Or(a.updated.Compare(b.updated), cmp.Compare(a.id, b.id)) })
		if byID {
			slices.SortFunc(list, func(a, b *fakeIssue) int { return cmp.Compare(a.id, b.id) })
		}
		offset, _ := strconv.Atoi(q.Get("offset"))
		limit, _ := strconv.Atoi(q.Get("limit"))
		total := len(list)
		list = list[min(offset, len(list)):]
		list = list[:min(limit, len(list))]
		items := make([]any, len(list))
		for i, is := range list {
			items[i] = is.json(false)
		}
		writeJSON(w, map[string]any{"issues": items, "total_count": total, "offset": offset, "limit": limit})
	case strings.HasPrefix(r.URL.Path, "/issues/") && strings.HasSuffix(r.URL.Path, ".json"):
		f.fetches++
		id, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/issues/"), ".json"))
		f.fetchesOf[id]++
		is, ok := f.issues[id]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if q.Get("include") != "journals" {
			f.t.Errorf("issue fetched without include=journals: %s", r.URL.RequestURI())
		}
		writeJSON(w, map[string]any{"issue": is.json(true)})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Write(b)
}

// counts returns the requests, list pages and issue fetches since the last call, and forgets
// them.
func (f *fakeRedmine) counts() (requests, lists, fetches int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	requests, lists, fetches = len(f.requests), f.lists, f.fetches
	f.lists, f.fetches, f.fetchesOf, f.requests = 0, 0, map[int]int{}, nil
	return requests, lists, fetches
}

// fakeConfig is a redmine block for the fake, with a page size.
func fakeConfig(url string, pageSize int, more string) string {
	return fmt.Sprintf("url: %s\nprojects: [support]\npage_size: %d\n%s", url, pageSize, more)
}
