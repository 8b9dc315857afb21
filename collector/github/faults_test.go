package github

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// desk fills the simulator with n issues, one created a minute, with comments and closings.
func desk(sim *githubsim.Server, from, n int) {
	for i := from; i < from+n; i++ {
		is := githubsim.Issue{Number: i, Author: alice, Created: at(i), Updated: at(i), Labels: []string{fmt.Sprintf("priority/P%d", 1+i%4)}}
		if i%3 == 0 {
			is.Comments = []githubsim.Comment{{User: bob, Association: "MEMBER", At: at(i + 7)}}
			is.Updated = at(i + 7)
		}
		if i%5 == 0 {
			is.State, is.StateReason, is.Closed, is.Updated = "closed", "completed", at(i+60), at(i+60)
			is.Events = []githubsim.Event{{Kind: "closed", Actor: bob, At: at(i + 60), StateReason: "completed"}}
		}
		sim.Add(is)
	}
}

// faultRig runs the github source in a collector.Runner over a store, as the daemon does.
type faultRig struct {
	e  *env
	db *store.DB
	r  *collector.Runner
}

const faultConfig = mappingConfig + "page_size: 100\nrequest_timeout: 200ms\n"

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	e := newEnv(t, githubsim.Options{})
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
	if err := r.Update([]collector.SourceConfig{{Name: "gh", Type: "github", Source: e.source(t, faultConfig), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	return &faultRig{e: e, db: db, r: r}
}

func (f *faultRig) stored(t *testing.T) (map[string]ticket.Ticket, []byte) {
	t.Helper()
	st, err := f.db.Load("gh")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ticket.Ticket{}
	for _, tk := range st.Tickets {
		out[tk.ID] = tk
	}
	return out, st.Checkpoint
}

func (f *faultRig) status(t *testing.T) collector.SourceStatus {
	t.Helper()
	for _, s := range f.r.Status() {
		if s.Name == "gh" {
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
	out := map[string]ticket.Ticket{}
	for _, tk := range b.Tickets {
		out[tk.ID] = tk
	}
	return out
}

var equateTickets = cmp.Options{cmpopts.EquateEmpty()}

// checkSound holds the store to what a fault may leave: every ticket either as it was before the
// sync or as it is now (nothing wrong), and every issue updated at or before the checkpoint's
// watermark stored as it is now (the checkpoint never passes what was stored).
func checkSound(t *testing.T, sim *githubsim.Server, stored map[string]ticket.Ticket, cp []byte, before, now map[string]ticket.Ticket) {
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
	for n, is := range sim.Issues() {
		id := ticketID("acme/support", n)
		if !is.Updated.After(st.Watermark) && !cmp.Equal(stored[id], now[id], equateTickets) {
			t.Errorf("the watermark %v passed %s (updated %v), which is stored as %v", st.Watermark, id, is.Updated, stored[id].History)
		}
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault githubsim.Fault
		// wantErr is the start of the sync's error; empty when the sync returns what it had.
		wantErr        string
		wantRetryAfter time.Duration
		// wait is how long the server holds the source back (the clock moves before recovery).
		wait time.Duration
	}{
		{name: "500 on the listing", fault: githubsim.Fault{Endpoint: "list", Status: 500},
			wantErr: `github source "gh": GET /repos/acme/support/issues: HTTP 500 Internal Server Error: "{\"documentation_url\":\"https://docs.github.com/rest\",\"message\":\"Internal Server Error\",\"status\":\"500\"}"`},
		{name: "500 on a timeline mid-sync", fault: githubsim.Fault{Endpoint: "timeline", After: 12, Status: 500},
			wantErr: `github source "gh": GET /repos/acme/support/issues/`},
		{name: "a truncated page", fault: githubsim.Fault{Endpoint: "list", After: 1, Truncate: true},
			wantErr: `github source "gh": GET /repos/acme/support/issues: the JSON answer is cut short after`},
		{name: "a page of bad JSON", fault: githubsim.Fault{Endpoint: "timeline", After: 3, BadJSON: true},
			wantErr: `github source "gh": GET /repos/acme/support/issues/`},
		{name: "the token revoked mid-sync", fault: githubsim.Fault{Endpoint: "timeline", After: 20, Revoke: true},
			wantErr: `github source "gh": GET /repos/acme/support/issues/`},
		{name: "a slow page past request_timeout", fault: githubsim.Fault{Endpoint: "list", Delay: 5 * time.Second},
			wantErr: `github source "gh": GET /repos/acme/support/issues: no complete answer within 200ms (request_timeout)`},
		{name: "429 with Retry-After before anything", fault: githubsim.Fault{Endpoint: "list", Status: 429, RetryAfter: "120"},
			wantErr: `github source "gh": rate limited until 2026-03-03T`, wantRetryAfter: 2 * time.Minute, wait: 2 * time.Minute},
		{name: "429 with Retry-After mid-sync returns what it had", fault: githubsim.Fault{Endpoint: "timeline", After: 10, Status: 429, RetryAfter: "600"},
			wait: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaultRig(t)
			desk(f.e.sim, 1, 250)
			if err := f.r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, cpBefore := f.stored(t)
			if len(before) != 250 {
				t.Fatalf("%d tickets after the first sync, want 250", len(before))
			}
			// 30 issues change, 40 arrive.
			f.e.clk.Advance(24 * time.Hour)
			for i := 1; i <= 30; i++ {
				f.e.sim.AddComment(i*7, carol, "MEMBER", "update")
				f.e.clk.Advance(time.Minute)
			}
			desk(f.e.sim, 1001, 40)
			now := f.reference(t)

			f.e.sim.Inject(tt.fault)
			err := f.r.SyncOnce(t.Context())
			stored, cp := f.stored(t)
			apitest.CheckFault(t, apitest.Fault{Err: err, WantErr: tt.wantErr, WantRetryAfter: tt.wantRetryAfter, Secrets: []string{token},
				Status: f.status(t), Changed: string(cp) != string(cpBefore) || !cmp.Equal(stored, before, equateTickets)})
			checkSound(t, f.e.sim, stored, cp, before, now)
			if tt.wantErr == "" && len(stored) <= len(before) {
				t.Errorf("%d tickets stored, want more than the %d before: the sync returned nothing", len(stored), len(before))
			}

			// The server recovers: the next syncs bring everything.
			f.e.sim.Clear()
			f.e.sim.Grant(token)
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

// TestFaults_Messages pins the whole message of the faults whose path depends on the order
// issues are fetched in.
func TestFaults_Messages(t *testing.T) {
	tests := []struct {
		fault githubsim.Fault
		want  string
	}{
		{githubsim.Fault{Endpoint: "timeline", Revoke: true},
			`github source "gh": GET /repos/acme/support/issues/1/timeline: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.authorization): "{\"documentation_url\":\"https://docs.github.com/rest\",\"message\":\"Bad credentials\",\"status\":\"401\"}"`},
		{githubsim.Fault{Endpoint: "timeline", BadJSON: true},
			`github source "gh": GET /repos/acme/support/issues/1/timeline: the answer is not JSON (byte 29: invalid character ',' looking for beginning of object key string)`},
		{githubsim.Fault{Endpoint: "timeline", Status: 403},
			`github source "gh": GET /repos/acme/support/issues/1/timeline: HTTP 403 Forbidden (the credentials lack access to this endpoint: check the scopes or permissions of http_client_config.authorization): "{\"documentation_url\":\"https://docs.github.com/rest\",\"message\":\"Forbidden\",\"status\":\"403\"}"`},
	}
	for _, tt := range tests {
		e := newEnv(t, githubsim.Options{})
		desk(e.sim, 1, 2)
		e.sim.Inject(tt.fault)
		_, err := e.source(t, "").Sync(t.Context(), nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error %v\nwant %s", err, tt.want)
		}
	}
}
