package github

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestIncremental_10000Issues is the cost of staying current: after a first sync of 10,000
// issues, a sync with no change costs one request (from the second such sync on, a conditional
// one answered 304, which GitHub does not count against the rate limit), and a change to one
// issue costs two (the listing from the watermark less the overlap, and that timeline). A restarted source resumes from its
// checkpoint as cheaply. docs/performance.md records these counts.
func TestIncremental_10000Issues(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	e := newEnv(t, githubsim.Options{})
	desk(e.sim, 1, n)
	e.clk.Advance(time.Duration(2*n) * time.Minute) // now is after every update
	const cfg = "page_size: 100\nmax_requests_per_sync: 20000\n"
	src := e.source(t, cfg)

	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != n || b.More {
		t.Fatalf("first sync: %d tickets, more %v; want %d", len(b.Tickets), b.More, n)
	}
	// The listing is read in keyset pages of 100: each page is asked from the latest update of
	// the one before, which lists that instant's issues again, so a few pages more than n/100.
	list, timelines := e.sim.Requests("list"), e.sim.Requests("timeline")
	t.Logf("first sync of %d issues: %d listing pages, %d timelines", n, list, timelines)
	if list < n/100 || list > n/100+n/1000+2 || timelines != n {
		t.Errorf("first sync: %d listing pages and %d timelines, want about %d and %d", list, timelines, n/100, n)
	}
	cp := b.Checkpoint

	// No change: one request. The first lists the overlap window (its issues are all seen) and
	// keeps the answer's ETag; from the second on, that request is answered 304.
	for i, want := range []string{"200", "304"} {
		e.sim.ResetCounts()
		before := e.requests.Counts("gh")
		b, err = src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Tickets) != 0 || e.sim.Requests("list") != 1 || e.sim.Requests("timeline") != 0 {
			t.Errorf("unchanged sync %d: %d tickets, %d listing and %d timeline requests; want 0, 1, 0",
				i+1, len(b.Tickets), e.sim.Requests("list"), e.sim.Requests("timeline"))
		}
		if got := e.requests.Counts("gh")[want] - before[want]; got != 1 {
			t.Errorf("unchanged sync %d: %v answers %s, want 1", i+1, got, want)
		}
		cp = b.Checkpoint
	}

	// One issue changes: the listing and its timeline.
	e.clk.Advance(time.Hour)
	e.sim.AddComment(5000, carol, "MEMBER", "any news?")
	e.sim.ResetCounts()
	b, err = src.Sync(t.Context(), cp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"acme/support#5000"}, idsOf(b.Tickets)); diff != "" {
		t.Errorf("tickets of the changed sync (-want +got):\n%s", diff)
	}
	if l, tl := e.sim.Requests("list"), e.sim.Requests("timeline"); l != 1 || tl != 1 {
		t.Errorf("changed sync: %d listing and %d timeline requests, want 1 and 1", l, tl)
	}
	cp = b.Checkpoint

	// A day after the first sync, the reconciliation lists every id: n/100 pages more.
	e.clk.Advance(24 * time.Hour)
	e.sim.ResetCounts()
	b, err = src.Sync(t.Context(), cp)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a sync reconciling %d issues: %d listing pages", n, e.sim.Requests("list"))
	if !b.Reconciled || len(b.Present) != n || e.sim.Requests("list") != n/100+1 || e.sim.Requests("timeline") != 0 {
		t.Errorf("reconciling sync: reconciled %v with %d ids in %d listing pages and %d timelines; want %d ids in %d pages, no timeline",
			b.Reconciled, len(b.Present), e.sim.Requests("list"), e.sim.Requests("timeline"), n, n/100+1)
	}
	cp = b.Checkpoint

	// A restart (a new source given the stored checkpoint) resumes: nothing changed, one 304.
	e.sim.ResetCounts()
	b, err = e.source(t, cfg).Sync(t.Context(), cp)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tickets) != 0 || e.sim.Requests("list") != 1 || e.sim.Requests("timeline") != 0 {
		t.Errorf("after a restart: %d tickets, %d listing and %d timeline requests; want 0, 1, 0",
			len(b.Tickets), e.sim.Requests("list"), e.sim.Requests("timeline"))
	}
}

func idsOf(ts []ticket.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// TestIncremental_CapResumes checks a first sync bounded by max_requests_per_sync: each sync
// returns whole pages' worth, says More, and the next resumes; together they return every issue
// once.
func TestIncremental_CapResumes(t *testing.T) {
	e := newEnv(t, githubsim.Options{})
	desk(e.sim, 1, 450)
	src := e.source(t, "page_size: 100\nmax_requests_per_sync: 120\n")
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
	// 450 timelines and 5 listing pages at most 120 requests a sync: 4 syncs.
	if len(seen) != 450 || syncs != 4 {
		t.Errorf("%d issues in %d syncs, want 450 in 4", len(seen), syncs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s returned %d times", id, n)
		}
	}
}

func TestContract(t *testing.T) {
	e := newEnv(t, githubsim.Options{})
	desk(e.sim, 1, 30)
	sourcetest.RunContract(t, func() collector.Source { return e.source(t, "page_size: 10\n") })
}
