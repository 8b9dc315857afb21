package prometheus

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/prometheus/promsim"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

// TestRunner_FailureKeepsData runs the source in a collector.Runner over a store, as the daemon
// does: a sync failing on a warning commits nothing and marks the source down with the reason;
// once the server answers again, the next sync carries on from the last checkpoint.
func TestRunner_FailureKeepsData(t *testing.T) {
	sim := promsim.New()
	defer sim.Close()
	sim.Series = append(probe(repeat(1, 60)...), requestSeries("a", t0)...)
	now := at(5*time.Minute + 20*time.Second)
	src := newTestSource(t, sim, "backfill: 5m\n"+probeBlock+
		"events:\n  - {series: api, good: 'http_requests_total{code!~\"5..\"}', total: http_requests_total}\n", &now)
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	r := collector.NewRunner(collector.RunnerOptions{Store: db, Logger: slog.New(slog.DiscardHandler)})
	if err := r.Update([]collector.SourceConfig{{Name: "prom", Type: "prometheus", Source: src, Interval: time.Minute, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	before, err := db.Load("prom")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(before.Uptime["web"].Samples); n != 7 || len(before.Events["api"]) != 5 {
		t.Fatalf("stored %d samples, %d buckets", n, len(before.Events["api"]))
	}

	sim.Lock()
	sim.Fault = func(promsim.Request) *promsim.Fault { return &promsim.Fault{Warnings: []string{"partial response"}} }
	sim.Unlock()
	now = now.Add(2 * time.Minute)
	err = r.SyncOnce(t.Context())
	const want = `prometheus source "prom": availability[0] (series web) count query over [2026-03-02T10:03:00Z, 2026-03-02T10:07:00Z): the server warned that the answer may be partial, so none of it is used: partial response`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %s", err, want)
	}
	after, err := db.Load("prom")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a failed sync changed the store (-before +after):\n%s", diff)
	}
	for _, st := range r.Status() {
		if st.Name == "prom" && (st.Up || !strings.Contains(st.LastError, want)) {
			t.Errorf("status up=%v error %q", st.Up, st.LastError)
		}
	}

	sim.Lock()
	sim.Fault = nil
	sim.Unlock()
	if err := r.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	after, err = db.Load("prom")
	if err != nil {
		t.Fatal(err)
	}
	// Up to 10:07 now: the samples of 10:05 and 10:06, buckets to 10:06.
	if got := string(after.Checkpoint); got != `{"end":"2026-03-02T10:07:00Z"}` || len(after.Events["api"]) != 7 {
		t.Errorf("checkpoint %s, %d buckets", got, len(after.Events["api"]))
	}
	if s := after.Uptime["web"].Samples; s[len(s)-1] != unknown(at(7*time.Minute)) || s[len(s)-2] != up(at(6*time.Minute)) {
		t.Errorf("samples end %v", s[len(s)-3:])
	}
}
