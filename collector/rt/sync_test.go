package rt

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

// TestSyncReplay replays RT's recorded answers (testdata/recorded/sync.json, from TestRealRT
// -record): the same three syncs give the same tickets, with the same requests in the same
// order, and the checkpoints say where each sync resumes.
func TestSyncReplay(t *testing.T) {
	rec := readRecording(t, "sync")
	if len(rec.Syncs) != len(wantSyncs) {
		t.Fatalf("the recording has %d syncs, the scenario %d", len(rec.Syncs), len(wantSyncs))
	}
	rp := newReplayer(t)
	src := newTestSource(t, rp.srv.URL, replayTokenFile(t), nil)
	defer src.Close()
	// The checkpoint after each sync. The first sync's latest LastUpdated is ticket 4's, Mon
	// 03-17 09:10; tickets updated from 09:09 on (the 1-minute overlap) are remembered, so the
	// next search, from 09:09, skips them while unchanged: ticket 4 only. The third sync sees
	// ticket 2 updated Tue 03-18 11:00: ticket 4 (09:10) falls out of the overlap.
	wantCheckpoints := []checkpoint{
		{Since: utc("2025-03-17 09:10"), Seen: map[string]time.Time{"4": utc("2025-03-17 09:10")}},
		{Since: utc("2025-03-17 09:10"), Seen: map[string]time.Time{"4": utc("2025-03-17 09:10")}},
		{Since: utc("2025-03-18 11:00"), Seen: map[string]time.Time{"2": utc("2025-03-18 11:00")}},
	}
	var cp []byte
	for i, w := range wantSyncs {
		rp.expect(rec.Syncs[i])
		before := rp.got
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("sync %q: %v", w.name, err)
		}
		if diff := cmp.Diff(w.tickets, b.Tickets); diff != "" {
			t.Errorf("sync %q: tickets (-want +got):\n%s", w.name, diff)
		}
		if len(b.Rejected) > 0 || b.Replace {
			t.Errorf("sync %q: rejected %v, replace %v", w.name, b.Rejected, b.Replace)
		}
		if n := rp.got - before; n != w.requests {
			t.Errorf("sync %q: %d requests, want %d", w.name, n, w.requests)
		}
		if left := rp.left(); len(left) > 0 {
			t.Errorf("sync %q: %d recorded requests not made, the first %s", w.name, len(left), unescape(left[0].Request))
		}
		var got checkpoint
		if err := json.Unmarshal(b.Checkpoint, &got); err != nil {
			t.Fatal(err)
		}
		want := wantCheckpoints[i]
		want.Config = src.plan.fingerprint
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sync %q: checkpoint (-want +got):\n%s", w.name, diff)
		}
		cp = b.Checkpoint
	}
}

// keyedRT serves the recorded answers by request, in any order and as often as asked; the first
// answer recorded for a request wins.
func keyedRT(t *testing.T) *httptest.Server {
	t.Helper()
	answers := map[string]exchange{}
	for _, sync := range readRecording(t, "sync").Syncs {
		for _, ex := range sync {
			if _, ok := answers[ex.Request]; !ok {
				answers[ex.Request] = ex
			}
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex, ok := answers[requestKey(r)]
		if !ok {
			http.Error(w, `{"message":"not recorded"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ex.Status)
		_, _ = w.Write(ex.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSourceContract holds the source to collector.Source's contract, on the recorded answers.
func TestSourceContract(t *testing.T) {
	srv := keyedRT(t)
	token := replayTokenFile(t)
	sourcetest.RunContract(t, func() collector.Source { return newTestSource(t, srv.URL, token, nil) })
}

// TestSyncStartsOverOnAnotherConfiguration: a checkpoint taken under another query or mapping is
// not resumed (its watermark says nothing of the tickets the new query selects).
func TestSyncStartsOverOnAnotherConfiguration(t *testing.T) {
	srv := keyedRT(t)
	src := newTestSource(t, srv.URL, replayTokenFile(t), nil)
	foreign, err := json.Marshal(checkpoint{Config: "another", Since: utc("2025-03-17 09:10"), Seen: map[string]time.Time{"4": utc("2025-03-17 09:10")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cp := range [][]byte{foreign, []byte("not json"), nil} {
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("checkpoint %q: %v", cp, err)
		}
		if len(b.Tickets) != 4 {
			t.Errorf("checkpoint %q: %d tickets, want the 4 of a full sync", cp, len(b.Tickets))
		}
	}
}

// fakeRT answers every search with page and every history with history, unless a handler for
// the path is given.
func fakeRT(t *testing.T, handlers map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for prefix, h := range handlers {
			if strings.HasPrefix(r.URL.Path, prefix) {
				h(w, r)
				return
			}
		}
		http.Error(w, "unexpected "+r.URL.Path, http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func jsonAnswer(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// oneTicket is a search page with ticket 7, and its history.
const (
	oneTicket = `{"count":1,"page":1,"pages":1,"per_page":2,"total":1,"items":[{"type":"ticket","id":"7","Status":"open","Created":"2025-03-10T10:00:00Z",
"LastUpdated":"2025-03-10T11:00:00Z","Priority":"10","Queue":{"id":"1","Name":"General"},"Requestor":[],"Due":"1970-01-01T00:00:00Z","SLA":""}]}`
	oneHistory = `{"count":1,"page":1,"pages":1,"items":[{"type":"transaction","id":"1","Type":"Create","Created":"2025-03-10T10:00:00Z","Creator":{"id":"alice"}}]}`
)

// TestSyncFaults: a failed request fails the whole sync, with nothing returned, and the error
// names the endpoint (never its query, never a credential) and what to check.
func TestSyncFaults(t *testing.T) {
	const base = "GET http://127.0.0.1:PORT/REST/2.0"
	tests := []struct {
		name     string
		handlers map[string]http.HandlerFunc
		want     string
	}{
		{"token refused", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(401, `{"message":"Unauthorized"}`)},
			base + "/tickets: HTTP 401 Unauthorized: RT refused the credentials: check http_client_config (authorization's credentials_file holds a valid auth token?)"},
		{"forbidden", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(403, `{"message":"Forbidden"}`)},
			base + "/tickets: HTTP 403 Forbidden: the user of http_client_config's credentials may not see this (rights ShowTicket, SeeQueue?)"},
		{"bad TicketSQL", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(400, `{"message":"Wrong query, expecting a VALUE in 'Queue = >>>'"}`)},
			base + `/tickets: HTTP 400 Bad Request: RT says "Wrong query, expecting a VALUE in 'Queue = >>>'"`},
		{"server error without a message", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(500, `oops`)},
			base + "/tickets: HTTP 500 Internal Server Error"},
		{"a login page", map[string]http.HandlerFunc{"/REST/2.0/tickets": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<html>Login</html>"))
		}}, base + "/tickets: the server sent an HTML page, not JSON: a login page? (is url RT's address, with its WebPath?)"},
		{"bad JSON", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, `{"count":1,"items":[`)},
			base + "/tickets: the response is not REST2's JSON: unexpected end of JSON input"},
		{"truncated page", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, `{"count":2,"per_page":2,"items":[{"id":"7","LastUpdated":"2025-03-10T11:00:00Z"}]}`)},
			base + "/tickets: the page says count 2 but holds 1 items (truncated?)"},
		{"an item without LastUpdated", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, `{"count":1,"items":[{"id":"7"}]}`)},
			base + `/tickets: item 1 of a page: ticket 7: LastUpdated "" is not a time: cannot page past it`},
		{"history fails", map[string]http.HandlerFunc{
			"/REST/2.0/tickets": jsonAnswer(200, oneTicket),
			"/REST/2.0/ticket/": jsonAnswer(404, `{"message":"Resource does not exist"}`),
		}, base + `/ticket/7/history: HTTP 404 Not Found: RT says "Resource does not exist"`},
		{"a full page going nowhere", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200,
			`{"count":2,"per_page":2,"items":[{"id":"7","LastUpdated":"2025-03-10T11:00:00Z","Status":"open"},{"id":"7","LastUpdated":"2025-03-10T11:00:00Z"}]}`),
			"/REST/2.0/ticket/": jsonAnswer(200, oneHistory)},
			base + `/tickets: a full page held no ticket after the last one read: RT does not order by LastUpdated and id, or reads the dates in another time zone than timezone "UTC"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeRT(t, tc.handlers)
			src := newTestSource(t, srv.URL, replayTokenFile(t), nil)
			b, err := src.Sync(t.Context(), nil)
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			got := strings.ReplaceAll(err.Error(), strings.TrimPrefix(srv.URL, "http://"), "127.0.0.1:PORT")
			if got != tc.want {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
			if b.Tickets != nil || b.Checkpoint != nil {
				t.Errorf("a failed sync returned %+v", b)
			}
			if strings.Contains(got, replayToken) || strings.Contains(got, "query=") {
				t.Errorf("the error quotes the token or the query: %s", got)
			}
		})
	}
}

// TestSyncTimeout: a page slower than the sync's deadline fails it with the context's error.
func TestSyncTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := fakeRT(t, map[string]http.HandlerFunc{"/REST/2.0/tickets": func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}})
	defer close(release)
	src := newTestSource(t, srv.URL, replayTokenFile(t), nil)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := src.Sync(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Sync = %v, want a deadline error", err)
	}
}

// TestSyncRejects: an item that does not map is rejected with where and why; the rest of the
// page is returned, and paging goes on.
func TestSyncRejects(t *testing.T) {
	page := `{"count":2,"per_page":2,"total":2,"items":[
{"id":"7","LastUpdated":"2025-03-10T11:00:00Z","Status":"triage","Created":"2025-03-10T10:00:00Z","Priority":"1"},
{"id":"8","LastUpdated":"2025-03-10T12:00:00Z","Status":"open","Created":"2025-03-10T10:00:00Z","Priority":"5"}]}`
	srv := fakeRT(t, map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, page), "/REST/2.0/ticket/": jsonAnswer(200, oneHistory)})
	src := newTestSource(t, srv.URL, replayTokenFile(t), nil)
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []collector.Rejection{{Where: "ticket 7", Reason: `status "triage" has no category: list it under statuses`,
		Rule: `status "triage" is not listed under statuses`, Setting: "rt.statuses"}}
	if diff := cmp.Diff(want, b.Rejected); diff != "" {
		t.Errorf("rejected (-want +got):\n%s", diff)
	}
	if len(b.Tickets) != 1 || b.Tickets[0].ID != "8" {
		t.Errorf("tickets %+v, want ticket 8", b.Tickets)
	}
}

// TestSearchQuery pins the TicketSQL of each page. RT reads the dates in the user's time zone:
// in Europe/Rome, 2025-03-14 09:45 UTC is 10:45 (CET, UTC+1).
func TestSearchQuery(t *testing.T) {
	p := &plan{query: "Queue = 'General'", loc: time.UTC}
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	pRome := &plan{query: "Queue = 'General'", loc: rome}
	after := &cursor{updated: utc("2025-03-14 09:45"), id: 2}
	for _, tc := range []struct {
		p     *plan
		from  time.Time
		after *cursor
		want  string
	}{
		{p, time.Time{}, nil, "(Queue = 'General')"},
		{p, utc("2025-03-17 09:09"), nil, "(Queue = 'General') AND LastUpdated >= '2025-03-17 09:09:00'"},
		{p, time.Time{}, after, "(Queue = 'General') AND LastUpdated >= '2025-03-14 09:45:00' AND (LastUpdated >= '2025-03-14 09:45:01' OR id > 2)"},
		{pRome, utc("2025-03-17 09:09"), nil, "(Queue = 'General') AND LastUpdated >= '2025-03-17 10:09:00'"},
		{pRome, time.Time{}, after, "(Queue = 'General') AND LastUpdated >= '2025-03-14 10:45:00' AND (LastUpdated >= '2025-03-14 10:45:01' OR id > 2)"},
	} {
		if got := tc.p.searchQuery(tc.from, tc.after); got != tc.want {
			t.Errorf("searchQuery(%v, %v) in %s\n got %s\nwant %s", tc.from, tc.after, tc.p.loc, got, tc.want)
		}
	}
}

// TestHistoryPages: a history longer than a page is read page by page, to the last.
func TestHistoryPages(t *testing.T) {
	var pages []string
	srv := fakeRT(t, map[string]http.HandlerFunc{"/REST/2.0/ticket/7/history": func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		pages = append(pages, page)
		w.Header().Set("Content-Type", "application/json")
		items := make([]string, 0, historyPerPage)
		n := historyPerPage
		if page == "3" {
			n = 1
		}
		for range n {
			items = append(items, `{"id":"1","Type":"Comment","Created":"2025-03-10T10:00:00Z"}`)
		}
		_, _ = w.Write([]byte(`{"count":` + strconv.Itoa(n) + `,"page":` + page + `,"pages":3,"items":[` + strings.Join(items, ",") + `]}`))
	}})
	src := newTestSource(t, srv.URL, replayTokenFile(t), nil)
	a, err := src.client()
	if err != nil {
		t.Fatal(err)
	}
	txns, err := a.history(t.Context(), "7")
	if err != nil {
		t.Fatal(err)
	}
	if len(txns) != 2*historyPerPage+1 || strings.Join(pages, ",") != "1,2,3" {
		t.Errorf("%d transactions from pages %v, want %d from 1,2,3", len(txns), pages, 2*historyPerPage+1)
	}
}
