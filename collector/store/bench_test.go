package store

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func batchOf(first, n int) Batch {
	b := Batch{Tickets: make([]ticket.Ticket, n), Checkpoint: []byte(fmt.Sprint(first + n))}
	for i := range b.Tickets {
		b.Tickets[i] = sampleTicket(first + i)
	}
	return b
}

func reportSize(b *testing.B, db *DB, tickets int) {
	size, err := db.Size()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(size)/float64(tickets), "dbbytes/ticket")
}

// BenchmarkCommit commits batches of 10,000 new tickets (a first sync, or a busy desk's day) into
// a growing file, fsync included.
func BenchmarkCommit(b *testing.B) {
	const n = 10_000
	db := open(b, b.TempDir())
	batches := 0
	for b.Loop() {
		b.StopTimer()
		batch := batchOf(batches*n, n)
		b.StartTimer()
		if err := db.Commit("src", batch, t0); err != nil {
			b.Fatal(err)
		}
		batches++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(batches*n), "ns/ticket")
	reportSize(b, db, batches*n)
}

// storedTickets is a new database holding n tickets of source src, committed per at a time.
func storedTickets(b *testing.B, n, per int) *DB {
	b.Helper()
	db := open(b, b.TempDir())
	for i := 0; i < n; i += per {
		if err := db.Commit("src", batchOf(i, per), t0); err != nil {
			b.Fatal(err)
		}
	}
	return db
}

// BenchmarkLoad reads 100,000 stored tickets into a ticket store, as a start-up does.
func BenchmarkLoad(b *testing.B) {
	const n = 100_000
	db := storedTickets(b, n, 10_000)
	for b.Loop() {
		s := ticket.NewStore(ticket.StoreOptions{})
		_, err := db.Scan("src", func(t *ticket.Ticket) error { return s.Add(t) })
		if err != nil {
			b.Fatal(err)
		}
		if s.Len() != n {
			b.Fatalf("loaded %d tickets, want %d", s.Len(), n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/ticket")
	reportSize(b, db, n)
}

// BenchmarkCommitShuffled commits one batch of n new tickets whose ids come in random order, as
// a first sync of a Jira project or of a date-ordered export does: it must cost about what
// ids in order cost (it was quadratic: 200,000 took two minutes, 1.27 million never ended).
func BenchmarkCommitShuffled(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			batch := batchOf(0, n)
			rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { batch.Tickets[i], batch.Tickets[j] = batch.Tickets[j], batch.Tickets[i] })
			for b.Loop() {
				b.StopTimer()
				db := open(b, b.TempDir())
				b.StartTimer()
				if err := db.Commit("src", batch, t0); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/ticket")
		})
	}
}

// BenchmarkLoad1M loads a million stored tickets into a ticket store, as a start-up does: from
// the database ticket by ticket (what a start-up does without a current snapshot), and from the
// ticket snapshot written after the commits.
func BenchmarkLoad1M(b *testing.B) {
	const n = 1_000_000
	db := storedTickets(b, n, 100_000)
	loaded := scanStore(b, db, "src", ticket.StoreOptions{})
	if err := db.SaveTickets("src", "key", loaded); err != nil {
		b.Fatal(err)
	}
	loaded = nil
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			if s := scanStore(b, db, "src", ticket.StoreOptions{}); s.Len() != n {
				b.Fatalf("loaded %d tickets, want %d", s.Len(), n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/ticket")
	})
	b.Run("snapshot", func(b *testing.B) {
		for b.Loop() {
			_, s, why, err := db.ScanSnapshot("src", "key", ticket.StoreOptions{}, func(*ticket.Ticket) error { return nil })
			if err != nil || s == nil {
				b.Fatalf("snapshot not used: %q, %v", why, err)
			}
			if s.Len() != n {
				b.Fatalf("loaded %d tickets, want %d", s.Len(), n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/ticket")
		if fi, err := os.Stat(db.ticketSnapPath("src")); err == nil {
			b.ReportMetric(float64(fi.Size())/n, "snapbytes/ticket")
		}
	})
	// What a running source pays to write the snapshot (from its goroutine, at most every
	// collector.TicketSnapshotGap and at stop).
	b.Run("save", func(b *testing.B) {
		s := scanStore(b, db, "src", ticket.StoreOptions{})
		for b.Loop() {
			if err := db.SaveTickets("src", "key", s); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/ticket")
	})
}
