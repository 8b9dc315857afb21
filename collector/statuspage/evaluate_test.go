package statuspage

import (
	"log/slog"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/statuspage/statuspagesim"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// TestEvaluated follows a page through four syncs in a collector.Runner and evaluates the
// series as an availability objective does, to the slice.
func TestEvaluated(t *testing.T) {
	e := newEnv(t, statuspagesim.Options{})
	api := statuspagesim.Component{ID: "api", Name: "API", Status: "operational", Created: at(month), Updated: at(month)}
	e.sim.SetComponents(api)
	// Announced at 10:50 for 11:40-11:50.
	e.sim.PutMaintenance(statuspagesim.Incident{ID: "m", Name: "upgrade", Status: "scheduled", Impact: "maintenance",
		Created: at(110), ScheduledFor: at(160), ScheduledUntil: at(170), Components: []string{"api"},
		Updates: []statuspagesim.Update{supd("m1", 110, "scheduled")}})
	r := collector.NewRunner(collector.RunnerOptions{Logger: slog.New(slog.DiscardHandler), Requests: e.requests})
	if err := r.Update([]collector.SourceConfig{{Name: "vendor", Type: "statuspage", Source: e.source(t, ""), Interval: time.Hour, Timeout: time.Minute, Hash: "1"}}); err != nil {
		t.Fatal(err)
	}
	sync := func(m int) {
		t.Helper()
		e.clk.Set(at(m))
		if err := r.SyncOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	major := func(status string, resolved time.Time, ups ...statuspagesim.Update) {
		api.Status, api.Updated = "major_outage", at(130)
		if status == "resolved" {
			api.Status, api.Updated = "operational", resolved
		}
		e.sim.SetComponents(api)
		e.sim.PutIncident(statuspagesim.Incident{ID: "i", Name: "API down", Status: status, Impact: "critical",
			Created: at(130), Resolved: resolved, Components: []string{"api"}, Updates: ups})
	}
	sync(120) // 11:00: coverage starts
	// 11:10: the API goes down; 11:15 a sync sees it open; 11:25 resolved.
	opened := supd("i1", 130, "investigating", aff("api", "operational", "major_outage"))
	major("investigating", time.Time{}, opened)
	sync(135)
	major("resolved", at(145), opened, supd("i2", 145, "resolved", aff("api", "major_outage", "operational")))
	sync(150)
	sync(180) // 12:00

	var tl *availability.Timeline
	r.Read(func(d collector.Data) {
		u := d.Uptime[collector.SeriesName("vendor", "API")]
		if u == nil || u.Series == nil {
			t.Fatal("no API series")
		}
		var err error
		if tl, err = availability.Build(availability.Config{Slice: time.Minute}, *u.Series, at(60), at(180)); err != nil {
			t.Fatal(err)
		}
	})
	// 11:00-12:00: 60 one-minute slices; 11:40-11:50 maintenance (10 excluded); 11:10-11:25
	// down (15 bad); the other 35 good: 35/50 = 0.7, every eligible minute covered.
	c := tl.Counts(at(120), at(180))
	if c.Good != 35*time.Minute || c.Bad != 15*time.Minute || c.Eligible != 50*time.Minute || c.Covered != 50*time.Minute {
		t.Errorf("11:00-12:00: %+v, want good 35m, bad 15m, eligible and covered 50m", c)
	}
	if a, _ := c.Attainment(); a != 0.7 {
		t.Errorf("attainment %v, want 0.7", a)
	}
	// 10:00-11:00, before the first sync: nothing observed, nothing judged (gaps excluded).
	c = tl.Counts(at(60), at(120))
	if c.Good != 0 || c.Bad != 0 || c.Covered != 0 || c.Eligible != 60*time.Minute {
		t.Errorf("10:00-11:00: %+v, want 60m eligible, none covered nor judged", c)
	}
}
