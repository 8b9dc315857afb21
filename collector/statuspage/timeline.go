package statuspage

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// effect is what a component status means for availability.
type effect uint8

const (
	effUp effect = iota
	effDegraded
	effDown
	effMaintenance
)

var effectNames = map[string]effect{"up": effUp, "degraded": effDegraded, "down": effDown, "maintenance": effMaintenance}

// defaultStatuses maps Statuspage's component statuses (components.json documents them:
// operational, degraded_performance, partial_outage, major_outage, under_maintenance).
var defaultStatuses = map[string]effect{
	"operational":          effUp,
	"degraded_performance": effDegraded,
	"partial_outage":       effDegraded,
	"major_outage":         effDown,
	"under_maintenance":    effMaintenance,
}

// seg is a stretch of trouble or maintenance of one component, [start, end).
type seg struct {
	start, end time.Time
	eff        effect
}

// statusError is a component status the mapping does not know: the sync fails (a figure on an
// unknown status could be wrong either way) and says which setting takes it.
func statusError(where, status string) error {
	return fmt.Errorf("%s: component status %q is not in statuspage.statuses: map it to down, degraded, up or maintenance", where, status)
}

// incidentSegments returns the stretches an incident gave each component it changed, by
// component id, read from its updates' affected_components:
//
//   - a component's status holds from the update that set it until the next update changing it,
//     or the incident's end: resolved_at, else its first update saying resolved or postmortem,
//     else (still open) now;
//   - the first update that changes any component counts from the incident's start
//     (started_at, else created_at) when that is earlier: authors commonly open an incident,
//     or backdate it, before marking the components;
//   - updates after the end count nothing (a postmortem setting components back).
//
// Components the incident names without any update changing their status count nothing, as on
// Statuspage's own uptime bars. Only the wanted components are read: a status the mapping does
// not know fails the sync only when it is one of theirs.
func incidentSegments(in *incident, statuses map[string]effect, wanted map[string]bool, now time.Time) (map[string][]seg, error) {
	ups := in.updatesInOrder()
	end := incidentEnd(in, ups, now)
	start := in.start()
	state := map[string]effect{}
	since := map[string]time.Time{}
	out := map[string][]seg{}
	first := true
	for i := range ups {
		u := &ups[i]
		if len(u.Affected) == 0 {
			continue
		}
		t := u.at()
		if first && start.Before(t) {
			t = start
		}
		first = false
		if !t.Before(end) {
			break
		}
		for _, a := range u.Affected {
			if !wanted[a.Code] {
				continue
			}
			eff, ok := statuses[a.NewStatus]
			if !ok {
				return nil, statusError(fmt.Sprintf("incident %s update %s component %s", in.ID, u.ID, a.Code), a.NewStatus)
			}
			prev := state[a.Code]
			if eff == prev {
				continue
			}
			if prev != effUp && since[a.Code].Before(t) {
				out[a.Code] = append(out[a.Code], seg{since[a.Code], t, prev})
			}
			state[a.Code], since[a.Code] = eff, t
		}
	}
	for code, eff := range state {
		if eff != effUp && since[code].Before(end) {
			out[code] = append(out[code], seg{since[code], end, eff})
		}
	}
	return out, nil
}

// incidentEnd is when an incident stopped: resolved_at; else the first update resolving it;
// else now.
func incidentEnd(in *incident, ups []update, now time.Time) time.Time {
	if in.ResolvedAt != nil && !in.ResolvedAt.IsZero() {
		return *in.ResolvedAt
	}
	for i := range ups {
		if ups[i].Status == "resolved" || ups[i].Status == "postmortem" {
			return ups[i].at()
		}
	}
	if in.Status == "resolved" || in.Status == "postmortem" {
		// Resolved without a resolving update nor resolved_at: its last update is the best
		// evidence of when.
		if n := len(ups); n > 0 {
			return ups[n-1].at()
		}
		return in.CreatedAt
	}
	return now
}

// maintenanceWindow is the window of a scheduled maintenance: from scheduled_for (or its first
// in_progress update, when that is earlier) to scheduled_until while it is scheduled; while in
// progress or verifying, to scheduled_until or now, whichever is later (an overrun is still
// maintenance on the page); completed, to its first completed update (else resolved_at, else
// scheduled_until). The start stays scheduled_for when the work begins late, so that the window
// sent while it was scheduled is replaced rather than left beside it: the announced window
// counts, as in most contracts. ok is false when it ends before it starts (completed before
// the announced start).
func maintenanceWindow(m *incident, now time.Time) (availability.Window, bool) {
	start, end := *m.ScheduledFor, *m.ScheduledUntil
	var began, done time.Time
	for _, u := range m.updatesInOrder() {
		switch {
		case u.Status == "in_progress" && began.IsZero():
			began = u.at()
		case u.Status == "completed" && done.IsZero():
			done = u.at()
		}
	}
	if !began.IsZero() && began.Before(start) {
		start = began
	}
	switch m.Status {
	case "in_progress", "verifying":
		if now.After(end) {
			end = now
		}
	case "completed":
		switch {
		case !done.IsZero():
			end = done
		case m.ResolvedAt != nil && !m.ResolvedAt.IsZero():
			end = *m.ResolvedAt
		}
	}
	return availability.Window{Start: start, End: end}, start.Before(end)
}

// mergeOutages turns overlapping stretches of trouble into outages that do not overlap, Down
// beating Degraded where they do, adjacent ones of one state joined: starts are then unique,
// which the store needs (an outage replaces the stored one with the same start).
func mergeOutages(segs []seg) []availability.Outage {
	type edge struct {
		at    time.Time
		eff   effect
		delta int
	}
	var edges []edge
	for _, s := range segs {
		if (s.eff == effDown || s.eff == effDegraded) && s.start.Before(s.end) {
			edges = append(edges, edge{s.start, s.eff, 1}, edge{s.end, s.eff, -1})
		}
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	var out []availability.Outage
	open := map[effect]int{}
	for i := 0; i < len(edges); {
		at := edges[i].at
		for ; i < len(edges) && edges[i].at.Equal(at); i++ {
			open[edges[i].eff] += edges[i].delta
		}
		state := availability.Unknown
		switch {
		case open[effDown] > 0:
			state = availability.Down
		case open[effDegraded] > 0:
			state = availability.Degraded
		}
		if n := len(out); n > 0 && out[n-1].End.IsZero() {
			if out[n-1].State == state {
				continue
			}
			out[n-1].End = at
		}
		if state != availability.Unknown {
			out = append(out, availability.Outage{Start: at, State: state})
		}
	}
	return out
}

// mergeWindows joins overlapping or touching maintenance windows.
func mergeWindows(ws []availability.Window) []availability.Window {
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b availability.Window) int { return cmp.Or(a.Start.Compare(b.Start), a.End.Compare(b.End)) })
	var out []availability.Window
	for _, w := range ws {
		if n := len(out); n > 0 && !w.Start.After(out[n-1].End) {
			if w.End.After(out[n-1].End) {
				out[n-1].End = w.End
			}
			continue
		}
		out = append(out, w)
	}
	return out
}
