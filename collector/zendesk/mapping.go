package zendesk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// This file turns Zendesk's JSON into tickets: pure functions of the decoded records and the
// plan, with no I/O.

// zdTicket is a ticket of the export, with the fields the source reads (Tickets API).
type zdTicket struct {
	ID                 int64         `json:"id"`
	Status             string        `json:"status"`
	Priority           *string       `json:"priority"`
	Type               *string       `json:"type"`
	GroupID            *int64        `json:"group_id"`
	BrandID            *int64        `json:"brand_id"`
	OrganizationID     *int64        `json:"organization_id"`
	AssigneeID         *int64        `json:"assignee_id"`
	RequesterID        *int64        `json:"requester_id"`
	Tags               []string      `json:"tags"`
	CustomFields       []customField `json:"custom_fields"`
	Via                *via          `json:"via"`
	SatisfactionRating *rating       `json:"satisfaction_rating"`
	CreatedAt          string        `json:"created_at"`
	UpdatedAt          string        `json:"updated_at"`
	GeneratedTimestamp int64         `json:"generated_timestamp"`
	// Slas is the slas sideload (include=slas).
	Slas *struct {
		PolicyMetrics []policyMetric `json:"policy_metrics"`
	} `json:"slas"`
}

type customField struct {
	ID    int64           `json:"id"`
	Value json.RawMessage `json:"value"`
}

type via struct {
	Channel string `json:"channel"`
}

type rating struct {
	Score string `json:"score"`
}

// policyMetric is an entry of slas.policy_metrics: the metric's stage, its deadline, and the
// time to the deadline in its largest whole unit (negative once past).
type policyMetric struct {
	Metric   string  `json:"metric"`
	Stage    string  `json:"stage"`
	BreachAt *string `json:"breach_at"`
	Days     *int64  `json:"days"`
	Hours    *int64  `json:"hours"`
	Minutes  *int64  `json:"minutes"`
}

// zdAudit is an audit of a ticket (Ticket Audits API): the events of one update.
type zdAudit struct {
	ID        int64     `json:"id"`
	CreatedAt string    `json:"created_at"`
	AuthorID  int64     `json:"author_id"`
	Events    []zdEvent `json:"events"`
}

// zdEvent is an event of an audit: Create and Change (field_name, value, previous_value) and
// Comment (author_id, public) are read; the others are skipped.
type zdEvent struct {
	Type          string          `json:"type"`
	FieldName     string          `json:"field_name"`
	Value         json.RawMessage `json:"value"`
	PreviousValue json.RawMessage `json:"previous_value"`
	AuthorID      *int64          `json:"author_id"`
	Public        *bool           `json:"public"`
}

// zdUser is a user of the users sideload: agents' and admins' public comments are replies.
type zdUser struct {
	ID   int64  `json:"id"`
	Role string `json:"role"`
}

// rejection is why a record does not map: reason names the record's values, rule does not,
// setting is the configuration key it does not fit when that is the cause.
type rejection struct {
	reason, rule, setting string
}

func reject(rule, format string, args ...any) *rejection {
	return &rejection{reason: fmt.Sprintf(format, args...), rule: rule}
}

func (r *rejection) at(id string) *collector.Rejection {
	return &collector.Rejection{Where: "ticket " + id, Reason: r.reason, Rule: r.rule, Setting: r.setting}
}

// text is a JSON value as text: a string as it is, a number or boolean as written, null as
// "", an array of them joined by ", " (a multi-select field, tags).
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
		return ""
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return ""
		}
		var parts []string
		for _, it := range items {
			if s := text(it); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case '{':
		return ""
	}
	return string(raw)
}

func parseTime(name, v string) (time.Time, *rejection) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, reject(name+" is not an RFC 3339 time", "%s %q is not an RFC 3339 time", name, clip(v))
	}
	return t.UTC(), nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// change is a status change read from the audits.
type change struct {
	at     time.Time
	status string
}

// comment is a comment read from the audits; first says it came with the ticket's creation
// (the description, not a reply).
type comment struct {
	at     time.Time
	author int64
	public bool
	first  bool
}

// trail is what the audits tell: the status changes, the comments and the group hand-overs,
// in time order.
type trail struct {
	changes       []change
	comments      []comment
	reassignments int
	agents        map[int64]bool
	roles         bool // the users sideload said who is an agent
}

// readAudits reads the audits, oldest first (as Zendesk lists them; sorted again by time, the
// order among equals kept).
func readAudits(audits []zdAudit, users []zdUser) (trail, *rejection) {
	tr := trail{agents: map[int64]bool{}}
	for _, u := range users {
		tr.roles = true
		if u.Role == "agent" || u.Role == "admin" {
			tr.agents[u.ID] = true
		}
	}
	type dated struct {
		at time.Time
		a  *zdAudit
	}
	var ds []dated
	for i := range audits {
		at, rj := parseTime("audit created_at", audits[i].CreatedAt)
		if rj != nil {
			return trail{}, rj
		}
		ds = append(ds, dated{at, &audits[i]})
	}
	slices.SortStableFunc(ds, func(a, b dated) int { return a.at.Compare(b.at) })
	for _, d := range ds {
		creation := slices.ContainsFunc(d.a.Events, func(e zdEvent) bool { return e.Type == "Create" })
		for _, e := range d.a.Events {
			switch {
			case (e.Type == "Create" || e.Type == "Change") && e.FieldName == "status":
				if s := strings.ToLower(text(e.Value)); s != "" {
					tr.changes = append(tr.changes, change{d.at, s})
				}
			case e.Type == "Change" && e.FieldName == "group_id":
				if from, to := text(e.PreviousValue), text(e.Value); from != "" && to != "" && from != to {
					tr.reassignments++
				}
			case e.Type == "Comment":
				author := d.a.AuthorID
				if e.AuthorID != nil {
					author = *e.AuthorID
				}
				tr.comments = append(tr.comments, comment{at: d.at, author: author, public: e.Public == nil || *e.Public, first: creation})
			}
		}
	}
	return tr, nil
}

// isReply says whether a comment answers the requester: public, not the description, and by
// an agent (by the users sideload), or by someone other than the requester when it says
// nothing of the author.
func (tr *trail) isReply(c comment, requester int64) bool {
	if !c.public || c.first {
		return false
	}
	if tr.roles {
		return tr.agents[c.author]
	}
	return c.author != requester
}

// mapTicket builds a ticket of the export and its audits; asOf is when Zendesk computed its
// slas.
func (p *plan) mapTicket(zt *zdTicket, audits []zdAudit, users []zdUser, asOf time.Time) (ticket.Ticket, *rejection) {
	id := strconv.FormatInt(zt.ID, 10)
	created, rj := parseTime("created_at", zt.CreatedAt)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	tr, rj := readAudits(audits, users)
	if rj != nil {
		return ticket.Ticket{}, rj
	}
	t := ticket.Ticket{ID: id, Created: created, Priority: p.defaultPriority, Type: p.defaultType, Fields: map[string]string{}}
	if zt.Priority != nil && strings.TrimSpace(*zt.Priority) != "" {
		t.Priority = strings.ToLower(strings.TrimSpace(*zt.Priority))
	}
	if zt.Type != nil && strings.TrimSpace(*zt.Type) != "" {
		t.Type = strings.ToLower(strings.TrimSpace(*zt.Type))
	}
	if zt.GroupID != nil && *zt.GroupID > 0 {
		g := strconv.FormatInt(*zt.GroupID, 10)
		t.Group = cmpOr(p.groups[g], g)
	}
	if zt.BrandID != nil && *zt.BrandID > 0 {
		b := strconv.FormatInt(*zt.BrandID, 10)
		t.Fields["brand"] = cmpOr(p.brands[b], b)
	}
	for key, v := range map[string]*int64{"organization": zt.OrganizationID, "assignee": zt.AssigneeID} {
		if v != nil && *v > 0 {
			t.Fields[key] = strconv.FormatInt(*v, 10)
		}
	}
	if zt.Via != nil && zt.Via.Channel != "" {
		t.Fields["channel"] = zt.Via.Channel
	}
	for name, pat := range p.tagFields {
		if v, ok := pat.Match(zt.Tags); ok {
			t.Fields[name] = v
		}
	}
	for name, fid := range p.customFields {
		for _, cf := range zt.CustomFields {
			if cf.ID == fid {
				if v := text(cf.Value); v != "" {
					t.Fields[name] = v
				}
			}
		}
	}
	if zt.SatisfactionRating != nil {
		switch zt.SatisfactionRating.Score {
		case "good":
			t.Rating = ticket.Good
		case "bad":
			t.Rating = ticket.Bad
		}
	}
	t.Reassignments = tr.reassignments

	var requester int64
	if zt.RequesterID != nil {
		requester = *zt.RequesterID
	}
	if t.History, rj = p.history(zt, created, tr.changes); rj != nil {
		return ticket.Ticket{}, rj
	}
	for _, c := range tr.comments {
		if tr.isReply(c, requester) {
			t.FirstResponse = latest(c.at, created)
			break
		}
	}
	if zt.Slas != nil {
		t.Native = p.native(zt.Slas.PolicyMetrics, &t, &tr, requester, asOf)
	}
	return t, nil
}

// history is the status history: the status at creation, then each change, the ticket's
// current status last when the audits end elsewhere. Times before the creation are taken as
// the creation; an entry never goes before the one before it.
func (p *plan) history(zt *zdTicket, created time.Time, changes []change) ([]ticket.StatusChange, *rejection) {
	current := strings.ToLower(strings.TrimSpace(zt.Status))
	if current == "" {
		return nil, reject("status is empty", "status is empty")
	}
	if len(changes) == 0 || changes[len(changes)-1].status != current {
		at := created
		if up, rj := parseTime("updated_at", zt.UpdatedAt); rj == nil && len(changes) > 0 {
			at = up
		}
		changes = append(slices.Clone(changes), change{at, current})
	}
	var hist []ticket.StatusChange
	for _, c := range changes {
		cat, ok := p.statuses[c.status]
		if !ok {
			r := reject("status not mapped", "status %q is not mapped to a category", clip(c.status))
			r.setting = "statuses"
			return nil, r
		}
		at := latest(c.at, created)
		if n := len(hist); n > 0 {
			if hist[n-1].Status == c.status {
				continue
			}
			at = latest(at, hist[n-1].At)
		}
		hist = append(hist, ticket.StatusChange{At: at, Status: c.status, Category: cat})
	}
	return hist, nil
}

func cmpOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// latest is the latest of times.
func latest(times ...time.Time) time.Time {
	var out time.Time
	for _, t := range times {
		if t.After(out) {
			out = t
		}
	}
	return out
}
