package jira

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/jira/jirasim"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// desk puts n issues on the simulator, one created a minute from t0, every third resolved an
// hour later, every fifth waiting for the customer.
func desk(sim *jirasim.Server, t0 time.Time, from, n int) {
	for i := from; i < from+n; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		is := jirasim.Issue{ID: int64(10000 + i), Key: fmt.Sprintf("SUP-%d", i), Project: "SUP", Type: "Incident",
			Priority: []string{"High", "Medium"}[i%2], Created: at, Responded: at.Add(5 * time.Minute),
			Changes: []jirasim.Change{{At: at.Add(5 * time.Minute), From: "Waiting for support", To: "In Progress"}}}
		switch {
		case i%3 == 0:
			is.Changes = append(is.Changes, jirasim.Change{At: at.Add(time.Hour), From: "In Progress", To: "Resolved"})
		case i%5 == 0:
			is.Changes = append(is.Changes, jirasim.Change{At: at.Add(time.Hour), From: "In Progress", To: "Waiting for customer"})
		}
		sim.Add(is)
	}
}

var deskT0 = utc("2026-03-02 08:00")

// faultRig runs the jira source in a collector.Runner over a store, as the daemon does.
type faultRig struct {
	e  *env
	db *store.DB
	r  *collector.Runner
}

const faultConfig = deskConfig + "page_size: 50\nrequest_timeout: 200ms\n"

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	e := newEnv(t, deskT0.Add(30*24*time.Hour), jirasim.Options{})
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
	if err := r.Update([]collector.SourceConfig{{Name: "jsm", Type: "jira", Source: e.source(t, faultConfig), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	return &faultRig{e: e, db: db, r: r}
}

// stripNative drops the native cycles, which the store does not keep yet (the native branch
// adds their codec).
func stripNative(in map[string]ticket.Ticket) map[string]ticket.Ticket {
	out := map[string]ticket.Ticket{}
	for k, t := range in {
		t.Native = nil
		out[k] = t
	}
	return out
}

func (f *faultRig) stored(t *testing.T) (map[string]ticket.Ticket, []byte) {
	t.Helper()
	st, err := f.db.Load("jsm")
	if err != nil {
		t.Fatal(err)
	}
	return stripNative(byID(st.Tickets)), st.Checkpoint
}

func (f *faultRig) status(t *testing.T) collector.SourceStatus {
	t.Helper()
	for _, s := range f.r.Status() {
		if s.Name == "jsm" {
			return s
		}
	}
	t.Fatal("no status")
	return collector.SourceStatus{}
}

// reference maps the simulator's current issues with a fresh source, faults cleared.
func (f *faultRig) reference(t *testing.T) map[string]ticket.Ticket {
	t.Helper()
	b, err := f.e.source(t, faultConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return stripNative(byID(b.Tickets))
}

var equateTickets = cmp.Options{cmpopts.EquateEmpty()}

// checkSound holds the store to what a fault may leave: every ticket either as it was before the
// sync or as it is now, and every issue updated at or before the checkpoint's watermark stored as
// it is now (the checkpoint never passes what was stored).
func checkSound(t *testing.T, sim *jirasim.Server, stored map[string]ticket.Ticket, cp []byte, before, now map[string]ticket.Ticket) {
	t.Helper()
	for id, tk := range stored {
		if !cmp.Equal(tk, now[id], equateTickets) && !cmp.Equal(tk, before[id], equateTickets) {
			t.Errorf("ticket %s is neither its old nor its current version:\n%s", id, cmp.Diff(now[id], tk, equateTickets))
		}
	}
	var st struct {
		Watermark time.Time `json:"watermark"`
	}
	if err := json.Unmarshal(cp, &st); err != nil {
		t.Fatalf("checkpoint %s: %v", cp, err)
	}
	for _, key := range sim.Keys() {
		is, _ := sim.Issue(key)
		if !is.Updated.After(st.Watermark) && !cmp.Equal(stored[key], now[key], equateTickets) {
			t.Errorf("the watermark %v passed %s (updated %v)", st.Watermark, key, is.Updated)
		}
	}
}

func TestFaults(t *testing.T) {
	const search = `jira source "jsm": POST /rest/api/3/search/jql`
	tests := []struct {
		name           string
		fault          jirasim.Fault
		wantErr        string // the start of the sync's error; empty when it returns what it had
		wantRetryAfter time.Duration
		wait           time.Duration
	}{
		{name: "500 on the search", fault: jirasim.Fault{Endpoint: "search", Status: 500},
			wantErr: search + `: HTTP 500 Internal Server Error: "{\"errorMessages\":[\"Internal Server Error\"],\"errors\":{}}"`},
		{name: "a truncated page", fault: jirasim.Fault{Endpoint: "search", After: 1, Truncate: true},
			wantErr: search + `: the JSON answer is cut short after`},
		{name: "bad JSON", fault: jirasim.Fault{Endpoint: "search", After: 2, BadJSON: true},
			wantErr: search + `: the answer is not JSON`},
		{name: "the token revoked mid-sync", fault: jirasim.Fault{Endpoint: "search", After: 1, Revoke: true},
			wantErr: search + `: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.basic_auth)`},
		{name: "a slow page past request_timeout", fault: jirasim.Fault{Endpoint: "search", Delay: 5 * time.Second},
			wantErr: search + `: no complete answer within 200ms (request_timeout)`},
		{name: "429 with Retry-After before anything", fault: jirasim.Fault{Endpoint: "search", Status: 429, RetryAfter: "120"},
			wantErr: `jira source "jsm": rate limited until 2026-`, wantRetryAfter: 2 * time.Minute, wait: 2 * time.Minute},
		// The reconciliation (a day has passed) lists the ids first: the 429 hits the second
		// page of the search of what changed.
		{name: "429 with Retry-After mid-sync returns what it had", fault: jirasim.Fault{Endpoint: "search", After: 2, Status: 429, RetryAfter: "600"},
			wait: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaultRig(t)
			desk(f.e.sim, deskT0, 1, 200)
			if err := f.r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, cpBefore := f.stored(t)
			if len(before) != 200 {
				t.Fatalf("%d tickets after the first sync, want 200", len(before))
			}
			// 30 issues change, 100 arrive.
			f.e.clk.Advance(24 * time.Hour)
			for i := 1; i <= 30; i++ {
				f.e.sim.Transition(fmt.Sprintf("SUP-%d", i*6+1), "Resolved")
				f.e.clk.Advance(time.Minute)
			}
			desk(f.e.sim, f.e.clk.Now(), 1001, 100)
			f.e.clk.Advance(200 * time.Minute)
			now := f.reference(t)

			f.e.sim.Inject(tt.fault)
			err := f.r.SyncOnce(t.Context())
			stored, cp := f.stored(t)
			apitest.CheckFault(t, apitest.Fault{Err: err, WantErr: tt.wantErr, WantRetryAfter: tt.wantRetryAfter, Secrets: []string{token},
				Status: f.status(t), Changed: string(cp) != string(cpBefore) || !cmp.Equal(stored, before, equateTickets)})
			checkSound(t, f.e.sim, stored, cp, before, now)
			if tt.wantErr == "" && len(stored) <= len(before) {
				t.Errorf("%d tickets stored, want more than the %d before", len(stored), len(before))
			}

			// The server recovers: the next syncs bring everything.
			f.e.sim.Clear()
			f.e.sim.Grant()
			f.e.clk.Advance(tt.wait)
			for range 3 {
				if err := f.r.SyncOnce(t.Context()); err != nil {
					t.Fatalf("sync after recovery: %v", err)
				}
			}
			stored, _ = f.stored(t)
			if diff := cmp.Diff(now, stored, equateTickets); diff != "" {
				t.Errorf("tickets after recovery (-want +got):\n%s", diff)
			}
			if st := f.status(t); !st.Up {
				t.Errorf("status after recovery: %+v", st)
			}
		})
	}
}

// TestRateLimitHeaders runs a first sync against Jira's limit: 10 requests a minute, answered
// 429 with Retry-After, X-RateLimit-Reset and RateLimit-Reason past it. The client waits in place
// (the waits move the fake clock), and no request is refused twice in a row.
func TestRateLimitHeaders(t *testing.T) {
	e := newEnv(t, deskT0.Add(30*24*time.Hour), jirasim.Options{RateLimit: 10, RateWindow: time.Minute})
	desk(e.sim, deskT0, 1, 300)
	src := e.source(t, deskConfig+"page_size: 20\n")
	got := map[string]bool{}
	var cp []byte
	waits := 0
	for i := 0; i < 100 && len(got) < 300; i++ {
		b, err := src.Sync(t.Context(), cp)
		if ra, ok := errors.AsType[*collector.RetryAfterError](err); ok {
			// The runner waits as long as the error says.
			waits++
			e.clk.Advance(ra.After)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range b.Tickets {
			got[tk.ID] = true
		}
		cp = b.Checkpoint
		if !b.More {
			e.clk.Advance(time.Minute) // the runner's next interval
		}
	}
	if len(got) != 300 {
		t.Errorf("%d tickets, want 300", len(got))
	}
	// Each window's 11th request is refused, and the client holds back until the window's
	// reset before asking again: never two 429s in a row.
	counts := e.requests.Counts("jsm")
	if counts["429"] == 0 || counts["429"] > counts["200"]/10+1 {
		t.Errorf("answers %v: want one 429 a window at most", counts)
	}
	t.Logf("answers %v, waits %d", counts, waits)
}

// TestFaults_Messages pins the messages of faults that name the fix.
func TestFaults_Messages(t *testing.T) {
	// A Cloud site configured as Data Center: its /rest/api/2/search is gone.
	e := newEnv(t, syncAt, jirasim.Options{})
	month(e.sim)
	e.dc = true
	_, err := e.source(t, "").Sync(t.Context(), nil)
	const want = `jira source "jsm": GET /rest/api/2/myself: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.authorization): "{\"errorMessages\":[\"Client must be authenticated to access this resource.\"],\"errors\":{}}"`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	// With the Cloud credentials and timezone set (no /myself), the search answers 410.
	doc := "url: " + e.sim.URL + "\ndeployment: data_center\njql: project = SUP\ntimezone: Europe/Berlin\n" +
		"http_client_config:\n  basic_auth: {username: " + email + ", password_file: token}\n"
	src, err := newSource(apitest.Node(t, doc), e.opts(), e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Sync(t.Context(), nil)
	// (apisource's scrubber takes the URL fragment of Jira's message for a secret.)
	const want410 = `jira source "jsm": GET /rest/api/2/search: HTTP 410 Gone: "{\"errorMessages\":[\"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/<secret>/\"],\"errors\":{}}" (Jira Cloud removed GET and POST /rest/api/{2,3}/search in 2025, CHANGE-2046: set deployment: cloud, which uses POST /rest/api/3/search/jql)`
	if err == nil || err.Error() != want410 {
		t.Errorf("error %v\nwant %s", err, want410)
	}
}
