package servicenow

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

// costConfig imports task_sla, so that the counts include its requests.
const costConfig = "page_size: 100\nmax_requests_per_sync: 20000\nnative_slas: {\"P2 resolution (8h)\": resolution}\n"

// TestIncremental_10000Incidents is the cost of staying current: after a first sync of 10,000
// incidents, a sync with no change costs one request (the listing of the overlap window), and a
// change to one incident three (the listing, its audit rows, its task_sla rows). A restarted
// source resumes from its checkpoint as cheaply. docs/performance.md records these counts. The
// simulator audits no inserts and runs no SLA definition here, to keep its tables small: the
// requests are the same, with fewer rows.
func TestIncremental_10000Incidents(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	e := newEnv(t, servicenowsim.Options{NoInsertAudit: true})
	desk(e, 1, n)
	e.clk.Set(at(2 * n)) // after every update
	src := e.source(t, costConfig)

	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != n || b.More || len(b.Rejected) > 0 {
		t.Fatalf("first sync: %d tickets, more %v, rejected %v; want %d", len(b.Tickets), b.More, b.Rejected, n)
	}
	// Keyset pages of 100, each after the last record read: n/100 pages; the audit and
	// task_sla rows of 50 records a request: n/50 of each.
	list, audits, slas := e.sim.Requests("incident"), e.sim.Requests("sys_audit"), e.sim.Requests("task_sla")
	t.Logf("first sync of %d incidents: %d listing pages, %d audit and %d task_sla requests", n, list, audits, slas)
	if list != n/100 || audits != n/50 || slas != n/50 {
		t.Errorf("first sync: %d listing, %d audit, %d task_sla requests; want %d, %d, %d", list, audits, slas, n/100, n/50, n/50)
	}
	cp := b.Checkpoint

	count := func() (int, int, int) {
		return e.sim.Requests("incident"), e.sim.Requests("sys_audit"), e.sim.Requests("task_sla")
	}
	// No change: one request, the listing of the overlap window, whose records are all seen.
	for i := range 2 {
		e.sim.ResetCounts()
		if b, err = src.Sync(t.Context(), cp); err != nil {
			t.Fatal(err)
		}
		if l, a, s := count(); len(b.Tickets) != 0 || l != 1 || a != 0 || s != 0 {
			t.Errorf("unchanged sync %d: %d tickets, %d listing, %d audit, %d task_sla requests; want 0, 1, 0, 0", i+1, len(b.Tickets), l, a, s)
		}
		cp = b.Checkpoint
	}

	// One incident changes: the listing, its audit rows, its task_sla rows.
	e.clk.Advance(time.Hour)
	changed := fmt.Sprintf("INC%07d", n/2)
	e.sim.Update(changed, servicenowsim.Fields{"state": "3", "hold_reason": "1"})
	e.sim.ResetCounts()
	if b, err = src.Sync(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{changed}, idsOf(b.Tickets)); diff != "" {
		t.Errorf("tickets of the changed sync (-want +got):\n%s", diff)
	}
	if l, a, s := count(); l != 1 || a != 1 || s != 1 {
		t.Errorf("changed sync: %d listing, %d audit, %d task_sla requests, want 1, 1, 1", l, a, s)
	}
	cp = b.Checkpoint

	// A day after the first sync, the reconciliation lists every sys_id: n/100 pages more.
	e.clk.Advance(24 * time.Hour)
	e.sim.ResetCounts()
	if b, err = src.Sync(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	if l, a, _ := count(); !b.Reconciled || len(b.Present) != n || l != n/100+1 || a != 0 {
		t.Errorf("reconciling sync: reconciled %v with %d ids in %d listing requests and %d audits; want %d ids in %d, none",
			b.Reconciled, len(b.Present), l, a, n, n/100+1)
	}
	cp = b.Checkpoint

	// A restart (a new source given the stored checkpoint) resumes: nothing changed, one request.
	e.sim.ResetCounts()
	if b, err = e.source(t, costConfig).Sync(t.Context(), cp); err != nil {
		t.Fatal(err)
	}
	if l, a, s := count(); len(b.Tickets) != 0 || l != 1 || a != 0 || s != 0 {
		t.Errorf("after a restart: %d tickets, %d listing, %d audit, %d task_sla requests; want 0, 1, 0, 0", len(b.Tickets), l, a, s)
	}
}

// TestIncremental_CapResumes checks a first sync bounded by max_requests_per_sync: each sync
// returns what it completed, says More, and the next resumes; together they return every
// incident once.
func TestIncremental_CapResumes(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	desk(e, 1, 450)
	src := e.source(t, "page_size: 100\nmax_requests_per_sync: 7\n")
	seen := map[string]int{}
	var cp []byte
	syncs := 0
	for {
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatal(err)
		}
		syncs++
		for _, tk := range b.Tickets {
			seen[tk.ID]++
		}
		cp = b.Checkpoint
		if !b.More {
			break
		}
		if syncs > 10 {
			t.Fatal("no end after 10 syncs")
		}
	}
	// 5 listing pages and 9 audit requests (two per full page, one for the last 50), at most
	// 7 requests a sync; a sync stopped mid-page keeps the page's watermark, and the next
	// lists that page again (its fetched records skipped as seen): 3 syncs.
	if len(seen) != 450 || syncs != 3 {
		t.Errorf("%d incidents in %d syncs, want 450 in 3", len(seen), syncs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s returned %d times", id, n)
		}
	}
}

func TestContract(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	desk(e, 1, 30)
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "page_size: 10\n") })
}
