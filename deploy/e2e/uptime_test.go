package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"

	"github.com/sla-exporter/sla_exporter/collector"
	blackboxsource "github.com/sla-exporter/sla_exporter/collector/blackbox"
	probesource "github.com/sla-exporter/sla_exporter/collector/probe"
	promsource "github.com/sla-exporter/sla_exporter/collector/prometheus"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// The uptime end-to-end test's script. Slices are 5s: every phase is three slices long, and the
// pipeline's delays (a scrape every second, an evaluation every second) stay well inside one.
const (
	uptimeSlice = 5 * time.Second
	uptimePhase = 15 * time.Second
	// uptimeSyncEvery is how often the sources are synced during the run, as the runner would
	// on its interval: every sync after the first is incremental.
	uptimeSyncEvery = 2 * time.Second
)

// runnerSource is a source run as the daemon runs it: through a collector.Runner over a store
// of its own, synced on demand; what it collected is read back from the store.
type runnerSource struct {
	name, kind, series string
	live               bool
	dir                string

	// db, runner and src are those of the running "exporter"; stop and start replace them.
	db *store.DB

	mu     sync.Mutex
	runner *collector.Runner
	src    collector.Source
	// failed lists the syncs that failed.
	failed []syncFailure
}

// newRunnerSource runs src as source name of kind (live: the kind's Kind.Live).
func newRunnerSource(t *testing.T, name, kind string, live bool, series string, src collector.Source) *runnerSource {
	t.Helper()
	rs := &runnerSource{name: name, kind: kind, live: live, series: series, dir: t.TempDir()}
	t.Cleanup(rs.stop)
	if err := rs.start(src); err != nil {
		t.Fatal(err)
	}
	return rs
}

// start opens the store and runs src in a new runner over it, which hands the source the
// checkpoint stored last: the exporter started (again).
func (rs *runnerSource) start(src collector.Source) error {
	db, err := store.Open(rs.dir)
	if err != nil {
		return err
	}
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler)})
	err = r.Update([]collector.SourceConfig{{Name: rs.name, Type: rs.kind, Source: src, Interval: time.Minute, Timeout: 30 * time.Second, Hash: "e2e", Live: rs.live}})
	rs.mu.Lock()
	rs.db, rs.runner, rs.src = db, r, src
	rs.mu.Unlock()
	return err
}

// stop closes the source (its probes stop) and the store: the exporter stopped. Nothing syncs
// until start.
func (rs *runnerSource) stop() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if c, ok := rs.src.(io.Closer); ok {
		_ = c.Close()
	}
	if rs.db != nil {
		_ = rs.db.Close()
	}
	rs.db, rs.runner, rs.src = nil, nil, nil
}

// syncFailure is a sync that failed.
type syncFailure struct {
	at  time.Time
	err error
}

// sync runs one sync (none while stopped) and records a failure.
func (rs *runnerSource) sync(ctx context.Context) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.runner == nil {
		return
	}
	if err := rs.runner.SyncOnce(ctx); err != nil {
		rs.failed = append(rs.failed, syncFailure{time.Now(), err})
	}
}

// failures splits the failed syncs into those in [from, to) and the others, worded.
func (rs *runnerSource) failures(from, to time.Time) (inside, outside []string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, f := range rs.failed {
		line := fmt.Sprintf("%s: %v", f.at.Format("15:04:05.000"), f.err)
		if f.at.Before(from) || !f.at.Before(to) {
			outside = append(outside, line)
		} else {
			inside = append(inside, line)
		}
	}
	return inside, outside
}

// load returns what the store holds for the source.
func (rs *runnerSource) load(t *testing.T) store.State {
	t.Helper()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	st, err := rs.db.Load(rs.name)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// samples returns the stored samples of the source's series.
func (rs *runnerSource) samples(t *testing.T) []availability.Sample {
	t.Helper()
	u := rs.load(t).Uptime[rs.series]
	if u == nil {
		t.Fatalf("%s: nothing stored for series %s", rs.name, rs.series)
	}
	return u.Samples
}

// newPrometheusSource reads probe_success of the blackbox job at the test's slice, evaluated
// every second (the scrape interval), and the application's request counters.
func newPrometheusSource(t *testing.T, url string) *runnerSource {
	t.Helper()
	overlap := model.Duration(3 * uptimeSlice)
	src, err := promsource.NewFromConfig(promsource.Config{
		URL:              url,
		HTTPClientConfig: config.DefaultHTTPClientConfig,
		Step:             model.Duration(uptimeSlice),
		Resolution:       model.Duration(time.Second),
		Backfill:         "10m",
		Overlap:          &overlap,
		QueryTimeout:     model.Duration(10 * time.Second),
		Availability:     []promsource.AvailabilityConfig{{Series: "web", Query: `probe_success{job="blackbox"}`}},
		Events: []promsource.EventsConfig{{Series: "app",
			Good: `app_requests_total{job="app",code="200"}`, Total: `app_requests_total{job="app"}`}},
	}, collector.Options{Name: "prometheus"})
	if err != nil {
		t.Fatal(err)
	}
	return newRunnerSource(t, "prometheus", "prometheus", promsource.Kind.Live, "web", src)
}

// newProbe is the probe source checking the target itself every second.
func newProbe(t *testing.T, targetURL string) *probesource.Source {
	t.Helper()
	src, err := probesource.New(probesource.Config{Targets: []probesource.TargetConfig{{
		Timing: probesource.Timing{Series: "web", Interval: model.Duration(time.Second)},
		HTTP:   &probesource.HTTPConfig{URL: targetURL},
	}}}, collector.Options{Name: "probe"})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// newBlackboxSource asks the blackbox_exporter to probe the target every second.
func newBlackboxSource(t *testing.T, bb *blackbox, targetURL string) *runnerSource {
	t.Helper()
	src, err := blackboxsource.New(blackboxsource.Config{
		URL:              "http://" + bb.addr,
		HTTPClientConfig: config.DefaultHTTPClientConfig,
		Targets: []blackboxsource.TargetConfig{{
			Timing: probesource.Timing{Series: "web", Interval: model.Duration(time.Second)},
			Target: targetURL, Module: "http_2xx",
		}},
	}, collector.Options{Name: "blackbox"})
	if err != nil {
		t.Fatal(err)
	}
	return newRunnerSource(t, "blackbox", "blackbox", blackboxsource.Kind.Live, "web", src)
}

// eventTally is what the test's client got from the application.
type eventTally struct{ good, bad int }

// driveApp makes requests to the application until until, or n of them when n > 0, one in four
// failing, and counts the answers as the client got them.
func driveApp(ctx context.Context, a *app, until time.Time, n int, tally *eventTally) error {
	for i := 0; time.Now().Before(until) && (n == 0 || i < n); i++ {
		code, err := a.request(i%4 == 3)
		if err != nil {
			return err
		}
		switch code {
		case 200:
			tally.good++
		case 500:
			tally.bad++
		default:
			return fmt.Errorf("the application answered %d", code)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// runEvents drives the application over the run, with its counters reset at resetAt (the
// server restarted with a fresh registry on the same port), and returns the client's counts
// once Prometheus has scraped the last of them. A restart loses what was counted since the last
// scrape, in any monitoring; so that Prometheus can know every request the test made, the test
// waits for a scrape of the final counts before the restart. The restarted application answers
// 8 requests (6 good, 2 bad) before its first scrape (its /metrics held meanwhile): the first
// samples after the reset are 6 and 2, less than before it, and count whole, as a reset's
// increase is the new value.
func runEvents(ctx context.Context, prom *server, a *app, resetAt, stopAt time.Time) (total eventTally, lastScraped time.Time, err error) {
	var before, after eventTally
	if err := driveApp(ctx, a, resetAt, 0, &before); err != nil {
		return total, lastScraped, err
	}
	if err := waitScraped(ctx, prom, before.good, before.bad); err != nil {
		return total, lastScraped, fmt.Errorf("before the reset: %w", err)
	}
	if err := a.restart(); err != nil {
		return total, lastScraped, err
	}
	if err := driveApp(ctx, a, stopAt, 8, &after); err != nil {
		return total, lastScraped, err
	}
	a.release()
	if err := waitScraped(ctx, prom, after.good, after.bad); err != nil {
		return total, lastScraped, fmt.Errorf("after the reset: %w", err)
	}
	if err := driveApp(ctx, a, stopAt, 0, &after); err != nil {
		return total, lastScraped, err
	}
	if err := waitScraped(ctx, prom, after.good, after.bad); err != nil {
		return total, lastScraped, fmt.Errorf("at the end: %w", err)
	}
	return eventTally{before.good + after.good, before.bad + after.bad}, time.Now(), nil
}

// TestUptimeEndToEnd is issue 9's real-program proof. A target server the test switches,
// Debian's blackbox_exporter probing it (module http_2xx) and Debian's Prometheus scraping the
// exporter every second run on loopback; the script on the wall clock is
//
//	up 15s | target down 15s (500, then connections closed) | up 15s |
//	blackbox_exporter stopped 15s (probe_success goes stale: a gap) | up 15s
//
// with the instant of every transition recorded. Three sources watch the target, each synced
// every 2s through a runner over a store of its own, as the daemon runs them:
//
//   - prometheus: probe_success{job="blackbox"} from Prometheus at 5s slices, evaluated every
//     second;
//   - blackbox: the blackbox_exporter asked directly every second (its syncs fail while the
//     exporter is away, with the reason);
//   - probe: the exporter's own HTTP probe every second. Stopping blackbox_exporter means
//     nothing to it: instead, over the same span, the source is closed and its store too, and a
//     new one started from the stored checkpoint (an exporter restart); the span must read as
//     missing, not up.
//
// The stored samples go through the engine under each gap policy, and every edge must show
// within one slice of the script (uptime_check_test.go).
//
// The same Prometheus scrapes an application in the test whose request counters (200 and 500)
// are reset halfway by a restart; the source's event buckets summed over the run must equal the
// client's own counts exactly.
//
// It takes about 90s and runs with `make test-uptime` (`make unit` skips it; so does -short).
func TestUptimeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: the uptime script takes about 90 seconds")
	}
	requireTool(t, "prometheus")
	requireTool(t, "blackbox")
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	begin := time.Now()

	tg := startTarget(t)
	ap := startApp(t)
	bb := startBlackbox(t)
	prom := startUptimePrometheus(t, bb, tg.srv.URL+"/", ap.addr)
	waitFor(t, time.Now().Add(time.Minute), 200*time.Millisecond, "Prometheus to scrape the probe and the application", func() (bool, string) {
		p, err := promValues(prom, `probe_success{job="blackbox"}`, "job")
		if err != nil || p["blackbox"] != 1 {
			return false, fmt.Sprintf("probe_success %v %v", p, err)
		}
		a, err := promValues(prom, `app_requests_total{job="app"}`, "code")
		if err != nil || len(a) != 2 {
			return false, fmt.Sprintf("app_requests_total %v %v", a, err)
		}
		return true, ""
	})
	t.Logf("target %s, blackbox_exporter %s, prometheus %s, application %s: ready after %s",
		tg.srv.URL, bb.addr, prom.url, ap.addr, time.Since(begin).Round(time.Millisecond))

	targetURL := tg.srv.URL + "/"
	promSrc := newPrometheusSource(t, prom.url)
	probeSrc := newRunnerSource(t, "probe", "probe", probesource.Kind.Live, "web", newProbe(t, targetURL))
	bbSrc := newBlackboxSource(t, bb, targetURL)
	sources := []*runnerSource{promSrc, probeSrc, bbSrc}
	for _, s := range sources {
		s.sync(ctx) // the first sync: the backfill, or the probes' first round
	}

	start := time.Now()
	d0, d1 := start.Add(uptimePhase), start.Add(2*uptimePhase)
	g0, g1 := start.Add(3*uptimePhase), start.Add(4*uptimePhase)
	end := start.Add(5 * uptimePhase)

	syncDone := make(chan struct{})
	syncCtx, stopSync := context.WithCancel(ctx)
	go func() {
		defer close(syncDone)
		for {
			select {
			case <-syncCtx.Done():
				return
			case <-time.After(uptimeSyncEvery):
			}
			for _, s := range sources {
				s.sync(syncCtx)
			}
		}
	}()
	type eventsOutcome struct {
		tally       eventTally
		lastScraped time.Time
		err         error
	}
	eventsDone := make(chan eventsOutcome, 1)
	go func() {
		tally, last, err := runEvents(ctx, prom, ap, start.Add(37*time.Second), end.Add(-5*time.Second))
		eventsDone <- eventsOutcome{tally, last, err}
	}()

	// The script. Each instant recorded is when the change took effect: the target's answer
	// switched, blackbox_exporter exited, or answered its health check again.
	sleepUntil(d0)
	d0 = tg.set(targetError)
	sleepUntil(d0.Add(7 * time.Second))
	tg.set(targetClose)
	sleepUntil(d1)
	d1 = tg.set(targetOK)
	sleepUntil(g0)
	g0 = bb.stop(t)
	probeSrc.stop()
	p0 := time.Now()
	sleepUntil(g1)
	g1 = bb.start(t)
	p1 := time.Now()
	if err := probeSrc.start(newProbe(t, targetURL)); err != nil {
		t.Fatal(err)
	}
	probeSrc.sync(ctx) // the probes start with the first sync
	sleepUntil(end)

	ev := <-eventsDone
	if ev.err != nil {
		t.Fatalf("events: %v", ev.err)
	}
	// The last sync reads every slice of the window and the bucket of the last scrape: the
	// source reads slices complete a resolution (1s) ago.
	from, to := start.Truncate(uptimeSlice).Add(uptimeSlice), end.Truncate(uptimeSlice)
	sleepUntil(later(to, ev.lastScraped.Truncate(uptimeSlice).Add(uptimeSlice)).Add(1500 * time.Millisecond))
	stopSync()
	<-syncDone
	for _, s := range sources {
		s.sync(ctx)
	}
	t.Logf("script (from the window start %s): target down %s-%s, blackbox_exporter stopped %s-%s, probe source stopped %s-%s, end %s; run took %s",
		from.Format("15:04:05.000"), rel(from, d0), rel(from, d1), rel(from, g0), rel(from, g1), rel(from, p0), rel(from, p1), rel(from, end), time.Since(begin).Round(time.Second))

	script := func(edges ...uptimeEdge) uptimeScript {
		return uptimeScript{Slice: uptimeSlice, From: from, To: to, Initial: availability.Up, Edges: edges}
	}
	serverEdges := []uptimeEdge{{"target down", d0, availability.Down}, {"target up", d1, availability.Up}}
	blackboxGap := []uptimeEdge{{"blackbox gone", g0, availability.Unknown}, {"blackbox back", g1, availability.Up}}
	checks := []struct {
		src    *runnerSource
		script uptimeScript
		// failures are allowed in [failFrom, failTo): the blackbox source's syncs fail when no
		// probe could run since the last one.
		failFrom, failTo time.Time
	}{
		{src: promSrc, script: script(append(serverEdges, blackboxGap...)...)},
		{src: probeSrc, script: script(append(serverEdges, uptimeEdge{"exporter stopped", p0, availability.Unknown}, uptimeEdge{"exporter started", p1, availability.Up})...)},
		{src: bbSrc, script: script(append(serverEdges, blackboxGap...)...), failFrom: g0, failTo: g1.Add(2*uptimeSyncEvery + time.Second)},
	}
	for _, c := range checks {
		allowed, failed := c.src.failures(c.failFrom, c.failTo)
		if len(failed) > 0 {
			t.Errorf("%s: %d syncs failed:%s", c.src.name, len(failed), joinLines(failed))
		}
		if len(allowed) > 0 {
			t.Logf("%s: %d syncs failed while blackbox_exporter was away, as they should; the first: %s", c.src.name, len(allowed), allowed[0])
		}
		res := c.script.check(c.src.samples(t))
		t.Logf("%s:%s", c.src.name, joinLines(c.script.report(c.src.name, res)))
		for _, p := range res.Problems {
			t.Errorf("%s: %s", c.src.name, p)
		}
	}

	// The event ratio: every bucket the source stored, summed, against the client's counts.
	var good, total float64
	buckets := promSrc.load(t).Events["app"]
	for _, b := range buckets {
		good, total = good+b.Good, total+b.Total
	}
	want := ev.tally
	t.Logf("events: the client got %d good and %d bad answers (counters reset once); the source's %d buckets add up to good %g, total %g",
		want.good, want.bad, len(buckets), good, total)
	if good != float64(want.good) || total != float64(want.good+want.bad) {
		t.Errorf("event buckets add up to good %g of %g, the client counted %d of %d", good, total, want.good, want.good+want.bad)
	}
}

// rel writes t as an offset from base.
func rel(base, t time.Time) string {
	return fmt.Sprintf("%+.3fs", t.Sub(base).Seconds())
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
