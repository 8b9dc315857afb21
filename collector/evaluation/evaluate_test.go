package evaluation

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
	"github.com/sla-exporter/sla_exporter/slo/period"
)

// TestEvaluate_Staleness checks that an objective whose source has not synced within
// global.staleness (1h in testConfig) is stale: the exposition withholds its figures and says
// no_data, although the data it has would give an attainment.
func TestEvaluate_Staleness(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-13T12:00:00Z")
	tests := []struct {
		name string
		// last is the desk source's last success; absent when nil.
		last      *time.Time
		wantStale bool
	}{
		{"synced half an hour ago", new(now.Add(-30 * time.Minute)), false},
		{"synced exactly the staleness limit ago", new(now.Add(-time.Hour)), false},
		{"synced a second over the limit", new(now.Add(-time.Hour - time.Second)), true},
		{"synced after now (clock skew)", new(now.Add(time.Minute)), false},
		{"never synced, stored state empty", new(time.Time{}), true},
		{"never synced, unknown to the runner", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newData()
			// One P1 incident resolved in 1h of its 4h: met, attainment 1/1.
			d.Tickets["desk"] = storeOf(t, tk("INC-1", "incident", "P1", "2026-11-12T09:00:00Z", resolved("2026-11-12T10:00:00Z")))
			if tt.last != nil {
				d.LastSuccess["desk"] = *tt.last
			}
			s := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now)
			o := objectiveNamed(t, s, "resolution")
			if o.Stale != tt.wantStale {
				t.Errorf("Stale = %v, want %v", o.Stale, tt.wantStale)
			}
			// The engine ran either way; the exposition decides what to publish.
			if !o.HasData || o.Attainment != 1 {
				t.Errorf("HasData %v, attainment %v: want the engine's figures kept in the snapshot (true, 1)", o.HasData, o.Attainment)
			}
			mfs := scrape(t, s)
			obj := map[string]string{c.LabelObjective: "resolution"}
			att, published := sample(mfs, c.Attainment, obj)
			if published == tt.wantStale {
				t.Errorf("%s published = %v (value %v), want %v", c.Attainment, published, att, !tt.wantStale)
			}
			wantStatus := map[bool]string{true: "no_data", false: "ok"}[tt.wantStale]
			if v, _ := sample(mfs, c.Status, map[string]string{c.LabelObjective: "resolution", c.LabelStatus: wantStatus}); v != 1 {
				t.Errorf("%s{status=%q} = %v, want 1", c.Status, wantStatus, v)
			}
		})
	}
}

// frozenMonth is the frozen result of a UTC month ("2026-10").
func frozenMonth(label string, attainment float64) collector.FrozenPeriod {
	start, err := time.Parse("2006-01", label)
	if err != nil {
		panic(err)
	}
	return collector.FrozenPeriod{Label: label, Start: start, End: start.AddDate(0, 1, 0), Attainment: attainment, HasData: true}
}

func storedHistory(t *testing.T, db *store.DB, objective string) map[string]collector.FrozenPeriod {
	t.Helper()
	raw, err := db.History(objective)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]collector.FrozenPeriod{}
	for label, v := range raw {
		var fp collector.FrozenPeriod
		if err := json.Unmarshal(v, &fp); err != nil {
			t.Fatalf("stored period %s: %v", label, err)
		}
		out[label] = fp
	}
	return out
}

// TestEvaluate_FrozenPeriods follows the requests objective's last three months (history_periods:
// 3) through a slow source, a change of data, and a restart.
func TestEvaluate_FrozenPeriods(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-16T00:00:00Z")
	dir := t.TempDir()
	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := newData()
	// One bucket a month: August 90 of 100 good, September 95, October 99.
	d.Events["probes/requests"] = eventsOf(t,
		bucket("2026-08-10T00:00:00Z", 90, 100), bucket("2026-09-10T00:00:00Z", 95, 100),
		bucket("2026-10-10T00:00:00Z", 99, 100), bucket("2026-11-10T00:00:00Z", 100, 100))
	reader := &fakeReader{data: d}
	ev := New(cfg, Options{Data: reader, DB: db})
	history := func(t *testing.T, ev *Evaluator) []collector.FrozenPeriod {
		t.Helper()
		return objectiveNamed(t, ev.Evaluate(now), "requests").History
	}

	// The source last synced before October ended: October may still be missing data, so only
	// August and September freeze.
	d.LastSuccess["probes"] = utc("2026-10-31T12:00:00Z")
	want := []collector.FrozenPeriod{frozenMonth("2026-08", 0.9), frozenMonth("2026-09", 0.95)}
	if diff := cmp.Diff(want, history(t, ev)); diff != "" {
		t.Fatalf("history with a source behind (-want +got):\n%s", diff)
	}
	if got := slices.Sorted(maps.Keys(storedHistory(t, db, "requests"))); !slices.Equal(got, []string{"2026-08", "2026-09"}) {
		t.Errorf("stored periods %v, want [2026-08 2026-09]", got)
	}

	// The source catches up; meanwhile September's data changed (a back-fill). September stays
	// as frozen, October freezes.
	d.Events["probes/requests"] = eventsOf(t,
		bucket("2026-08-10T00:00:00Z", 90, 100), bucket("2026-09-10T00:00:00Z", 50, 100),
		bucket("2026-10-10T00:00:00Z", 99, 100), bucket("2026-11-10T00:00:00Z", 100, 100))
	d.LastSuccess["probes"] = utc("2026-11-15T23:00:00Z")
	want = []collector.FrozenPeriod{frozenMonth("2026-08", 0.9), frozenMonth("2026-09", 0.95), frozenMonth("2026-10", 0.99)}
	if diff := cmp.Diff(want, history(t, ev)); diff != "" {
		t.Fatalf("history after the source caught up (-want +got):\n%s", diff)
	}
	wantStored := map[string]collector.FrozenPeriod{}
	for _, fp := range want {
		wantStored[fp.Label] = fp
	}
	if diff := cmp.Diff(wantStored, storedHistory(t, db, "requests")); diff != "" {
		t.Errorf("stored periods (-want +got):\n%s", diff)
	}

	// Restart: a new store handle and evaluator, and the data gone (the source was reset and
	// has not synced yet). The frozen periods come back from the store.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	restarted := New(cfg, Options{Data: &fakeReader{data: newData()}, DB: db})
	s := restarted.Evaluate(now)
	o := objectiveNamed(t, s, "requests")
	if diff := cmp.Diff(want, o.History); diff != "" {
		t.Errorf("history after a restart without data (-want +got):\n%s", diff)
	}
	if !o.Stale || o.HasData {
		t.Errorf("after the restart: stale %v, has data %v; want true, false", o.Stale, o.HasData)
	}
	// And the exposition publishes them while the objective is stale.
	mfs := scrape(t, s)
	for _, fp := range want {
		v, ok := sample(mfs, c.PeriodFinalAttainment, map[string]string{c.LabelObjective: "requests", c.LabelPeriod: fp.Label})
		if !ok || v != fp.Attainment {
			t.Errorf("%s{period=%q} = %v (published %v), want %v", c.PeriodFinalAttainment, fp.Label, v, ok, fp.Attainment)
		}
	}
}

// TestEvaluate_HistoryNeedsCalendarPeriods checks that rolling periods, which have no finished
// periods of their own, and history_periods: 0 keep no history.
func TestEvaluate_HistoryNeedsCalendarPeriods(t *testing.T) {
	for _, tt := range []struct{ name, global, period string }{
		{"rolling period", "history_periods: 3", "rolling:30d"},
		{"history turned off", "history_periods: 0", "month"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadConfig(t, `
global: {timezone: UTC, `+tt.global+`}
sources: [{name: probes, type: demo}]
objectives:
  - {name: requests, service: api, kind: event_ratio, source: probes, series: requests, target: 0.95, period: "`+tt.period+`"}
`)
			d := newData()
			d.Events["probes/requests"] = eventsOf(t, bucket("2026-09-10T00:00:00Z", 95, 100))
			d.LastSuccess["probes"] = utc("2026-11-16T00:00:00Z")
			s := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(utc("2026-11-16T00:00:00Z"))
			if h := objectiveNamed(t, s, "requests").History; len(h) != 0 {
				t.Errorf("history %v, want none", h)
			}
		})
	}
}

// TestEvaluate_KPIs computes each KPI over its configured period and selector, at Friday
// 2026-11-13 12:00 UTC.
func TestEvaluate_KPIs(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-13T12:00:00Z")
	d := newData()
	d.Tickets["desk"] = storeOf(t,
		// Answered in October: outside the month.
		responded(tk("INC-0", "incident", "P3", "2026-10-30T10:00:00Z"), "2026-10-30T10:10:00Z"),
		// Answered after 30m, resolved, not rated.
		responded(tk("INC-1", "incident", "P3", "2026-11-02T10:00:00Z", resolved("2026-11-02T12:00:00Z")), "2026-11-02T10:30:00Z"),
		// Answered after 1h30, in this week.
		responded(tk("INC-2", "incident", "P3", "2026-11-10T09:00:00Z"), "2026-11-10T10:30:00Z"),
		// A request: not an incident.
		responded(tk("REQ-1", "request", "P3", "2026-11-10T09:00:00Z"), "2026-11-10T12:00:00Z"),
	)
	d.LastSuccess["desk"] = now.Add(-time.Minute)
	s := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now)
	// Every KPI says what it measures and in which unit, measured or not.
	want := []collector.KPIResult{
		// Incidents answered in November: (1,800 + 5,400) / 2 = 3,600 s, over the 3,000 s
		// target but within the 7,200 s red line: amber.
		{Name: "mtta", Service: "desk", Kind: "mtta", Unit: "seconds", Value: 3600, Target: 3000, OK: true, Status: "amber"},
		// Incidents created since Monday 2026-11-09: INC-2 (INC-1 is from last week, REQ-1 a
		// request). 1 <= 5: green.
		{Name: "created-this-week", Service: "desk", Kind: "created", Unit: "tickets", Value: 1, Target: 5, OK: true, Status: "green"},
		// INC-1 was resolved but not rated: nothing to measure.
		{Name: "csat", Service: "desk", Kind: "csat", Unit: "ratio", Value: math.NaN(), Target: 0.9, OK: false, Status: "unknown"},
		// The silent source never synced: stale.
		{Name: "silent-backlog", Service: "desk", Kind: "backlog", Unit: "tickets", Value: 0, Target: 10, OK: false, Status: "unknown"},
	}
	if diff := cmp.Diff(want, s.KPIs, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("KPIs (-want +got):\n%s", diff)
	}
}

// TestEvaluate_Contracts rates the contracts from their objectives' attainment: an objective
// without a usable one (no data, or stale) makes the running credit unknown, never zero.
func TestEvaluate_Contracts(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-13T12:00:00Z")
	d := newData()
	// requests: 98 of 100 good = 0.98. quiet-requests: no data. silent-requests: 10 of 100,
	// which would earn the top credit, but its source never synced (stale).
	d.Events["probes/requests"] = eventsOf(t, bucket("2026-11-10T00:00:00Z", 98, 100))
	d.Events["silent/requests"] = eventsOf(t, bucket("2026-11-10T00:00:00Z", 10, 100))
	d.LastSuccess["probes"] = now
	s := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now)
	nan := math.NaN()
	type figures struct {
		Name              string
		Running, Forecast contract.Result
		Status            contract.Status
	}
	want := []figures{
		// requests alone, 0.98, is below 0.99 but not 0.95, and would earn 0.1 of the 1,000 EUR
		// fee (its forecast, with no bad event in the last day, stays at or above 0.99: 0); but
		// quiet-requests has no data and silent-requests is stale: unknown.
		{"api-credits", contract.Result{Ratio: nan, Amount: nan, PerObjective: []float64{0.1, nan, nan}, Skipped: 2},
			contract.Result{Ratio: nan, Amount: nan, PerObjective: []float64{0, nan, nan}, Skipped: 2}, contract.Unknown},
		// Its only objective is stale: unknown, not "nothing owed".
		{"silent-credits", contract.Result{Ratio: nan, Amount: nan, PerObjective: []float64{nan}, Skipped: 1},
			contract.Result{Ratio: nan, Amount: nan, PerObjective: []float64{nan}, Skipped: 1}, contract.Unknown},
	}
	var got []figures
	for _, k := range s.Contracts {
		got = append(got, figures{k.Spec.Name, k.Running.Result, k.Forecast.Result, k.Status})
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("contracts (-want +got):\n%s", diff)
	}
}

// TestEvaluate_EngineErrorsStayLocal breaks two objectives, one the engine refuses and one that
// makes it panic, and a KPI that makes it panic: they are marked stale or unknown and logged
// once, and the others evaluate.
func TestEvaluate_EngineErrorsStayLocal(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-13T12:00:00Z")
	var refused, panicking *slo.Objective
	for i := range cfg.Objectives {
		switch cfg.Objectives[i].Name {
		case "resolution":
			refused = cfg.Objectives[i].Objective
		case "uptime":
			panicking = cfg.Objectives[i].Objective
		}
	}
	refused.Target = 1.5                                            // Validate refuses it
	panicking.Period = period.Period{Kind: period.Rolling, Days: 0} // Bounds panics on it
	cfg.KPIs[0].Period = period.Period{}                            // mtta: Bounds panics on it

	d := newData()
	d.Tickets["desk"] = storeOf(t, tk("INC-1", "incident", "P1", "2026-11-12T09:00:00Z", resolved("2026-11-12T10:00:00Z")))
	d.Events["probes/requests"] = eventsOf(t, bucket("2026-11-10T00:00:00Z", 98, 100))
	d.LastSuccess["desk"], d.LastSuccess["probes"] = now, now
	var log bytes.Buffer
	ev := New(cfg, Options{Data: &fakeReader{data: d}, Logger: slog.New(slog.NewTextHandler(&log, nil))})

	var s *collector.Snapshot
	for range 3 {
		s = ev.Evaluate(now)
	}
	for _, name := range []string{"resolution", "uptime", "kpi:mtta"} {
		if o, ok := strings.CutPrefix(name, "kpi:"); !ok && !objectiveNamed(t, s, name).Stale {
			t.Errorf("%s: not stale", name)
		} else if ok && (s.KPIs[0].Name != o || s.KPIs[0].OK || s.KPIs[0].Status != "unknown") {
			t.Errorf("KPI %+v: want mtta, not OK, unknown", s.KPIs[0])
		}
		if got := strings.Count(log.String(), `objective=`+name+` `); got != 1 {
			t.Errorf("%s: logged %d times over 3 evaluations, want once:\n%s", name, got, log.String())
		}
	}
	if !strings.Contains(log.String(), "engine panic") {
		t.Errorf("the panic is not logged:\n%s", log.String())
	}
	if o := objectiveNamed(t, s, "requests"); o.Stale || !o.HasData || o.Attainment != 0.98 {
		t.Errorf("requests: stale %v, has data %v, attainment %v; want false, true, 0.98", o.Stale, o.HasData, o.Attainment)
	}
	if len(s.Objectives) != len(cfg.Objectives) || len(s.KPIs) != len(cfg.KPIs) || len(s.Contracts) != len(cfg.Contracts) {
		t.Errorf("snapshot has %d objectives, %d KPIs, %d contracts; want all of them", len(s.Objectives), len(s.KPIs), len(s.Contracts))
	}
	// The broken objectives still reach /metrics as no_data.
	mfs := scrape(t, s)
	for _, name := range []string{"resolution", "uptime"} {
		if v, _ := sample(mfs, c.Status, map[string]string{c.LabelObjective: name, c.LabelStatus: "no_data"}); v != 1 {
			t.Errorf("%s: no_data = %v, want 1", name, v)
		}
	}

	// Fixed, it evaluates again and says so.
	refused.Target = 0.9
	log.Reset()
	if o := objectiveNamed(t, ev.Evaluate(now), "resolution"); o.Stale || !o.HasData {
		t.Errorf("resolution after the fix: stale %v, has data %v", o.Stale, o.HasData)
	}
	if !strings.Contains(log.String(), "objective evaluates again") {
		t.Errorf("recovery not logged:\n%s", log.String())
	}
}

// TestEvaluate_Sources checks that the snapshot carries the reader's source health as is.
func TestEvaluate_Sources(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	health := []collector.SourceHealth{{Name: "desk", Up: true, Records: 3}, {Name: "silent"}}
	s := New(cfg, Options{Data: &fakeReader{data: newData(), health: health}}).Evaluate(utc("2026-11-13T12:00:00Z"))
	if diff := cmp.Diff(health, s.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestPublish_SetsTheExposition checks that Publish evaluates at the evaluator's clock and
// hands the snapshot to the exposition.
func TestPublish_SetsTheExposition(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-13T12:00:00Z")
	expo := collector.NewExposition()
	ev := New(cfg, Options{Data: &fakeReader{data: newData()}, Expo: expo, Now: func() time.Time { return now }})
	s := ev.Publish()
	if expo.Snapshot() != s || !s.At.Equal(now) {
		t.Errorf("exposition serves %p at %v, want %p at %v", expo.Snapshot(), expo.Snapshot().At, s, now)
	}
}

// signalReader is a fakeReader that reports each Read and lets the test announce changes.
type signalReader struct {
	fakeReader
	reads   chan struct{}
	changed chan struct{}
}

func (r *signalReader) Read(fn func(collector.Data)) {
	r.fakeReader.Read(fn)
	r.reads <- struct{}{}
}

func (r *signalReader) Changed() <-chan struct{} { return r.changed }

// TestRun_EvaluatesAtOnceAndOnChange checks that Run publishes at once, again after the data
// changed (once the burst settles, a second later), and returns when its context ends. The test
// waits on the evaluator's reads, never on a timer of its own.
func TestRun_EvaluatesAtOnceAndOnChange(t *testing.T) {
	cfg := loadConfig(t, testConfig) // evaluation_interval: the 30s default, not reached here
	r := &signalReader{fakeReader: fakeReader{data: newData()}, reads: make(chan struct{}), changed: make(chan struct{}, 1)}
	expo := collector.NewExposition()
	times := []time.Time{utc("2026-11-13T12:00:00Z"), utc("2026-11-13T12:00:01Z")}
	calls := 0
	ev := New(cfg, Options{Data: r, Expo: expo, Now: func() time.Time {
		calls++
		return times[min(calls, len(times))-1]
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		ev.Run(ctx)
	}()
	<-r.reads // the first evaluation, at once
	r.changed <- struct{}{}
	<-r.reads // the evaluation after the change
	cancel()
	<-done
	if got := expo.Snapshot().At; !got.Equal(times[1]) {
		t.Errorf("exposition serves the evaluation at %v, want the second one, at %v", got, times[1])
	}
}

// TestEvaluate_Locations: the snapshot carries the timezones the page shows times in, the
// global one and each objective's (its own, else the global one, rolling periods included).
func TestEvaluate_Locations(t *testing.T) {
	cfg := loadConfig(t, `
global: {timezone: Europe/Rome}
sources: [{name: probes, type: demo}]
objectives:
  - {name: own, service: api, kind: event_ratio, source: probes, series: requests, target: 0.95, timezone: America/New_York}
  - {name: rolling-own, service: api, kind: event_ratio, source: probes, series: requests, target: 0.95, period: rolling:7d, timezone: Asia/Tokyo}
  - {name: global, service: api, kind: event_ratio, source: probes, series: requests, target: 0.95}
`)
	s := New(cfg, Options{Data: &fakeReader{data: newData()}}).Evaluate(utc("2026-11-16T00:00:00Z"))
	if s.Location.String() != "Europe/Rome" {
		t.Errorf("snapshot location %v, want Europe/Rome", s.Location)
	}
	for name, want := range map[string]string{"own": "America/New_York", "rolling-own": "Asia/Tokyo", "global": "Europe/Rome"} {
		if got := objectiveNamed(t, s, name).Location; got.String() != want {
			t.Errorf("%s: location %v, want %s", name, got, want)
		}
	}
}

// TestEvaluate_KPIEmptyStore: a source that synced just now but holds no ticket at all (an
// export emptied to its header row) gives no KPI figure: a backlog of 0 would read green.
func TestEvaluate_KPIEmptyStore(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	now := utc("2026-11-13T12:00:00Z")
	d := newData()
	d.Tickets["silent"] = storeOf(t)
	d.LastSuccess["silent"] = now.Add(-time.Minute)
	s := New(cfg, Options{Data: &fakeReader{data: d}}).Evaluate(now)
	for _, k := range s.KPIs {
		if k.Name != "silent-backlog" {
			continue
		}
		want := collector.KPIResult{Name: "silent-backlog", Service: "desk", Kind: "backlog", Unit: "tickets", Target: 10, Status: "unknown"}
		if diff := cmp.Diff(want, k); diff != "" {
			t.Errorf("KPI over an empty store (-want +got):\n%s", diff)
		}
		return
	}
	t.Fatal("no silent-backlog KPI")
}
