package zendesksim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The answers' bodies: the cursor export, a ticket's audits, the SLA policies.

// position is a place in the export's order: (generated_timestamp, id).
type position struct {
	at int64
	id int64
}

func (p position) cursor() string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%d.0||%d|", p.at, p.id))
}

func parseCursor(c string) (position, bool) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return position{}, false
	}
	var p position
	if _, err := fmt.Sscanf(string(raw), "%d.0||%d|", &p.at, &p.id); err != nil {
		return position{}, false
	}
	return p, true
}

func (p position) before(q position) bool { return p.at < q.at || (p.at == q.at && p.id < q.id) }

// export serves a page of the incremental cursor export. Callers hold mu.
func (s *Server) export(r *http.Request, now time.Time) (any, int) {
	q := r.URL.Query()
	invalid := func(desc string) (any, int) {
		return map[string]any{"error": "InvalidValue", "description": desc}, http.StatusBadRequest
	}
	var after position
	switch c, st := q.Get("cursor"), q.Get("start_time"); {
	case c != "":
		p, ok := parseCursor(c)
		if !ok {
			return map[string]any{"error": "InvalidPaginationParameter", "description": "Invalid cursor"}, http.StatusBadRequest
		}
		after = p
	case st != "":
		n, err := strconv.ParseInt(st, 10, 64)
		if err != nil || n < 0 {
			return invalid("start_time is not a Unix time")
		}
		if n > now.Add(-time.Minute).Unix() {
			return invalid("Too recent start_time. Use a start_time older than 1 minute.")
		}
		after = position{at: n, id: 0} // every ticket generated at start_time or later
	default:
		return invalid("start_time or cursor is required")
	}
	per := 1000
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return invalid("per_page must be a positive number")
		}
		per = min(n, 1000)
	}
	includes := strings.Split(q.Get("include"), ",")
	slas := slices.Contains(includes, "slas")
	excludeDeleted := q.Get("exclude_deleted") == "true"

	// The last minute is left out: what changed in it comes in a later request.
	horizon := now.Add(-time.Minute).Unix()
	var sel []*Ticket
	for _, t := range s.tickets {
		p := position{t.Generated.Unix(), t.ID}
		if after.before(p) && p.at <= horizon && (!excludeDeleted || t.Status != "deleted") {
			sel = append(sel, t)
		}
	}
	slices.SortFunc(sel, func(a, b *Ticket) int {
		if c := a.Generated.Compare(b.Generated); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	page := sel[:min(per, len(sel))]
	last := after
	tickets := make([]map[string]any, 0, len(page))
	for _, t := range page {
		m := s.ticketJSON(t)
		if slas {
			m["slas"] = map[string]any{"policy_metrics": s.policyMetricsJSON(t, now)}
		}
		tickets = append(tickets, m)
		last = position{t.Generated.Unix(), t.ID}
	}
	next := s.URL + "/api/v2/incremental/tickets/cursor.json?cursor=" + url.QueryEscape(last.cursor())
	var before, beforeURL any
	if len(page) > 0 {
		first := position{page[0].Generated.Unix(), page[0].ID}
		before = first.cursor()
		beforeURL = s.URL + "/api/v2/incremental/tickets/cursor.json?cursor=" + url.QueryEscape(first.cursor())
	}
	return map[string]any{"tickets": tickets, "after_url": next, "after_cursor": last.cursor(),
		"before_url": beforeURL, "before_cursor": before, "end_of_stream": len(sel) <= per}, http.StatusOK
}

func stamp(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ticketJSON is a ticket as the Tickets API shows it. Callers hold mu.
func (s *Server) ticketJSON(t *Ticket) map[string]any {
	var rating any
	if t.Satisfaction != "" {
		rating = map[string]any{"score": t.Satisfaction}
		if t.Satisfaction == "good" || t.Satisfaction == "bad" {
			rating = map[string]any{"id": 7000 + t.ID, "score": t.Satisfaction, "comment": nil}
		}
	}
	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range t.CustomFields {
			if !yield(id) {
				return
			}
		}
	})
	fields := make([]map[string]any, 0, len(ids))
	for _, id := range ids {
		fields = append(fields, map[string]any{"id": id, "value": t.CustomFields[id]})
	}
	tags := slices.Clone(t.Tags)
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{
		"url": fmt.Sprintf("%s/api/v2/tickets/%d.json", s.URL, t.ID), "id": t.ID, "external_id": nil,
		"via":        map[string]any{"channel": t.Channel, "source": map[string]any{"from": map[string]any{}, "to": map[string]any{}, "rel": nil}},
		"created_at": stamp(t.Created), "updated_at": stamp(t.Updated), "generated_timestamp": t.Generated.Unix(),
		"type": nullable(t.Type), "subject": t.Subject, "raw_subject": t.Subject, "description": "",
		"priority": nullable(t.Priority), "status": t.Status, "recipient": nil,
		"requester_id": nullID(t.Requester), "submitter_id": nullID(t.Submitter), "assignee_id": nullID(t.Assignee),
		"organization_id": nullID(t.Organization), "group_id": nullID(t.Group), "brand_id": nullID(t.Brand),
		"collaborator_ids": []int64{}, "follower_ids": []int64{}, "email_cc_ids": []int64{}, "forum_topic_id": nil,
		"problem_id": nil, "has_incidents": false, "is_public": true, "due_at": nil, "tags": tags,
		"custom_fields": fields, "fields": fields, "satisfaction_rating": rating, "sharing_agreement_ids": []int64{},
		"followup_ids": []int64{}, "ticket_form_id": 360000389592, "allow_channelback": false, "allow_attachments": true,
		"from_messaging_channel": false,
	}
}

// policyMetricsJSON is slas.policy_metrics of t at now. Callers hold mu.
func (s *Server) policyMetricsJSON(t *Ticket, now time.Time) []map[string]any {
	out := []map[string]any{}
	for _, m := range s.states(t, now) {
		pm := map[string]any{"breach_at": stamp(m.breachAt), "stage": m.stage(), "metric": m.metric}
		left := m.target - m.elapsed
		if !m.breachAt.IsZero() {
			left = m.breachAt.Sub(now)
		}
		unit, n := "minutes", left/time.Minute
		switch a := max(left, -left); {
		case a >= 24*time.Hour:
			unit, n = "days", left/(24*time.Hour)
		case a >= time.Hour:
			unit, n = "hours", left/time.Hour
		}
		pm[unit] = int64(n)
		out = append(out, pm)
	}
	return out
}

// auditsPage serves a page of a ticket's audits: cursor pagination with page[size], else the
// offset style. Callers hold mu.
func (s *Server) auditsPage(r *http.Request, id int64) (any, int) {
	t := s.tickets[id]
	if t == nil || t.Status == "deleted" {
		return map[string]any{"error": "RecordNotFound", "description": "Not found"}, http.StatusNotFound
	}
	q := r.URL.Query()
	size := 100
	if v := q.Get("page[size]"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return map[string]any{"error": "InvalidPaginationParameter", "description": "page[size] must be a positive number"}, http.StatusBadRequest
		}
		size = min(n, 100)
	}
	from := 0
	if v := q.Get("page[after]"); v != "" {
		raw, err := base64.StdEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > len(t.audits) {
			return map[string]any{"error": "InvalidPaginationParameter", "description": "Invalid page[after]"}, http.StatusBadRequest
		}
		from = n
	}
	to := min(from+size, len(t.audits))
	audits := make([]map[string]any, 0, to-from)
	authors := map[int64]bool{}
	for _, a := range t.audits[from:to] {
		audits = append(audits, s.auditJSON(t, a))
		authors[a.author] = true
		for _, e := range a.events {
			if e.kind == "Comment" {
				authors[e.author] = true
			}
		}
	}
	body := map[string]any{"audits": audits}
	if slices.Contains(strings.Split(q.Get("include"), ","), "users") {
		var users []map[string]any
		for _, uid := range slices.Sorted(func(yield func(int64) bool) {
			for u := range authors {
				if !yield(u) {
					return
				}
			}
		}) {
			role := "end-user"
			if s.agents[uid] {
				role = "agent"
			}
			users = append(users, map[string]any{"id": uid, "name": fmt.Sprintf("User %d", uid), "role": role})
		}
		body["users"] = users
	}
	more := to < len(t.audits)
	after := base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(to)))
	var next any
	if more {
		v := url.Values{"page[size]": {strconv.Itoa(size)}, "page[after]": {after}}
		if inc := q.Get("include"); inc != "" {
			v.Set("include", inc)
		}
		next = fmt.Sprintf("%s/api/v2/tickets/%d/audits.json?%s", s.URL, id, v.Encode())
	}
	if q.Get("page[size]") == "" {
		body["next_page"], body["previous_page"], body["count"] = next, nil, len(t.audits)
		return body, http.StatusOK
	}
	body["meta"] = map[string]any{"has_more": more, "after_cursor": after, "before_cursor": nil}
	body["links"] = map[string]any{"next": next, "prev": nil}
	return body, http.StatusOK
}

func (s *Server) auditJSON(t *Ticket, a audit) map[string]any {
	events := make([]map[string]any, 0, len(a.events))
	for _, e := range a.events {
		m := map[string]any{"id": e.id, "type": e.kind}
		switch e.kind {
		case "Create":
			m["field_name"], m["value"] = e.field, e.value
		case "Change":
			m["field_name"], m["value"], m["previous_value"] = e.field, e.value, e.previous
		case "Comment":
			m["author_id"], m["public"], m["body"] = e.author, e.public, e.body
			m["html_body"], m["plain_body"], m["attachments"], m["audit_id"] = "<p>"+e.body+"</p>", e.body, []any{}, a.id
		case "SatisfactionRating":
			m["score"], m["assignee_id"], m["body"] = e.satisfaction, nullID(t.Assignee), ""
		}
		events = append(events, m)
	}
	return map[string]any{"id": a.id, "ticket_id": t.ID, "created_at": stamp(a.at), "author_id": a.author,
		"metadata": map[string]any{"system": map[string]any{}, "custom": map[string]any{}},
		"via":      map[string]any{"channel": a.channel, "source": map[string]any{"from": map[string]any{}, "to": map[string]any{}, "rel": nil}},
		"events":   events}
}

// policiesJSON lists the SLA policies. Callers hold mu.
func (s *Server) policiesJSON() any {
	ps := make([]map[string]any, 0, len(s.policies))
	for _, p := range s.policies {
		conds := func(cs []Condition) []map[string]any {
			out := []map[string]any{}
			for _, c := range cs {
				out = append(out, map[string]any{"field": c.Field, "operator": c.Operator, "value": c.Value})
			}
			return out
		}
		metrics := []map[string]any{}
		for _, m := range p.Metrics {
			metrics = append(metrics, map[string]any{"priority": m.Priority, "metric": m.Metric, "target": m.Target,
				"business_hours": m.BusinessHours, "target_in_seconds": m.Target * 60})
		}
		ps = append(ps, map[string]any{"url": fmt.Sprintf("%s/api/v2/slas/policies/%d.json", s.URL, p.ID), "id": p.ID,
			"title": p.Title, "description": "", "position": p.Position, "filter": map[string]any{"all": conds(p.All), "any": conds(p.Any)},
			"policy_metrics": metrics, "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z"})
	}
	return map[string]any{"sla_policies": ps, "next_page": nil, "previous_page": nil, "count": len(ps)}
}
