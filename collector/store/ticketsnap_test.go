package store

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// scanStore loads source ticket by ticket, as a start-up without a snapshot does.
func scanStore(t testing.TB, db *DB, source string, opts ticket.StoreOptions) *ticket.Store {
	t.Helper()
	s := ticket.NewStore(opts)
	if _, err := db.Scan(source, func(tk *ticket.Ticket) error { return s.Add(tk) }); err != nil {
		t.Fatal(err)
	}
	return s
}

// storeTickets materializes every ticket of s in index order, with what the store says of its
// native clocks.
func storeTickets(s *ticket.Store) []ticket.Ticket {
	out := make([]ticket.Ticket, s.Len())
	for i := range out {
		out[i] = s.View(i).Ticket()
	}
	return out
}

// snapshotDB holds tickets of several shapes (native records, no response, no fields, unrated)
// committed in two batches, ids out of order, and one ticket replaced by the second batch.
func snapshotDB(t *testing.T) *DB {
	t.Helper()
	db := open(t, t.TempDir())
	worked := sampleTicket(5)
	worked.WorkTime = 38 * time.Minute
	first := Batch{Tickets: []ticket.Ticket{sampleTicket(7), nativeTicket(3), worked}}
	bare := sampleTicket(9)
	bare.Fields, bare.FirstResponse, bare.Rating, bare.History = nil, bare.Created.Add(0), ticket.Unrated, nil
	replaced := sampleTicket(7)
	replaced.Priority, replaced.Fields["customer"] = "P1", "Globex"
	second := Batch{Tickets: []ticket.Ticket{bare, replaced, sampleTicket(1)}}
	for _, b := range []Batch{first, second} {
		if err := db.Commit("src", b, t0); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestTicketSnapshot_RoundTrip(t *testing.T) {
	db := snapshotDB(t)
	opts := ticket.StoreOptions{Priorities: []string{"P1", "P2", "P3", "P4"}}
	want := scanStore(t, db, "src", opts)
	// The runner's store after syncs holds the tickets in arrival order; the snapshot is written
	// in id order, so that what it builds equals a load from the database.
	live := ticket.NewStore(opts)
	for _, tk := range []ticket.Ticket{nativeTicket(3), sampleTicket(9), sampleTicket(1), sampleTicket(5), sampleTicket(7)} {
		if err := live.Add(&tk); err != nil {
			t.Fatal(err)
		}
	}
	for i := range want.Len() { // make live hold what the database holds
		tk := want.View(i).Ticket()
		if err := live.Add(&tk); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveTickets("src", "key", live); err != nil {
		t.Fatal(err)
	}
	called := 0
	st, got, why, err := db.ScanSnapshot("src", "key", opts, func(*ticket.Ticket) error { called++; return nil })
	if err != nil || why != "" || got == nil {
		t.Fatalf("ScanSnapshot: store %v, why %q, err %v", got != nil, why, err)
	}
	if called != 0 {
		t.Errorf("fn called %d times though the snapshot was used", called)
	}
	if st.LastSuccess.IsZero() {
		t.Error("the state besides the tickets was not read")
	}
	if diff := cmp.Diff(storeTickets(want), storeTickets(got)); diff != "" {
		t.Errorf("snapshot store differs from a ticket-by-ticket load (-want +got):\n%s", diff)
	}
	for _, k := range []ticket.Kind{ticket.Response, ticket.Resolution} {
		if got.HasNative(k) != want.HasNative(k) {
			t.Errorf("HasNative(%v) = %v, want %v", k, got.HasNative(k), want.HasNative(k))
		}
	}
	if v, ok := got.Find("INC0000007"); !ok || v.Priority() != "P1" {
		t.Errorf("Find(INC0000007) = %v, %v; want the replaced ticket with priority P1", ok, v.Priority())
	}
	if v, ok := got.Find("INC0000005"); !ok || func() string { f, _ := v.Field("customer"); return f }() != "ACME Corp" {
		t.Error("Find(INC0000005) does not read its fields")
	} else if v.WorkTime() != 38*time.Minute {
		t.Errorf("INC0000005: WorkTime = %s, want 38m", v.WorkTime())
	}
	// The built store takes new tickets like any other.
	tk := sampleTicket(2)
	if err := got.Add(&tk); err != nil || got.Len() != want.Len()+1 {
		t.Errorf("Add after the bulk build: %v, len %d", err, got.Len())
	}
}

// Every way a snapshot can be wrong makes the load read the database instead, with a reason.
func TestTicketSnapshot_Fallback(t *testing.T) {
	opts := ticket.StoreOptions{}
	tests := []struct {
		name string
		// spoil acts after a good snapshot was saved under "key".
		spoil func(t *testing.T, db *DB)
		key   string
		why   string // part of the reason; "" when there is no snapshot at all
	}{
		{name: "stale: a commit after the snapshot", why: "the last commit is", spoil: func(t *testing.T, db *DB) {
			if err := db.Commit("src", Batch{Tickets: []ticket.Ticket{sampleTicket(100)}}, t0); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "stale: a commit deleting a ticket", why: "the last commit is", spoil: func(t *testing.T, db *DB) {
			if err := db.Commit("src", Batch{Deleted: []string{"INC0000005"}}, t0); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "other settings", key: "other", why: "other settings"},
		{name: "torn write", why: "checksum", spoil: func(t *testing.T, db *DB) {
			b := readSnap(t, db)
			writeSnap(t, db, b[:len(b)*2/3])
		}},
		{name: "flipped byte", why: "checksum", spoil: func(t *testing.T, db *DB) {
			b := readSnap(t, db)
			b[len(b)/2] ^= 0x40
			writeSnap(t, db, b)
		}},
		{name: "too short", why: "truncated", spoil: func(t *testing.T, db *DB) { writeSnap(t, db, []byte("SLA")) }},
		{name: "removed", spoil: func(t *testing.T, db *DB) {
			if err := os.Remove(db.ticketSnapPath("src")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "source dropped and committed again", why: "the last commit is", spoil: func(t *testing.T, db *DB) {
			keep := readSnap(t, db)
			if err := db.Drop("src"); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(db.ticketSnapPath("src")); !os.IsNotExist(err) {
				t.Errorf("Drop left the snapshot: %v", err)
			}
			if err := db.Commit("src", Batch{Tickets: []ticket.Ticket{sampleTicket(1)}}, t0); err != nil {
				t.Fatal(err)
			}
			writeSnap(t, db, keep)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := snapshotDB(t)
			if err := db.SaveTickets("src", "key", scanStore(t, db, "src", opts)); err != nil {
				t.Fatal(err)
			}
			if tt.spoil != nil {
				tt.spoil(t, db)
			}
			key := "key"
			if tt.key != "" {
				key = tt.key
			}
			want := scanStore(t, db, "src", opts)
			var scanned []ticket.Ticket
			_, got, why, err := db.ScanSnapshot("src", key, opts, func(tk *ticket.Ticket) error { scanned = append(scanned, *tk); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				t.Fatal("the spoilt snapshot was used")
			}
			if !strings.Contains(why, tt.why) || (tt.why == "") != (why == "") {
				t.Errorf("why = %q, want it to contain %q", why, tt.why)
			}
			if len(scanned) != want.Len() {
				t.Errorf("fell back to %d scanned tickets, want %d", len(scanned), want.Len())
			}
		})
	}
}

// A snapshot left beside a database file that was deleted and created again is foreign, even
// when the new file's commits reach the same generation.
func TestTicketSnapshot_OtherDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit("src", batchOf(0, 3), t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveTickets("src", "key", scanStore(t, db, "src", ticket.StoreOptions{})); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(db.Path()); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	if err := db.Commit("src", batchOf(10, 3), t0); err != nil {
		t.Fatal(err)
	}
	_, got, why, err := db.ScanSnapshot("src", "key", ticket.StoreOptions{}, func(*ticket.Ticket) error { return nil })
	if err != nil || got != nil || !strings.Contains(why, "another database file") {
		t.Errorf("ScanSnapshot = store %v, why %q, err %v; want the foreign snapshot refused", got != nil, why, err)
	}
}

// Nothing committed: nothing to snapshot, and no file.
func TestTicketSnapshot_NothingCommitted(t *testing.T) {
	db := open(t, t.TempDir())
	if err := db.SaveTickets("src", "key", ticket.NewStore(ticket.StoreOptions{})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(db.ticketSnapPath("src")); !os.IsNotExist(err) {
		t.Errorf("snapshot written for a source with no commit: %v", err)
	}
}

func readSnap(t *testing.T, db *DB) []byte {
	t.Helper()
	b, err := os.ReadFile(db.ticketSnapPath("src"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeSnap(t *testing.T, db *DB, b []byte) {
	t.Helper()
	if err := os.WriteFile(db.ticketSnapPath("src"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// FuzzTicketSnapshot feeds arbitrary bytes, framed with a valid checksum, stamp and key, to the
// snapshot reader: it must refuse them or build a store that materializes, never panic.
// A version 1 snapshot, written before tickets had a work time, is read as before: the same
// tickets, none with a work time. The fixture is sampleTicket(1) and nativeTicket(2) as version 1
// wrote them, stamped with generation 7 under the key "k".
func TestTicketSnapshot_Version1(t *testing.T) {
	raw, err := os.ReadFile("testdata/ticketsnap_v1.hex")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if b[len(ticketSnapMagic)] != ticketSnapV1 {
		t.Fatalf("fixture is version %d", b[len(ticketSnapMagic)])
	}
	got, err := readTicketSnapshot(b, stamp{generation: 7}, "k", ticket.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ticket.NewStore(ticket.StoreOptions{})
	for _, tk := range []ticket.Ticket{sampleTicket(1), nativeTicket(2)} {
		if err := want.Add(&tk); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(storeTickets(want), storeTickets(got)); diff != "" {
		t.Errorf("version 1 snapshot (-want +got):\n%s", diff)
	}
	// An unknown version is refused, naming both versions read.
	b[len(ticketSnapMagic)] = 9
	if _, err := readTicketSnapshot(appendCRC(b[:len(b)-4]), stamp{generation: 7}, "k", ticket.StoreOptions{}); err == nil || !strings.Contains(err.Error(), "version 9, this build reads 1 and 2") {
		t.Errorf("version 9: err = %v", err)
	}
}

func FuzzTicketSnapshot(f *testing.F) {
	st := stamp{generation: 7}
	s := ticket.NewStore(ticket.StoreOptions{})
	worked := sampleTicket(3)
	worked.WorkTime = time.Hour
	for _, tk := range []ticket.Ticket{sampleTicket(1), nativeTicket(2), worked} {
		if err := s.Add(&tk); err != nil {
			f.Fatal(err)
		}
	}
	good := appendTicketSnapshot(nil, st, "k", s)
	head := len(ticketSnapMagic) + 1 + 16 + 8 + 2 // through the key "k"
	f.Add(good[head : len(good)-4])
	f.Fuzz(func(t *testing.T, body []byte) {
		b := append(append([]byte(nil), good[:head]...), body...)
		b = appendCRC(b)
		got, err := readTicketSnapshot(b, st, "k", ticket.StoreOptions{})
		if err != nil {
			return
		}
		storeTickets(got)
	})
}
