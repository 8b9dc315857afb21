package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/staffing"
)

// staffingBase is base with two more ticket objectives; line 35 is "staffing:", 36 the first
// group's name.
const staffingBase = base + `  - name: chat
    service: desk
    kind: ticket
    source: desk
    clock: response
    targets: {"*": 2m}
    target: 0.8
  - name: multi
    service: desk
    kind: ticket
    source: desk
    clock: resolution
    calendar: office
    targets: {P1: 4h, P3: 2bd}
    target: 0.9
staffing:
`

func TestLoadStaffing(t *testing.T) {
	cfg, err := Load([]byte(staffingBase+`  - name: chat-desk
    objective: chat
    handle_time: 5m
    roster:
      mon-fri: {"08:00-18:00": 6, "18:00-22:00": 2}
      sat: {"09:00-13:00": 1}
  - name: p1
    objective: multi
    priority: P1
    model: erlang
    handle_time: 1h
    weeks: 4
    max_occupancy: 90%
    shrinkage: 0
  - name: p3
    objective: multi
    priority: P3
    handle_time: 25m
  - name: office-resp
    objective: resp
    handle_time: 10m
`), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The roster: Monday to Friday 6 agents 08-18 and 2 agents 18-22, Saturday 1 agent 09-13.
	var roster staffing.Week
	for d := range 5 {
		for h := 8; h < 18; h++ {
			roster[d*24+h] = 6
		}
		for h := 18; h < 22; h++ {
			roster[d*24+h] = 2
		}
	}
	for h := 9; h < 13; h++ {
		roster[5*24+h] = 1
	}
	want := []StaffingGroup{
		// "*" alone: every ticket; 2m on 24x7 is within the hour: Erlang C by default.
		{Name: "chat-desk", Objective: "chat", Model: StaffingErlang, Target: 2 * time.Minute, HandleTime: 5 * time.Minute,
			Weeks: 8, MaxOccupancy: 0.85, Shrinkage: 0.3, Roster: &roster},
		{Name: "p1", Objective: "multi", Priority: "P1", Model: StaffingErlang, Target: 4 * time.Hour, HandleTime: time.Hour,
			Weeks: 4, MaxOccupancy: 0.9, Shrinkage: 0},
		// Working days: the workload model.
		{Name: "p3", Objective: "multi", Priority: "P3", Model: StaffingWorkload, BusinessDays: 2, HandleTime: 25 * time.Minute,
			Weeks: 8, MaxOccupancy: 0.85, Shrinkage: 0.3},
		// The objective's only target, P1's 1h, on the office calendar: the workload model.
		{Name: "office-resp", Objective: "resp", Priority: "P1", Model: StaffingWorkload, Target: time.Hour, HandleTime: 10 * time.Minute,
			Weeks: 8, MaxOccupancy: 0.85, Shrinkage: 0.3},
	}
	if diff := cmp.Diff(want, cfg.Staffing); diff != "" {
		t.Errorf("staffing (-want +got):\n%s", diff)
	}
}

func TestLoadStaffingErrors(t *testing.T) {
	group := func(lines ...string) string {
		return staffingBase + "  - name: g\n" + strings.Join(lines, "\n") + "\n"
	}
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no objective", group("    handle_time: 5m"),
			"test.yml:36: staffing[0]: objective is required: the ticket objective the group is planned for"},
		{"unknown objective", group("    objective: nope", "    handle_time: 5m"),
			`test.yml:37: staffing[0].objective: no objective is named "nope"`},
		{"unknown priority", group("    objective: multi", "    priority: P2", "    handle_time: 5m"),
			`test.yml:38: staffing[0].priority: objective "multi" has no target for priority "P2" (it has P1, P3)`},
		{"priority needed", group("    objective: multi", "    handle_time: 5m"),
			`test.yml:36: staffing[0].priority: objective "multi" has targets for P1, P3: name the priority the group handles`},
		{"erlang on working days", group("    objective: multi", "    priority: P3", "    model: erlang", "    handle_time: 5m"),
			`test.yml:39: staffing[0].model: the target of objective "multi" is in working days: Erlang C needs a wait in minutes, use model: workload`},
		{"unknown model", group("    objective: chat", "    model: poisson", "    handle_time: 5m"),
			`test.yml:38: staffing[0].model: unknown model "poisson" (want erlang or workload)`},
		{"no handle time", group("    objective: chat"),
			"test.yml:36: staffing[0].handle_time: handle_time is required: the mean work per ticket, e.g. 25m, or measured"},
		{"handle time neither duration nor measured", group("    objective: chat", "    handle_time: measure"),
			`test.yml:38: staffing[0].handle_time: "measure" is neither a duration such as 25m nor "measured"`},
		{"handle time a list", group("    objective: chat", "    handle_time: [5m]"),
			`test.yml:38: staffing[0].handle_time: want a duration such as 25m or "measured"`},
		{"measured on a source without work time", group("    objective: chat", "    handle_time: measured"),
			`test.yml:38: staffing[0].handle_time: source "desk" (type demo) records no work time on its tickets: configure the mean work per ticket, e.g. 25m`},
		{"min_measured with a configured handle time", group("    objective: chat", "    handle_time: 5m", "    min_measured: 10"),
			"test.yml:39: staffing[0].min_measured: min_measured applies to handle_time: measured only"},
		{"zero weeks", group("    objective: chat", "    handle_time: 5m", "    weeks: 0"),
			"test.yml:39: staffing[0].weeks: 0 is not between 1 and 52"},
		{"occupancy 0", group("    objective: chat", "    handle_time: 5m", "    max_occupancy: 0"),
			"test.yml:39: staffing[0].max_occupancy: 0 is not a share in (0, 1]"},
		{"occupancy over 1", group("    objective: chat", "    handle_time: 5m", "    max_occupancy: 85"),
			"test.yml:39: staffing[0].max_occupancy: 85 is not a ratio between 0 and 1 (write 0.85 or 85%)"},
		{"shrinkage 1", group("    objective: chat", "    handle_time: 5m", "    shrinkage: 100%"),
			"test.yml:39: staffing[0].shrinkage: 1 is not a share in [0, 1): agents never on the queue cannot be planned"},
		{"bad day", group("    objective: chat", "    handle_time: 5m", "    roster:", "      weekdays: {\"08:00-18:00\": 2}"),
			`test.yml:40: staffing[0].roster.weekdays: "weekdays": want a day (mon, tue, wed, thu, fri, sat, sun) or a range of days (mon-fri)`},
		{"backward days", group("    objective: chat", "    handle_time: 5m", "    roster:", "      sun-sat: {\"08:00-18:00\": 2}"),
			`test.yml:40: staffing[0].roster.sun-sat: "sun-sat": a range of days runs from Monday to Sunday (write sat-sun, not sun-sat)`},
		{"bad range", group("    objective: chat", "    handle_time: 5m", "    roster:", "      sat: {\"8-18\": 2}"),
			`test.yml:40: staffing[0].roster.sat.8-18: "8-18": want a range of the day HH:MM-HH:MM, e.g. 08:00-18:00`},
		{"half hour", group("    objective: chat", "    handle_time: 5m", "    roster:", "      sat: {\"08:30-18:00\": 2}"),
			`test.yml:40: staffing[0].roster.sat.08:30-18:00: "08:30-18:00": the roster is planned by the hour, start and end on the hour`},
		{"night shift", group("    objective: chat", "    handle_time: 5m", "    roster:", "      sat: {\"22:00-06:00\": 2}"),
			`test.yml:40: staffing[0].roster.sat.22:00-06:00: "22:00-06:00": the range ends before it starts (split a night shift at 24:00)`},
		{"overlap within a day", group("    objective: chat", "    handle_time: 5m", "    roster:", "      mon: {\"08:00-12:00\": 2, \"11:00-13:00\": 1}"),
			`test.yml:40: staffing[0].roster.mon.11:00-13:00: mon 11:00 is also in mon 08:00-12:00: ranges of a day must not overlap`},
		{"overlap across day keys", group("    objective: chat", "    handle_time: 5m", "    roster:", "      mon-fri: {\"08:00-18:00\": 2}", "      fri: {\"17:00-20:00\": 1}"),
			`test.yml:41: staffing[0].roster.fri.17:00-20:00: fri 17:00 is also in mon-fri 08:00-18:00: ranges of a day must not overlap`},
		{"negative agents", group("    objective: chat", "    handle_time: 5m", "    roster:", "      mon: {\"08:00-12:00\": -1}"),
			`test.yml:40: staffing[0].roster.mon.08:00-12:00: -1 agents: want a number, 0 or more`},
		{"unknown key", group("    objective: chat", "    handle_time: 5m", "    agents: 3"),
			"test.yml:39: staffing[0].agents: unknown field (known: name, objective, priority, model, handle_time, min_measured, weeks, max_occupancy, shrinkage, roster)"},
		{"name twice", staffingBase + "  - {name: g, objective: chat, handle_time: 5m}\n  - {name: g, objective: chat, handle_time: 5m}\n",
			`test.yml:37: staffing[1].name: "g" is used twice: first at test.yml:36`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.text), "test.yml", t.TempDir())
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}

// FuzzRosterKeys: a roster's day and hour keys either parse into a range within the week or
// are refused; and any roster of them loads or fails with a positioned error.
func FuzzRosterKeys(f *testing.F) {
	for _, s := range [][2]string{{"mon-fri", "08:00-18:00"}, {"sat", "09:00-13:00"}, {"sun-sat", "22:00-06:00"}, {"mon", "18:00-24:00"}, {"x", "8-9"}} {
		f.Add(s[0], s[1], 2.0)
	}
	f.Fuzz(func(t *testing.T, days, hours string, agents float64) {
		if from, to, err := parseDays(days); err == nil && !(0 <= from && from <= to && to <= 6) {
			t.Fatalf("%q: days %d-%d", days, from, to)
		}
		if first, last, err := parseRosterHours(hours); err == nil && !(0 <= first && first < last && last <= 24) {
			t.Fatalf("%q: hours %d-%d", hours, first, last)
		}
		text := staffingBase + fmt.Sprintf("  - name: g\n    objective: chat\n    handle_time: 5m\n    roster:\n      %q: {%q: %v}\n", days, hours, agents)
		cfg, err := Load([]byte(text), "test.yml", t.TempDir())
		switch {
		case err != nil && !strings.HasPrefix(err.Error(), "test.yml:"):
			t.Fatalf("unpositioned error: %v", err)
		case err == nil && len(cfg.Staffing) == 1 && cfg.Staffing[0].Roster != nil:
			for h, n := range cfg.Staffing[0].Roster {
				if n != 0 && n != agents {
					t.Fatalf("hour %d: %v agents, configured %v", h, n, agents)
				}
			}
		}
	})
}

// measuredBase has a source whose tool records work time; line 9 is the first group's name.
const measuredBase = `sources:
  - {name: tracker, type: jira, jira: {url: "https://jira.example.com", jql: "project = OPS"}}
objectives:
  - name: fix
    service: desk
    kind: ticket
    source: tracker
    clock: resolution
    targets: {"*": 8h}
    target: 0.9
staffing:
`

func TestLoadStaffingMeasured(t *testing.T) {
	cfg, err := Load([]byte(measuredBase+`  - {name: default-min, objective: fix, handle_time: measured}
  - {name: own-min, objective: fix, handle_time: measured, min_measured: 1}
  - {name: configured, objective: fix, handle_time: 40m}
`), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// 8h around the clock is beyond the hour: the workload model; min_measured defaults to 30.
	common := StaffingGroup{Objective: "fix", Model: StaffingWorkload, Target: 8 * time.Hour, Weeks: 8, MaxOccupancy: 0.85, Shrinkage: 0.3}
	with := func(name string, f func(g *StaffingGroup)) StaffingGroup {
		g := common
		g.Name = name
		f(&g)
		return g
	}
	want := []StaffingGroup{
		with("default-min", func(g *StaffingGroup) { g.HandleTimeMeasured, g.MinMeasured = true, 30 }),
		with("own-min", func(g *StaffingGroup) { g.HandleTimeMeasured, g.MinMeasured = true, 1 }),
		with("configured", func(g *StaffingGroup) { g.HandleTime = 40 * time.Minute }),
	}
	if diff := cmp.Diff(want, cfg.Staffing); diff != "" {
		t.Errorf("staffing (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"min_measured 0", "  - {name: g, objective: fix, handle_time: measured, min_measured: 0}\n",
			"test.yml:12: staffing[0].min_measured: 0 is not 1 or more"},
		{"min_measured not a number", "  - {name: g, objective: fix, handle_time: measured, min_measured: many}\n",
			"test.yml:12: cannot unmarshal !!str `many` into int"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(measuredBase+tc.text), "test.yml", t.TempDir())
			if err == nil || err.Error() != tc.want {
				t.Errorf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}
