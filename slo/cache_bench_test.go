package slo

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/internal/cputime"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// BenchmarkEvaluateTicketsChanged evaluates the desk of BenchmarkEvaluateTickets (a million
// tickets, a response and a resolution objective) once a minute, with 1% of the tickets changed
// between evaluations (open tickets resolved, resolved ones closed or reopened, closed ones
// edited), in
// full and incrementally (TicketCache). The changes are made with the timer stopped: what is
// measured is the evaluation of both objectives; cpu-ns/op is its CPU time on the benchmark's
// thread, which the load of a shared machine does not stretch. cache-B/ticket is the memory both objectives'
// caches hold per ticket (TicketCache.Bytes), recomputed the tickets both objectives recomputed
// at the last evaluation (changed or open), store-B/ticket the store's heap per ticket, its change
// tracking included.
func BenchmarkEvaluateTicketsChanged(b *testing.B) {
	const n = 1_000_000
	const changed = n / 100
	start := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	objs := benchDeskObjectives(b)
	for _, mode := range []string{"full", "incremental"} {
		b.Run(mode, func(b *testing.B) {
			before := heapInUse()
			st := benchDesk(b, n, start)
			retained := heapInUse() - before
			rng := rand.New(rand.NewPCG(5, 6))
			now := start
			// change replaces 1% of the tickets by a version with one more status change a
			// minute before now, as a desk's day goes: open tickets are resolved, resolved ones
			// closed (one in 25 reopened instead), closed ones get a field changed.
			change := func() {
				now = now.Add(time.Minute)
				at := now.Add(-time.Minute)
				for range changed {
					tk := st.View(rng.IntN(n)).Ticket()
					last := &tk.History[len(tk.History)-1]
					var c ticket.Category
					switch {
					case last.Category == ticket.Closed:
						tk.Fields["customer"] = "reassigned"
					case last.Category == ticket.Resolved && rng.IntN(25) == 0:
						c = ticket.Open
					case last.Category == ticket.Resolved:
						c = ticket.Closed
					default:
						c = ticket.Resolved
					}
					if c != 0 {
						when := at
						if !when.After(last.At) {
							when = last.At.Add(time.Second)
						}
						tk.History = append(tk.History, ticket.StatusChange{At: when, Status: c.String(), Category: c})
					}
					if err := st.Add(&tk); err != nil {
						b.Fatal(err)
					}
				}
			}
			caches := make([]*TicketCache, len(objs))
			for i := range caches {
				caches[i] = NewTicketCache()
			}
			eval := func() {
				for i, o := range objs {
					var err error
					if mode == "full" {
						_, err = Evaluate(o, Data{Tickets: st}, now)
					} else {
						_, err = EvaluateIncremental(o, Data{Tickets: st}, now, caches[i])
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			eval() // the first evaluation fills the caches
			// The CPU time of the evaluations alone, on this thread: a shared machine's load
			// stretches ns/op, not this.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var cpu time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				change()
				// The garbage the changes leave is collected here, not during the evaluation.
				runtime.GC()
				b.StartTimer()
				cpu0 := cputime.Thread()
				eval()
				cpu += cputime.Thread() - cpu0
			}
			b.StopTimer()
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			if mode == "incremental" {
				bytes, recomputed := 0, 0
				for _, c := range caches {
					bytes += c.Bytes()
					recomputed += c.Stats().Recomputed
				}
				b.ReportMetric(float64(bytes)/n, "cache-B/ticket")
				b.ReportMetric(float64(recomputed), "recomputed")
			}
			b.ReportMetric(float64(retained)/n, "store-B/ticket")
			runtime.KeepAlive(st)
		})
	}
}
