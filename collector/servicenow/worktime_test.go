package servicenow

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
)

// TestWorkTimeDuration reads time_worked as the Table API gives it with display values off: a
// date-time from the epoch. 00:38:00 is 38 minutes; the next day's 01:00:00 is 25 hours; empty,
// absent and the epoch itself are none; a bare time or a date before the epoch is an error.
func TestWorkTimeDuration(t *testing.T) {
	raw, err := os.ReadFile("testdata/worktime_listing.json")
	if err != nil {
		t.Fatal(err)
	}
	var l listing
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		work time.Duration
		bad  bool
	}{{38 * time.Minute, false}, {25 * time.Hour, false}, {0, false}, {0, false}, {0, false}, {0, true}, {0, true}}
	if len(l.Result) != len(want) {
		t.Fatalf("%d rows in the fixture", len(l.Result))
	}
	for i, w := range want {
		r, err := decodeRow(l.Result[i])
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.duration("time_worked")
		if (err != nil) != w.bad || got != w.work {
			t.Errorf("%s: %s, %v; want %s, error %v", r.get("number"), got, err, w.work, w.bad)
		}
	}
}

// TestWorkTimeSync: an incident's time worked is its ticket's work time; a value that is no
// duration rejects the record, naming the field.
func TestWorkTimeSync(t *testing.T) {
	e := newEnv(t, servicenowsim.Options{})
	e.clk.Set(utc("2026-03-02 08:00"))
	worked := e.sim.Create("incident", servicenowsim.Fields{"priority": "2", "time_worked": "1970-01-01 01:35:00"})
	none := e.sim.Create("incident", servicenowsim.Fields{"priority": "2"})
	bad := e.sim.Create("incident", servicenowsim.Fields{"priority": "2", "time_worked": "95 minutes"})
	e.clk.Set(utc("2026-03-02 10:00"))
	b, err := e.source(t, mappingConfig).Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(b.Tickets)
	if w := got[worked].WorkTime; w != 95*time.Minute {
		t.Errorf("%s: WorkTime %s, want 1h35m", worked, w)
	}
	if tk, ok := got[none]; !ok || tk.WorkTime != 0 {
		t.Errorf("%s: %v, WorkTime %s; want a ticket without work time", none, ok, tk.WorkTime)
	}
	if len(b.Rejected) != 1 || b.Rejected[0].Where != bad || b.Rejected[0].Rule != "time_worked is not a duration" {
		t.Errorf("rejections %+v: want %s's time_worked", b.Rejected, bad)
	}
}
