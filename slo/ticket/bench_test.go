package ticket

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/internal/cputime"
)

const benchTickets = 1_000_000

// benchNow is the evaluation instant of the benchmarks: a Tuesday afternoon in Rome.
var benchNow = time.Date(2025, 7, 1, 15, 30, 0, 0, rome)

var (
	benchOnce  sync.Once
	benchStore *Store
)

// millionTickets is a store of 1,000,000 generated tickets (see genTicket), built once.
func millionTickets(tb testing.TB) *Store {
	benchOnce.Do(func() {
		rng := rand.New(rand.NewPCG(1, 2))
		st := NewStore(StoreOptions{})
		for i := range benchTickets {
			t := genTicket(rng, i, benchNow)
			if err := st.Add(&t); err != nil {
				panic(err)
			}
		}
		benchStore = st
	})
	return benchStore
}

// BenchmarkCycles evaluates the response and resolution clocks of an office-hours contract
// (Mon-Fri 09:00-17:00 Europe/Rome, Italian holidays, flattened over 2000-2100) on a million
// tickets. One op is one ticket, both clocks; tickets/s is the rate on one core.
func BenchmarkCycles(b *testing.B) {
	st := millionTickets(b)
	resp, res := benchClocks(b, officeFull(b))
	now := benchNow.Unix()
	buf := make([]Cycle, 0, 16)
	var cycles, i int
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := cputime.Thread()
	for b.Loop() {
		buf = resp.Cycles(st, i, now, buf[:0])
		buf = res.Cycles(st, i, now, buf)
		cycles += len(buf)
		if i++; i == benchTickets {
			i = 0
		}
	}
	reportRates(b, cpu0)
	b.ReportMetric(float64(cycles)/float64(b.N), "cycles/ticket")
}

// BenchmarkCyclesAlwaysOn is BenchmarkCycles on the 24x7 calendar: the difference is the cost of
// business-hours arithmetic.
func BenchmarkCyclesAlwaysOn(b *testing.B) {
	st := millionTickets(b)
	resp, res := benchClocks(b, nil)
	now := benchNow.Unix()
	buf := make([]Cycle, 0, 16)
	var i int
	b.ReportAllocs()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := cputime.Thread()
	for b.Loop() {
		buf = resp.Cycles(st, i, now, buf[:0])
		buf = res.Cycles(st, i, now, buf)
		if i++; i == benchTickets {
			i = 0
		}
	}
	reportRates(b, cpu0)
}

// BenchmarkMatch matches a two-key selector (priority and a free field) against the million.
func BenchmarkMatch(b *testing.B) {
	st := millionTickets(b)
	mt := Selector{"priority": {"P1", "P2"}, "customer": {"acme", "globex"}}.Compile(st)
	var i, n int
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := cputime.Thread()
	for b.Loop() {
		if mt.Match(st.View(i)) {
			n++
		}
		if i++; i == benchTickets {
			i = 0
		}
	}
	reportRates(b, cpu0)
}

// reportRates reports tickets per second of wall time and per second of the benchmark thread's
// CPU time; the second does not depend on other load on the machine.
func reportRates(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	if cpu := cputime.Thread() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "tickets/cpu-s")
	}
}
