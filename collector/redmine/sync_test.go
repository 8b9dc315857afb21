package redmine

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// ids lists the tickets' ids in order.
func ids(b collector.Batch) []string {
	out := make([]string, len(b.Tickets))
	for i, t := range b.Tickets {
		out[i] = t.ID
	}
	return out
}

func idRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func syncOK(t *testing.T, s *Source, cp []byte) collector.Batch {
	t.Helper()
	b, err := s.Sync(t.Context(), cp)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rejected) > 0 {
		t.Fatalf("rejected: %v", b.Rejected)
	}
	return b
}

func wantCounts(t *testing.T, f *fakeRedmine, what string, requests, lists, fetches int) {
	t.Helper()
	r, l, fe := f.counts()
	if r != requests || l != lists || fe != fetches {
		t.Errorf("%s: %d requests (%d list pages, %d issue fetches), want %d (%d, %d)", what, r, l, fe, requests, lists, fetches)
	}
}

// TestSyncPages reads 250 issues, a second apart, in pages of 100. Issue i is updated at
// base + (i−1) s + 0.5 s, shown as base + (i−1) s.
func TestSyncPages(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 250, base, time.Second)
	s := newSourceT(t, fakeConfig(srv.URL, 100, ""))

	b := syncOK(t, s, nil)
	if diff := cmp.Diff(idRange(1, 250), ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	// Page 1: issues 1-100, the last shown at base+99s. Page 2 asks ">= base+99s", which
	// Redmine reads as "after base+98s": issues 99-198 (99 and 100 again). Page 3, ">=
	// base+197s": issues 197-250, 54 < 100, the end. 3 pages + the statuses + 250 issues.
	wantCounts(t, f, "first sync", 254, 3, 250)

	// Nothing changed. The watermark is base+249s; the overlap of 2m asks from base+129s, after
	// base+128s: issues 129-250, read before and unchanged: two pages (129-228, then from
	// base+227s: 227-250), no fetch.
	b2 := syncOK(t, s, b.Checkpoint)
	if len(b2.Tickets) != 0 {
		t.Errorf("unchanged: %d tickets", len(b2.Tickets))
	}
	wantCounts(t, f, "unchanged sync", 2, 2, 0)
}

// TestSyncSameSecond reads 150 issues updated within one second, more than a page, then 10
// later ones: the keyset cannot step past a second, so offsets do.
func TestSyncSameSecond(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 150, base, time.Millisecond) // base+0.500 to base+0.649
	f.add(151, 10, base.Add(10*time.Second), time.Second)
	s := newSourceT(t, fakeConfig(srv.URL, 100, ""))
	b := syncOK(t, s, nil)
	if diff := cmp.Diff(idRange(1, 160), ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	// Page 1: 1-100, last at base. Page 2, ">= base": 1-100 again, nothing new, still at
	// base: step by offset. Page 3, offset 100: 101-160, the end.
	wantCounts(t, f, "sync", 164, 3, 160)
}

// TestSyncMovingSet updates issue 50 while the pages are read: it moves to the end of the list.
// Offset paging would then skip issue 101 (page 2 at offset 100 would start at 102); keyset
// paging reads every issue, and issue 50 twice: before and after its update, both returned,
// the later last.
func TestSyncMovingSet(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 250, base, time.Second)
	listed := 0
	f.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/issues.json" {
			listed++
			if listed == 2 {
				f.touch(50, base.Add(1000*time.Second), nil)
			}
		}
		return false
	}
	s := newSourceT(t, fakeConfig(srv.URL, 100, ""))
	b := syncOK(t, s, nil)
	got := ids(b)
	if got[len(got)-1] != "50" {
		t.Errorf("the last ticket is %s, want 50 as updated", got[len(got)-1])
	}
	slices.SortFunc(got, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	if diff := cmp.Diff(slices.Insert(idRange(1, 250), 50, "50"), got); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	f.mu.Lock()
	n := f.fetchesOf[50]
	f.mu.Unlock()
	if n != 2 {
		t.Errorf("issue 50 fetched %d times, want 2 (before and after its update)", n)
	}
}

// TestSyncOverlap: an update committed late, with a time before the last one read, is found by
// the next sync thanks to the overlap; the issues read before, unchanged, are not fetched again.
// With an overlap shorter than its lateness it is missed.
func TestSyncOverlap(t *testing.T) {
	for _, tc := range []struct {
		overlap string
		want    []string
		// requests: the list page, then the statuses and the late issue when it is seen.
		requests, fetches int
	}{
		{"", []string{"11"}, 3, 1},
		{"overlap: 10s", []string{}, 1, 0},
	} {
		t.Run(cmpOr(tc.overlap, "default"), func(t *testing.T) {
			f, srv := newFake(t)
			f.add(1, 10, base, time.Minute) // the last at base+9m (+0.5s)
			s := newSourceT(t, fakeConfig(srv.URL, 100, tc.overlap))
			b := syncOK(t, s, nil)
			f.counts()
			// Committed after the first sync, dated 30s before the watermark.
			f.add(11, 1, base.Add(9*time.Minute-30*time.Second), 0)
			b2 := syncOK(t, s, b.Checkpoint)
			if diff := cmp.Diff(tc.want, ids(b2)); diff != "" {
				t.Errorf("tickets (-want +got):\n%s", diff)
			}
			// Default: from base+7m, after base+6m59s: issues 8, 9, 10 (known, unchanged) and 11.
			// 10s: from base+8m50s, after base+8m49s: issue 10 alone; 11, at base+8m30s, is not.
			wantCounts(t, f, "second sync", tc.requests, 1, tc.fetches)
		})
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestSyncSettle: an issue updated in the second before the server's answer may be updated again
// within that second, showing the same updated_on; it is fetched again by the next sync. One
// updated long before is not.
func TestSyncSettle(t *testing.T) {
	f, srv := newFake(t)
	d := base.Add(time.Hour)
	f.date = d
	f.add(1, 1, d.Add(-time.Second-300*time.Millisecond), 0) // shown as d-1s
	f.add(2, 1, d.Add(-10*time.Minute), 0)
	s := newSourceT(t, fakeConfig(srv.URL, 100, ""))
	b := syncOK(t, s, nil)
	if diff := cmp.Diff([]string{"2", "1"}, ids(b)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	f.counts()
	// Within the same second: In Progress, by alice.
	f.touch(1, d.Add(-time.Second+300*time.Millisecond), map[string]any{
		"status": map[string]any{"id": 2, "name": "In Progress", "is_closed": false},
		"journals": []any{map[string]any{"id": 1, "user": map[string]any{"id": 5, "name": "Alice Agent"}, "notes": "",
			"created_on": d.Add(-time.Second).Format(time.RFC3339), "private_notes": false,
			"details": []any{map[string]any{"property": "attr", "name": "status_id", "old_value": "1", "new_value": "2"}}}},
	})
	// The next sync, two minutes later, sees the same updated_on, now final.
	f.date = d.Add(2 * time.Minute)
	b2 := syncOK(t, s, b.Checkpoint)
	if len(b2.Tickets) != 1 || len(b2.Tickets[0].History) != 2 || b2.Tickets[0].History[1].Status != "In Progress" {
		t.Errorf("second sync: %+v, want issue 1 In Progress", b2.Tickets)
	}
	wantCounts(t, f, "second sync", 3, 1, 1)
}

// TestSyncConfigChange: another mapping reads every issue again, whatever the checkpoint says.
func TestSyncConfigChange(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 5, base, time.Minute)
	b := syncOK(t, newSourceT(t, fakeConfig(srv.URL, 100, "")), nil)
	f.counts()
	b2 := syncOK(t, newSourceT(t, fakeConfig(srv.URL, 100, "default_category: open")), b.Checkpoint)
	if diff := cmp.Diff(idRange(1, 5), ids(b2)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	wantCounts(t, f, "sync under another mapping", 7, 1, 5)
}

// TestSyncRejects: issues that do not map are rejected, named, and the rest returned.
func TestSyncRejects(t *testing.T) {
	f, srv := newFake(t)
	f.statuses = append(f.statuses, status{7, "Awaiting", false})
	f.add(1, 4, base, time.Minute)
	f.issues[1].doc = map[string]any{"status": map[string]any{"id": 7, "name": "Awaiting", "is_closed": false}}
	f.issues[2].doc = map[string]any{"journals": []any{map[string]any{"id": 5, "user": map[string]any{"id": 5, "name": "Alice Agent"},
		"created_on": base.Format(time.RFC3339), "details": []any{map[string]any{"property": "attr", "name": "status_id", "old_value": "1", "new_value": "9"}}}}}
	f.issues[3].doc = map[string]any{"updated_on": "yesterday"}
	s := newSourceT(t, fakeConfig(srv.URL, 100, ""))
	b, err := s.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"4"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	want := []collector.Rejection{
		{Where: "issue #1", Reason: `status "Awaiting" has no category: list it under statuses, or set default_category (the category of statuses not listed)`,
			Rule: `status "Awaiting" is not listed under statuses`, Setting: "redmine.statuses"},
		{Where: "issue #2", Reason: `journal #5: status id 9 is not among Redmine's statuses (/issue_statuses.json): was it deleted?`},
		{Where: "issue #3", Reason: `updated_on "yesterday" is not an RFC 3339 time`},
	}
	slices.SortFunc(b.Rejected, func(a, b collector.Rejection) int { return strings.Compare(a.Where, b.Where) })
	if diff := cmp.Diff(want, b.Rejected); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
}

// TestSyncFaults: a failed request fails the whole sync with nothing returned (so nothing is
// committed and the checkpoint stays where it was), and says which source, endpoint and status
// failed, without a credential. 5xx are retried (by the framework) before they fail the sync.
func TestSyncFaults(t *testing.T) {
	const src = `redmine source "redmine": `
	for _, tc := range []struct {
		name   string
		before func(http.ResponseWriter, *http.Request) bool
		want   string
	}{
		{"key refused", answer("/issues.json", 401, "", ""),
			src + "GET /issues.json: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.http_headers (X-Redmine-API-Key)); " +
				"Redmine also answers 401 when its REST API is off (Administration, Settings, API)"},
		{"key echoed", answer("/issues.json", 403, "application/json", `{"errors":["key replay-api-key-0123456789 may not"]}`),
			src + `project "support": GET /issues.json: HTTP 403 Forbidden (the credentials lack access to this endpoint: check the scopes or permissions of ` +
				`http_client_config.http_headers (X-Redmine-API-Key)): "{\"errors\":[\"key <secret> may not\"]}": the credentials' user needs the View issues permission in it`},
		{"server error on an issue", answer("/issues/2.json", 500, "text/plain", "boom"),
			src + `GET /issues/2.json: HTTP 500 Internal Server Error: "boom"`},
		{"truncated page", answer("/issues.json", 200, "application/json", `{"issues":[{"id":1`),
			src + "GET /issues.json: the JSON answer is cut short after 18 bytes (a truncated page)"},
		{"not a page", answer("/issues.json", 200, "application/json", `{"status":"maintenance"}`),
			src + "GET /issues.json: not a page of issues: no issues key"},
		{"not an issue", answer("/issues/3.json", 200, "application/json", `{"status":"maintenance"}`),
			src + "GET /issues/3.json: not an issue: no issue key"},
		{"bad JSON in an issue", answer("/issues/3.json", 200, "application/json", `{"issue": nope}`),
			src + "GET /issues/3.json: the answer is not JSON (byte 12: invalid character 'o' in literal null (expecting 'u'))"},
		{"HTML page", answer("/issues.json", 200, "text/html", "<html>login</html>"),
			src + "GET /issues.json: the answer is not JSON (byte 1: invalid character '<' looking for beginning of value) (the server sent an HTML page: a login or proxy error page?)"},
		{"invalid filter", answer("/issues.json", 422, "application/json", `{"errors":["Updated is invalid"]}`),
			src + `GET /issues.json: HTTP 422 Unprocessable Entity: "{\"errors\":[\"Updated is invalid\"]}"`},
		{"statuses missing", answer("/issue_statuses.json", 404, "", ""),
			src + "GET /issue_statuses.json: HTTP 404 Not Found (no such endpoint, or one the credentials may not see) (is url Redmine's base URL?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.add(1, 3, base, time.Minute)
			f.before = tc.before
			s := newSourceT(t, fakeConfig(srv.URL, 100, "http_client_config:\n  http_headers:\n    X-Redmine-API-Key:\n      secrets: ["+replayKey+"]\n"))
			b, err := s.Sync(t.Context(), nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v\nwant  %s", err, tc.want)
			}
			if !cmp.Equal(b, collector.Batch{}) {
				t.Errorf("a failed sync returned %+v", b)
			}
			// The server recovers: the same checkpoint (none) reads everything.
			f.before = nil
			if b := syncOK(t, s, nil); len(b.Tickets) != 3 {
				t.Errorf("after recovery: %d tickets, want 3", len(b.Tickets))
			}
		})
	}
}

// answer answers the requests for path with a status, a content type, a body and headers.
func answer(path string, code int, ctype, body string, hdr ...string) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != path {
			return false
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(code)
		w.Write([]byte(body))
		return true
	}
}

// TestSyncRateLimited: a proxy in front of Redmine answering 429 with Retry-After (Redmine limits
// nothing itself) is waited for in place three times, then the sync returns nothing with a
// collector.RetryAfterError, so that the runner waits; the checkpoint is not moved.
func TestSyncRateLimited(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 3, base, time.Minute)
	s := newSourceT(t, fakeConfig(srv.URL, 100, ""))
	b := syncOK(t, s, nil)
	f.touch(2, base.Add(time.Hour), nil)
	f.counts()
	f.before = answer("/issue_statuses.json", 429, "", "", "Retry-After", "30")
	b2, err := s.Sync(t.Context(), b.Checkpoint)
	const want = `redmine source "redmine": rate limited until 2026-03-04T12:00:30Z: GET /issue_statuses.json: HTTP 429 Too Many Requests (server asked to retry after 30s)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
	ra, ok := errors.AsType[*collector.RetryAfterError](err)
	if !ok || ra.After != 30*time.Second {
		t.Errorf("retry after %v, want 30s", ra)
	}
	if !cmp.Equal(b2, collector.Batch{}) {
		t.Errorf("a failed sync returned %+v", b2)
	}
	// The list, then the statuses asked 4 times: 3 waits of 30s, then the limit holds.
	wantCounts(t, f, "rate-limited sync", 5, 1, 0)
}

// TestSyncIssueGone: an issue deleted between its listing and its fetch is dropped.
func TestSyncIssueGone(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 3, base, time.Minute)
	f.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/issues/2.json" {
			w.WriteHeader(http.StatusNotFound)
			return true
		}
		return false
	}
	b := syncOK(t, newSourceT(t, fakeConfig(srv.URL, 100, "")), nil)
	if diff := cmp.Diff([]string{"1", "3"}, ids(b)); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2"}, b.Deleted); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
}

// TestSyncSlowPage: a page slower than request_timeout is asked again (4 times in all), then
// fails the sync, nothing returned.
func TestSyncSlowPage(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 3, base, time.Minute)
	f.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/issues.json" {
			<-r.Context().Done() // until the client gives up
			return true
		}
		return false
	}
	b, err := newSourceT(t, fakeConfig(srv.URL, 100, "request_timeout: 50ms\n")).Sync(t.Context(), nil)
	const want = `redmine source "redmine": GET /issues.json: no complete answer within 50ms (request_timeout): no complete answer in time`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
	if !cmp.Equal(b, collector.Batch{}) {
		t.Errorf("a failed sync returned %+v", b)
	}
	wantCounts(t, f, "slow sync", 4, 0, 0) // no page answered
}

// TestSyncIncremental10k: after a first sync of 10,000 issues (updated a minute apart), a sync
// with nothing changed costs one request, and one with one issue changed three.
func TestSyncIncremental10k(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 issue fetches")
	}
	f, srv := newFake(t)
	f.add(1, 10000, base, time.Minute)
	// A cap above the first sync's 10,102 requests, so that it reads everything at once.
	s := newSourceAt(t, fakeConfig(srv.URL, 100, "max_requests_per_sync: 20000\n"), base.AddDate(0, 1, 0)) // after every update
	b := syncOK(t, s, nil)
	if len(b.Tickets) != 10000 {
		t.Fatalf("%d tickets", len(b.Tickets))
	}
	// Each page after the first repeats the last issue of the one before (">=" keeps its
	// second): 100 new issues, then 99 per page. 1 + ceil(9,900 / 99) = 101 pages.
	wantCounts(t, f, "first sync", 101+1+10000, 101, 10000)

	b2 := syncOK(t, s, b.Checkpoint)
	if len(b2.Tickets) != 0 {
		t.Errorf("unchanged: %d tickets", len(b2.Tickets))
	}
	// The overlap window (2m) holds issues 9,998-10,000, known and unchanged.
	wantCounts(t, f, "unchanged sync", 1, 1, 0)

	f.touch(4321, base.Add(10000*time.Minute), nil)
	b3 := syncOK(t, s, b2.Checkpoint)
	if diff := cmp.Diff([]string{"4321"}, ids(b3)); diff != "" {
		t.Errorf("one change (-want +got):\n%s", diff)
	}
	wantCounts(t, f, "one change", 3, 1, 1) // the list, the statuses, issue 4321
}

// TestContract holds the source to collector.Source's contract.
func TestContract(t *testing.T) {
	f, srv := newFake(t)
	f.add(1, 5, base, time.Minute)
	sourcetest.RunContract(t, func() collector.Source { return newSourceT(t, fakeConfig(srv.URL, 2, "")) })
}
