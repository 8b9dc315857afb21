package rt

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

// TestSyncReplay replays RT's recorded answers (testdata/recorded/sync.json, from TestRealRT
// -record): the same syncs give the same tickets and reconciliation, with the same requests in
// the same order, and the checkpoints say where each sync resumes.
func TestSyncReplay(t *testing.T) {
	rec := readRecording(t, "sync")
	if len(rec.Syncs) != len(wantSyncs) {
		t.Fatalf("the recording has %d syncs, the scenario %d", len(rec.Syncs), len(wantSyncs))
	}
	rp := newReplayer(t)
	clk := newClock()
	src := newTestSource(t, rp.srv.URL, replayTokenFile(t), nil, clk)
	// The checkpoint after each sync. The first sync's latest LastUpdated is ticket 4's, Mon
	// 03-17 09:10; tickets updated from 09:09 on (the 1-minute overlap) are remembered, so the
	// next search, from 09:09, skips them while unchanged: ticket 4 only. The third sync sees
	// ticket 2 updated Tue 03-18 11:00: ticket 4 (09:10) falls out of the overlap. The moved and
	// the deleted ticket leave the search, so the watermark stays; the last sync records its
	// reconciliation.
	type checkpoint struct {
		V          int                  `json:"v"`
		Watermark  time.Time            `json:"watermark"`
		Seen       map[string]time.Time `json:"seen"`
		Complete   bool                 `json:"complete"`
		Reconciled time.Time            `json:"reconciled"`
	}
	seen4 := map[string]time.Time{"4": utc("2025-03-17 09:10")}
	seen2 := map[string]time.Time{"2": utc("2025-03-18 11:00")}
	wantCheckpoints := []checkpoint{
		{1, utc("2025-03-17 09:10"), seen4, true, syncT0},
		{1, utc("2025-03-17 09:10"), seen4, true, syncT0},
		{1, utc("2025-03-18 11:00"), seen2, true, syncT0},
		{1, utc("2025-03-18 11:00"), seen2, true, syncT0},
		{1, utc("2025-03-18 11:00"), seen2, true, syncT0.Add(25 * time.Hour)},
	}
	var cp []byte
	for i, w := range wantSyncs {
		rp.expect(rec.Syncs[i])
		clk.Set(w.at)
		before := rp.got
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("sync %q: %v", w.name, err)
		}
		checkSync(t, w, b)
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
		if diff := cmp.Diff(wantCheckpoints[i], got); diff != "" {
			t.Errorf("sync %q: checkpoint (-want +got):\n%s", w.name, diff)
		}
		cp = b.Checkpoint
	}
}

// TestReconcileDropsTickets runs the recorded syncs through a collector.Runner over a store, as
// the daemon does: ticket 1, moved to another queue, and ticket 3, deleted, stay stored while
// the searches do not show them, and are dropped by the reconciliation once reconcile_interval
// (24h) has passed since the first sync.
func TestReconcileDropsTickets(t *testing.T) {
	rec := readRecording(t, "sync")
	if len(rec.Syncs) != len(wantSyncs) {
		t.Fatalf("the recording has %d syncs, the scenario %d", len(rec.Syncs), len(wantSyncs))
	}
	rp := newReplayer(t)
	clk := newClock()
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler)})
	src := newTestSource(t, rp.srv.URL, replayTokenFile(t), nil, clk)
	// min_volume_ratio off: the reconciliation drops two of the four tickets, which the
	// default (0.5) would take for a truncated listing.
	if err := r.Update([]collector.SourceConfig{{Name: "rt", Type: "rt", Source: src, Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	wantStored := [][]string{{"1", "2", "3", "4"}, {"1", "2", "3", "4"}, {"1", "2", "3", "4"}, {"1", "2", "3", "4"}, {"2", "4"}}
	for i, w := range wantSyncs {
		rp.expect(rec.Syncs[i])
		clk.Set(w.at)
		if err := r.SyncOnce(t.Context()); err != nil {
			t.Fatalf("sync %q: %v", w.name, err)
		}
		st, err := db.Load("rt")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tk := range st.Tickets {
			ids = append(ids, tk.ID)
		}
		slices.Sort(ids)
		if diff := cmp.Diff(wantStored[i], ids); diff != "" {
			t.Errorf("after sync %q: stored tickets (-want +got):\n%s", w.name, diff)
		}
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
	sourcetest.RunContract(t, func() collector.Source { return newTestSource(t, srv.URL, token, nil, newClock()) })
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
	const base = `rt source "rt": GET /REST/2.0`
	tests := []struct {
		name     string
		handlers map[string]http.HandlerFunc
		want     string
	}{
		{"token refused", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(401, `{"message":"Unauthorized"}`)},
			base + `/tickets: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.authorization): "{\"message\":\"Unauthorized\"}"`},
		{"forbidden", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(403, `{"message":"Forbidden"}`)},
			base + `/tickets: HTTP 403 Forbidden (the credentials lack access to this endpoint: check the scopes or permissions of http_client_config.authorization): "{\"message\":\"Forbidden\"}" (RT's rights: ShowTicket and SeeQueue on the query's queues)`},
		{"bad TicketSQL", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(400, `{"message":"Wrong query, expecting a VALUE in 'Queue = >>>'"}`)},
			base + `/tickets: HTTP 400 Bad Request: "{\"message\":\"Wrong query, expecting a VALUE in 'Queue = >>>'\"}"`},
		{"server error without a message", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(500, `oops`)},
			base + `/tickets: HTTP 500 Internal Server Error: "oops"`},
		{"a login page", map[string]http.HandlerFunc{"/REST/2.0/tickets": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<html>Login</html>"))
		}}, base + "/tickets: the server sent an HTML page, not JSON: a login page? (is url RT's address, with its WebPath?)"},
		{"bad JSON", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, `{"count":1,"items":[`)},
			base + "/tickets: the JSON answer is cut short after 20 bytes (a truncated page)"},
		{"truncated page", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, `{"count":2,"per_page":2,"items":[{"id":"7","LastUpdated":"2025-03-10T11:00:00Z"}]}`)},
			base + "/tickets: the page says count 2 but holds 1 items (truncated?)"},
		{"an item without LastUpdated", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, `{"count":1,"items":[{"id":"7"}]}`)},
			base + `/tickets: item 1 of a page: ticket 7: LastUpdated "" is not a time: cannot page past it`},
		{"history fails", map[string]http.HandlerFunc{
			"/REST/2.0/tickets": jsonAnswer(200, oneTicket),
			"/REST/2.0/ticket/": jsonAnswer(500, `{"message":"Internal Server Error"}`),
		}, base + `/ticket/7/history: HTTP 500 Internal Server Error: "{\"message\":\"Internal Server Error\"}"`},
		{"a full page going nowhere", map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200,
			`{"count":2,"per_page":2,"items":[{"id":"7","LastUpdated":"2025-03-10T11:00:00Z","Status":"open"},{"id":"7","LastUpdated":"2025-03-10T11:00:00Z"}]}`),
			"/REST/2.0/ticket/": jsonAnswer(200, oneHistory)},
			base + `/tickets: a full page held no ticket after the last one read: RT does not order by LastUpdated and id, or reads the dates in another time zone than timezone "UTC"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeRT(t, tc.handlers)
			src := newTestSource(t, srv.URL, replayTokenFile(t), nil, newClock())
			b, err := src.Sync(t.Context(), nil)
			if err == nil {
				t.Fatalf("no error; batch %+v", b)
			}
			got := err.Error()
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

// TestSyncTimeout: a page slower than request_timeout is tried again (the fake clock takes the
// backoff), then fails the sync, naming the endpoint and the setting.
func TestSyncTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := fakeRT(t, map[string]http.HandlerFunc{"/REST/2.0/tickets": func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}})
	defer close(release)
	var doc yaml.Node
	if err := yaml.Unmarshal(fmt.Appendf(nil, "url: %s\nrequest_timeout: 50ms\n", srv.URL), &doc); err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	src, err := newSource(doc.Content[0], collector.Options{Name: "rt", Now: clk.Now}, clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Sync(t.Context(), nil)
	const want = `rt source "rt": GET /REST/2.0/tickets: no complete answer within 50ms (request_timeout): no complete answer in time`
	if err == nil || err.Error() != want {
		t.Fatalf("Sync = %v\nwant %s", err, want)
	}
}

// TestSyncRejects: an item that does not map is rejected with where and why; the rest of the
// page is returned, and paging goes on.
func TestSyncRejects(t *testing.T) {
	page := `{"count":2,"per_page":2,"total":2,"items":[
{"id":"7","LastUpdated":"2025-03-10T11:00:00Z","Status":"triage","Created":"2025-03-10T10:00:00Z","Priority":"1"},
{"id":"8","LastUpdated":"2025-03-10T12:00:00Z","Status":"open","Created":"2025-03-10T10:00:00Z","Priority":"5"}]}`
	srv := fakeRT(t, map[string]http.HandlerFunc{"/REST/2.0/tickets": jsonAnswer(200, page), "/REST/2.0/ticket/": jsonAnswer(200, oneHistory)})
	src := newTestSource(t, srv.URL, replayTokenFile(t), nil, newClock())
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
// in Europe/Rome, 2025-03-14 09:45 UTC is 10:45 (CET, UTC+1). A page after a cursor starts
// after its (LastUpdated, id).
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
		// Summer time ends in Rome on 2025-10-26 at 01:00 UTC: 02:00-03:00 local comes twice.
		// 00:30 UTC is the first 02:30 (CEST, UTC+2), which RT may read as the second (CET,
		// 01:30 UTC), an hour late: written an hour earlier, 01:30 CEST, it reads before. 01:30
		// UTC is the second 02:30: either reading is at or before it.
		{pRome, utc("2025-10-26 00:30"), nil, "(Queue = 'General') AND LastUpdated >= '2025-10-26 01:30:00'"},
		{pRome, utc("2025-10-26 01:30"), nil, "(Queue = 'General') AND LastUpdated >= '2025-10-26 02:30:00'"},
		{pRome, utc("2025-10-26 02:30"), nil, "(Queue = 'General') AND LastUpdated >= '2025-10-26 03:30:00'"},
	} {
		if got := tc.p.searchQuery(tc.from, tc.after); got != tc.want {
			t.Errorf("searchQuery(%v, %v) in %s\n got %s\nwant %s", tc.from, tc.after, tc.p.loc, got, tc.want)
		}
	}
}

// TestSyncGoneTicket: a ticket whose history answers 404 (shredded between the search and the
// history) is dropped, and the sync goes on.
func TestSyncGoneTicket(t *testing.T) {
	srv := fakeRT(t, map[string]http.HandlerFunc{
		"/REST/2.0/tickets": jsonAnswer(200, oneTicket),
		"/REST/2.0/ticket/": jsonAnswer(404, `{"message":"Resource does not exist"}`),
	})
	b, err := newTestSource(t, srv.URL, replayTokenFile(t), nil, newClock()).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"7"}, b.Deleted); diff != "" || len(b.Tickets) > 0 {
		t.Errorf("deleted (-want +got):\n%s\ntickets %v", diff, b.Tickets)
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
	src := newTestSource(t, srv.URL, replayTokenFile(t), nil, newClock())
	txns, err := (&api{p: src.plan}).history(src.Client().Session(t.Context()), "7")
	if err != nil {
		t.Fatal(err)
	}
	if len(txns) != 2*historyPerPage+1 || strings.Join(pages, ",") != "1,2,3" {
		t.Errorf("%d transactions from pages %v, want %d from 1,2,3", len(txns), pages, 2*historyPerPage+1)
	}
}
