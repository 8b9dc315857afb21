package file

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var daemonTickets = flag.Int("daemon.tickets", 1_000_000, "tickets of BenchmarkDaemon_firstSync's generated export")

// daemonConfig maps the export writeDaemonExport writes.
const daemonConfig = `file:
  path: desk.csv
  columns:
    id: number
    created: opened_at
    status: state
    status_time: sys_updated_on
    priority: priority
    type: type
    group: assignment_group
    first_response: first_reply
    resolved: resolved_at
    closed: closed_at
    reassignments: reassignment_count
    rating: csat
    fields: {customer: customer, service: service, category: category}
  time: {layout: "2006-01-02 15:04:05", timezone: UTC}
  statuses:
    open: [New, In Progress]
    paused: [Awaiting Customer]
    resolved: [Resolved]
    closed: [Closed]
    cancelled: [Cancelled]
  ratings: {good: ["4", "5"], bad: ["1", "2"]}
`

// writeDaemonExport writes a one_row_per_ticket CSV export of n tickets shaped like the engine's
// benchmark desk (slo/ticket's genTicket): ids like INC0012345, four priorities, three types,
// eight groups, three free fields from small sets, a first response on 90%, 85% resolved and half
// of those closed, some paused or cancelled. About 190 bytes a row.
func writeDaemonExport(tb testing.TB, path string, n int) {
	tb.Helper()
	var (
		priorities = []string{"P1", "P2", "P3", "P4"}
		types      = []string{"incident", "request", "change"}
		groups     = []string{"Network", "Apps", "Database", "Service Desk", "Security", "Storage", "Identity", "Field Services"}
		customers  = []string{"acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"}
		services   = []string{"web", "api", "mail", "vpn", "erp", "crm"}
		categories = []string{"hardware", "software", "access", "network", "other"}
	)
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("number,opened_at,state,sys_updated_on,priority,type,assignment_group,first_reply,resolved_at,closed_at,reassignment_count,csat,customer,service,category\n")
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	const layout = "2006-01-02 15:04:05"
	stamp := func(t time.Time) string { return t.Format(layout) }
	for i := range n {
		created := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Second)
		step := func() time.Duration { return time.Duration(rng.Int64N(int64(30*time.Hour))) + time.Minute }
		var state, updated, firstReply, resolved, closed string
		if rng.IntN(10) > 0 {
			firstReply = stamp(created.Add(time.Duration(rng.Int64N(int64(8 * time.Hour)))).Truncate(time.Second))
		}
		at := created.Add(step()).Truncate(time.Second)
		switch k := rng.IntN(100); {
		case k < 85:
			state, resolved = "Resolved", stamp(at)
			if rng.IntN(2) == 0 {
				at = at.Add(72 * time.Hour)
				state, closed = "Closed", stamp(at)
			}
		case k < 90:
			state = "Cancelled"
		case k < 95:
			state = "Awaiting Customer"
		default:
			state = "In Progress"
		}
		updated = stamp(at)
		if firstReply > updated && state != "Awaiting Customer" && state != "In Progress" {
			firstReply = ""
		}
		csat := ""
		if r := rng.IntN(6); r > 0 {
			csat = strconv.Itoa(r)
		}
		fmt.Fprintf(w, "INC%07d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%s\n", i, stamp(created), state, updated,
			priorities[rng.IntN(len(priorities))], types[rng.IntN(len(types))], groups[rng.IntN(len(groups))],
			firstReply, resolved, closed, rng.IntN(3), csat,
			customers[rng.IntN(len(customers))], services[rng.IntN(len(services))], categories[rng.IntN(len(categories))])
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// liveHeap is the heap held by reachable objects, after two collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// peakSampler samples the heap's objects (live and not yet swept) every few milliseconds and
// keeps the largest figure; cheaper than ReadMemStats, which stops the world.
type peakSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func samplePeak() *peakSampler {
	p := &peakSampler{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	p.done.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			p.peak = max(p.peak, s[0].Value.Uint64())
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakSampler) end() uint64 {
	close(p.stop)
	p.done.Wait()
	return p.peak
}

// resetPeakRSS resets the kernel's high-water mark of the process' RSS (Linux 4.0+); false when
// it cannot, and then peakRSS is not reported.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is VmHWM in bytes.
func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkDaemon_firstSync is a daemon's first sync of a million-ticket export through the file
// source: the runner reads the file, checks the batch, commits it to the bbolt store and applies
// it. B/ticket is the heap the daemon then holds per ticket (after GC, less what it held before
// the sync); engine-B/ticket the heap a bare ticket.Store of the same tickets holds, the engine's
// figure for this desk. peak-heap-B is the largest heap (objects live or not yet swept) seen
// during the sync, peak-RSS-B the process' high-water mark over it (Linux). Run with
// GOMEMLIMIT to see the peak a memory limit allows.
func BenchmarkDaemon_firstSync(b *testing.B) {
	n := *daemonTickets
	dir := b.TempDir()
	writeDaemonExport(b, filepath.Join(dir, "desk.csv"), n)
	fi, err := os.Stat(filepath.Join(dir, "desk.csv"))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d tickets, %d bytes", n, fi.Size())
	engine := engineBytes(b, dir)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sdir := filepath.Join(dir, "store"+strconv.Itoa(i))
		if err := os.Mkdir(sdir, 0o755); err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(sdir)
		if err != nil {
			b.Fatal(err)
		}
		r := collector.NewRunner(collector.RunnerOptions{Store: db})
		if err := r.Update([]collector.SourceConfig{{Name: "desk", Type: "file", Source: newSource(b, dir, daemonConfig)}}); err != nil {
			b.Fatal(err)
		}
		before := liveHeap()
		rssOK := resetPeakRSS()
		ps := samplePeak()
		b.StartTimer()
		if err := r.SyncOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		peak := ps.end()
		rss := peakRSS()
		held := liveHeap() - before
		var got int
		r.Read(func(d collector.Data) { got = d.Tickets["desk"].Len() })
		if got != n {
			b.Fatalf("%d tickets held, want %d", got, n)
		}
		b.ReportMetric(float64(held)/float64(n), "B/ticket")
		b.ReportMetric(engine, "engine-B/ticket")
		b.ReportMetric(float64(peak-before), "peak-heap-B")
		if rssOK {
			b.ReportMetric(float64(rss), "peak-RSS-B")
		}
		runtime.KeepAlive(r)
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// engineBytes is the heap a bare ticket.Store holds per ticket for the export's tickets. It
// logs the heap the source's batch holds per ticket, the larger part of a first sync's peak.
func engineBytes(b *testing.B, dir string) float64 {
	before := liveHeap()
	batch, err := newSource(b, dir, daemonConfig).Sync(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("the batch holds %.1f B/ticket", float64(liveHeap()-before)/float64(len(batch.Tickets)))
	if len(batch.Rejected) > 0 {
		b.Fatalf("%d rows rejected, first %v", len(batch.Rejected), batch.Rejected[0])
	}
	st := ticket.NewStore(ticket.StoreOptions{})
	for i := range batch.Tickets {
		if err := st.Add(&batch.Tickets[i]); err != nil {
			b.Fatal(err)
		}
	}
	n := len(batch.Tickets)
	batch = collector.Batch{}
	held := float64(liveHeap()-before) / float64(n)
	runtime.KeepAlive(st)
	return held
}
