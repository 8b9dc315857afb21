package zendesk

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/collector/zendesk/zendesksim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// faultRig runs the zendesk source in a collector.Runner over a store, as the daemon does.
type faultRig struct {
	e  *env
	db *store.DB
	r  *collector.Runner
}

const faultConfig = "page_size: 100\nrequest_timeout: 200ms\n"

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	start := utc("2026-03-02 00:00")
	e := newEnv(t, start, zendesksim.Options{})
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
	if err := r.Update([]collector.SourceConfig{{Name: "zd", Type: "zendesk", Source: e.source(t, faultConfig), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	return &faultRig{e: e, db: db, r: r}
}

func (f *faultRig) stored(t *testing.T) (map[string]ticket.Ticket, []byte) {
	t.Helper()
	st, err := f.db.Load("zd")
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
		if s.Name == "zd" {
			return s
		}
	}
	t.Fatal("no status")
	return collector.SourceStatus{}
}

// reference maps the simulator's current tickets with a fresh source, faults cleared.
func (f *faultRig) reference(t *testing.T) map[string]ticket.Ticket {
	t.Helper()
	out := map[string]ticket.Ticket{}
	var cp []byte
	for {
		b, err := f.e.source(t, faultConfig).Sync(t.Context(), cp)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range b.Tickets {
			out[tk.ID] = tk
		}
		if cp = b.Checkpoint; !b.More {
			return out
		}
	}
}

// equateTickets compares stored tickets: the store does not keep Native yet (the `native`
// branch adds its codec), so it is left out.
var equateTickets = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(ticket.Ticket{}, "Native")}

// cursorPosition reads the export position of a checkpoint's cursor, as the simulator writes
// it (Zendesk's form: base64 of "generated_timestamp.0||id|").
func cursorPosition(t *testing.T, cp []byte) (time.Time, int64) {
	t.Helper()
	var st struct {
		Cursor string `json:"cursor"`
	}
	if err := json.Unmarshal(cp, &st); err != nil {
		t.Fatalf("checkpoint %s: %v", cp, err)
	}
	raw, err := base64.StdEncoding.DecodeString(st.Cursor)
	if err != nil {
		t.Fatalf("cursor %q: %v", st.Cursor, err)
	}
	var at, id int64
	if _, err := fmt.Sscanf(string(raw), "%d.0||%d|", &at, &id); err != nil {
		t.Fatalf("cursor %q: %v", raw, err)
	}
	return time.Unix(at, 0).UTC(), id
}

// checkSound holds the store to what a fault may leave: every ticket either as it was before
// the sync or as it is now, and every ticket at or before the checkpoint's cursor stored as it
// is now (the cursor never passes what was stored).
func checkSound(t *testing.T, sim *zendesksim.Server, stored map[string]ticket.Ticket, cp []byte, before, now map[string]ticket.Ticket) {
	t.Helper()
	for id, tk := range stored {
		if !cmp.Equal(tk, now[id], equateTickets) && !cmp.Equal(tk, before[id], equateTickets) {
			t.Errorf("ticket %s is neither its old nor its current version:\n%s", id, cmp.Diff(now[id], tk, equateTickets))
		}
	}
	at, last := cursorPosition(t, cp)
	for id, tk := range sim.Tickets() {
		key := strconv.FormatInt(id, 10)
		passed := tk.Generated.Before(at) || (tk.Generated.Equal(at) && id <= last)
		if passed && !cmp.Equal(stored[key], now[key], equateTickets) {
			t.Errorf("the cursor (%v, %d) passed ticket %s (generated %v), stored as %v", at, last, key, tk.Generated, stored[key].History)
		}
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault zendesksim.Fault
		// wantErr is the start of the sync's error; empty when the sync returns what it had.
		wantErr        string
		wantRetryAfter time.Duration
		// wait is how long the server holds the source back.
		wait time.Duration
	}{
		{name: "500 on the export", fault: zendesksim.Fault{Endpoint: "export", Status: 500},
			wantErr: `zendesk source "zd": GET /api/v2/incremental/tickets/cursor.json: HTTP 500 Internal Server Error: "{\"error\":\"Internal Server Error\"}"`},
		{name: "500 on the audits mid-sync", fault: zendesksim.Fault{Endpoint: "audits", After: 12, Status: 500},
			wantErr: `zendesk source "zd": GET /api/v2/tickets/`},
		{name: "a truncated export page", fault: zendesksim.Fault{Endpoint: "export", Truncate: true},
			wantErr: `zendesk source "zd": GET /api/v2/incremental/tickets/cursor.json: the JSON answer is cut short after`},
		{name: "audits that are not JSON", fault: zendesksim.Fault{Endpoint: "audits", After: 3, BadJSON: true},
			wantErr: `zendesk source "zd": GET /api/v2/tickets/`},
		{name: "the token revoked mid-sync", fault: zendesksim.Fault{Endpoint: "audits", After: 20, Revoke: true},
			wantErr: `zendesk source "zd": GET /api/v2/tickets/`},
		{name: "a slow page past request_timeout", fault: zendesksim.Fault{Endpoint: "export", Delay: 5 * time.Second},
			wantErr: `zendesk source "zd": GET /api/v2/incremental/tickets/cursor.json: no complete answer within 200ms (request_timeout)`},
		{name: "429 with Retry-After before anything", fault: zendesksim.Fault{Endpoint: "export", Status: 429, RetryAfter: "120"},
			wantErr: `zendesk source "zd": rate limited until 2026-03-`, wantRetryAfter: 2 * time.Minute, wait: 2 * time.Minute},
		{name: "429 with Retry-After mid-sync returns what it had", fault: zendesksim.Fault{Endpoint: "audits", After: 10, Status: 429, RetryAfter: "600"},
			wait: 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaultRig(t)
			desk(f.e, utc("2026-03-02 00:00"), 1, 250)
			f.e.clk.Set(utc("2026-03-03 00:00"))
			if err := f.r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, cpBefore := f.stored(t)
			if len(before) != 250 {
				t.Fatalf("%d tickets after the first sync, want 250", len(before))
			}
			// 30 tickets change, 40 arrive.
			f.e.clk.Advance(24 * time.Hour)
			for i := 1; i <= 30; i++ {
				f.e.sim.Change(int64(i*7), bob, zendesksim.Update{Comment: "update", Public: true})
				f.e.clk.Advance(time.Minute)
			}
			desk(f.e, f.e.clk.Now(), 1001, 40)
			f.e.clk.Advance(time.Hour)
			now := f.reference(t)

			f.e.sim.Inject(tt.fault)
			err := f.r.SyncOnce(t.Context())
			stored, cp := f.stored(t)
			apitest.CheckFault(t, apitest.Fault{Err: err, WantErr: tt.wantErr, WantRetryAfter: tt.wantRetryAfter, Secrets: []string{token, oauth},
				Status: f.status(t), Changed: string(cp) != string(cpBefore) || !cmp.Equal(stored, before, equateTickets)})
			checkSound(t, f.e.sim, stored, cp, before, now)
			if tt.wantErr == "" {
				moved := 0
				for id, tk := range stored {
					if !cmp.Equal(tk, before[id], equateTickets) {
						moved++
					}
				}
				if moved == 0 {
					t.Error("no ticket stored anew: the sync returned nothing")
				}
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

// TestFaults_Messages pins the whole message of the faults whose path depends on the order
// tickets are fetched in.
func TestFaults_Messages(t *testing.T) {
	tests := []struct {
		fault zendesksim.Fault
		want  string
	}{
		{zendesksim.Fault{Endpoint: "audits", Revoke: true},
			`zendesk source "zd": GET /api/v2/tickets/1/audits.json: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.basic_auth): "{\"error\":\"Couldn't authenticate you\"}"`},
		{zendesksim.Fault{Endpoint: "audits", BadJSON: true},
			`zendesk source "zd": GET /api/v2/tickets/1/audits.json: the answer is not JSON (byte 23: invalid character ',' looking for beginning of object key string)`},
		{zendesksim.Fault{Endpoint: "export", Status: 403},
			`zendesk source "zd": GET /api/v2/incremental/tickets/cursor.json: HTTP 403 Forbidden (the credentials lack access to this endpoint: check the scopes or permissions of http_client_config.basic_auth): "{\"error\":\"Forbidden\"}"`},
	}
	for _, tt := range tests {
		start := utc("2026-03-02 00:00")
		e := newEnv(t, start, zendesksim.Options{})
		desk(e, start, 1, 2)
		e.clk.Set(start.Add(time.Hour))
		e.sim.Inject(tt.fault)
		_, err := e.source(t, "").Sync(t.Context(), nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error %v\nwant %s", err, tt.want)
		}
	}
}
