package collector_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var epoch = sourcetest.Epoch

func at(min int) time.Time { return epoch.Add(time.Duration(min) * time.Minute) }

// harness runs a Runner on a fake clock over a store in dir.
type harness struct {
	t    *testing.T
	r    *collector.Runner
	clk  *sourcetest.Clock
	db   *store.DB
	logs *logBuffer

	cancel context.CancelFunc
	done   chan struct{}
}

func newHarness(t *testing.T, dir string) *harness {
	t.Helper()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, db: db, clk: sourcetest.NewClock(epoch.Add(24 * time.Hour)), logs: &logBuffer{}}
	h.r = collector.NewRunner(collector.RunnerOptions{
		Store:    db,
		Logger:   slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:    h.clk,
		Rand:     func() float64 { return 0.5 },
		Requests: collector.NewRequests(),
	})
	t.Cleanup(h.stop)
	return h
}

func (h *harness) run() {
	ctx, cancel := context.WithCancel(h.t.Context())
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		if err := h.r.Run(ctx); err != nil {
			h.t.Error(err)
		}
	}()
}

// stop ends Run, waits for it and closes the store; it may be called more than once.
func (h *harness) stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
	if h.db != nil {
		_ = h.db.Close()
		h.db = nil
	}
}

func (h *harness) update(cfgs ...collector.SourceConfig) {
	h.t.Helper()
	if err := h.r.Update(cfgs); err != nil {
		h.t.Fatal(err)
	}
}

// sync answers the next sync of f and waits until the runner has scheduled the next one; it
// returns the call (with the checkpoint it was given) and the delay scheduled.
func (h *harness) sync(f *sourcetest.Fake, b collector.Batch, err error) (*sourcetest.Call, time.Duration) {
	h.t.Helper()
	c := <-f.Calls()
	c.Reply(b, err)
	return c, <-h.clk.Afters
}

func (h *harness) status(name string) collector.SourceStatus {
	h.t.Helper()
	for _, s := range h.r.Status() {
		if s.Name == name {
			return s
		}
	}
	h.t.Fatalf("no status for source %q", name)
	return collector.SourceStatus{}
}

func (h *harness) ticketIDs(source string) []string {
	var ids []string
	h.r.Read(func(d collector.Data) {
		st := d.Tickets[source]
		if st == nil {
			ids = []string{"<no store>"}
			return
		}
		for i := range st.Len() {
			ids = append(ids, st.View(i).ID())
		}
	})
	return ids
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

func desk(src collector.Source) collector.SourceConfig {
	return collector.SourceConfig{Name: "desk", Type: "fake", Source: src, Interval: time.Hour, Hash: "h1"}
}

func tickets(ids ...int) []ticket.Ticket {
	var out []ticket.Ticket
	for _, i := range ids {
		out = append(out, sourcetest.Ticket(i))
	}
	return out
}

func TestRunner_SyncCommitsAppliesAndResumes(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()

	c, next := h.sync(f, collector.Batch{
		Tickets: tickets(1, 2),
		Uptime: []collector.UptimeSeries{{Series: "web", Samples: []availability.Sample{
			{At: at(1), State: availability.Down}, {At: at(0), State: availability.Up},
		}}},
		// Buckets of one batch sharing a start add up, as events.New adds them.
		Events:     []collector.EventSeries{{Series: "api", Buckets: []events.Bucket{{Start: at(0), Good: 9, Total: 10}, {Start: at(0), Good: 1, Total: 2}}}},
		Checkpoint: []byte("1"),
	}, nil)
	if c.Checkpoint != nil {
		t.Errorf("first sync got checkpoint %q, want nil", c.Checkpoint)
	}
	if next != time.Hour {
		t.Errorf("next sync in %v, want the interval", next)
	}
	select {
	case <-h.r.Changed():
	default:
		t.Error("no change notified")
	}
	if diff := cmp.Diff([]string{"INC0000001", "INC0000002"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	h.r.Read(func(d collector.Data) {
		api := d.Events["desk/api"]
		if diff := cmp.Diff([]events.Bucket{{Start: at(0), Good: 10, Total: 12}}, api.Buckets); diff != "" {
			t.Errorf("buckets (-want +got):\n%s", diff)
		}
		if c := api.Series.Counts(at(0), at(1)); c.Good != 10 || c.Total != 12 {
			t.Errorf("event series counts %+v, want 10 good of 12", c)
		}
	})
	st := h.status("desk")
	want := collector.SourceStatus{
		// The batch held 5 tickets, none rejected.
		SourceHealth: collector.SourceHealth{Name: "desk", Up: true, State: collector.SourceOK, LastSuccess: h.clk.Now(), Records: 5,
			LastSync: collector.SyncCounts{Read: 5, Accepted: 5}},
		Type:        "fake",
		LastAttempt: h.clk.Now(),
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	stored, err := h.db.Load("desk")
	if err != nil {
		t.Fatal(err)
	}
	if string(stored.Checkpoint) != "1" || len(stored.Tickets) != 2 || !stored.LastSuccess.Equal(h.clk.Now()) {
		t.Errorf("stored checkpoint %q, %d tickets, last success %v", stored.Checkpoint, len(stored.Tickets), stored.LastSuccess)
	}

	// The next sync resumes from the checkpoint; its records merge with the held ones.
	changed := sourcetest.Ticket(1)
	changed.Priority = "P4"
	h.clk.Advance(next)
	c, _ = h.sync(f, collector.Batch{
		Tickets:    []ticket.Ticket{changed, sourcetest.Ticket(3)},
		Uptime:     []collector.UptimeSeries{{Series: "web", Samples: []availability.Sample{{At: at(1), State: availability.Up}, {At: at(2), State: availability.Up}}}},
		Events:     []collector.EventSeries{{Series: "api", Buckets: []events.Bucket{{Start: at(0), Good: 10, Total: 10}}}},
		Checkpoint: []byte("2"),
	}, nil)
	if string(c.Checkpoint) != "1" {
		t.Errorf("second sync got checkpoint %q, want 1", c.Checkpoint)
	}
	h.r.Read(func(d collector.Data) {
		v, _ := d.Tickets["desk"].Find("INC0000001")
		if d.Tickets["desk"].Len() != 3 || v.Priority() != "P4" {
			t.Errorf("tickets not upserted: %d held, INC0000001 priority %s", d.Tickets["desk"].Len(), v.Priority())
		}
		wantSamples := []availability.Sample{{At: at(0), State: availability.Up}, {At: at(1), State: availability.Up}, {At: at(2), State: availability.Up}}
		if diff := cmp.Diff(wantSamples, d.Uptime["desk/web"].Samples); diff != "" {
			t.Errorf("samples (-want +got):\n%s", diff)
		}
		if d.Uptime["desk/web"].Series == nil {
			t.Error("no availability series built")
		}
		// A later batch's bucket replaces the stored one: re-read windows report whole buckets.
		if diff := cmp.Diff([]events.Bucket{{Start: at(0), Good: 10, Total: 10}}, d.Events["desk/api"].Buckets); diff != "" {
			t.Errorf("buckets (-want +got):\n%s", diff)
		}
		if c := d.Events["desk/api"].Series.Counts(at(0), at(1)); c.Good != 10 || c.Total != 10 {
			t.Errorf("event series not rebuilt: %+v", c)
		}
		if !d.LastSuccess["desk"].Equal(h.clk.Now()) {
			t.Errorf("last success %v, want %v", d.LastSuccess["desk"], h.clk.Now())
		}
	})
}

func TestRunner_RestartServesStoredDataAndResumes(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	h.update(desk(sourcetest.NewFake()))
	f := sourcetest.NewFake()
	h.update(desk(f)) // same settings: the first fake keeps running, this one is closed
	if !f.Closed() {
		t.Error("the unused source of an unchanged configuration was not closed")
	}
	h.stop()

	h = newHarness(t, dir)
	f = sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, _ = h.sync(f, collector.Batch{Tickets: tickets(1, 2), Checkpoint: []byte("7")}, nil)
	lastSuccess := h.clk.Now()
	h.stop()

	h = newHarness(t, dir)
	f = sourcetest.NewFake()
	h.update(desk(f))
	// Before any sync: the previous figures are served, but the source is not up yet.
	if diff := cmp.Diff([]string{"INC0000001", "INC0000002"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets after restart (-want +got):\n%s", diff)
	}
	st := h.status("desk")
	if st.Up || !st.LastSuccess.Equal(lastSuccess) || st.Records != 2 {
		t.Errorf("status after restart: %+v", st)
	}
	h.run()
	c := <-f.Calls()
	if string(c.Checkpoint) != "7" {
		t.Errorf("first sync after restart got checkpoint %q, want 7", c.Checkpoint)
	}
	c.Reply(collector.Batch{Checkpoint: []byte("8")}, nil)
	<-h.clk.Afters
}

func TestRunner_FailureKeepsDataBacksOffAndLogsOncePerError(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{Tickets: tickets(1), Checkpoint: []byte("1")}, nil)
	good := h.clk.Now()

	steps := []struct {
		err       error
		wantDelay time.Duration // 0.5 jitter: 3/4 of min(interval, 30s << n-1)
		wantLogs  int
	}{
		{errors.New(`fetch https://desk.example/api: 503 Service Unavailable`), 22500 * time.Millisecond, 1},
		{errors.New(`fetch https://desk.example/api: 503 Service Unavailable`), 45 * time.Second, 1},
		{errors.New(`fetch https://desk.example/api: 503 Service Unavailable`), 90 * time.Second, 1},
		{errors.New(`dial tcp: connection refused`), 3 * time.Minute, 2},
	}
	for i, s := range steps {
		h.clk.Advance(next)
		c, d := h.sync(f, collector.Batch{}, s.err)
		next = d
		if string(c.Checkpoint) != "1" {
			t.Errorf("retry %d got checkpoint %q, want the last committed one", i+1, c.Checkpoint)
		}
		if d != s.wantDelay {
			t.Errorf("retry %d: next attempt in %v, want %v", i+1, d, s.wantDelay)
		}
		st := h.status("desk")
		if st.Up || st.LastError != s.err.Error() || !st.LastSuccess.Equal(good) {
			t.Errorf("retry %d: status %+v", i+1, st)
		}
		if n := h.logs.count(`msg="sync failed"`); n != s.wantLogs {
			t.Errorf("retry %d: %d error logs, want %d (once per distinct error)", i+1, n, s.wantLogs)
		}
		if diff := cmp.Diff([]string{"INC0000001"}, h.ticketIDs("desk")); diff != "" {
			t.Errorf("retry %d: data not kept (-want +got):\n%s", i+1, diff)
		}
	}

	h.clk.Advance(next)
	_, d := h.sync(f, collector.Batch{Checkpoint: []byte("2")}, nil)
	if st := h.status("desk"); !st.Up || st.LastError != "" || d != time.Hour {
		t.Errorf("after recovery: status %+v, next in %v", st, d)
	}
	if h.logs.count(`msg="sync recovered"`) != 1 {
		t.Error("recovery not logged")
	}
}

func TestRunner_SyncTimeout(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	cfg := desk(f)
	cfg.Timeout = 2 * time.Minute
	h.update(cfg)
	h.run()
	c := <-f.Calls()
	if d := <-h.clk.Timeouts; d != 2*time.Minute {
		t.Errorf("sync timeout %v, want 2m", d)
	}
	h.clk.Advance(2 * time.Minute)
	<-c.Ctx.Done()
	<-h.clk.Afters
	st := h.status("desk")
	if want := "sync timed out after 2m0s: context deadline exceeded"; st.LastError != want || st.Up {
		t.Errorf("status %+v, want down with error %q", st, want)
	}
	if st.SyncDuration != 2*time.Minute {
		t.Errorf("sync duration %v, want 2m", st.SyncDuration)
	}
}

type panicky struct{}

func (panicky) Sync(context.Context, []byte) (collector.Batch, error) { panic("index out of range") }

func TestRunner_PanickingSourceIsAFailedSync(t *testing.T) {
	h := newHarness(t, t.TempDir())
	h.update(desk(panicky{}))
	h.run()
	<-h.clk.Afters
	if st := h.status("desk"); st.Up || st.LastError != "sync panicked: index out of range" {
		t.Errorf("status %+v", st)
	}
}

func TestRunner_RejectsInvalidRecords(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	cfg := desk(f)
	cfg.Tickets = ticket.StoreOptions{Priorities: []string{"P1", "P2", "P3", "P4"}}
	h.update(cfg)
	h.run()

	noCreation := sourcetest.Ticket(2)
	noCreation.Created = time.Time{}
	oddPriority := sourcetest.Ticket(3)
	oddPriority.Priority = "urgent"
	_, _ = h.sync(f, collector.Batch{
		Tickets: []ticket.Ticket{sourcetest.Ticket(1), noCreation, oddPriority},
		Uptime: []collector.UptimeSeries{
			{Series: "web", Samples: []availability.Sample{{At: at(0), State: availability.Up}, {State: availability.Up}, {At: at(1), State: 9}}},
			{Series: "hoster", Outages: []availability.Outage{
				{Start: at(5), End: at(9), State: availability.Down},
				{Start: at(9), End: at(5), State: availability.Down},
				{Start: at(1), End: at(2), State: availability.Up},
			}, Maintenance: []availability.Window{
				{Start: at(20), End: at(30)},
				{Start: at(40), End: at(40)},
			}, CoveredFrom: at(0), CoveredTo: at(60)},
		},
		Events:     []collector.EventSeries{{Series: "api", Buckets: []events.Bucket{{Start: at(0), Good: 11, Total: 10}, {Start: at(1), Good: 1, Total: 1}}}},
		Rejected:   []collector.Rejection{{Where: "export.csv:17", Reason: "bad date"}},
		Checkpoint: []byte("1"),
	}, nil)

	const wantRejected = 9 // 1 from the source, 2 tickets, 2 samples, 2 outages, 1 maintenance window, 1 bucket
	st := h.status("desk")
	if st.Rejected != wantRejected || st.Records != 5 || !st.Up {
		t.Errorf("status: %d rejected, %d records, up %v; want %d rejected, 5 records, up", st.Rejected, st.Records, st.Up, wantRejected)
	}
	if h.logs.count(`msg="records rejected"`) != 1 {
		t.Error("rejections not summarised in one warning")
	}
	for _, want := range []string{
		`where=export.csv:17 reason="bad date"`,
		`where=INC0000002 reason="ticket INC0000002: no creation time"`,
		`where=INC0000003 reason="ticket INC0000003: unknown priority \"urgent\""`,
		`where="series web sample" reason="time missing or out of range"`,
		`where="series web sample at 2026-03-02T09:31:00Z" reason="invalid state 9"`,
		`where="series hoster outage at 2026-03-02T09:39:00Z" reason="end 2026-03-02T09:35:00Z is not after start"`,
		`where="series hoster outage at 2026-03-02T09:31:00Z" reason="state up, want down or degraded"`,
		`where="series hoster maintenance at 2026-03-02T10:10:00Z" reason="end 2026-03-02T10:10:00Z is not after start"`,
		`where="series api bucket at 2026-03-02T09:30:00Z" reason="good 11 exceeds total 10"`,
	} {
		if h.logs.count(want) != 1 {
			t.Errorf("no debug log of the rejection %s", want)
		}
	}
	stored, err := h.db.Load("desk")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Rejected != wantRejected || len(stored.Tickets) != 1 {
		t.Errorf("stored %d rejected and %d tickets, want %d and 1", stored.Rejected, len(stored.Tickets), wantRejected)
	}
	h.r.Read(func(d collector.Data) {
		hoster := d.Uptime["desk/hoster"]
		want := &collector.Uptime{
			Outages:     []availability.Outage{{Start: at(5), End: at(9), State: availability.Down}},
			Maintenance: []availability.Window{{Start: at(20), End: at(30)}},
			Covered:     []collector.Span{{From: at(0), To: at(60)}},
		}
		if diff := cmp.Diff(want, hoster, cmpopts.IgnoreFields(collector.Uptime{}, "Series")); diff != "" {
			t.Errorf("hoster series (-want +got):\n%s", diff)
		}
		if hoster.Series == nil {
			t.Error("no availability series built from outages")
		}
	})
}

func TestRunner_ReplaceRebuildsFromScratch(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{
		Tickets:    tickets(1, 2),
		Uptime:     []collector.UptimeSeries{{Series: "web", Samples: []availability.Sample{{At: at(0), State: availability.Up}}}},
		Checkpoint: []byte("1"),
	}, nil)
	h.clk.Advance(next)
	_, _ = h.sync(f, collector.Batch{Tickets: tickets(3), Replace: true, Checkpoint: []byte("2")}, nil)

	if diff := cmp.Diff([]string{"INC0000003"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("tickets (-want +got):\n%s", diff)
	}
	h.r.Read(func(d collector.Data) {
		if _, ok := d.Uptime["desk/web"]; ok {
			t.Error("series of the replaced snapshot still served")
		}
	})
	stored, err := h.db.Load("desk")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Tickets) != 1 || len(stored.Uptime) != 0 {
		t.Errorf("stored %d tickets and %d series after a replace", len(stored.Tickets), len(stored.Uptime))
	}
}

func TestRunner_Update(t *testing.T) {
	h := newHarness(t, t.TempDir())
	fa, fb, fc := sourcetest.NewFake(), sourcetest.NewFake(), sourcetest.NewFake()
	cfg := func(name, hash string, src collector.Source) collector.SourceConfig {
		return collector.SourceConfig{Name: name, Type: "fake", Source: src, Interval: time.Hour, Hash: hash}
	}
	h.update(cfg("a", "1", fa), cfg("b", "1", fb), cfg("c", "1", fc))
	h.run()
	for _, f := range []*sourcetest.Fake{fa, fb, fc} {
		c := <-f.Calls()
		c.Reply(collector.Batch{Tickets: tickets(1), Checkpoint: []byte("1")}, nil)
	}
	for range 3 {
		<-h.clk.Afters
	}

	// a unchanged, b removed, c changed, d added.
	fa2, fc2, fd := sourcetest.NewFake(), sourcetest.NewFake(), sourcetest.NewFake()
	h.update(cfg("a", "1", fa2), cfg("c", "2", fc2), cfg("d", "1", fd))
	if !fa2.Closed() || fa.Closed() {
		t.Errorf("unchanged source: new instance closed %v (want true), running one closed %v (want false)", fa2.Closed(), fa.Closed())
	}
	if !fb.Closed() || !fc.Closed() {
		t.Error("removed or replaced sources not closed")
	}
	names, err := h.db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "c"}, names); diff != "" {
		t.Errorf("stored sources (-want +got):\n%s", diff)
	}
	var got []string
	for _, s := range h.r.Status() {
		got = append(got, s.Name)
	}
	if diff := cmp.Diff([]string{"a", "c", "d"}, got); diff != "" {
		t.Errorf("sources with status (-want +got):\n%s", diff)
	}
	if ids := h.ticketIDs("b"); len(ids) != 1 || ids[0] != "<no store>" {
		t.Errorf("removed source b still served: %v", ids)
	}
	if diff := cmp.Diff([]string{"INC0000001"}, h.ticketIDs("c")); diff != "" {
		t.Errorf("changed source c must keep serving its data until its first sync (-want +got):\n%s", diff)
	}

	// c starts over: no checkpoint, and its first batch replaces the old records.
	c := <-fc2.Calls()
	if c.Checkpoint != nil {
		t.Errorf("changed source resumed from %q, want a sync from scratch", c.Checkpoint)
	}
	c.Reply(collector.Batch{Tickets: tickets(5), Checkpoint: []byte("c1")}, nil)
	c = <-fd.Calls()
	c.Reply(collector.Batch{Checkpoint: []byte("d1")}, nil)
	for range 2 {
		<-h.clk.Afters
	}
	if diff := cmp.Diff([]string{"INC0000005"}, h.ticketIDs("c")); diff != "" {
		t.Errorf("changed source's records (-want +got):\n%s", diff)
	}

	// An interval change restarts a's schedule, keeping its checkpoint.
	fa3 := sourcetest.NewFake()
	a := cfg("a", "1", fa3)
	a.Interval = 2 * time.Hour
	h.update(a, cfg("c", "2", sourcetest.NewFake()), cfg("d", "1", sourcetest.NewFake()))
	c, d := h.sync(fa3, collector.Batch{Checkpoint: []byte("2")}, nil)
	if string(c.Checkpoint) != "1" || d != 2*time.Hour {
		t.Errorf("rescheduled source: checkpoint %q (want 1), next in %v (want 2h)", c.Checkpoint, d)
	}
	if !fa.Closed() {
		t.Error("rescheduled source's old instance not closed")
	}
}

func TestRunner_UpdateRefusesBadConfigs(t *testing.T) {
	f := sourcetest.NewFake()
	tests := []struct {
		name string
		cfgs []collector.SourceConfig
		want string
	}{
		{"no name", []collector.SourceConfig{{Source: f}}, "source 0: no name"},
		{"slash", []collector.SourceConfig{{Name: "a/b", Source: f}}, `source 0: source "a/b": name contains "/"`},
		{"no source", []collector.SourceConfig{{Name: "a"}}, `source 0: source "a": no source built`},
		{"twice", []collector.SourceConfig{{Name: "a", Source: f}, {Name: "a", Source: f}}, `source "a": configured twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := collector.NewRunner(collector.RunnerOptions{})
			err := r.Update(tt.cfgs)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Update = %v, want %q", err, tt.want)
			}
			if len(r.Status()) != 0 {
				t.Error("a refused update changed the sources")
			}
		})
	}
}

func TestRunner_DropsStoredSourcesNoLongerConfigured(t *testing.T) {
	h := newHarness(t, t.TempDir())
	if err := h.db.Commit("ghost", store.Batch{Tickets: tickets(1)}, epoch); err != nil {
		t.Fatal(err)
	}
	h.update(desk(sourcetest.NewFake()))
	names, err := h.db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 0 {
		t.Errorf("stored sources %v, want none", names)
	}
}

func TestRunner_SettingsChangedWhileDownResync(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, _ = h.sync(f, collector.Batch{Tickets: tickets(1, 2), Checkpoint: []byte("1")}, nil)
	h.stop()

	h = newHarness(t, dir)
	f = sourcetest.NewFake()
	cfg := desk(f)
	cfg.Hash = "h2"
	h.update(cfg)
	if diff := cmp.Diff([]string{"INC0000001", "INC0000002"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("old figures must be served until the resync (-want +got):\n%s", diff)
	}
	h.run()
	c, _ := h.sync(f, collector.Batch{Tickets: tickets(3), Checkpoint: []byte("x")}, nil)
	if c.Checkpoint != nil {
		t.Errorf("resync got checkpoint %q, want nil", c.Checkpoint)
	}
	if diff := cmp.Diff([]string{"INC0000003"}, h.ticketIDs("desk")); diff != "" {
		t.Errorf("after the resync (-want +got):\n%s", diff)
	}
}

// TestRunner_LiveSettingsChangeKeepsRecords: a live source's records (probe results) cannot be
// read again, so a change of its settings, while running or while down, restarts it from no
// checkpoint but keeps what it stored.
func TestRunner_LiveSettingsChangeKeepsRecords(t *testing.T) {
	sample := func(i int) collector.UptimeSeries {
		return collector.UptimeSeries{Series: "web", Samples: []availability.Sample{{At: at(i), State: availability.Up}}}
	}
	samples := func(h *harness) int {
		n := 0
		h.r.Read(func(d collector.Data) {
			if u := d.Uptime["desk/web"]; u != nil {
				n = len(u.Samples)
			}
		})
		return n
	}
	dir := t.TempDir()
	h := newHarness(t, dir)
	f := sourcetest.NewFake()
	cfg := desk(f)
	cfg.Live = true
	h.update(cfg)
	h.run()
	_, _ = h.sync(f, collector.Batch{Uptime: []collector.UptimeSeries{sample(0)}, Checkpoint: []byte("1")}, nil)

	// Changed while running.
	f = sourcetest.NewFake()
	cfg = desk(f)
	cfg.Live, cfg.Hash = true, "h2"
	h.update(cfg)
	c, _ := h.sync(f, collector.Batch{Uptime: []collector.UptimeSeries{sample(1)}, Checkpoint: []byte("2")}, nil)
	if c.Checkpoint != nil {
		t.Errorf("after a change, checkpoint %q, want nil", c.Checkpoint)
	}
	if got := samples(h); got != 2 {
		t.Errorf("%d samples after a change while running, want 2 (kept and added)", got)
	}
	h.stop()

	// Changed while down.
	h = newHarness(t, dir)
	f = sourcetest.NewFake()
	cfg = desk(f)
	cfg.Live, cfg.Hash = true, "h3"
	h.update(cfg)
	h.run()
	c, _ = h.sync(f, collector.Batch{Uptime: []collector.UptimeSeries{sample(2)}, Checkpoint: []byte("3")}, nil)
	if c.Checkpoint != nil {
		t.Errorf("after a change while down, checkpoint %q, want nil", c.Checkpoint)
	}
	if got := samples(h); got != 3 {
		t.Errorf("%d samples after a change while down, want 3", got)
	}
}

func TestRunner_StopsOnCancel(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	c := <-f.Calls()
	h.stop() // returns only once the source's goroutine has ended
	<-c.Ctx.Done()
	if st := h.status("desk"); st.LastError != "" {
		t.Errorf("a sync cut short by shutdown was recorded as a failure: %q", st.LastError)
	}
	if err := h.r.Update(nil); err == nil {
		t.Error("Update after Run returned succeeded")
	}
}

func TestRunner_MemoryOnly(t *testing.T) {
	clk := sourcetest.NewClock(epoch)
	r := collector.NewRunner(collector.RunnerOptions{Clock: clk})
	f := sourcetest.NewFake()
	if err := r.Update([]collector.SourceConfig{desk(f)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	c := <-f.Calls()
	c.Reply(collector.Batch{Tickets: tickets(1)}, nil)
	<-clk.Afters
	r.Read(func(d collector.Data) {
		if d.Tickets["desk"].Len() != 1 {
			t.Errorf("%d tickets held without a store, want 1", d.Tickets["desk"].Len())
		}
	})
}

// static returns the same batch, or error, on every sync.
type static struct {
	b   collector.Batch
	err error
}

func (s static) Sync(ctx context.Context, _ []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	return s.b, s.err
}

func TestRunner_SyncOnce(t *testing.T) {
	r := collector.NewRunner(collector.RunnerOptions{Clock: sourcetest.NewClock(epoch)})
	err := r.Update([]collector.SourceConfig{
		{Name: "desk", Source: static{b: collector.Batch{Tickets: tickets(1, 2)}}},
		{Name: "broken", Source: static{err: errors.New("401 Unauthorized")}},
		{Name: "down", Source: static{err: errors.New("connection refused")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = r.SyncOnce(t.Context())
	if want := "source \"broken\": 401 Unauthorized\nsource \"down\": connection refused"; err == nil || err.Error() != want {
		t.Errorf("SyncOnce = %v, want %q", err, want)
	}
	r.Read(func(d collector.Data) {
		if n := d.Tickets["desk"].Len(); n != 2 {
			t.Errorf("%d tickets after SyncOnce, want 2", n)
		}
	})
	var up []string
	for _, s := range r.Status() {
		if s.Up {
			up = append(up, s.Name)
		}
	}
	if diff := cmp.Diff([]string{"desk"}, up); diff != "" {
		t.Errorf("sources up (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	cancel()
	<-done
	if err := r.SyncOnce(t.Context()); err == nil {
		t.Error("SyncOnce after Run succeeded")
	}
}

// TestRunner_CoverageGapIsMissing: outages read over two spans with time between them (a live
// source restarted without its checkpoint) leave that time missing, not up.
func TestRunner_CoverageGapIsMissing(t *testing.T) {
	h := newHarness(t, t.TempDir())
	f := sourcetest.NewFake()
	h.update(desk(f))
	h.run()
	_, next := h.sync(f, collector.Batch{Uptime: []collector.UptimeSeries{{Series: "hoster", CoveredFrom: at(0), CoveredTo: at(10)}}, Checkpoint: []byte("1")}, nil)
	h.clk.Advance(next)
	_, _ = h.sync(f, collector.Batch{Uptime: []collector.UptimeSeries{{Series: "hoster", CoveredFrom: at(20), CoveredTo: at(30)}}, Checkpoint: []byte("2")}, nil)
	h.r.Read(func(d collector.Data) {
		tl, err := availability.Build(availability.Config{}, *d.Uptime["desk/hoster"].Series, at(0), at(30))
		if err != nil {
			t.Fatal(err)
		}
		// 10m + 10m covered and up; the 10m between them missing, so excluded.
		want := availability.Counts{Good: 20 * time.Minute, Excluded: 10 * time.Minute, Covered: 20 * time.Minute, Eligible: 30 * time.Minute}
		if diff := cmp.Diff(want, tl.Counts(at(0), at(30))); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
}
