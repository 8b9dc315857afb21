package ticket

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// utc is a whole-second UTC instant, as the store gives times back.
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

func sample(id string) Ticket {
	return Ticket{
		ID:       id,
		Created:  utc("2025-03-10 08:00:00"),
		Priority: "P2",
		Type:     "incident",
		Group:    "network",
		Fields:   map[string]string{"customer": "acme", "service": "vpn", "note": ""},
		History: []StatusChange{
			{At: utc("2025-03-10 08:00:00"), Status: "New", Category: Open},
			{At: utc("2025-03-10 09:00:00"), Status: "Awaiting Customer", Category: Paused},
			{At: utc("2025-03-10 10:00:00"), Status: "Solved", Category: Resolved},
		},
		FirstResponse: utc("2025-03-10 08:20:00"),
		Rating:        Good,
		Reassignments: 2,
		WorkTime:      95 * time.Minute,
	}
}

func mustAdd(tb testing.TB, st *Store, t Ticket) {
	tb.Helper()
	if err := st.Add(&t); err != nil {
		tb.Fatal(err)
	}
}

func TestStoreAddAndReplace(t *testing.T) {
	st := NewStore(StoreOptions{})
	for _, id := range []string{"INC1", "INC2", "INC3"} {
		mustAdd(t, st, sample(id))
	}
	changed := sample("INC2")
	changed.Priority = "P1"
	changed.History = append(changed.History, StatusChange{At: utc("2025-03-11 09:00:00"), Status: "Reopened", Category: Open})
	changed.Fields = map[string]string{"customer": "globex"}
	changed.FirstResponse = time.Time{}
	mustAdd(t, st, changed)

	if st.Len() != 3 {
		t.Fatalf("Len = %d after replacing, want 3", st.Len())
	}
	for i, id := range []string{"INC1", "INC2", "INC3"} {
		v, ok := st.Find(id)
		if !ok || v.Index() != i || v.ID() != id || st.View(i).ID() != id {
			t.Errorf("Find(%s) = index %d, %v; want index %d", id, v.Index(), ok, i)
		}
	}
	v, _ := st.Find("INC2")
	if diff := cmp.Diff(changed, v.Ticket()); diff != "" {
		t.Errorf("replaced ticket (-want +got):\n%s", diff)
	}
	if _, ok := v.FirstResponse(); ok {
		t.Error("replaced ticket kept the old first response")
	}
	if diff := cmp.Diff(sample("INC3"), st.View(2).Ticket()); diff != "" {
		t.Errorf("neighbour of the replaced ticket (-want +got):\n%s", diff)
	}
	if _, ok := st.Find("INC4"); ok {
		t.Error("Find(INC4) found a ticket never added")
	}
}

func TestStoreRejects(t *testing.T) {
	tests := []struct {
		name   string
		opts   StoreOptions
		change func(*Ticket)
		want   string
	}{
		{"no id", StoreOptions{}, func(t *Ticket) { t.ID = "" }, "ticket has no id"},
		{"no creation time", StoreOptions{}, func(t *Ticket) { t.Created = time.Time{} }, "ticket INC1: no creation time"},
		{
			"history going backwards", StoreOptions{},
			func(t *Ticket) { t.History[2].At = utc("2025-03-10 08:30:00") },
			"ticket INC1: status history goes backwards at entry 2 (2025-03-10T08:30:00Z after 2025-03-10T09:00:00Z)",
		},
		{
			"resolved before created", StoreOptions{},
			func(t *Ticket) {
				t.History = []StatusChange{{At: utc("2025-03-10 07:00:00"), Status: "Solved", Category: Resolved}}
			},
			"ticket INC1: resolved at 2025-03-10T07:00:00Z is before creation 2025-03-10T08:00:00Z",
		},
		{
			"status before created", StoreOptions{},
			func(t *Ticket) { t.History[0].At = utc("2025-03-10 07:59:59") },
			"ticket INC1: status New at 2025-03-10T07:59:59Z is before creation 2025-03-10T08:00:00Z",
		},
		{
			"unknown priority", StoreOptions{Priorities: []string{"P1", "P2", "P3"}},
			func(t *Ticket) { t.Priority = "P9" },
			`ticket INC1: unknown priority "P9"`,
		},
		{
			"unmapped status category", StoreOptions{},
			func(t *Ticket) { t.History[1].Status, t.History[1].Category = "Escalated", Unmapped },
			`ticket INC1: status "Escalated" at 2025-03-10T09:00:00Z has no category mapping`,
		},
		{
			"category out of range", StoreOptions{},
			func(t *Ticket) { t.History[1].Category = Cancelled + 1 },
			`ticket INC1: status "Awaiting Customer" at 2025-03-10T09:00:00Z has no category mapping`,
		},
		{
			"first response before creation", StoreOptions{},
			func(t *Ticket) { t.FirstResponse = utc("2025-03-10 07:30:00") },
			"ticket INC1: first response 2025-03-10T07:30:00Z is before creation 2025-03-10T08:00:00Z",
		},
		{"negative reassignments", StoreOptions{}, func(t *Ticket) { t.Reassignments = -1 }, "ticket INC1: negative reassignment count -1"},
		{"negative work time", StoreOptions{}, func(t *Ticket) { t.WorkTime = -time.Minute }, "ticket INC1: negative work time -1m0s"},
		{"bad rating", StoreOptions{}, func(t *Ticket) { t.Rating = 5 }, "ticket INC1: rating 5 is not unrated, good or bad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStore(tc.opts)
			mustAdd(t, st, sample("INC0"))
			before := len(st.strs)
			tk := sample("INC1")
			tk.Priority = "P1"
			tc.change(&tk)
			err := st.Add(&tk)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Add = %v, want %q", err, tc.want)
			}
			if st.Len() != 1 || len(st.strs) != before || len(st.histAt) != 3 {
				t.Errorf("a rejected ticket changed the store: %d tickets, %d strings, %d changes", st.Len(), len(st.strs), len(st.histAt))
			}
		})
	}
	// A rejected replacement leaves the old version in place.
	st := NewStore(StoreOptions{})
	mustAdd(t, st, sample("INC1"))
	bad := sample("INC1")
	bad.FirstResponse = utc("2025-03-09 00:00:00")
	if st.Add(&bad) == nil {
		t.Fatal("bad replacement accepted")
	}
	if diff := cmp.Diff(sample("INC1"), st.View(0).Ticket()); diff != "" {
		t.Errorf("after a rejected replacement (-want +got):\n%s", diff)
	}
}

func TestStoreAcceptedEdges(t *testing.T) {
	st := NewStore(StoreOptions{Priorities: []string{"P1", "P2"}})
	tk := sample("INC1")
	// Changes at the creation instant and several at one instant are fine, and so is a response
	// at creation.
	tk.History = []StatusChange{
		{At: tk.Created, Status: "New", Category: Open},
		{At: tk.Created, Status: "Solved", Category: Resolved},
	}
	tk.FirstResponse = tk.Created
	mustAdd(t, st, tk)
	// Sub-second instants are kept to the second, truncated.
	tk = sample("INC2")
	tk.Created = tk.Created.Add(900 * time.Millisecond)
	tk.History = nil
	mustAdd(t, st, tk)
	if got, want := st.View(1).Created(), utc("2025-03-10 08:00:00").Unix(); got != want {
		t.Errorf("Created = %d, want %d", got, want)
	}
}

func TestViewAccessors(t *testing.T) {
	st := NewStore(StoreOptions{})
	mustAdd(t, st, sample("INC1"))
	v := st.View(0)
	if v.Priority() != "P2" || v.Type() != "incident" || v.Group() != "network" || v.Rating() != Good || v.Reassignments() != 2 {
		t.Errorf("attributes: %s %s %s %d %d", v.Priority(), v.Type(), v.Group(), v.Rating(), v.Reassignments())
	}
	if v.WorkTime() != 95*time.Minute {
		t.Errorf("WorkTime = %s, want 1h35m", v.WorkTime())
	}
	if r, ok := v.FirstResponse(); !ok || r != utc("2025-03-10 08:20:00").Unix() {
		t.Errorf("FirstResponse = %d, %v", r, ok)
	}
	if v.HistoryLen() != 3 {
		t.Fatalf("HistoryLen = %d", v.HistoryLen())
	}
	if at, c := v.History(1); at != utc("2025-03-10 09:00:00").Unix() || c != Paused || v.HistoryStatus(1) != "Awaiting Customer" {
		t.Errorf("History(1) = %d, %s, %q", at, c, v.HistoryStatus(1))
	}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{
		{"customer", "acme", true},
		{"service", "vpn", true},
		{"note", "", true},      // present and empty
		{"region", "", false},   // a name no ticket has
		{"incident", "", false}, // an interned string that is not a field name of this ticket
		{"priority", "", false}, // attributes are not fields
		{"Customer", "", false}, // names are case-sensitive
	} {
		if got, ok := v.Field(tc.name); got != tc.want || ok != tc.ok {
			t.Errorf("Field(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestViewTicketRoundTrip(t *testing.T) {
	st := NewStore(StoreOptions{})
	in := []Ticket{sample("INC1"), {ID: "INC2", Created: utc("2025-01-01 00:00:00")}}
	// Times in another zone come back as the same instants in UTC.
	local := sample("INC3")
	local.Created = local.Created.In(rome)
	local.History[0].At = local.History[0].At.In(rome)
	in = append(in, local)
	for _, tk := range in {
		mustAdd(t, st, tk)
	}
	for i, want := range in {
		got := st.View(i).Ticket()
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("ticket %d (-in +out):\n%s", i, diff)
		}
		if got.Created.Location() != time.UTC {
			t.Errorf("ticket %d: Created in %s, want UTC", i, got.Created.Location())
		}
	}
}

// randomTicket is a valid ticket for id with random attributes, history and fields.
func randomTicket(rng *rand.Rand, id string) Ticket {
	base := utc("2025-01-01 00:00:00").Add(time.Duration(rng.IntN(1e6)) * time.Second)
	t := Ticket{
		ID: id, Created: base,
		Priority: priorities[rng.IntN(4)], Type: types[rng.IntN(3)], Group: groups[rng.IntN(8)],
		Rating: Rating(rng.IntN(3)), Reassignments: rng.IntN(4),
		WorkTime: time.Duration(rng.IntN(3)*rng.IntN(20000)) * time.Second,
	}
	at := base
	for range rng.IntN(6) {
		at = at.Add(time.Duration(rng.IntN(10000)) * time.Second)
		c := Category(1 + rng.IntN(5))
		t.History = append(t.History, StatusChange{At: at, Status: fmt.Sprintf("%s-%d", c, rng.IntN(3)), Category: c})
	}
	if n := rng.IntN(4); n > 0 {
		t.Fields = map[string]string{}
		for range n {
			t.Fields[fmt.Sprintf("f%d", rng.IntN(6))] = fmt.Sprintf("v%d", rng.IntN(50))
		}
	}
	if rng.IntN(2) == 0 {
		t.FirstResponse = base.Add(time.Duration(rng.IntN(5000)) * time.Second)
	}
	for range rng.IntN(3) {
		start := base.Add(time.Duration(rng.IntN(10000)) * time.Second)
		n := NativeSLA{Name: fmt.Sprintf("sla-%d", rng.IntN(3)), Clock: []string{"", "response", "resolution"}[rng.IntN(3)],
			Start: start, Breached: rng.IntN(2) == 0, Paused: rng.IntN(2) == 0}
		if rng.IntN(2) == 0 {
			n.Deadline = start.Add(time.Duration(rng.IntN(10000)) * time.Second)
		}
		if rng.IntN(2) == 0 {
			n.Stop = start.Add(time.Duration(rng.IntN(10000)) * time.Second)
		}
		t.Native = append(t.Native, n)
	}
	return t
}

// TestStoreUpsertProperty applies random upserts and checks the store against a map of the last
// version of each ticket, through several compactions.
func TestStoreUpsertProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	st := NewStore(StoreOptions{})
	ref := map[string]Ticket{}
	index := map[string]int{}
	compactions := 0
	for op := range 60000 {
		id := fmt.Sprintf("INC%07d", rng.IntN(800))
		tk := randomTicket(rng, id)
		garbage := st.histGarbage + st.fieldGarbage + st.nativeGarbage
		mustAdd(t, st, tk)
		if st.histGarbage+st.fieldGarbage+st.nativeGarbage < garbage {
			compactions++
		}
		ref[id] = tk
		if i, ok := index[id]; ok {
			if v, _ := st.Find(id); v.Index() != i {
				t.Fatalf("op %d: %s moved from index %d to %d", op, id, i, v.Index())
			}
		} else {
			index[id] = st.Len() - 1
		}
		if op%5000 == 4999 {
			checkStore(t, st, ref, index)
		}
	}
	checkStore(t, st, ref, index)
	if compactions < 3 {
		t.Errorf("%d compactions, want several", compactions)
	}
	// Garbage never outgrows the live data by more than the compaction threshold.
	live := 0
	for i := range st.recs {
		live += int(st.recs[i].nhist) + 2*int(st.recs[i].nfields) + int(st.recs[i].nnative)
	}
	if total := len(st.histAt) + len(st.fieldKV) + len(st.natives); total > 2*live+2*4096 {
		t.Errorf("%d slots for %d live ones", total, live)
	}
}

func checkStore(t *testing.T, st *Store, ref map[string]Ticket, index map[string]int) {
	t.Helper()
	if st.Len() != len(ref) {
		t.Fatalf("Len = %d, want %d", st.Len(), len(ref))
	}
	var byClock [3]int
	for _, tk := range ref {
		for _, n := range tk.Native {
			byClock[map[string]int{"": 0, "response": 1, "resolution": 2}[n.Clock]]++
		}
	}
	if byClock != st.nativeByClock {
		t.Fatalf("native records per clock %v, want %v", st.nativeByClock, byClock)
	}
	for _, id := range slices.Sorted(maps.Keys(ref)) {
		v, ok := st.Find(id)
		if !ok || v.Index() != index[id] {
			t.Fatalf("Find(%s) = %d, %v, want %d", id, v.Index(), ok, index[id])
		}
		if diff := cmp.Diff(ref[id], v.Ticket(), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("ticket %s (-want +got):\n%s", id, diff)
		}
		for k, val := range ref[id].Fields {
			if got, ok := v.Field(k); !ok || got != val {
				t.Fatalf("ticket %s: Field(%s) = %q, %v, want %q", id, k, got, ok, val)
			}
		}
	}
}

// TestStoreBytesPerTicket measures the heap a stored ticket retains: realistic tickets (ids like
// INC0012345, 4 status changes, 3 fields from a small vocabulary), built one at a time so that
// only what the store keeps is counted.
func TestStoreBytesPerTicket(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 200,000 tickets")
	}
	const n = 200_000
	const limit = 256
	rng := rand.New(rand.NewPCG(3, 5))
	base := utc("2025-01-01 00:00:00")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	st := NewStore(StoreOptions{})
	for i := range n {
		created := base.Add(time.Duration(rng.IntN(90*86400)) * time.Second)
		tk := Ticket{
			ID:       fmt.Sprintf("INC%07d", 12345+i),
			Created:  created,
			Priority: priorities[rng.IntN(4)], Type: types[rng.IntN(3)], Group: groups[rng.IntN(8)],
			Fields: map[string]string{
				"customer": customers[rng.IntN(len(customers))],
				"service":  services[rng.IntN(len(services))],
				"category": categories[rng.IntN(len(categories))],
			},
			History: []StatusChange{
				{At: created, Status: "New", Category: Open},
				{At: created.Add(time.Hour), Status: "In Progress", Category: Open},
				{At: created.Add(3 * time.Hour), Status: "Awaiting Customer", Category: Paused},
				{At: created.Add(26 * time.Hour), Status: "Resolved", Category: Resolved},
			},
			FirstResponse: created.Add(20 * time.Minute),
			Rating:        Good,
		}
		mustAdd(t, st, tk)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perTicket := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
	t.Logf("%.1f B/ticket retained (%d tickets, %d interned strings)", perTicket, st.Len(), len(st.strs))
	if perTicket > limit {
		t.Errorf("%.1f B/ticket retained, more than %d", perTicket, limit)
	}
	runtime.KeepAlive(st)
}

// The store keeps a work time to the second and caps one beyond 32 bits of seconds, as it does
// a reassignment count beyond 16 bits: both are a source's error, not a ticket's work.
func TestStoreWorkTime(t *testing.T) {
	tests := []struct {
		name   string
		in     time.Duration
		stored time.Duration
	}{
		{"none", 0, 0},
		{"seconds kept", 38*time.Minute + 5*time.Second, 38*time.Minute + 5*time.Second},
		{"below a second dropped", 1500 * time.Millisecond, time.Second},
		{"capped", time.Duration(1<<33) * time.Second, time.Duration(math.MaxUint32) * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := NewStore(StoreOptions{})
			tk := sample("INC1")
			tk.WorkTime = tc.in
			mustAdd(t, st, tk)
			if got := st.View(0).WorkTime(); got != tc.stored {
				t.Errorf("WorkTime() = %s, want %s", got, tc.stored)
			}
			if got := st.View(0).Ticket().WorkTime; got != tc.stored {
				t.Errorf("Ticket().WorkTime = %s, want %s", got, tc.stored)
			}
		})
	}
}
