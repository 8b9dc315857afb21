package jirasim

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// site is the base of the self links the simulator writes (Jira writes its own base URL), the
// same whatever port the test server has, so that a recorded answer stays the same.
const site = "https://jsm.example.atlassian.net"

// jiraLayout is how Jira writes a date-time: ISO 8601 with milliseconds, in the user's zone.
const jiraLayout = "2006-01-02T15:04:05.000-0700"

func statusJSON(st Status) map[string]any {
	ids := map[string]int{"new": 2, "indeterminate": 4, "done": 3}
	names := map[string]string{"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
	return map[string]any{"id": st.ID, "name": st.Name, "description": "",
		"statusCategory": map[string]any{"id": ids[st.Category], "key": st.Category, "name": names[st.Category]}}
}

func (s *Server) jiraTime(t time.Time) string { return t.In(s.loc).Format(jiraLayout) }

// histories is the issue's changelog: each status change and each other change, oldest first,
// with ids from the issue's id.
func (s *Server) histories(is *Issue) []map[string]any {
	type h struct {
		at   time.Time
		item map[string]any
	}
	var hs []h
	for _, c := range is.Changes {
		from, to := s.statusByName(c.From), s.statusByName(c.To)
		hs = append(hs, h{c.At, map[string]any{"field": "status", "fieldtype": "jira", "fieldId": "status",
			"from": from.ID, "fromString": from.Name, "to": to.ID, "toString": to.Name}})
	}
	for _, n := range is.Noise {
		hs = append(hs, h{n, map[string]any{"field": "Component", "fieldtype": "jira", "fieldId": "components",
			"from": nil, "fromString": nil, "to": "10100", "toString": "edited"}})
	}
	slices.SortStableFunc(hs, func(a, b h) int { return a.at.Compare(b.at) })
	out := make([]map[string]any, len(hs))
	for i, x := range hs {
		out[i] = map[string]any{"id": strconv.FormatInt(is.ID*1000+int64(i), 10),
			"author": map[string]any{"displayName": "Agent"}, "created": s.jiraTime(x.at),
			"items": []map[string]any{x.item}}
	}
	return out
}

// render is an issue bean with the fields asked (only the id, key and self without any), its
// changelog expanded when asked (cut at cut histories; 0 keeps it whole).
func (s *Server) render(is *Issue, fields []string, changelog bool, cut int) map[string]any {
	out := map[string]any{"id": strconv.FormatInt(is.ID, 10), "key": is.Key,
		"self": site + "/rest/api/2/issue/" + strconv.FormatInt(is.ID, 10)}
	if len(fields) > 0 {
		f := map[string]any{}
		for _, name := range fields {
			if v, ok := s.fieldValue(is, name); ok {
				f[name] = v
			}
		}
		out["fields"] = f
	}
	if changelog {
		hs := s.histories(is)
		total := len(hs)
		if cut > 0 && total > cut {
			hs = hs[:cut]
		}
		max := cut
		if cut == 0 {
			max = total
		}
		out["changelog"] = map[string]any{"startAt": 0, "maxResults": max, "total": total, "histories": hs}
	}
	return out
}

func (s *Server) fieldValue(is *Issue, name string) (any, bool) {
	switch name {
	case "created":
		return s.jiraTime(is.Created), true
	case "updated":
		return s.jiraTime(is.Updated), true
	case "status":
		return statusJSON(s.statusByName(is.Status)), true
	case "priority":
		if is.Priority == "" {
			return nil, true
		}
		return map[string]any{"id": "3", "name": is.Priority}, true
	case "issuetype":
		return map[string]any{"id": "10002", "name": is.Type, "subtask": false}, true
	case "project":
		return map[string]any{"id": "10000", "key": is.Project, "name": is.Project + " desk"}, true
	case "timespent":
		// The time logged on the issue in whole seconds, null when none (Jira Cloud platform
		// REST API: IssueBean fields, TimeTrackingDetails.timeSpentSeconds).
		if is.TimeSpent <= 0 {
			return nil, true
		}
		return int64(is.TimeSpent / time.Second), true
	case "components":
		list := []any{}
		for _, c := range is.Components {
			list = append(list, map[string]any{"id": "10100", "name": c})
		}
		return list, true
	}
	if name == s.o.ResponseField && name != "" {
		if is.Responded.IsZero() {
			return nil, true
		}
		return s.jiraTime(is.Responded), true
	}
	for i := range s.o.SLAs {
		if sla := &s.o.SLAs[i]; sla.FieldID == name {
			return s.slaJSON(sla, is), true
		}
	}
	if v, ok := is.Custom[name]; ok {
		return v, true
	}
	return nil, false
}

// slaJSON is the value of an SLA's field on an issue: null when no goal applies.
func (s *Server) slaJSON(sla *SLA, is *Issue) any {
	cycles := sla.Cycles(s, is, s.now())
	if cycles == nil {
		if _, ok := sla.Goals[is.Priority]; !ok {
			if _, ok := sla.Goals[""]; !ok {
				return nil
			}
		}
	}
	out := map[string]any{"id": sla.ID, "name": sla.Name,
		"_links":           map[string]any{"self": fmt.Sprintf("%s/rest/servicedeskapi/request/%d/sla/%s", site, is.ID, sla.ID)},
		"completedCycles":  []any{},
		"slaDisplayFormat": "NEW_SLA_FORMAT"}
	var done []any
	for _, c := range cycles {
		v := map[string]any{"startTime": s.date(c.Start), "breached": c.Breached,
			"goalDuration": duration(c.Goal), "elapsedTime": duration(c.Elapsed), "remainingTime": duration(c.Goal - c.Elapsed)}
		if !c.Breach.IsZero() {
			v["breachTime"] = s.date(c.Breach)
		}
		if c.Stop.IsZero() {
			v["paused"] = c.Paused
			v["withinCalendarHours"] = sla.Calendar == nil || sla.Calendar.Working(s.now(), s.now().Add(time.Second)) > 0
			out["ongoingCycle"] = v
			continue
		}
		v["stopTime"] = s.date(c.Stop)
		done = append(done, v)
	}
	if done != nil {
		out["completedCycles"] = done
	}
	return out
}

func (s *Server) date(t time.Time) map[string]any {
	return map[string]any{"iso8601": t.In(s.loc).Format("2006-01-02T15:04:05-0700"), "jira": s.jiraTime(t),
		"friendly": t.In(s.loc).Format("02/Jan/06 3:04 PM"), "epochMillis": t.UnixMilli()}
}

func duration(d time.Duration) map[string]any {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	friendly := fmt.Sprintf("%dh %dm", h, m)
	if m == 0 {
		friendly = fmt.Sprintf("%dh", h)
	}
	return map[string]any{"millis": d.Milliseconds(), "friendly": friendly}
}
