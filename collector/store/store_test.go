package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func open(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func TestCommitLoad(t *testing.T) {
	a, b, c := sampleTicket(1), sampleTicket(2), sampleTicket(3)
	b2 := b
	b2.Priority = "P1"
	tests := []struct {
		name    string
		batches []Batch
		want    State
	}{
		{
			name: "nothing committed",
			want: State{},
		},
		{
			name: "one batch",
			batches: []Batch{{
				Tickets:    []ticket.Ticket{b, a},
				Uptime:     []Uptime{{Series: "web", Samples: []availability.Sample{{At: at(1), State: availability.Up}, {At: at(0), State: availability.Down}}}},
				Events:     []Events{{Series: "api", Buckets: []events.Bucket{{Start: at(0), Good: 9, Total: 10}}}},
				Rejected:   2,
				Checkpoint: []byte("cp1"),
				Config:     "cfg",
			}},
			want: State{
				Tickets:     []ticket.Ticket{a, b},
				Uptime:      map[string]*UptimeState{"web": {Samples: []availability.Sample{{At: at(0), State: availability.Down}, {At: at(1), State: availability.Up}}}},
				Events:      map[string][]events.Bucket{"api": {{Start: at(0), Good: 9, Total: 10}}},
				Checkpoint:  []byte("cp1"),
				LastSuccess: at(100),
				Rejected:    2,
				Config:      "cfg",
			},
		},
		{
			name: "later batches replace by id and instant, add up rejections, merge coverage",
			batches: []Batch{
				{
					Tickets: []ticket.Ticket{a, b},
					Uptime: []Uptime{{Series: "hoster", Outages: []availability.Outage{{Start: at(10), End: at(20), State: availability.Down}},
						Maintenance: []availability.Window{{Start: at(2), End: at(4)}, {Start: at(40), End: at(45)}}, Covered: Span{at(0), at(30)}}},
					Events:     []Events{{Series: "api", Buckets: []events.Bucket{{Start: at(0), Good: 5, Total: 5}, {Start: at(1), Good: 1, Total: 2}}}},
					Rejected:   1,
					Checkpoint: []byte("cp1"),
				},
				{
					Tickets: []ticket.Ticket{b2, c},
					Uptime: []Uptime{{Series: "hoster", Outages: []availability.Outage{{Start: at(10), End: at(25), State: availability.Degraded}},
						Maintenance: []availability.Window{{Start: at(40), End: at(50)}}, Covered: Span{at(30), at(60)}}},
					Events:     []Events{{Series: "api", Buckets: []events.Bucket{{Start: at(1), Good: 3, Total: 4}}}},
					Rejected:   3,
					Checkpoint: []byte("cp2"),
				},
			},
			want: State{
				Tickets: []ticket.Ticket{a, b2, c},
				Uptime: map[string]*UptimeState{"hoster": {
					Outages: []availability.Outage{{Start: at(10), End: at(25), State: availability.Degraded}},
					// The window starting at 40 is replaced by the longer one of the second batch.
					Maintenance: []availability.Window{{Start: at(2), End: at(4)}, {Start: at(40), End: at(50)}},
					Covered:     []Span{{at(0), at(60)}},
				}},
				Events:      map[string][]events.Bucket{"api": {{Start: at(0), Good: 5, Total: 5}, {Start: at(1), Good: 3, Total: 4}}},
				Checkpoint:  []byte("cp2"),
				LastSuccess: at(100),
				Rejected:    4,
			},
		},
		{
			name: "replace drops the previous records but keeps the rejected count",
			batches: []Batch{
				{
					Tickets:    []ticket.Ticket{a, b},
					Uptime:     []Uptime{{Series: "web", Samples: []availability.Sample{{At: at(0), State: availability.Up}}}},
					Events:     []Events{{Series: "api", Buckets: []events.Bucket{{Start: at(0), Good: 1, Total: 1}}}},
					Rejected:   5,
					Checkpoint: []byte("cp1"),
				},
				{Tickets: []ticket.Ticket{c}, Replace: true, Checkpoint: []byte("cp2")},
			},
			want: State{
				Tickets:     []ticket.Ticket{c},
				Checkpoint:  []byte("cp2"),
				LastSuccess: at(100),
				Rejected:    5,
			},
		},
		{
			name: "deleted ids drop held tickets first, so the batch's own tickets stay",
			batches: []Batch{
				{Tickets: []ticket.Ticket{a, b}, Checkpoint: []byte("cp1")},
				{Tickets: []ticket.Ticket{c}, Deleted: []string{a.ID, c.ID, "never-held"}, Checkpoint: []byte("cp2")},
			},
			want: State{
				Tickets:     []ticket.Ticket{b, c},
				Checkpoint:  []byte("cp2"),
				LastSuccess: at(100),
			},
		},
		{
			name: "native SLA records are kept, and go with a version of the ticket without them",
			batches: []Batch{
				{Tickets: []ticket.Ticket{nativeTicket(1), nativeTicket(2)}, Checkpoint: []byte("cp1")},
				{Tickets: []ticket.Ticket{sampleTicket(2)}, Checkpoint: []byte("cp2")},
			},
			want: State{
				Tickets:     []ticket.Ticket{nativeTicket(1), sampleTicket(2)},
				Checkpoint:  []byte("cp2"),
				LastSuccess: at(100),
			},
		},
		{
			name:    "deleted ids of a source without tickets",
			batches: []Batch{{Deleted: []string{a.ID}, Checkpoint: []byte("cp1")}},
			want:    State{Checkpoint: []byte("cp1"), LastSuccess: at(100)},
		},
		{
			name: "a nil checkpoint clears the stored one",
			batches: []Batch{
				{Checkpoint: []byte("cp1")},
				{},
			},
			want: State{LastSuccess: at(100)},
		},
	}
	// Each case again with every batch of two tickets or more committed in chunks of one: the
	// stored state must be the same.
	for _, chunk := range []int{ChunkTickets, 1} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/chunk=%d", tt.name, chunk), func(t *testing.T) {
				defer setChunk(chunk)()
				db := open(t, t.TempDir())
				for i, b := range tt.batches {
					if err := db.Commit("src", b, at(100-len(tt.batches)+i+1)); err != nil {
						t.Fatal(err)
					}
				}
				got, err := db.Load("src")
				if err != nil {
					t.Fatal(err)
				}
				// The generation is the last commit's transaction id: set once something was committed.
				if (got.Generation != 0) != !got.LastSuccess.IsZero() {
					t.Errorf("generation %d with last success %v", got.Generation, got.LastSuccess)
				}
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(State{}, "Generation")); diff != "" {
					t.Errorf("Load (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestCommit_RefusesUnstorableRecordsWhole(t *testing.T) {
	db := open(t, t.TempDir())
	if err := db.Commit("src", Batch{Tickets: []ticket.Ticket{sampleTicket(1)}, Checkpoint: []byte("cp1")}, at(0)); err != nil {
		t.Fatal(err)
	}
	bad := Batch{
		Tickets:    []ticket.Ticket{sampleTicket(2)},
		Uptime:     []Uptime{{Series: "web", Samples: []availability.Sample{{At: time.Time{}, State: availability.Up}}}},
		Checkpoint: []byte("cp2"),
	}
	if err := db.Commit("src", bad, at(1)); err == nil {
		t.Fatal("committed a sample at the zero time")
	}
	got, err := db.Load("src")
	if err != nil {
		t.Fatal(err)
	}
	want := State{Tickets: []ticket.Ticket{sampleTicket(1)}, Checkpoint: []byte("cp1"), LastSuccess: at(0)}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(State{}, "Generation")); diff != "" {
		t.Errorf("a failed commit left traces (-want +got):\n%s", diff)
	}
}

func TestSourcesDropReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"b", "a", "c"} {
		if err := db.Commit(s, Batch{Tickets: []ticket.Ticket{sampleTicket(1)}, Checkpoint: []byte(s)}, at(0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Drop("b"); err != nil {
		t.Fatal(err)
	}
	if err := db.Drop("never"); err != nil {
		t.Errorf("dropping an unknown source: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Fatal(err)
	}

	db = open(t, dir)
	names, err := db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "c"}, names); diff != "" {
		t.Errorf("Sources after reopening (-want +got):\n%s", diff)
	}
	st, err := db.Load("c")
	if err != nil {
		t.Fatal(err)
	}
	if string(st.Checkpoint) != "c" || len(st.Tickets) != 1 {
		t.Errorf("source c after reopening: checkpoint %q, %d tickets", st.Checkpoint, len(st.Tickets))
	}
	if st, _ := db.Load("b"); st.Checkpoint != nil || len(st.Tickets) != 0 {
		t.Errorf("dropped source b still has state: %+v", st)
	}
}

func TestScan_StopsOnError(t *testing.T) {
	db := open(t, t.TempDir())
	if err := db.Commit("src", Batch{Tickets: []ticket.Ticket{sampleTicket(1), sampleTicket(2)}}, at(0)); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	_, err := db.Scan("src", func(*ticket.Ticket) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Scan = %v after %d tickets, want %v after 1", err, n, stop)
	}
}

func TestHistory(t *testing.T) {
	db := open(t, t.TempDir())
	put := func(obj, label, v string) {
		t.Helper()
		if err := db.PutHistory(obj, label, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	put("p1-response", "2026-01", "0.97")
	put("p1-response", "2026-02", "0.91")
	put("p1-response", "2026-02", "0.92") // a re-frozen period replaces the old value
	put("web-uptime", "2026-01", "0.999")
	if err := db.DeleteHistory("web-uptime", ""); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteHistory("unknown", "2026-01"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		objective string
		want      map[string][]byte
	}{
		{"p1-response", map[string][]byte{"2026-01": []byte("0.97"), "2026-02": []byte("0.92")}},
		{"web-uptime", map[string][]byte{}},
		{"unknown", map[string][]byte{}},
	}
	for _, tt := range tests {
		got, err := db.History(tt.objective)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("History(%q) (-want +got):\n%s", tt.objective, diff)
		}
	}
}

func TestMergeSpans(t *testing.T) {
	tests := []struct {
		name string
		in   []Span
		want []Span
	}{
		{"empty", nil, []Span{}},
		{"disjoint stay apart, sorted", []Span{{at(5), at(6)}, {at(0), at(1)}}, []Span{{at(0), at(1)}, {at(5), at(6)}}},
		{"touching join", []Span{{at(0), at(1)}, {at(1), at(2)}}, []Span{{at(0), at(2)}}},
		{"contained vanish", []Span{{at(0), at(10)}, {at(2), at(3)}}, []Span{{at(0), at(10)}}},
		{"empty spans dropped", []Span{{at(3), at(3)}, {at(4), at(2)}}, []Span{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, MergeSpans(tt.in), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("MergeSpans (-want +got):\n%s", diff)
			}
		})
	}
}
