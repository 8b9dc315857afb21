package collector_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// badRows are n rejections of one cause, as a file source reports a wrong date layout.
func badRows(n int) []collector.Rejection {
	out := make([]collector.Rejection, n)
	for i := range out {
		out[i] = collector.Rejection{Where: fmt.Sprintf("incidents.csv:%d", i+2),
			Reason: fmt.Sprintf(`column "opened_at": "29/2/2016 01:%02d" does not match layout "02-01-2006 15:04"`, i%60),
			Rule:   `column "opened_at" does not match layout "02-01-2006 15:04"`}
	}
	return out
}

// setupRows are n rejections of the settings, as a monitoring source reports hosts it was told
// to read that the system has not.
func setupRows(n int) []collector.Rejection {
	out := make([]collector.Rejection, n)
	for i := range out {
		out[i] = collector.Rejection{Where: fmt.Sprintf("host %q", fmt.Sprint("nohost", i)), Reason: "no such host",
			Rule: "a host of hosts is not in the system", Setting: "zabbix.series[0].hosts", Setup: true}
	}
	return out
}

// TestRunner_UnsoundBatches: a batch whose records were all rejected, too many of them, or a
// snapshot far smaller than what the source holds, is refused whole: the last good data stays,
// the source reads down with its state, and the next attempt comes at the interval.
func TestRunner_UnsoundBatches(t *testing.T) {
	for _, tc := range []struct {
		name   string
		health collector.HealthPolicy
		first  collector.Batch // committed: 10 tickets
		next   collector.Batch
		// wantState is the state after next; wantIDs the tickets then held.
		wantState, wantRefusal string
		wantCounts             collector.SyncCounts
		wantIDs                int
	}{
		{
			// 141,712 rows all rejected in the real case: here 30.
			name:        "all rejected",
			first:       collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Replace: true},
			next:        collector.Batch{Rejected: badRows(30), Read: 30, Replace: true},
			wantState:   collector.SourceRejecting,
			wantRefusal: "all 30 records read were rejected",
			wantCounts:  collector.SyncCounts{Read: 30, Rejected: 30},
			wantIDs:     10,
		},
		{
			// 3 of 13 read rejected = 23.1% > 10%.
			name:        "above max_rejected_ratio",
			health:      collector.HealthPolicy{MaxRejectedRatio: 0.1},
			first:       collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)},
			next:        collector.Batch{Tickets: tickets(11, 12, 13, 14, 15, 16, 17, 18, 19, 20), Rejected: badRows(3)},
			wantState:   collector.SourceRejecting,
			wantRefusal: "3 of 13 records read were rejected (23.1%, above max_rejected_ratio 0.1)",
			wantCounts:  collector.SyncCounts{Read: 13, Accepted: 10, Rejected: 3},
			wantIDs:     10,
		},
		{
			// 6 rejected > 10 held / 2, though 6 of 16 (37.5%) is under no configured ratio.
			name:        "rejections outnumber half the held volume",
			first:       collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)},
			next:        collector.Batch{Tickets: tickets(11, 12, 13, 14, 15, 16, 17, 18, 19, 20), Rejected: badRows(6)},
			wantState:   collector.SourceRejecting,
			wantRefusal: "6 records were rejected, more than half of the 10 the source holds",
			wantCounts:  collector.SyncCounts{Read: 16, Accepted: 10, Rejected: 6},
			wantIDs:     10,
		},
		{
			// A header-only export, or one cut in half: 4 < 0.5 × 10.
			name:        "truncated snapshot",
			health:      collector.HealthPolicy{MinVolumeRatio: 0.5},
			first:       collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Replace: true},
			next:        collector.Batch{Tickets: tickets(1, 2, 3, 4), Replace: true},
			wantState:   collector.SourceShrunk,
			wantRefusal: "the snapshot holds 4 records where the source holds 10 (at most min_volume_ratio 0.5 of them): taken for a truncated export",
			wantCounts:  collector.SyncCounts{Read: 4, Accepted: 4},
			wantIDs:     10,
		},
		{
			name:       "empty snapshot",
			health:     collector.HealthPolicy{MinVolumeRatio: 0.5},
			first:      collector.Batch{Tickets: tickets(1, 2), Replace: true},
			next:       collector.Batch{Replace: true},
			wantState:  collector.SourceShrunk,
			wantCounts: collector.SyncCounts{},
			wantIDs:    2,
			// 0 < 0.5 × 2.
			wantRefusal: "the snapshot holds 0 records where the source holds 2 (at most min_volume_ratio 0.5 of them): taken for a truncated export",
		},
		{
			// An export cut in half, as in the trial that moved attainment from 0.25 to 0.30:
			// 5 ≤ 0.5 × 10.
			name:        "a snapshot of half the volume is refused",
			health:      collector.HealthPolicy{MinVolumeRatio: 0.5},
			first:       collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Replace: true},
			next:        collector.Batch{Tickets: tickets(1, 2, 3, 4, 5), Replace: true},
			wantState:   collector.SourceShrunk,
			wantRefusal: "the snapshot holds 5 records where the source holds 10 (at most min_volume_ratio 0.5 of them): taken for a truncated export",
			wantCounts:  collector.SyncCounts{Read: 5, Accepted: 5},
			wantIDs:     10,
		},
		{
			// 6 > 0.5 × 10: a shrink that may be real (tickets archived) is taken.
			name:       "a snapshot of more than half the volume is taken",
			health:     collector.HealthPolicy{MinVolumeRatio: 0.5},
			first:      collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), Replace: true},
			next:       collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6), Replace: true},
			wantState:  collector.SourceOK,
			wantCounts: collector.SyncCounts{Read: 6, Accepted: 6},
			wantIDs:    6,
		},
		{
			// 1 of 11 = 9.1% ≤ 10%, and 1 ≤ 10 / 2.
			name:       "a few rejections are reported, not refused",
			health:     collector.HealthPolicy{MaxRejectedRatio: 0.1},
			first:      collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)},
			next:       collector.Batch{Tickets: tickets(11, 12, 13, 14, 15, 16, 17, 18, 19, 20), Rejected: badRows(1)},
			wantState:  collector.SourceOK,
			wantCounts: collector.SyncCounts{Read: 11, Accepted: 10, Rejected: 1},
			wantIDs:    20,
		},
		{
			// An event log: 40 rows read made 10 tickets; 4 rows rejected = 10%, within 10%.
			name:       "read counts rows, not tickets",
			health:     collector.HealthPolicy{MaxRejectedRatio: 0.1},
			first:      collector.Batch{Tickets: tickets(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)},
			next:       collector.Batch{Tickets: tickets(11, 12, 13, 14, 15, 16, 17, 18, 19, 20), Rejected: badRows(4), Read: 40},
			wantState:  collector.SourceOK,
			wantCounts: collector.SyncCounts{Read: 40, Accepted: 10, Rejected: 4},
			wantIDs:    20,
		},
		{
			// A quiet sync of a monitoring source that read nothing new, and a host its
			// settings name that the system has not: reported, not refused, though it would be
			// "all rejected" and more than half of nothing held by the records' rules.
			name:       "a rejection of the settings refuses nothing",
			health:     collector.HealthPolicy{MaxRejectedRatio: 0.1},
			first:      collector.Batch{Tickets: tickets(1)},
			next:       collector.Batch{Rejected: setupRows(3)},
			wantState:  collector.SourceOK,
			wantCounts: collector.SyncCounts{Read: 3, Rejected: 3},
			wantIDs:    1,
		},
		{
			// The records' rules still hold beside them: 2 bad rows of 2 read.
			name:        "records all rejected beside a rejection of the settings",
			first:       collector.Batch{Tickets: tickets(1)},
			next:        collector.Batch{Rejected: append(setupRows(1), badRows(2)...)},
			wantState:   collector.SourceRejecting,
			wantRefusal: "all 2 records read were rejected",
			wantCounts:  collector.SyncCounts{Read: 3, Rejected: 3},
			wantIDs:     1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, t.TempDir())
			f := sourcetest.NewFake()
			cfg := desk(f)
			cfg.Health = tc.health
			h.update(cfg)
			h.run()
			tc.first.Checkpoint = []byte("1")
			_, next := h.sync(f, tc.first, nil)
			good := h.status("desk").LastSuccess
			h.clk.Advance(next)
			tc.next.Checkpoint = []byte("2")
			_, delay := h.sync(f, cloneTickets(tc.next), nil)

			st := h.status("desk")
			if st.State != tc.wantState || st.Up != (tc.wantState == collector.SourceOK) || st.Refusal != tc.wantRefusal {
				t.Errorf("state %q up %v refusal %q, want %q, %q", st.State, st.Up, st.Refusal, tc.wantState, tc.wantRefusal)
			}
			if diff := cmp.Diff(tc.wantCounts, st.LastSync); diff != "" {
				t.Errorf("last sync counts (-want +got):\n%s", diff)
			}
			if delay != time.Hour {
				t.Errorf("next attempt in %v, want the interval: bad data does not mend sooner", delay)
			}
			if n := len(h.ticketIDs("desk")); n != tc.wantIDs {
				t.Errorf("%d tickets held, want %d", n, tc.wantIDs)
			}
			if tc.wantState == collector.SourceOK {
				return
			}
			if !st.LastSuccess.Equal(good) {
				t.Errorf("last success moved to %v on a refused batch", st.LastSuccess)
			}
			// Refused: the checkpoint is not advanced, so the same data is read again.
			h.clk.Advance(delay)
			c := <-f.Calls()
			if string(c.Checkpoint) != "1" {
				t.Errorf("next sync from checkpoint %q, want the last committed one", c.Checkpoint)
			}
			// The same data again, in a new batch: the runner clears a snapshot's tickets as it
			// stores them, so a source never returns one it keeps.
			c.Reply(cloneTickets(tc.next), nil)
			<-h.clk.Afters
			if n := h.logs.count(`msg="batch refused; the last good data is kept and the source reads down"`); n != 1 {
				t.Errorf("refusal logged %d times, want once for the same reason", n)
			}
		})
	}
}

// TestRunner_NeverHealthy: a source whose first sync is all rejected has no figures: no success
// time (so its objectives are no_data at once), no records, and its rejection causes grouped.
func TestRunner_NeverHealthy(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	rej := append(badRows(25), collector.Rejection{Where: "incidents.csv:99", Reason: `status "In Progress" is not mapped`})
	h.sync(f, collector.Batch{Rejected: rej, Read: 26, Replace: true, Checkpoint: []byte("1")}, nil)
	st := h.status("desk")
	want := []collector.RejectionReason{
		{Reason: `column "opened_at" does not match layout "02-01-2006 15:04"`, Count: 25, Example: "incidents.csv:2"},
		{Reason: `status "In Progress" is not mapped`, Count: 1, Example: "incidents.csv:99"},
	}
	if diff := cmp.Diff(want, st.Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	if st.Up || st.State != collector.SourceRejecting || !st.LastSuccess.IsZero() || st.Records != 0 || st.Rejected != 26 {
		t.Errorf("status %+v", st)
	}
	h.r.Read(func(d collector.Data) {
		if !d.LastSuccess["desk"].IsZero() {
			t.Error("a source that never had a sound batch has a success time")
		}
	})
	if _, ok := h.r.Settled(); !ok {
		t.Error("a refused first sync is an outcome: readiness must not wait for ever")
	}
}

// TestRunner_PriorityAliases: priorities written as the source writes them are renamed to the
// objectives' (case-insensitively), and an unmapped one is rejected with its name.
func TestRunner_PriorityAliases(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	cfg := desk(f)
	cfg.PriorityAliases = map[string]string{"highest": "P1", "p1": "P1", "medium": "P3"}
	cfg.Tickets = ticket.StoreOptions{Priorities: []string{"P1", "P3"}}
	h.update(cfg)
	h.run()
	ts := tickets(1, 2, 3)
	ts[0].Priority, ts[1].Priority, ts[2].Priority = "HIGHEST", "Medium", "Blocker"
	h.sync(f, collector.Batch{Tickets: ts, Checkpoint: []byte("1")}, nil)
	var got []string
	h.r.Read(func(d collector.Data) {
		st := d.Tickets["desk"]
		for i := range st.Len() {
			got = append(got, st.View(i).ID()+" "+st.View(i).Priority())
		}
	})
	if diff := cmp.Diff([]string{"INC0000001 P1", "INC0000002 P3"}, got); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	want := []collector.RejectionReason{{Reason: `priority "Blocker" is not mapped by the source's priorities`, Count: 1, Example: "INC0000003"}}
	if diff := cmp.Diff(want, h.status("desk").Reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}

// TestRunner_StoreFailureIsNotTheSources: a write that fails (a full disk, here a store whose
// file was closed) leaves the source up, reports the store down, applies nothing, and keeps
// the checkpoint so the batch is fetched again.
func TestRunner_StoreFailureIsNotTheSources(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{Tickets: tickets(1), Checkpoint: []byte("1")}, nil)
	good := h.status("desk").LastSuccess
	if err := h.db.Close(); err != nil { // every later write fails
		t.Fatal(err)
	}
	h.clk.Advance(next)
	_, delay := h.sync(f, collector.Batch{Tickets: tickets(2), Checkpoint: []byte("2")}, nil)
	st := h.status("desk")
	if !st.Up || st.State != collector.SourceOK || !st.LastSuccess.Equal(good) {
		t.Errorf("source status %+v: want up, ok, last success unchanged", st)
	}
	sh := h.r.StoreHealth()
	if sh.OK || sh.Failures != 1 || sh.LastError == "" || !sh.Configured {
		t.Errorf("store health %+v, want one failure", sh)
	}
	if diff := cmp.Diff([]string{"INC0000001"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("a batch the store did not take was applied (-want +got):\n%s", diff)
	}
	if delay >= time.Hour {
		t.Errorf("retry in %v: a failed write is retried with backoff", delay)
	}
	h.clk.Advance(delay)
	if c := <-f.Calls(); string(c.Checkpoint) != "1" {
		t.Errorf("retry from checkpoint %q, want 1", c.Checkpoint)
	} else {
		c.Reply(collector.Batch{}, errors.New("stop"))
		<-h.clk.Afters
	}
}

// TestRunner_RetryAfter: a server's Retry-After holds the source back at least that long
// (30s asked, where the first backoff would be 22.5s), capped at collector.MaxRetryAfter.
func TestRunner_RetryAfter(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{Tickets: tickets(1), Checkpoint: []byte("1")}, nil)
	for _, tc := range []struct {
		after, want time.Duration
	}{
		{30 * time.Second, 30 * time.Second},      // above the first backoff: 3/4 × 30s = 22.5s
		{time.Second, 45 * time.Second},           // below the second backoff: 3/4 × 60s
		{48 * time.Hour, collector.MaxRetryAfter}, // a week asked: capped
	} {
		h.clk.Advance(next)
		err := &collector.RetryAfterError{After: tc.after, Err: errors.New("429 Too Many Requests")}
		_, next = h.sync(f, collector.Batch{}, err)
		if next != tc.want {
			t.Errorf("Retry-After %v: next attempt in %v, want %v", tc.after, next, tc.want)
		}
	}
}

// apiFake is a fake source that keeps API statistics, as sources on collector/apisource do.
type apiFake struct {
	*sourcetest.Fake
	stats collector.APIStats
}

func (f apiFake) APIStats() collector.APIStats { return f.stats }

// TestRunner_APIStats: the statistics of a source built on collector/apisource reach its health,
// for the exposition; other sources have none.
func TestRunner_APIStats(t *testing.T) {
	h := newHarness(t, t.TempDir())
	want := collector.APIStats{Syncs: 3, Pages: 7, Records: 650, Watermark: at(30)}
	other := desk(sourcetest.NewFake())
	other.Name = "other"
	h.update(desk(apiFake{Fake: sourcetest.NewFake(), stats: want}), other)
	if got := h.status("desk").API; got == nil || *got != want {
		t.Errorf("desk: API stats %+v, want %+v", got, want)
	}
	if got := h.status("other").API; got != nil {
		t.Errorf("a source without statistics has %+v", got)
	}
}

// probeFake is a fake source that probes targets itself.
type probeFake struct {
	*sourcetest.Fake
	results []collector.ProbeResult
}

func (f probeFake) ProbeResults() []collector.ProbeResult { return f.results }

// TestRunner_ProbeResults: a probing source's last results reach its health, for the sla_probe_*
// metrics; other sources have none.
func TestRunner_ProbeResults(t *testing.T) {
	h := newHarness(t, t.TempDir())
	want := []collector.ProbeResult{{Series: "web", Target: "https://example.org/", Prober: "http", At: at(3), Success: true, StatusCode: 200}}
	other := desk(sourcetest.NewFake())
	other.Name = "other"
	h.update(desk(probeFake{Fake: sourcetest.NewFake(), results: want}), other)
	if diff := cmp.Diff(want, h.status("desk").Probes); diff != "" {
		t.Errorf("desk probes (-want +got):\n%s", diff)
	}
	if got := h.status("other").Probes; got != nil {
		t.Errorf("a source without probes has %+v", got)
	}
}

// toolSLIFake is a fake source that reads a tool's own SLA figures.
type toolSLIFake struct {
	*sourcetest.Fake
	slis []collector.ToolSLI
}

func (f toolSLIFake) ToolSLIs() []collector.ToolSLI { return f.slis }

// TestRunner_ToolSLIs: the SLA figures a source read reach its health, for the evaluation to
// compare; other sources have none.
func TestRunner_ToolSLIs(t *testing.T) {
	h := newHarness(t, t.TempDir())
	want := []collector.ToolSLI{{Tool: "Zabbix", Name: "DB SLA", Series: "db", From: at(0), To: at(10), At: at(3), SLI: 0.99, SLO: 0.999}}
	other := desk(sourcetest.NewFake())
	other.Name = "other"
	h.update(desk(toolSLIFake{Fake: sourcetest.NewFake(), slis: want}), other)
	if diff := cmp.Diff(want, h.status("desk").ToolSLIs); diff != "" {
		t.Errorf("desk figures (-want +got):\n%s", diff)
	}
	if got := h.status("other").ToolSLIs; got != nil {
		t.Errorf("a source without figures has %+v", got)
	}
}

// cloneTickets is b with its own array of tickets.
func cloneTickets(b collector.Batch) collector.Batch {
	b.Tickets = slices.Clone(b.Tickets)
	return b
}
