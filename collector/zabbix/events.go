package zabbix

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
)

// problem is a problem event read: its span (End zero while it lasts), severity and hosts.
type problem struct {
	id         string
	start, end time.Time
	severity   int
	hosts      []string // host ids
}

// problems reads the problem events of a selection that were in problem state at some time of
// [from, to] (event.get's problem_time_from and problem_time_till: started by to, and not
// recovered before from), with their recovery times, in event id order, page by page.
func (c *conn) problems(sel *selection, hostIDs []string, from, to time.Time, pageSize int) ([]problem, []collector.Rejection, error) {
	var (
		out      []problem
		rejected []collector.Rejection
		next     int64
	)
	for {
		params := map[string]any{
			"output":            []string{"eventid", "clock", "ns", "r_eventid", "severity"},
			"source":            0, // triggers
			"object":            0, // trigger
			"value":             1, // problem
			"problem_time_from": from.Unix(),
			"problem_time_till": to.Unix(),
			"sortfield":         []string{"eventid"},
			"sortorder":         "ASC",
			"limit":             pageSize,
		}
		if sel.perHost {
			params["selectHosts"] = []string{"hostid"}
		}
		if next > 0 {
			params["eventid_from"] = strconv.FormatInt(next, 10)
		}
		if hostIDs != nil {
			params["hostids"] = hostIDs
		}
		if len(sel.triggerIDs) > 0 {
			params["objectids"] = sel.triggerIDs
		}
		if len(sel.tags) > 0 {
			params["tags"] = sel.tags
			params["evaltype"] = 0 // And/Or: tags of one name match any of their values
		}
		if sel.severities != nil {
			params["severities"] = sel.severities
		}
		var page []event
		if err := c.call("event.get", params, &page); err != nil {
			return nil, nil, err
		}
		recovered, err := c.recoveries(page)
		if err != nil {
			return nil, nil, err
		}
		last := next
		for _, e := range page {
			id, err := e.EventID.int("eventid")
			if err != nil || id < next {
				// An id out of order would make the paging loop or skip events.
				return nil, nil, fmt.Errorf("event.get: event %q: eventid out of order or not an id", clip(string(e.EventID)))
			}
			last = id
			p, rj := mapProblem(e, recovered)
			if rj != nil {
				rejected = append(rejected, *rj)
				continue
			}
			out = append(out, p)
		}
		if len(page) < pageSize {
			return out, rejected, nil
		}
		next = last + 1
	}
}

// recoveries reads the recovery events of a page's problems: id → instant.
func (c *conn) recoveries(page []event) (map[string]time.Time, error) {
	var ids []string
	for _, e := range page {
		if e.REventID != "" && e.REventID != "0" {
			ids = append(ids, string(e.REventID))
		}
	}
	out := map[string]time.Time{}
	if len(ids) == 0 {
		return out, nil
	}
	var recs []event
	params := map[string]any{"output": []string{"eventid", "clock", "ns"}, "eventids": ids, "source": 0, "object": 0}
	if err := c.call("event.get", params, &recs); err != nil {
		return nil, err
	}
	for _, r := range recs {
		at, err := r.at()
		if err != nil {
			return nil, fmt.Errorf("event.get: recovery event %q: %v", clip(string(r.EventID)), err)
		}
		out[string(r.EventID)] = at
	}
	return out, nil
}

// mapProblem turns a problem event into a problem, or a rejection naming the event.
func mapProblem(e event, recovered map[string]time.Time) (problem, *collector.Rejection) {
	where := "event " + string(e.EventID)
	reject := func(rule, reason string) (problem, *collector.Rejection) {
		return problem{}, &collector.Rejection{Where: where, Reason: reason, Rule: rule}
	}
	p := problem{id: string(e.EventID)}
	var err error
	if p.start, err = e.at(); err != nil {
		return reject("the event's clock is not a time", err.Error())
	}
	sev, err := e.Severity.int("severity")
	if err != nil || sev < 0 || sev >= int64(len(severities)) {
		return reject("the event's severity is not 0 to 5", fmt.Sprintf("severity %q is not 0 to 5", clip(string(e.Severity))))
	}
	p.severity = int(sev)
	if r := string(e.REventID); r != "" && r != "0" {
		end, ok := recovered[r]
		if !ok {
			// Deleted by the housekeeper, or not visible: ongoing would be a guess.
			return reject("the problem's recovery event is missing", "recovery event "+r+" is missing (deleted by the housekeeper?)")
		}
		p.end = end
	}
	for _, h := range e.Hosts {
		p.hosts = append(p.hosts, string(h.HostID))
	}
	return p, nil
}

// outages turns the problems of a series into outages within its coverage's end: an ongoing
// problem lasts until to. Problems that overlap are cut into disjoint outages, the worst state
// winning (down over degraded), so that two problems starting at one instant (two triggers on
// one value) do not replace each other in the store, which keys outages by their start.
func outages(ps []problem, degraded [6]bool, to time.Time) []availability.Outage {
	type edge struct {
		at    time.Time
		state availability.State
		delta int
	}
	var edges []edge
	for _, p := range ps {
		end := p.end
		if end.IsZero() {
			end = to
		}
		if !p.start.Before(end) {
			continue // recovered at its start, or started after to (clocks apart): nothing to count
		}
		st := availability.Down
		if degraded[p.severity] {
			st = availability.Degraded
		}
		edges = append(edges, edge{p.start, st, +1}, edge{end, st, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	var (
		out        []availability.Outage
		down, degr int
		cur        = availability.Up
		curStart   time.Time
	)
	for i := 0; i < len(edges); {
		at := edges[i].at
		for ; i < len(edges) && edges[i].at.Equal(at); i++ {
			if edges[i].state == availability.Down {
				down += edges[i].delta
			} else {
				degr += edges[i].delta
			}
		}
		st := availability.Up
		switch {
		case down > 0:
			st = availability.Down
		case degr > 0:
			st = availability.Degraded
		}
		if st == cur {
			continue
		}
		if cur != availability.Up {
			out = append(out, availability.Outage{Start: curStart, End: at, State: cur})
		}
		cur, curStart = st, at
	}
	return out
}
