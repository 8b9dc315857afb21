package jira

import (
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/jira/jirasim"
)

// TestIncremental_10000Issues is the cost of staying current on Cloud: after a first sync of
// 10,000 issues, a sync with no change costs one request (the search from the watermark less the
// overlap, whose issues are all seen), and a change to one issue costs one too: the search
// returns the issue with its changelog. docs/performance.md records these counts.
func TestIncremental_10000Issues(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	for _, dc := range []bool{false, true} {
		name := map[bool]string{false: "cloud", true: "data center"}[dc]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, deskT0.Add(time.Duration(2*n)*time.Minute), jirasim.Options{DataCenter: dc})
			desk(e.sim, deskT0, 1, n)
			src := e.source(t, deskConfig+"page_size: 100\nmax_requests_per_sync: 20000\n")
			b, err := src.Sync(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(byID(b.Tickets)) != n || b.More {
				t.Fatalf("first sync: %d tickets, more %v; want %d", len(byID(b.Tickets)), b.More, n)
			}
			// Keyset pages of 100, each asked from the minute of the last page's latest update,
			// so a few more than n/100; the profile and the status list once.
			first := len(e.sim.Log())
			t.Logf("%s: first sync of %d issues: %d requests", name, n, first)
			if first < n/100+2 || first > n/100+n/500+3 {
				t.Errorf("first sync: %d requests, want about %d", first, n/100+2)
			}
			cp := b.Checkpoint
			b, err = src.Sync(t.Context(), cp)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(e.sim.Log()) - first; len(b.Tickets) != 0 || got != 1 {
				t.Errorf("unchanged sync: %d tickets, %d requests; want 0 and 1", len(b.Tickets), got)
			}
			cp = b.Checkpoint
			e.clk.Advance(time.Hour)
			e.sim.Transition("SUP-5000", "Resolved")
			before := len(e.sim.Log())
			b, err = src.Sync(t.Context(), cp)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(e.sim.Log()) - before; len(b.Tickets) != 1 || b.Tickets[0].ID != "SUP-5000" || got != 1 {
				t.Errorf("one change: %d tickets, %d requests; want SUP-5000 and 1", len(b.Tickets), got)
			}
		})
	}
}

// TestDataCenter syncs the scripted month from Jira Data Center: GET /rest/api/2/search with
// startAt and total, a bearer token, and a cut changelog read whole from the issue.
func TestDataCenter(t *testing.T) {
	e := newEnv(t, syncAt, jirasim.Options{DataCenter: true, ChangelogMax: 2})
	month(e.sim)
	e.sim.Edit("SUP-1", func(is *jirasim.Issue) { is.Components = []string{"printer"} })
	// page_size 1: every issue shares a page with none, so paging moves on by keyset alone.
	b, err := e.source(t, "page_size: 1\n"+deskConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(b.Tickets)
	for key, want := range wantMonth {
		if g := got[key]; g.ID != key || len(g.History) != len(want.History) || len(g.Native) != len(want.Native) || !g.FirstResponse.Equal(want.FirstResponse) {
			t.Errorf("%s: %+v\nwant %+v", key, g, want)
		}
	}
	issueReads := 0
	for _, l := range e.sim.Log() {
		if l == "GET /rest/api/2/issue/SUP-1" || l == "GET /rest/api/2/issue/SUP-2" {
			issueReads++
		}
	}
	if issueReads != 2 {
		t.Errorf("%d reads of a cut changelog, want 2 (SUP-1 and SUP-2): %v", issueReads, e.sim.Log())
	}
}
