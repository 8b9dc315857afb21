package statuspage

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// selected is one series: a component, or a group and its members.
type selected struct {
	series  string
	c       *component
	members []string // component ids: the component itself, or a group's members
}

// batch maps one sync's documents to the batch: a series per selected component with every
// outage and maintenance window the listings give, and the coverage the checkpoint allows.
func (s *settings) batch(d documents, st checkpoint, now time.Time, logger *slog.Logger) (collector.Batch, error) {
	prevSync := st.Synced
	coveredTo := st.advance(now, logger, d.incidents, d.maintenances)

	sel, err := s.pick(d.components)
	if err != nil {
		return collector.Batch{}, err
	}
	wanted := map[string]bool{}
	for _, x := range sel {
		for _, id := range x.members {
			wanted[id] = true
		}
	}

	segs := map[string][]seg{}
	var maints []incident
	for i := range d.incidents {
		in := &d.incidents[i]
		if in.isMaintenance() {
			maints = append(maints, *in)
			continue
		}
		got, err := incidentSegments(in, s.statuses, wanted, now)
		if err != nil {
			return collector.Batch{}, err
		}
		for id, ss := range got {
			segs[id] = append(segs[id], ss...)
		}
	}
	// A maintenance both listings hold is taken from scheduled-maintenances.json.
	for _, m := range maints {
		if !slices.ContainsFunc(d.maintenances, func(x incident) bool { return x.ID == m.ID }) {
			d.maintenances = append(d.maintenances, m)
		}
	}
	windows := map[string][]availability.Window{}
	for i := range d.maintenances {
		m := &d.maintenances[i]
		w, ok := maintenanceWindow(m, now)
		if !ok {
			continue
		}
		for _, id := range maintained(m) {
			windows[id] = append(windows[id], w)
		}
	}
	for i := range d.components {
		c := &d.components[i]
		if !wanted[c.ID] || c.Group {
			continue
		}
		cur, err := s.currentSeg(c, segs[c.ID], prevSync, now)
		if err != nil {
			return collector.Batch{}, err
		}
		if cur != nil {
			segs[c.ID] = append(segs[c.ID], *cur)
		}
	}
	for id, ss := range segs {
		for _, x := range ss {
			if x.eff == effMaintenance {
				windows[id] = append(windows[id], availability.Window{Start: x.start, End: x.end})
			}
		}
	}

	b := collector.Batch{Checkpoint: st.encode()}
	for _, x := range sel {
		u := collector.UptimeSeries{Series: x.series}
		var all []seg
		member := make([][]availability.Window, 0, len(x.members))
		for _, id := range x.members {
			all = append(all, segs[id]...)
			member = append(member, mergeWindows(windows[id]))
		}
		u.Outages = mergeOutages(all)
		u.Maintenance = intersectWindows(member)
		from := st.First
		if x.c.CreatedAt.After(from) {
			from = x.c.CreatedAt
		}
		if !coveredTo.Before(from) {
			u.CoveredFrom, u.CoveredTo = from, coveredTo
		}
		b.Uptime = append(b.Uptime, u)
	}
	return b, nil
}

// pick resolves the selection: the configured components, or every component but the groups.
func (s *settings) pick(components []component) ([]selected, error) {
	var (
		items []apisource.Listed
		at    []int
	)
	for i, c := range components {
		if len(s.components) == 0 && c.Group {
			continue
		}
		items = append(items, apisource.Listed{ID: c.ID, Name: c.Name})
		at = append(at, i)
	}
	series, index, err := apisource.Pick("component", s.components, items)
	if err != nil {
		return nil, err
	}
	out := make([]selected, len(series))
	for k, i := range index {
		c := &components[at[i]]
		out[k] = selected{series: series[k], c: c, members: []string{c.ID}}
		if c.Group {
			out[k].members = groupMembers(c, components)
		}
	}
	return out, nil
}

// groupMembers lists a group's members: those it lists, and those naming it as their group.
func groupMembers(g *component, components []component) []string {
	ids := slices.Clone(g.Components)
	for _, c := range components {
		if c.GroupID != nil && *c.GroupID == g.ID && !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// maintained lists the components a maintenance affects: those it names, and those its updates
// change.
func maintained(m *incident) []string {
	var ids []string
	for _, c := range m.Components {
		ids = append(ids, c.ID)
	}
	for _, u := range m.Updates {
		for _, a := range u.Affected {
			ids = append(ids, a.Code)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// currentSeg is the stretch a component's status now gives it when no open incident explains
// it (a status set by hand or by a monitoring integration): from the component's updated_at,
// which moves when its status is set, to now; without updated_at, from the previous sync. Each
// sync sends it again, longer, with the same start.
func (s *settings) currentSeg(c *component, incident []seg, prevSync, now time.Time) (*seg, error) {
	eff, ok := s.statuses[c.Status]
	if !ok {
		return nil, statusError(fmt.Sprintf("component %q (id %s)", c.Name, c.ID), c.Status)
	}
	if eff == effUp {
		return nil, nil
	}
	for _, x := range incident {
		if x.eff == eff && x.end.Equal(now) {
			return nil, nil // an open incident says so
		}
	}
	start := c.UpdatedAt
	if start.IsZero() || start.After(now) {
		start = prevSync
	}
	if start.IsZero() || !start.Before(now) {
		return nil, nil
	}
	return &seg{start: start, end: now, eff: eff}, nil
}

// intersectWindows is the maintenance of a group: the time every member is in maintenance.
// Each list is merged (sorted, not overlapping).
func intersectWindows(lists [][]availability.Window) []availability.Window {
	if len(lists) == 0 {
		return nil
	}
	out := lists[0]
	for _, l := range lists[1:] {
		var next []availability.Window
		i, j := 0, 0
		for i < len(out) && j < len(l) {
			start, end := out[i].Start, out[i].End
			if l[j].Start.After(start) {
				start = l[j].Start
			}
			if l[j].End.Before(end) {
				end = l[j].End
			}
			if start.Before(end) {
				next = append(next, availability.Window{Start: start, End: end})
			}
			if out[i].End.Before(l[j].End) {
				i++
			} else {
				j++
			}
		}
		out = next
	}
	return out
}
