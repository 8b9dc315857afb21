package statuspage

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at is t0 plus m minutes.
func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

func ptr(t time.Time) *time.Time { return &t }

// up is an update at minute m with status st setting the components code=status.
func up(id string, m int, st string, changes ...string) update {
	u := update{ID: id, Status: st, CreatedAt: at(m)}
	for i := 0; i+1 < len(changes); i += 2 {
		u.Affected = append(u.Affected, affected{Code: changes[i], NewStatus: changes[i+1]})
	}
	return u
}

var allWanted = map[string]bool{"api": true, "web": true}

func TestIncidentSegments(t *testing.T) {
	tests := []struct {
		name    string
		in      incident
		now     int
		want    map[string][]seg
		wantErr string
	}{
		{
			// Started 09:00; marked partial at 09:05 (backdated to the start), major at 09:20,
			// resolved at 09:50: degraded 20 min, then down 30 min.
			name: "partial, then major, then resolved",
			in: incident{ID: "i1", Status: "resolved", CreatedAt: at(3), StartedAt: ptr(at(0)), ResolvedAt: ptr(at(50)),
				Updates: []update{ // newest first, as listed
					up("u3", 50, "resolved", "api", "operational"),
					up("u2", 20, "identified", "api", "major_outage"),
					up("u1", 5, "investigating", "api", "partial_outage"),
				}},
			now:  90,
			want: map[string][]seg{"api": {{at(0), at(20), effDegraded}, {at(20), at(50), effDown}}},
		},
		{
			// No started_at: the start is created_at 09:10; still open at 09:30: down 20 min.
			name: "open, from created_at to now",
			in: incident{ID: "i2", Status: "investigating", CreatedAt: at(10),
				Updates: []update{up("u1", 12, "investigating", "web", "major_outage")}},
			now:  30,
			want: map[string][]seg{"web": {{at(10), at(30), effDown}}},
		},
		{
			// The first marking update (09:05) counts from the start 09:00; web, first marked at
			// 09:15, from then: api degraded 40 min, web down 25 min, to the resolution at 09:40.
			name: "a component marked later counts from its own update",
			in: incident{ID: "i3", Status: "resolved", CreatedAt: at(0), StartedAt: ptr(at(0)), ResolvedAt: ptr(at(40)),
				Updates: []update{
					up("u1", 5, "investigating", "api", "partial_outage"),
					up("u2", 15, "identified", "web", "major_outage"),
					up("u3", 40, "resolved", "api", "operational", "web", "operational"),
				}},
			now:  60,
			want: map[string][]seg{"api": {{at(0), at(40), effDegraded}}, "web": {{at(15), at(40), effDown}}},
		},
		{
			// The first update only investigates; components marked at 09:30 count from the start
			// 09:00. display_at 09:45 of the update posted 09:50 is when it shows: major from 09:45.
			name: "display_at is the update's time",
			in: incident{ID: "i4", Status: "resolved", CreatedAt: at(0), StartedAt: ptr(at(0)), ResolvedAt: ptr(at(60)),
				Updates: []update{
					up("u1", 2, "investigating"),
					up("u2", 30, "identified", "api", "degraded_performance"),
					{ID: "u3", Status: "identified", CreatedAt: at(50), DisplayAt: ptr(at(45)), Affected: []affected{{Code: "api", NewStatus: "major_outage"}}},
				}},
			now:  70,
			want: map[string][]seg{"api": {{at(0), at(45), effDegraded}, {at(45), at(60), effDown}}},
		},
		{
			// Recovered at 09:10 while monitoring, resolved at 09:30: down 10 min only; the
			// postmortem's update at 10:00 counts nothing.
			name: "recovery mid-incident; a postmortem after the end counts nothing",
			in: incident{ID: "i5", Status: "postmortem", CreatedAt: at(0), ResolvedAt: ptr(at(30)),
				Updates: []update{
					up("u1", 0, "investigating", "api", "major_outage"),
					up("u2", 10, "monitoring", "api", "operational"),
					up("u3", 30, "resolved"),
					up("u4", 60, "postmortem", "api", "major_outage"),
				}},
			now:  90,
			want: map[string][]seg{"api": {{at(0), at(10), effDown}}},
		},
		{
			// resolved_at is null: the resolving update (09:30) ends it.
			name: "resolved without resolved_at",
			in: incident{ID: "i6", Status: "resolved", CreatedAt: at(0),
				Updates: []update{up("u1", 0, "investigating", "api", "major_outage"), up("u2", 30, "resolved")}},
			now:  90,
			want: map[string][]seg{"api": {{at(0), at(30), effDown}}},
		},
		{
			name: "under maintenance within an incident",
			in: incident{ID: "i7", Status: "resolved", CreatedAt: at(0), ResolvedAt: ptr(at(20)),
				Updates: []update{up("u1", 0, "identified", "api", "under_maintenance")}},
			now:  90,
			want: map[string][]seg{"api": {{at(0), at(20), effMaintenance}}},
		},
		{
			name: "a component not read is not looked at",
			in: incident{ID: "i8", Status: "investigating", CreatedAt: at(0),
				Updates: []update{up("u1", 0, "investigating", "billing", "minor_outage", "api", "partial_outage")}},
			now:  10,
			want: map[string][]seg{"api": {{at(0), at(10), effDegraded}}},
		},
		{
			name: "an unknown status of a component read fails",
			in: incident{ID: "i9", Status: "investigating", CreatedAt: at(0),
				Updates: []update{up("u1", 0, "investigating", "api", "minor_outage")}},
			now:     10,
			wantErr: `incident i9 update u1 component api: component status "minor_outage" is not in statuspage.statuses: map it to down, degraded, up or maintenance`,
		},
		{
			// started_at in the future of the sync (a clock ahead): nothing yet.
			name: "an incident starting after now",
			in: incident{ID: "i10", Status: "investigating", CreatedAt: at(20), StartedAt: ptr(at(20)),
				Updates: []update{up("u1", 20, "investigating", "api", "major_outage")}},
			now:  10,
			want: map[string][]seg{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := incidentSegments(&tt.in, defaultStatuses, allWanted, at(tt.now))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(seg{})); diff != "" {
				t.Errorf("segments (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMaintenanceWindow(t *testing.T) {
	maint := func(status string, ups ...update) incident {
		return incident{ID: "m", Status: status, CreatedAt: at(-600), ScheduledFor: ptr(at(60)), ScheduledUntil: ptr(at(120)), Updates: ups}
	}
	tests := []struct {
		name   string
		m      incident
		now    int
		want   availability.Window
		wantOK bool
	}{
		{"scheduled: the announced window", maint("scheduled"), 0, availability.Window{Start: at(60), End: at(120)}, true},
		// Began late at 10:10: the window still opens at the announced 10:00.
		{"in progress, begun late, within the window", maint("in_progress", up("u", 70, "in_progress")), 100,
			availability.Window{Start: at(60), End: at(120)}, true},
		// Still in progress at 11:30, past the announced 11:00: to now.
		{"in progress past the window: an overrun", maint("in_progress", up("u", 70, "in_progress")), 150,
			availability.Window{Start: at(60), End: at(150)}, true},
		{"verifying past the window", maint("verifying", up("u", 60, "in_progress"), up("v", 115, "verifying")), 130,
			availability.Window{Start: at(60), End: at(130)}, true},
		// Begun early at 09:50: from then.
		{"begun early", maint("in_progress", up("u", 50, "in_progress")), 100, availability.Window{Start: at(50), End: at(120)}, true},
		// Completed at 10:40: the window shrinks to it.
		{"completed early", maint("completed", up("u", 60, "in_progress"), up("c", 100, "completed")), 300,
			availability.Window{Start: at(60), End: at(100)}, true},
		{"completed late", maint("completed", up("u", 60, "in_progress"), up("c", 135, "completed")), 300,
			availability.Window{Start: at(60), End: at(135)}, true},
		{"completed with resolved_at only", func() incident { m := maint("completed"); m.ResolvedAt = ptr(at(110)); return m }(), 300,
			availability.Window{Start: at(60), End: at(110)}, true},
		{"completed before it began: no window", maint("completed", up("c", 30, "completed")), 300,
			availability.Window{Start: at(60), End: at(30)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := maintenanceWindow(&tt.m, at(tt.now))
			if ok != tt.wantOK || !got.Start.Equal(tt.want.Start) || !got.End.Equal(tt.want.End) {
				t.Errorf("window [%v, %v) ok %v, want [%v, %v) ok %v", got.Start, got.End, ok, tt.want.Start, tt.want.End, tt.wantOK)
			}
		})
	}
}

func TestMergeOutages(t *testing.T) {
	out := func(from, to int, s availability.State) availability.Outage {
		return availability.Outage{Start: at(from), End: at(to), State: s}
	}
	const (
		down = availability.Down
		deg  = availability.Degraded
	)
	tests := []struct {
		name string
		segs []seg
		want []availability.Outage
	}{
		{"down inside degraded splits it", []seg{{at(0), at(30), effDegraded}, {at(10), at(20), effDown}},
			[]availability.Outage{out(0, 10, deg), out(10, 20, down), out(20, 30, deg)}},
		{"touching stretches of one state join", []seg{{at(10), at(20), effDown}, {at(0), at(10), effDown}},
			[]availability.Outage{out(0, 20, down)}},
		{"apart stay apart", []seg{{at(0), at(10), effDegraded}, {at(20), at(30), effDegraded}},
			[]availability.Outage{out(0, 10, deg), out(20, 30, deg)}},
		{"the same stretch twice is one", []seg{{at(0), at(10), effDown}, {at(0), at(10), effDown}},
			[]availability.Outage{out(0, 10, down)}},
		{"maintenance and up are no outage", []seg{{at(0), at(10), effMaintenance}, {at(0), at(10), effUp}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, mergeOutages(tt.segs)); diff != "" {
				t.Errorf("outages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	w := func(from, to int) availability.Window { return availability.Window{Start: at(from), End: at(to)} }
	merged := mergeWindows([]availability.Window{w(100, 160), w(0, 30), w(30, 60), w(120, 130)})
	if diff := cmp.Diff([]availability.Window{w(0, 60), w(100, 160)}, merged); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	// A group is in maintenance while all its members are: [0,60)∩[30,120) = [30,60) and
	// [100,160)∩[30,120) = [100,120).
	got := intersectWindows([][]availability.Window{{w(0, 60), w(100, 160)}, {w(30, 120)}})
	if diff := cmp.Diff([]availability.Window{w(30, 60), w(100, 120)}, got); diff != "" {
		t.Errorf("intersection (-want +got):\n%s", diff)
	}
	if got := intersectWindows([][]availability.Window{{w(0, 60)}, nil}); got != nil {
		t.Errorf("a member never in maintenance: %v, want none", got)
	}
}
