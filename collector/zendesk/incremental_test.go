package zendesk

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/zendesk/zendesksim"
)

// desk fills the simulator with n tickets from id from on, one made a minute from start: every
// third answered by an agent seven minutes later, every fifth solved an hour later.
func desk(e *env, start time.Time, from, n int) {
	prios := []string{"urgent", "high", "normal", "low"}
	for i := from; i < from+n; i++ {
		at := start.Add(time.Duration(i-from) * time.Minute)
		e.clk.Set(at)
		id := int64(i)
		e.sim.Create(zendesksim.Ticket{ID: id, Requester: carol, Priority: prios[i%4], Group: serviceDesk}, fmt.Sprint("ticket ", i))
		if i%3 == 0 {
			e.clk.Set(at.Add(7 * time.Minute))
			e.sim.Change(id, alice, zendesksim.Update{Status: "open", Comment: "on it", Public: true})
		}
		if i%5 == 0 {
			e.clk.Set(at.Add(time.Hour))
			e.sim.Change(id, alice, zendesksim.Update{Status: "solved"})
		}
	}
}

// requestsOf counts the log's requests to an endpoint, and those answered 429.
func requestsOf(log []zendesksim.Entry, endpoint string) (n, limited int) {
	for _, e := range log {
		if e.Endpoint == endpoint {
			n++
			if e.Status == 429 {
				limited++
			}
		}
	}
	return n, limited
}

// checkExportRate holds the simulator's log to Zendesk's limit on the incremental exports: no
// 60-second window holds more than limit of them, by the simulator's clock (the source's
// waits move it; no wall clock is read).
func checkExportRate(t *testing.T, log []zendesksim.Entry, limit int) {
	t.Helper()
	var at []time.Time
	for _, e := range log {
		if e.Endpoint == "export" {
			at = append(at, e.At)
		}
	}
	worst := 0
	for i := range at {
		n := 0
		for j := i; j < len(at) && at[j].Sub(at[i]) < time.Minute; j++ {
			n++
		}
		worst = max(worst, n)
	}
	if worst > limit {
		t.Errorf("%d export requests within 60 seconds, more than Zendesk's %d", worst, limit)
	}
	if _, limited := requestsOf(log, "export"); limited > 0 {
		t.Errorf("%d export requests answered 429", limited)
	}
}

// TestIncremental_10000Tickets is the cost of staying current: a first sync of 10,000 tickets
// reads the export in pages of 1000 (10 requests, at most 10 a minute) and each ticket's
// audits; a sync with no change costs one export request (empty, at the cursor); a change to
// one ticket costs that request and the ticket's audits. A restarted source resumes from its
// checkpoint as cheaply, and reads the SLA policies once. docs/performance.md records these.
func TestIncremental_10000Tickets(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	start := utc("2026-01-05 00:00")
	e := newEnv(t, start, zendesksim.Options{})
	desk(e, start, 1, n)
	e.clk.Set(start.Add(time.Duration(n)*time.Minute + 2*time.Hour))
	const cfg = "max_requests_per_sync: 20000\n"
	src := e.source(t, cfg)

	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != n || b.More || len(b.Rejected) > 0 {
		t.Fatalf("first sync: %d tickets, more %v, rejected %v; want %d", len(b.Tickets), b.More, b.Rejected, n)
	}
	export, audits, policies := e.sim.Requests("export"), e.sim.Requests("audits"), e.sim.Requests("policies")
	t.Logf("first sync of %d tickets: %d export pages, %d audits, %d policies; %v on the simulator's clock",
		n, export, audits, policies, e.clk.Now().Sub(start.Add(time.Duration(n)*time.Minute+2*time.Hour)))
	if export != n/1000 || audits != n || policies != 1 {
		t.Errorf("first sync: %d export pages, %d audits, %d policies; want %d, %d, 1", export, audits, policies, n/1000, n)
	}
	checkExportRate(t, e.sim.Log(), 10)
	cp := b.Checkpoint

	// No change: one export request, at the cursor, empty.
	e.clk.Advance(5 * time.Minute)
	e.sim.ResetCounts()
	before := e.requests.Counts("zd")["200"]
	if b, err = src.Sync(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != 0 || e.sim.Requests("export") != 1 || e.sim.Requests("audits") != 0 || e.requests.Counts("zd")["200"]-before != 1 {
		t.Errorf("unchanged sync: %d tickets, %d export and %d audits requests; want 0, 1, 0",
			len(b.Tickets), e.sim.Requests("export"), e.sim.Requests("audits"))
	}
	cp = b.Checkpoint

	// One ticket changes: the export request and its audits.
	e.sim.Change(5000, bob, zendesksim.Update{Comment: "any news?", Public: true})
	e.clk.Advance(2 * time.Minute) // out of the minute the export leaves out
	e.sim.ResetCounts()
	if b, err = src.Sync(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"5000"}, idsOf(b.Tickets)); diff != "" {
		t.Errorf("tickets of the changed sync (-want +got):\n%s", diff)
	}
	if x, a := e.sim.Requests("export"), e.sim.Requests("audits"); x != 1 || a != 1 {
		t.Errorf("changed sync: %d export and %d audits requests, want 1 and 1", x, a)
	}
	cp = b.Checkpoint

	// A restart (a new source given the stored checkpoint) resumes at the cursor; it reads the
	// SLA policies once more.
	e.clk.Advance(5 * time.Minute)
	e.sim.ResetCounts()
	if b, err = e.source(t, cfg).Sync(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != 0 || e.sim.Requests("export") != 1 || e.sim.Requests("audits") != 0 || e.sim.Requests("policies") != 1 {
		t.Errorf("after a restart: %d tickets, %d export, %d audits, %d policies requests; want 0, 1, 0, 1",
			len(b.Tickets), e.sim.Requests("export"), e.sim.Requests("audits"), e.sim.Requests("policies"))
	}
	checkExportRate(t, e.sim.Log(), 10)
}

// TestIncremental_ExportLimitWithinOneSync: a page size of 10 makes a first sync of 300 tickets
// ask the export 30 times: the limiter spaces them 6 seconds apart (10 a minute), while the
// audits in between go at the account's pace. A limit configured above Zendesk's (20 a
// minute, which the High Volume add-on would allow) meets the 429s and Retry-After of the
// simulator's 10: the sync waits out the short ones in place and stops at a long one with
// what it has; the next syncs bring the rest, each ticket once.
func TestIncremental_ExportLimitWithinOneSync(t *testing.T) {
	for _, tt := range []struct {
		name, cfg string
		want429   bool
	}{
		{"default limit", "", false},
		{"a limit above the account's", "incremental_rate_limit: {requests: 20, per: 1m, burst: 1}\n", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			start := utc("2026-01-05 00:00")
			e := newEnv(t, start, zendesksim.Options{})
			desk(e, start, 1, 300)
			e.clk.Set(start.Add(10 * time.Hour))
			src := e.source(t, "page_size: 10\nrate_limit: {requests: 6000, per: 1m, burst: 100}\n"+tt.cfg)
			seen := map[string]int{}
			var cp []byte
			for syncs := 0; len(seen) < 300; syncs++ {
				if syncs == 10 {
					t.Fatalf("%d tickets after 10 syncs, want 300", len(seen))
				}
				b, err := src.Sync(t.Context(), cp)
				if err != nil {
					t.Fatal(err)
				}
				for _, tk := range b.Tickets {
					seen[tk.ID]++
				}
				cp = b.Checkpoint
				e.clk.Advance(time.Minute) // the runner's wait until the next sync
			}
			for id, c := range seen {
				if c != 1 {
					t.Errorf("ticket %s returned %d times", id, c)
				}
			}
			log := e.sim.Log()
			n, limited := requestsOf(log, "export")
			t.Logf("%d export requests, %d answered 429", n, limited)
			if tt.want429 {
				if limited == 0 {
					t.Error("no 429 from the simulator: the test does not exercise Retry-After")
				}
				return
			}
			if n != 30 {
				t.Errorf("%d export requests, want 30", n)
			}
			checkExportRate(t, log, 10)
		})
	}
}

func TestContract(t *testing.T) {
	start := utc("2026-01-05 00:00")
	e := newEnv(t, start, zendesksim.Options{})
	desk(e, start, 1, 30)
	e.clk.Set(start.Add(3 * time.Hour))
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "page_size: 10\n") })
}
