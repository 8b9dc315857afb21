package store

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// setChunk sets ChunkTickets for a test and returns what restores it.
func setChunk(n int) func() {
	old := ChunkTickets
	ChunkTickets = n
	return func() { ChunkTickets = old }
}

func tickets(first, n int) []ticket.Ticket {
	out := make([]ticket.Ticket, n)
	for i := range out {
		out[i] = sampleTicket(first + i)
	}
	return out
}

// hasStaging reports whether source's bucket holds a staging bucket.
func hasStaging(t *testing.T, db *DB, source string) bool {
	t.Helper()
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		sb := tx.Bucket(bucketSources).Bucket([]byte(source))
		found = sb != nil && sb.Bucket(bucketStaging) != nil
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// A crash between the chunks of a large snapshot leaves the previous state whole, checkpoint
// included: the next start resumes from the old checkpoint and reads the snapshot again, never
// taking the staged half for a complete sync. The next commit drops what was staged.
func TestCommit_crashBetweenChunks(t *testing.T) {
	defer setChunk(2)()
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := Batch{Tickets: tickets(0, 3), Checkpoint: []byte("cp1"), Rejected: 1}
	if err := db.Commit("src", old, at(0)); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("killed")
	afterChunk = func(chunk int) error {
		if chunk == 2 {
			return crash
		}
		return nil
	}
	defer func() { afterChunk = nil }()
	snapshot := Batch{Tickets: tickets(10, 7), Replace: true, Checkpoint: []byte("cp2"), Rejected: 4}
	if err := db.Commit("src", snapshot, at(1)); !errors.Is(err, crash) {
		t.Fatalf("Commit = %v, want the crash", err)
	}
	afterChunk = nil
	if !hasStaging(t, db, "src") {
		t.Fatal("no staged chunks: the test does not test a crash between chunks")
	}
	// The restart.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	got, err := db.Load("src")
	if err != nil {
		t.Fatal(err)
	}
	want := State{Tickets: tickets(0, 3), Checkpoint: []byte("cp1"), LastSuccess: at(0), Rejected: 1}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), ignoreGeneration); diff != "" {
		t.Errorf("after a crash between chunks (-want +got):\n%s", diff)
	}
	// The sync runs again from cp1 and commits the snapshot whole.
	if err := db.Commit("src", snapshot, at(2)); err != nil {
		t.Fatal(err)
	}
	got, err = db.Load("src")
	if err != nil {
		t.Fatal(err)
	}
	want = State{Tickets: tickets(10, 7), Checkpoint: []byte("cp2"), LastSuccess: at(2), Rejected: 5}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), ignoreGeneration); diff != "" {
		t.Errorf("after the snapshot (-want +got):\n%s", diff)
	}
	if hasStaging(t, db, "src") {
		t.Error("the staging bucket outlived the commit")
	}
}

// A small commit after a crash drops the staged chunks too, and Drop takes them with the source.
func TestCommit_smallCommitDropsStaging(t *testing.T) {
	defer setChunk(2)()
	db := open(t, t.TempDir())
	afterChunk = func(int) error { return errors.New("killed") }
	err := db.Commit("src", Batch{Tickets: tickets(0, 5), Replace: true, Checkpoint: []byte("cp1")}, at(0))
	afterChunk = nil
	if err == nil {
		t.Fatal("the crash did not stop the commit")
	}
	if err := db.Commit("src", Batch{Tickets: tickets(20, 1), Checkpoint: []byte("cp2")}, at(1)); err != nil {
		t.Fatal(err)
	}
	if hasStaging(t, db, "src") {
		t.Error("a later commit kept the staged chunks of a crashed one")
	}
	got, err := db.Load("src")
	if err != nil {
		t.Fatal(err)
	}
	want := State{Tickets: tickets(20, 1), Checkpoint: []byte("cp2"), LastSuccess: at(1)}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), ignoreGeneration); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A batch given as a ticket store stores what the store holds: the same tickets as the batch
// it was built from, to the second (as the store keeps them), chunked or not.
func TestCommit_fromStore(t *testing.T) {
	for _, chunk := range []int{ChunkTickets, 3} {
		defer setChunk(chunk)()
		db := open(t, t.TempDir())
		in := append(tickets(0, 7), nativeTicket(100))
		st := ticket.NewStore(ticket.StoreOptions{})
		for i := range in {
			if err := st.Add(&in[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Commit("src", Batch{Store: st, Replace: true, Checkpoint: []byte("cp")}, at(0)); err != nil {
			t.Fatal(err)
		}
		got, err := db.Load("src")
		if err != nil {
			t.Fatal(err)
		}
		want := State{Tickets: in, Checkpoint: []byte("cp"), LastSuccess: at(0)}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), ignoreGeneration); diff != "" {
			t.Errorf("chunk %d (-want +got):\n%s", chunk, diff)
		}
	}
}

// ignoreGeneration leaves out State.Generation, a transaction id these tests do not predict.
var ignoreGeneration = cmpopts.IgnoreFields(State{}, "Generation")
