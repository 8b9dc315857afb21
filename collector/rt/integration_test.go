package rt

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/calendar"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// TestRealRT plays the scenario on a real Request Tracker (deploy/ci/install-rt.sh), syncs three
// times through a recording proxy and checks every ticket against the values worked out by hand
// in scenario_test.go, and the requests each sync cost. With -record it writes what passed to
// testdata/recorded/sync.json for the replay tests. Then it sets RT's own Due beside the
// exporter's deadlines for the same cycles (TestRealRT/due).
func TestRealRT(t *testing.T) {
	s := startRT(t)
	play(s)
	rec := newRecorder(t, s.url)
	requests := collector.NewRequests()
	clk := newClock()
	src := newTestSource(t, rec.srv.URL, rtRootToken, requests, clk)

	var fixture recording
	var cp []byte
	got := map[string]ticket.Ticket{}
	for i, w := range wantSyncs {
		if i == 3 {
			// RT's Due and the shipped configuration, on the scenario whole, before the
			// removals.
			t.Run("due", func(t *testing.T) { compareDues(t, s, got) })
			t.Run("live config", func(t *testing.T) { syncLiveConfig(t, s) })
		}
		if w.play != nil {
			w.play(s)
		}
		clk.Set(w.at)
		before := sum(requests.Counts("rt"))
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("sync %q: %v", w.name, err)
		}
		checkSync(t, w, b)
		if n := sum(requests.Counts("rt")) - before; n != w.requests {
			t.Errorf("sync %q: %d requests, want %d", w.name, n, w.requests)
		}
		cp = b.Checkpoint
		for _, tk := range b.Tickets {
			got[tk.ID] = tk
		}
		fixture.Syncs = append(fixture.Syncs, scrub(t, rec.take(), s.url, s.root, s.customer))
	}
	if t.Failed() {
		return
	}
	if *record {
		writeRecording(t, "sync", fixture)
		t.Logf("wrote %s", recordingPath("sync"))
	}
}

// checkSync compares a sync's batch with what the scenario wants of it.
func checkSync(t *testing.T, w syncWant, b collector.Batch) {
	t.Helper()
	if diff := cmp.Diff(w.tickets, b.Tickets); diff != "" {
		t.Errorf("sync %q: tickets (-want +got):\n%s", w.name, diff)
	}
	if len(b.Rejected) > 0 || len(b.Deleted) > 0 || b.Replace || b.More {
		t.Errorf("sync %q: rejected %v, deleted %v, replace %v, more %v", w.name, b.Rejected, b.Deleted, b.Replace, b.More)
	}
	if b.Reconciled != (w.present != nil) || !cmp.Equal(w.present, b.Present) {
		t.Errorf("sync %q: reconciled %v with %v, want %v", w.name, b.Reconciled, b.Present, w.present)
	}
}

// syncLiveConfig syncs the rt block of deploy/config/live/rt.yml, its url pointed at the test's
// server: the shipped mapping reads the scenario's tickets whole, priorities named by its ranges
// (High from 70, Medium 40-69, Low below).
func syncLiveConfig(t *testing.T, s *rtServer) {
	data, err := os.ReadFile("../../deploy/config/live/rt.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sources []struct {
			RT yaml.Node `yaml:"rt"`
		} `yaml:"sources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	block := &doc.Sources[0].RT
	for i := 0; i+1 < len(block.Content); i += 2 {
		if block.Content[i].Value == "url" {
			block.Content[i+1].Value = s.url
		}
	}
	src, err := New(block, collector.Options{Name: "live"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tk := range b.Tickets {
		got[tk.ID] = tk.Priority
	}
	want := map[string]string{"1": "High", "2": "Low", "3": "Low", "4": "Medium"}
	if diff := cmp.Diff(want, got); diff != "" || len(b.Rejected) > 0 {
		t.Errorf("priorities by ticket (-want +got):\n%s\nrejected: %v", diff, b.Rejected)
	}
}

func sum(counts map[string]float64) int {
	n := 0.0
	for _, c := range counts {
		n += c
	}
	return int(n)
}

// office is the exporter's calendar for RT's business hours: Mon-Fri 09:00-17:00 UTC.
func office(t *testing.T) *calendar.Calendar {
	t.Helper()
	day := []calendar.Interval{{Start: 9 * 3600, End: 17 * 3600}}
	cal, err := calendar.New(calendar.Spec{Name: "rt-business-hours", Location: time.UTC,
		Week: [7][]calendar.Interval{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day}})
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// cyclesAt evaluates one clock on one ticket at now.
func cyclesAt(t *testing.T, clock *ticket.Clock, tk ticket.Ticket, now time.Time) []ticket.Cycle {
	t.Helper()
	st := ticket.NewStore(ticket.StoreOptions{})
	if err := st.Add(&tk); err != nil {
		t.Fatal(err)
	}
	return clock.Cycles(st, 0, now.Unix(), nil)
}

// compareDues sets RT's Due, as its history shows it in force at an instant, beside the deadline
// the exporter computes for the same cycle at that instant, with RT's SLA level ("standard":
// Response 60, Resolve 480 business minutes) as the exporter's targets and RT's business hours
// as its calendar. Each case's values are worked out by hand; the differences are RT's rules,
// documented in docs/configuration.md ("RT's Due and the exporter's deadlines").
func compareDues(t *testing.T, s *rtServer, tickets map[string]ticket.Ticket) {
	cal := office(t)
	response, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Response, Calendar: cal, Targets: map[string]time.Duration{"*": time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	resolution, err := ticket.NewClock(ticket.ClockSpec{Kind: ticket.Resolution, Calendar: cal, Targets: map[string]time.Duration{"*": 8 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	const h = 3600
	for _, tc := range []struct {
		name   string
		id     string
		clock  *ticket.Clock
		now    time.Time
		want   ticket.Cycle // the exporter's cycle at now
		wantRT time.Time    // RT's Due in force at now
	}{
		{
			// Ticket 1's response, at Mon 10:15: 15 min elapsed of 60; deadline 10:15 + 45 min =
			// 11:00. RT: created by the requestor, Due = Response = 10:00 + 60 min. Agree.
			name: "1 response", id: "1", clock: response, now: utc("2025-03-10 10:15"),
			want:   ticket.Cycle{Start: utc("2025-03-10 10:00").Unix(), Target: h, Elapsed: h / 4, Deadline: utc("2025-03-10 11:00").Unix(), State: ticket.InProgress},
			wantRT: utc("2025-03-10 11:00"),
		},
		{
			// Ticket 1's first resolution, at Tue 09:30: elapsed Mon 10-11 (1h) + 13-17 (4h) +
			// Tue 09:00-09:30 (0.5h) = 5.5h, the stall 11-13 excluded; the 2.5h left end Tue
			// 12:00 (not at risk: 5.5 < 0.75 × 8). RT counts Resolve from creation through the
			// stall: Tue 10:00, 2h earlier. Resolved Tue 10:00: met for both (RT: Resolved <= Due).
			name: "1 resolution, cycle 0", id: "1", clock: resolution, now: utc("2025-03-11 09:30"),
			want:   ticket.Cycle{Start: utc("2025-03-10 10:00").Unix(), Target: 8 * h, Elapsed: 5*h + h/2, Deadline: utc("2025-03-11 12:00").Unix(), State: ticket.InProgress},
			wantRT: utc("2025-03-11 10:00"),
		},
		{
			// Ticket 1 reopened Tue 14:00: a new cycle, at Wed 10:00 elapsed Tue 14-17 (3h) + Wed
			// 09-10 (1h) = 4h, the 4h left end Wed 14:00. RT keeps Resolve counted from creation:
			// Due stays Tue 10:00, already past. Resolved Wed 12:00: met for the exporter (6h of
			// 8h), breached for RT (Resolved after Due).
			name: "1 resolution, cycle 1 after the reopen", id: "1", clock: resolution, now: utc("2025-03-12 10:00"),
			want:   ticket.Cycle{N: 1, Start: utc("2025-03-11 14:00").Unix(), Target: 8 * h, Elapsed: 4 * h, Deadline: utc("2025-03-12 14:00").Unix(), State: ticket.InProgress},
			wantRT: utc("2025-03-11 10:00"),
		},
		{
			// Ticket 2, made by staff Thu 16:30: the exporter's response clock runs from
			// creation, Thu 16:30-17:00 (30 min) + Fri 09:00-09:45 (45 min) = 75 min > 60:
			// breached, at Fri 09:30. RT counts a ticket made by staff as answered (Due = Resolve,
			// Fri 16:30) and starts the response clock at the customer's reply Fri 09:15 (Due
			// 10:15), which root's reply at 09:45 met.
			name: "2 response", id: "2", clock: response, now: utc("2025-03-14 12:00"),
			want: ticket.Cycle{Start: utc("2025-03-13 16:30").Unix(), Stop: utc("2025-03-14 09:45").Unix(), Target: h, Elapsed: h + h/4,
				Deadline: utc("2025-03-14 09:30").Unix(), BreachedAt: utc("2025-03-14 09:30").Unix(), State: ticket.Breached},
			wantRT: utc("2025-03-14 16:30"),
		},
		{
			// Ticket 2 at Fri 09:20, between the customer's reply and root's: the exporter has
			// Thu 30 min + Fri 20 min = 50 min elapsed (at risk: over 0.75 × 60), deadline 09:30.
			// RT's Due is the response to the customer's reply, 09:15 + 60 min = 10:15.
			name: "2 response, RT's clock from the customer's reply", id: "2", clock: response, now: utc("2025-03-14 09:20"),
			want: ticket.Cycle{Start: utc("2025-03-13 16:30").Unix(), Target: h, Elapsed: 50 * 60,
				Deadline: utc("2025-03-14 09:30").Unix(), State: ticket.InProgress, AtRisk: true},
			wantRT: utc("2025-03-14 10:15"),
		},
		{
			// Ticket 4, made at Monday's opening: at Mon 12:00 3h elapsed, the 5h left end Mon
			// 17:00. RT dates the end of 480 business minutes that use up Monday at Tuesday's
			// opening, 09:00: the same business instant, told differently.
			name: "4 resolution at a day's end", id: "4", clock: resolution, now: utc("2025-03-17 12:00"),
			want:   ticket.Cycle{Start: utc("2025-03-17 09:00").Unix(), Target: 8 * h, Elapsed: 3 * h, Deadline: utc("2025-03-17 17:00").Unix(), State: ticket.InProgress},
			wantRT: utc("2025-03-18 09:00"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, ok := tickets[tc.id]
			if !ok {
				t.Fatalf("ticket %s was not synced", tc.id)
			}
			var cycle *ticket.Cycle
			for _, c := range cyclesAt(t, tc.clock, tk, tc.now) {
				if c.N == tc.want.N {
					cycle = &c
				}
			}
			if cycle == nil {
				t.Fatalf("no cycle %d at %s", tc.want.N, tc.now)
			}
			if diff := cmp.Diff(tc.want, *cycle); diff != "" {
				t.Errorf("exporter's cycle (-want +got):\n%s", diff)
			}
			var rtDue time.Time
			for _, d := range s.dues(tc.id) {
				if !d.At.After(tc.now) {
					rtDue = d.Due
				}
			}
			if !rtDue.Equal(tc.wantRT) {
				t.Errorf("RT's Due at %s = %s, want %s", tc.now, rtDue, tc.wantRT)
			}
			t.Logf("at %s: exporter's deadline %s, RT's Due %s", tc.now.Format(time.DateTime),
				time.Unix(cycle.Deadline, 0).UTC().Format(time.DateTime), rtDue.Format(time.DateTime))
		})
	}
}
