package evaluation

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/store"
)

// FrozenPeriods reads the store on first use, so a report right after a restart finds the periods
// frozen before it, even those no evaluation has looked at yet; View hands over the configuration
// in use with the data.
func TestFrozenPeriodsAndView(t *testing.T) {
	cfg := loadConfig(t, testConfig)
	db, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// A period older than history_periods (3), kept in the store from an earlier configuration.
	old := frozenMonth("2025-01", 0.97)
	if err := db.PutHistory("requests", old.Label, mustJSON(t, old)); err != nil {
		t.Fatal(err)
	}
	d := newData()
	d.Events["probes/requests"] = eventsOf(t, bucket("2026-10-10T00:00:00Z", 99, 100))
	d.LastSuccess["probes"] = utc("2026-11-15T23:00:00Z")
	ev := New(cfg, Options{Data: &fakeReader{data: d}, DB: db})

	if diff := cmp.Diff(map[string]collector.FrozenPeriod{old.Label: old}, ev.FrozenPeriods("requests")); diff != "" {
		t.Errorf("before any evaluation (-want +got):\n%s", diff)
	}
	ev.Evaluate(utc("2026-11-16T00:00:00Z"))
	got := ev.FrozenPeriods("requests")
	if _, ok := got["2026-10"]; !ok || !cmp.Equal(got[old.Label], old) {
		t.Errorf("after an evaluation: %v, want 2026-10 and 2025-01", got)
	}
	got["2026-10"] = collector.FrozenPeriod{} // the map is the caller's
	if ev.FrozenPeriods("requests")["2026-10"].Attainment != 0.99 {
		t.Error("changing the returned map changed the evaluator's")
	}
	if len(ev.FrozenPeriods("nothing-of-that-name")) != 0 {
		t.Error("an unknown objective has frozen periods")
	}

	var seen *config.Config
	var events int
	ev.View(func(c *config.Config, d collector.Data) {
		seen, events = c, len(d.Events["probes/requests"].Buckets)
	})
	if seen != cfg || events != 1 {
		t.Errorf("View saw config %p and %d buckets, want %p and 1", seen, events, cfg)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
