package statuspagesim

import (
	"encoding/json"
	"net/http"
	"time"
)

// pageID is the simulated page's id, as every document's page object and entry gives it.
const pageID = "y2j98763l56x"

// stamp writes a time as the pages do: RFC 3339 with milliseconds, in the page's zone; zero is
// null.
func (s *Server) stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(s.o.Zone).Format("2006-01-02T15:04:05.000Z07:00")
}

func (s *Server) page() map[string]any {
	return map[string]any{"id": pageID, "name": "Acme", "url": "https://status.acme.example", "time_zone": s.o.Zone.String(),
		"updated_at": s.stamp(s.latest())}
}

// latest is the latest change on the page, its updated_at.
func (s *Server) latest() time.Time {
	var t time.Time
	for _, c := range s.components {
		t = later(t, c.Updated)
	}
	for _, in := range append(s.incidents, s.maintenances...) {
		t = later(t, in.Updated)
	}
	return t
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (s *Server) renderComponents() map[string]any {
	list := make([]map[string]any, 0, len(s.components))
	for i, c := range s.components {
		list = append(list, s.renderComponent(c, i+1))
	}
	return map[string]any{"page": s.page(), "components": list}
}

func (s *Server) renderComponent(c Component, position int) map[string]any {
	var group any
	if c.GroupID != "" {
		group = c.GroupID
	}
	m := map[string]any{
		"id": c.ID, "name": c.Name, "status": c.Status, "created_at": s.stamp(c.Created), "updated_at": s.stamp(c.Updated),
		"position": position, "description": nil, "showcase": true, "start_date": nil, "group_id": group,
		"page_id": pageID, "group": c.Group, "only_show_if_degraded": false,
	}
	if c.Group {
		m["components"] = c.Members
	}
	return m
}

func (s *Server) component(id string) (Component, int) {
	for i, c := range s.components {
		if c.ID == id {
			return c, i + 1
		}
	}
	return Component{ID: id, Name: id, Status: "operational"}, 0
}

func (s *Server) renderIncidents(list []Incident, maintenance bool) []map[string]any {
	out := make([]map[string]any, 0, len(list))
	for _, in := range list {
		ups := make([]map[string]any, 0, len(in.Updates))
		for i := len(in.Updates) - 1; i >= 0; i-- { // newest first, as the pages list them
			u := in.Updates[i]
			display := u.Display
			if display.IsZero() {
				display = u.Created
			}
			var affected any // null when the update changed no component, as the pages send it
			if len(u.Affected) > 0 {
				list := make([]map[string]any, 0, len(u.Affected))
				for _, a := range u.Affected {
					list = append(list, map[string]any{"code": a.Code, "name": a.Name, "old_status": a.Old, "new_status": a.New})
				}
				affected = list
			}
			ups = append(ups, map[string]any{
				"id": u.ID, "status": u.Status, "body": u.Body, "incident_id": in.ID,
				"created_at": s.stamp(u.Created), "updated_at": s.stamp(u.Created), "display_at": s.stamp(display),
				"affected_components": affected, "deliver_notifications": true, "custom_tweet": nil, "tweet_id": nil,
			})
		}
		comps := make([]map[string]any, 0, len(in.Components))
		for _, id := range in.Components {
			c, pos := s.component(id)
			comps = append(comps, s.renderComponent(c, pos))
		}
		m := map[string]any{
			"id": in.ID, "name": in.Name, "status": in.Status, "created_at": s.stamp(in.Created), "updated_at": s.stamp(in.Updated),
			"monitoring_at": nil, "resolved_at": s.stamp(in.Resolved), "impact": in.Impact, "shortlink": "https://stspg.io/" + in.ID,
			"started_at": s.stamp(in.Started), "page_id": pageID, "incident_updates": ups, "components": comps,
		}
		if maintenance || !in.ScheduledFor.IsZero() {
			m["scheduled_for"], m["scheduled_until"] = s.stamp(in.ScheduledFor), s.stamp(in.ScheduledUntil)
		}
		out = append(out, m)
	}
	return out
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// writeJSON sends body, or what the fault makes of it.
func writeJSON(w http.ResponseWriter, body any, f *Fault) {
	data, err := json.Marshal(body)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	switch {
	case f != nil && f.HTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
		return
	case f != nil && f.BadJSON:
		data = []byte(`{"page": {"id": "` + pageID + `"}, "components": [{"id": "x",}]}`)
	case f != nil && f.Truncate:
		data = data[:len(data)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(data)
}
