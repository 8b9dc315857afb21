package redmine

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var update = flag.Bool("update", false, "TestRealRedmine: rewrite testdata/recorded from the real Redmine")

// newSourceT builds a source from a `redmine:` block, its clock at Wednesday 12:00 of the
// scenario: thin sends no Date header, so the source judges whether an update is final
// (settleMargin) by its own clock, and every update of the scenario is before.
func newSourceT(t *testing.T, block string) *Source {
	t.Helper()
	return newSourceAt(t, block, wed(12, 0))
}

// newSourceAt builds a source from a `redmine:` block, its clock at now.
func newSourceAt(t *testing.T, block string, now time.Time) *Source {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(block), &n); err != nil {
		t.Fatal(err)
	}
	s, err := newSource(&n, collector.Options{Name: "redmine", Now: func() time.Time { return now }}, noWait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// noWait makes the client's waits (backoff, rate limits) return at once, and its jitter none.
var noWait = apisource.Hooks{
	Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	Rand:  func() float64 { return 0 },
}

// TestRealRedmine plays the scenario (scenario_test.go) on a real Redmine: the first sync reads
// the three issues of the support project (and not the internal one), with the status history,
// first response and fields worked out by hand; after one issue changes, the next sync fetches
// that issue alone; a sync with nothing changed costs one request. It also checks the errors for
// a refused key and an unknown project. With -update it rewrites the recordings the replay tests
// serve.
func TestRealRedmine(t *testing.T) {
	r := startRedmine(t)
	w := playScenario(t, r)
	secrets := []string{r.adminKey, w.keys["alice"], w.keys["carol"]}
	rec := &recorder{target: r.url, secrets: secrets}
	proxy := httptest.NewServer(rec)
	defer proxy.Close()
	src := newSourceT(t, fmt.Sprintf(scenarioConfig, proxy.URL, keyFile(t, r.adminKey)))

	// First sync: one page of the list, the statuses, and each of the three issues.
	b1, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantFirstSync(), b1.Tickets); diff != "" {
		t.Errorf("first sync's tickets (-want +got):\n%s", diff)
	}
	if len(b1.Rejected) > 0 {
		t.Errorf("first sync rejected %v", b1.Rejected)
	}
	sync1 := rec.take()
	checkRequests(t, "first sync", sync1, []string{
		"GET /issues.json?limit=100&offset=0&project_id=support&sort=updated_on%3Aasc%2Cid%3Aasc&status_id=%2A",
		"GET /issue_statuses.json",
		"GET /issues/3.json?include=journals",
		"GET /issues/2.json?include=journals",
		"GET /issues/1.json?include=journals",
	})

	// One issue changes: the next sync lists the overlap window (A, B and C were updated up to
	// Tue 16:00; the watermark is Tue 16:00, so it asks from 15:58) and fetches C alone.
	w.incrementalStep(t)
	b2, err := src.Sync(t.Context(), b1.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantSecondSync(), b2.Tickets); diff != "" {
		t.Errorf("second sync's tickets (-want +got):\n%s", diff)
	}
	sync2 := rec.take()
	checkRequests(t, "second sync", sync2, []string{
		"GET /issues.json?limit=100&offset=0&project_id=support&sort=updated_on%3Aasc%2Cid%3Aasc&status_id=%2A&updated_on=%3E%3D2026-03-03T15%3A58%3A00Z",
		"GET /issue_statuses.json",
		"GET /issues/3.json?include=journals",
	})

	// Nothing changed: one request, no ticket.
	b3, err := src.Sync(t.Context(), b2.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if len(b3.Tickets) != 0 || len(b3.Rejected) != 0 {
		t.Errorf("third sync returned %d tickets and %d rejections, want none", len(b3.Tickets), len(b3.Rejected))
	}
	sync3 := rec.take()
	checkRequests(t, "third sync", sync3, []string{
		"GET /issues.json?limit=100&offset=0&project_id=support&sort=updated_on%3Aasc%2Cid%3Aasc&status_id=%2A&updated_on=%3E%3D2026-03-04T08%3A58%3A00Z",
	})

	checkClocks(t, append(b1.Tickets, b2.Tickets...))

	// A refused key and an unknown project, straight to the server.
	bad := newSourceT(t, fmt.Sprintf(scenarioConfig, r.url, keyFile(t, "0123456789abcdef0123456789abcdef01234567")))
	_, err = bad.Sync(t.Context(), nil)
	wantErr := `redmine source "redmine": GET /issues.json: HTTP 401 Unauthorized (credentials missing, expired or refused: ` +
		"check http_client_config.http_headers (X-Redmine-API-Key)); Redmine also answers 401 when its REST API is off (Administration, Settings, API)"
	if err == nil || err.Error() != wantErr {
		t.Errorf("sync with a wrong key: %v, want %s", err, wantErr)
	}
	missing := newSourceT(t, strings.Replace(fmt.Sprintf(scenarioConfig, r.url, keyFile(t, r.adminKey)), "[support]", "[support, nosuch]", 1))
	_, err = missing.Sync(t.Context(), nil)
	wantErr = `redmine source "redmine": project "nosuch": GET /issues.json: HTTP 404 Not Found (no such endpoint, or one the credentials may not see): ` +
		"no such project, or the credentials' user cannot see it: check projects"
	if err == nil || err.Error() != wantErr {
		t.Errorf("sync with an unknown project: %v, want %s", err, wantErr)
	}

	checkWorkTime(t, r, w)

	if *update {
		writeRecording(t, "sync1", sync1, secrets)
		writeRecording(t, "sync2", sync2, secrets)
		writeRecording(t, "sync3", sync3, secrets)
		t.Log("rewrote testdata/recorded/sync1.json, sync2.json, sync3.json")
	}
}

// checkWorkTime logs time on issue C through Redmine's time entries API, as an agent does with
// "Log time", and reads it back as C's work time from the issue's spent_hours: 38 minutes is
// 0.6333... hours, which rounds back to 2280 s. A time entry does not change the issue's
// updated_on, so it is a full sync (no checkpoint) that reads it here.
func checkWorkTime(t *testing.T, r *redmineServer, w *world) {
	t.Helper()
	var acts struct {
		Activities []named `json:"time_entry_activities"`
	}
	r.call(t, w.keys["alice"], http.MethodGet, "/enumerations/time_entry_activities.json", nil, &acts, http.StatusOK)
	if len(acts.Activities) == 0 {
		t.Fatal("Redmine has no time entry activity")
	}
	updated := func() string {
		var out struct {
			Issue struct {
				UpdatedOn string `json:"updated_on"`
			} `json:"issue"`
		}
		r.call(t, r.adminKey, http.MethodGet, fmt.Sprintf("/issues/%d.json", w.c), nil, &out, http.StatusOK)
		return out.Issue.UpdatedOn
	}
	before := updated()
	r.call(t, w.keys["alice"], http.MethodPost, "/time_entries.json", map[string]any{"time_entry": map[string]any{
		"issue_id": w.c, "hours": 38.0 / 60, "activity_id": acts.Activities[0].ID, "comments": "Ordered the laptop."}}, nil, http.StatusCreated)
	if after := updated(); after != before {
		t.Errorf("logging time moved issue 3's updated_on from %s to %s: docs/configuration.md says it does not", before, after)
	}
	src := newSourceT(t, fmt.Sprintf(scenarioConfig, r.url, keyFile(t, r.adminKey)))
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Duration{}
	for _, tk := range b.Tickets {
		got[tk.ID] = tk.WorkTime
	}
	want := map[string]time.Duration{"1": 0, "2": 0, "3": 38 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("work times after logging 38m on issue 3 (-want +got):\n%s", diff)
	}
}

// checkRequests compares the requests of a sync with those expected, in order.
func checkRequests(t *testing.T, what string, exs []exchange, want []string) {
	t.Helper()
	got := make([]string, len(exs))
	for i, ex := range exs {
		got[i] = ex.Request
		if ex.Status != 200 {
			t.Errorf("%s: %s answered %d", what, ex.Request, ex.Status)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: requests (-want +got):\n%s", what, diff)
	}
}

// checkClocks runs sla_exporter's clocks on the scenario's tickets (the first sync's, then C as
// the second sync left it) with an office calendar, Monday to Friday 09:00-17:00 UTC, at
// Wednesday 12:00, and compares every cycle with values worked out by hand.
func checkClocks(t *testing.T, tickets []ticket.Ticket) {
	t.Helper()
	var week [7][]calendar.Interval
	for d := time.Monday; d <= time.Friday; d++ {
		week[d] = []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	}
	cal, err := calendar.New(calendar.Spec{Name: "office", Week: week})
	if err != nil {
		t.Fatal(err)
	}
	st := ticket.NewStore(ticket.StoreOptions{})
	for i := range tickets {
		if err := st.Add(&tickets[i]); err != nil {
			t.Fatal(err)
		}
	}
	idx := func(id string) int {
		v, ok := st.Find(id)
		if !ok {
			t.Fatalf("ticket %s not in the store", id)
		}
		return v.Index()
	}
	now := wed(12, 0).Unix()
	u := func(tm time.Time) int64 { return tm.Unix() }
	const h = 3600

	resolution, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal, WarnAt: 0.5,
		Targets: map[string]time.Duration{"Urgent": 8 * time.Hour, "High": 4 * time.Hour, "*": 16 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	response, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Response, Calendar: cal, WarnAt: 0.5,
		Targets: map[string]time.Duration{"Urgent": time.Hour, "High": 30 * time.Minute, "*": 4 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := idx("1"), idx("2"), idx("3")
	for _, tc := range []struct {
		name  string
		clock *ticket.Clock
		i     int
		want  []ticket.Cycle
	}{
		{"resolution of A (Urgent, 8h)", resolution, a, []ticket.Cycle{
			// Open Mon 09:00-11:00 (2h), Feedback (paused) 11:00-15:00, Resolved 15:00.
			{Ticket: a, N: 0, Start: u(mon(9, 0)), Stop: u(mon(15, 0)), Target: 8 * h, Elapsed: 2 * h, State: ticket.Met},
			// Reopened Tue 10:30 (In Progress), Closed 16:00: 5.5h of office time.
			{Ticket: a, N: 1, Start: u(tue(10, 30)), Stop: u(tue(16, 0)), Target: 8 * h, Elapsed: 5*h + 1800, State: ticket.Met},
		}},
		{"resolution of B (High, 4h)", resolution, b, []ticket.Cycle{
			// Open Mon 16:00-17:00 (1h), the night is outside office hours, Tue 09:00-11:00 (2h):
			// 3h when Rejected (cancelled) at Tue 11:00, before its 4h.
			{Ticket: b, N: 0, Start: u(mon(16, 0)), Stop: u(tue(11, 0)), Target: 4 * h, Elapsed: 3 * h, State: ticket.CancelledState},
		}},
		{"resolution of C (Normal, so *: 16h)", resolution, c, []ticket.Cycle{
			// Created Tue 08:00, before the office opens: counts from 09:00. Tue 09:00-17:00 (8h)
			// and Wed 09:00-12:00 (3h): 11h at Wed 12:00, past half of 16h (at risk). The 16h
			// are reached at the end of Wednesday: 8h on Tuesday, 8h on Wednesday, 17:00.
			{Ticket: c, N: 0, Start: u(tue(8, 0)), Target: 16 * h, Elapsed: 11 * h, Deadline: u(wed(17, 0)),
				State: ticket.InProgress, AtRisk: true},
		}},
		{"response of A (Urgent, 1h)", response, a, []ticket.Cycle{
			// Answered at 09:30: 30m.
			{Ticket: a, N: 0, Start: u(mon(9, 0)), Stop: u(mon(9, 30)), Target: h, Elapsed: 1800, State: ticket.Met},
		}},
		{"response of B (High, 30m)", response, b, []ticket.Cycle{
			// Answered Mon 17:30 (the change to In Progress): 16:00-17:00 is 1h of office time,
			// 17:00-17:30 is none. 30m were reached at 16:30: breached then.
			{Ticket: b, N: 0, Start: u(mon(16, 0)), Stop: u(mon(17, 30)), Target: 1800, Elapsed: h,
				Deadline: u(mon(16, 30)), BreachedAt: u(mon(16, 30)), State: ticket.Breached},
		}},
		{"response of C (Normal, so *: 4h)", response, c, []ticket.Cycle{
			// Answered Wed 09:00: Tue 09:00-17:00 is 8h. 4h were reached Tue 13:00.
			{Ticket: c, N: 0, Start: u(tue(8, 0)), Stop: u(wed(9, 0)), Target: 4 * h, Elapsed: 8 * h,
				Deadline: u(tue(13, 0)), BreachedAt: u(tue(13, 0)), State: ticket.Breached},
		}},
	} {
		got := tc.clock.Cycles(st, tc.i, now, nil)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
