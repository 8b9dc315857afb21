package servicenow

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
	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// deskSLAs are the SLA definitions of the desks of the fault and cost tests.
func deskSLAs(sim *servicenowsim.Server) {
	sched := servicenowsim.Weekdays("office", time.UTC, "08:00", "18:00")
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P2 resolution (8h)", Target: "resolution", Table: "incident", Priority: "2",
		Duration: 8 * time.Hour, Schedule: sched, PauseOnHold: true})
	sim.AddSLA(servicenowsim.SLADefinition{Name: "P2 response (1h)", Target: "response", Table: "incident", Priority: "2", Duration: time.Hour})
}

// desk creates n incidents from number `from` on, a minute apart from at(from): a third taken
// up, a fifth resolved an hour later. The clock is left at the last one.
func desk(e *env, from, n int) {
	for i := from; i < from+n; i++ {
		e.clk.Set(at(i))
		num := e.sim.Create("incident", servicenowsim.Fields{"priority": fmt.Sprint(1 + i%4), "number": fmt.Sprintf("INC%07d", i)})
		if i%3 == 0 {
			e.clk.Set(at(i).Add(7 * time.Second))
			e.sim.Update(num, servicenowsim.Fields{"state": "2"})
		}
		if i%5 == 0 {
			e.clk.Set(at(i).Add(50 * time.Second))
			e.sim.Update(num, servicenowsim.Fields{"state": "6"})
		}
	}
}

// faultRig runs the servicenow source in a collector.Runner over a store, as the daemon does.
type faultRig struct {
	e  *env
	db *store.DB
	r  *collector.Runner
}

const faultConfig = `request_timeout: 200ms
native_slas: {"P2 resolution (8h)": resolution, "P2 response (1h)": response}
`

func newFaultRig(t *testing.T, o servicenowsim.Options) *faultRig {
	t.Helper()
	e := newEnv(t, o)
	deskSLAs(e.sim)
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
	if err := r.Update([]collector.SourceConfig{{Name: "snow", Type: "servicenow", Source: e.source(t, faultConfig), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	return &faultRig{e: e, db: db, r: r}
}

// withoutNative drops the native SLAs, which the store does not keep yet.
func withoutNative(ts []ticket.Ticket) map[string]ticket.Ticket {
	out := map[string]ticket.Ticket{}
	for _, tk := range ts {
		tk.Native = nil
		out[tk.ID] = tk
	}
	return out
}

func (f *faultRig) stored(t *testing.T) (map[string]ticket.Ticket, []byte) {
	t.Helper()
	st, err := f.db.Load("snow")
	if err != nil {
		t.Fatal(err)
	}
	return withoutNative(st.Tickets), st.Checkpoint
}

func (f *faultRig) status(t *testing.T) collector.SourceStatus {
	t.Helper()
	for _, s := range f.r.Status() {
		if s.Name == "snow" {
			return s
		}
	}
	t.Fatal("no status")
	return collector.SourceStatus{}
}

// reference maps the simulator's current records with a fresh source, faults cleared.
func (f *faultRig) reference(t *testing.T) map[string]ticket.Ticket {
	t.Helper()
	b, err := f.e.source(t, faultConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return withoutNative(b.Tickets)
}

var equateTickets = cmp.Options{cmpopts.EquateEmpty()}

// checkSound holds the store to what a fault may leave: every ticket either as it was before the
// sync or as it is now (nothing wrong), and every record updated at or before the checkpoint's
// watermark stored as it is now (the checkpoint never passes what was stored).
func checkSound(t *testing.T, sim *servicenowsim.Server, stored map[string]ticket.Ticket, cp []byte, before, now map[string]ticket.Ticket) {
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
	for _, num := range sim.Numbers("incident") {
		upd, _ := time.Parse(time.DateTime, sim.Task(num)["sys_updated_on"])
		if !upd.After(st.Watermark) && !cmp.Equal(stored[num], now[num], equateTickets) {
			t.Errorf("the watermark %v passed %s (updated %v), which is stored as %v", st.Watermark, num, upd, stored[num].History)
		}
	}
}

func TestFaults(t *testing.T) {
	const errBody = `"{\"error\":{\"message\":\"Internal Server Error\",\"detail\":null},\"status\":\"failure\"}"`
	tests := []struct {
		name  string
		fault servicenowsim.Fault
		// rateLimit, when set, is the rate limit rule's requests an hour during the sync.
		rateLimit int
		// wantErr is the start of the sync's error; empty when the sync returns what it had.
		wantErr        string
		wantRetryAfter time.Duration
		// wait is how long the server holds the source back (the clock moves before recovery).
		wait time.Duration
	}{
		{name: "500 on the listing", fault: servicenowsim.Fault{Endpoint: "incident", Status: 500},
			wantErr: `servicenow source "snow": GET /api/now/table/incident: HTTP 500 Internal Server Error: ` + errBody},
		{name: "500 on the audit mid-sync", fault: servicenowsim.Fault{Endpoint: "sys_audit", After: 1, Status: 500},
			wantErr: `servicenow source "snow": GET /api/now/table/sys_audit: HTTP 500 Internal Server Error: ` + errBody},
		{name: "a truncated page", fault: servicenowsim.Fault{Endpoint: "incident", Truncate: true},
			wantErr: `servicenow source "snow": GET /api/now/table/incident: the JSON answer is cut short after`},
		{name: "bad JSON from task_sla", fault: servicenowsim.Fault{Endpoint: "task_sla", After: 1, BadJSON: true},
			wantErr: `servicenow source "snow": GET /api/now/table/task_sla: the answer is not JSON (byte 27: invalid character ',' looking for beginning of object key string)`},
		{name: "a hibernating instance's page", fault: servicenowsim.Fault{Endpoint: "incident", HTML: true},
			wantErr: `servicenow source "snow": GET /api/now/table/incident: the answer is not JSON (byte 1: invalid character '<' looking for beginning of value) (the server sent an HTML page: a login or proxy error page?)`},
		{name: "the password changed mid-sync", fault: servicenowsim.Fault{Endpoint: "sys_audit", After: 1, Revoke: true},
			wantErr: `servicenow source "snow": GET /api/now/table/sys_audit: HTTP 401 Unauthorized (credentials missing, expired or refused: check http_client_config.basic_auth): "{\"error\":{\"message\":\"User Not Authenticated\",\"detail\":\"Required to provide Auth information\"},\"status\":\"failure\"}"`},
		{name: "a slow page past request_timeout", fault: servicenowsim.Fault{Endpoint: "incident", Delay: 5 * time.Second},
			wantErr: `servicenow source "snow": GET /api/now/table/incident: no complete answer within 200ms (request_timeout)`},
		{name: "429 with Retry-After before anything", fault: servicenowsim.Fault{Endpoint: "incident", Status: 429, RetryAfter: "120"},
			wantErr: `servicenow source "snow": rate limited until 2026-03-03T`, wantRetryAfter: 2 * time.Minute, wait: 2 * time.Minute},
		{name: "429 with Retry-After mid-sync returns what it had", fault: servicenowsim.Fault{Endpoint: "sys_audit", After: 2, Status: 429, RetryAfter: "600"},
			wait: 10 * time.Minute},
		// Three requests left: the listing, the first 50 records' audit and task_sla rows; the
		// fourth is refused until the hour's end, 49 minutes: the sync returns those 50.
		{name: "the hour's rate limit rule runs out mid-sync", rateLimit: 3, wait: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaultRig(t, servicenowsim.Options{})
			desk(f.e, 1, 250)
			f.e.clk.Set(utc("2026-03-02 14:00"))
			if err := f.r.SyncOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			before, cpBefore := f.stored(t)
			if len(before) != 250 {
				t.Fatalf("%d tickets after the first sync, want 250", len(before))
			}
			// A day later 30 incidents change and 40 arrive, in a new hour of the rate limit.
			f.e.clk.Set(utc("2026-03-03 09:00"))
			for i := 1; i <= 30; i++ {
				f.e.clk.Advance(time.Minute)
				f.e.sim.Update(fmt.Sprintf("INC%07d", i*7), servicenowsim.Fields{"state": "3", "hold_reason": "1"})
			}
			desk(f.e, 1001, 40)
			f.e.clk.Set(utc("2026-03-03 11:11"))
			now := f.reference(t)

			f.e.sim.Inject(tt.fault)
			f.e.sim.SetRateLimit(tt.rateLimit)
			err := f.r.SyncOnce(t.Context())
			stored, cp := f.stored(t)
			apitest.CheckFault(t, apitest.Fault{Err: err, WantErr: tt.wantErr, WantRetryAfter: tt.wantRetryAfter, Secrets: []string{password},
				Status: f.status(t), Changed: string(cp) != string(cpBefore) || !cmp.Equal(stored, before, equateTickets)})
			// The listing from the watermark less the overlap: a few records seen already, the
			// 40 new ones, then the 30 changed; the first 50 fetched are the 40 new and 10 changed.
			if tt.rateLimit > 0 && len(stored) != 290 {
				t.Errorf("%d tickets stored after the rate limit ran out, want 290 (250 + the 40 new)", len(stored))
			}
			if tt.wantErr == "" && len(stored) <= len(before) {
				t.Errorf("%d tickets stored, want more than the %d before: the sync returned nothing", len(stored), len(before))
			}

			// The server recovers: the next syncs bring everything.
			f.e.sim.Clear()
			f.e.sim.Restore()
			f.e.sim.SetRateLimit(0)
			f.e.clk.Advance(tt.wait)
			checkSound(t, f.e.sim, stored, cp, before, now)
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
