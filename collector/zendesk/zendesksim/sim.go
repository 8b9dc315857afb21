// Package zendesksim is a Zendesk Support API simulator for tests, written from Zendesk's
// developer documentation and kept apart from the client (collector/zendesk), so that the
// client is tested against what Zendesk documents, not against itself. It keeps a ticket set
// with the audits of every change, serves the endpoints the client reads, runs the SLA clocks
// Zendesk documents, and injects faults.
//
// Documents followed (developer.zendesk.com):
//   - Incremental Ticket Export, Cursor Based, GET /api/v2/incremental/tickets/cursor.json
//     (start_time, then cursor; after_url, after_cursor, before_url, before_cursor,
//     end_of_stream; per_page at most 1000; deleted tickets listed with status "deleted"
//     unless exclude_deleted; ordered by generated_timestamp, which moves on every update,
//     system ones included, while updated_at moves only on ticket events; "any items that
//     were created or changed within the minute prior to your request are excluded"; start_time
//     "must be at least one minute in the past"): /api-reference/ticketing/ticket-management/
//     incremental_exports/ and /documentation/ticketing/managing-tickets/
//     using-the-incremental-export-api. The cursor is written as Zendesk's example is
//     ("MTU3NjYxMzUzOS4wfHw0Njd8" is base64 of "1576613539.0||467|": a generated_timestamp and
//     a ticket id).
//   - Side-loading, include=slas: a ticket's slas.policy_metrics[] {breach_at, stage
//     (active, paused, achieved), metric, and the time to breach_at in its largest whole unit
//     as days, hours or minutes, negative once past}: /documentation/ticketing/
//     using-the-zendesk-api/side_loading/; the shape as a public project quotes a live
//     response (2026-05-07: {"breach_at": "2025-12-18T03:07:32Z", "stage": "achieved",
//     "metric": "first_reply_time", "days": -141}), and tylerconlee/SlabAPI reads
//     ticket.Slas.PolicyMetrics from the cursor export with include=slas.
//   - List Audits for a Ticket, GET /api/v2/tickets/{ticket_id}/audits.json, cursor pagination
//     (page[size] at most 100, page[after]; meta.has_more, meta.after_cursor, links.next),
//     events Create, Change (field_name, value, previous_value), Comment (author_id, public),
//     include=users (role end-user, agent, admin): /api-reference/ticketing/tickets/
//     ticket_audits/, /api-reference/introduction/pagination/; shapes as
//     nukosuke/go-zendesk:fixture/GET/ticket_audits.json@cfe7c2f has them.
//   - SLA Policies, GET /api/v2/slas/policies.json: /api-reference/ticketing/business-rules/
//     sla_policies/ (shape as nukosuke/go-zendesk:fixture/GET/sla_policies.json@cfe7c2f).
//   - Tickets, the ticket object (id, status new/open/pending/hold/solved/closed, priority
//     low/normal/high/urgent or null, type, group_id, brand_id, tags, custom_fields,
//     satisfaction_rating {score: offered, unoffered, good, bad}, via.channel,
//     generated_timestamp): /api-reference/ticketing/tickets/tickets/.
//   - Rate limits: the account's limit per minute with X-Rate-Limit, X-Rate-Limit-Remaining,
//     ratelimit-limit, ratelimit-remaining, ratelimit-reset (seconds); "You can make up to
//     10 requests per minute" to the incremental exports; 429 with Retry-After (seconds):
//     /api-reference/introduction/rate-limits/, /documentation/api-basics/best-practices/
//     best-practices-for-avoiding-rate-limiting.
//   - Security and authentication: an API token as Basic "{email}/token:{token}", or an OAuth
//     access token as Bearer; 401 {"error":"Couldn't authenticate you"}.
//
// Not modeled: time-based exports, sideloads other than slas (users on audits), custom
// ticket statuses, next_reply_time and the other update metrics, group SLAs, holidays in
// schedules, ticket archiving, merges, the per-endpoint list limits. Where the documents are
// silent the simulator chooses, and says so: first_reply_time is also fulfilled by solving;
// the policy is chosen on the ticket's current fields; the wording of its 400 and 429 bodies.
package zendesksim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
)

// Ticket is a ticket as the simulator keeps it. Its history is in its audits.
type Ticket struct {
	ID                             int64
	Subject                        string
	Requester, Submitter, Assignee int64
	Group, Brand, Organization     int64
	// Type is question, incident, problem, task or "" (null); Priority low, normal, high,
	// urgent or "" (null); Status new, open, pending, hold, solved, closed or deleted.
	Type, Priority, Status string
	Tags                   []string
	CustomFields           map[int64]any
	// Channel is via.channel (web, email, api ...).
	Channel string
	// Satisfaction is satisfaction_rating.score: unoffered, offered, good, bad, or "" (null).
	Satisfaction string
	Created      time.Time
	// Updated is updated_at (ticket events); Generated generated_timestamp (every update).
	Updated, Generated time.Time
	audits             []audit
}

// Comment is a ticket comment.
type Comment struct {
	Author int64
	Public bool
	At     time.Time
	Body   string
}

type audit struct {
	id      int64
	at      time.Time
	author  int64
	channel string
	events  []event
}

type event struct {
	id              int64
	kind            string // Create, Change, Comment, SatisfactionRating
	field           string
	value, previous any
	author          int64
	public          bool
	body            string
	satisfaction    string
}

type statusAt struct {
	at     time.Time
	status string
}

// statuses is the ticket's status history from its audits.
func (t *Ticket) statuses() []statusAt {
	var out []statusAt
	for _, a := range t.audits {
		for _, e := range a.events {
			if e.field == "status" && (e.kind == "Create" || e.kind == "Change") {
				out = append(out, statusAt{a.at, valueText(e.value)})
			}
		}
	}
	return out
}

// comments are the ticket's comments, oldest first.
func (t *Ticket) comments() []Comment {
	var out []Comment
	for _, a := range t.audits {
		for _, e := range a.events {
			if e.kind == "Comment" {
				out = append(out, Comment{Author: e.author, Public: e.public, At: a.at, Body: e.body})
			}
		}
	}
	return out
}

// Update is a change to a ticket by one author: the fields set change, each a Change event
// of one audit; Comment adds a comment (public when Public).
type Update struct {
	Status, Priority, Type string
	Group, Brand, Assignee int64
	Tags                   []string
	Comment                string
	Public                 bool
	Satisfaction           string
	// Channel is the audit's via.channel (default web; rule for a trigger's change).
	Channel string
}

// Fault is a failure the simulator answers with.
type Fault struct {
	// Endpoint is the requests it applies to: export, audits, policies, or "" for any.
	Endpoint string
	// After lets this many matching requests through first; Times is how many it then hits
	// (0: every one until Clear).
	After, Times int
	// Status answers with this status and a Zendesk error body; RetryAfter sets Retry-After.
	Status     int
	RetryAfter string
	// Truncate sends the right answer cut in half; BadJSON a body that is not JSON.
	Truncate, BadJSON bool
	// Delay holds the answer this long (or until the client gives up).
	Delay time.Duration
	// Revoke revokes every credential when it hits: this request and the next are refused
	// with a 401 until Grant.
	Revoke bool
}

// Scope is the requests the fault hits (apitest.Scoped).
func (f Fault) Scope() (string, int, int) { return f.Endpoint, f.After, f.Times }

// Entry is one request the simulator served, in its log.
type Entry struct {
	At       time.Time
	Endpoint string
	Status   int
}

// Options configure a simulator.
type Options struct {
	// Email and Token are the API token accepted as Basic "{email}/token:{token}"; OAuth is an
	// access token accepted as Bearer.
	Email, Token, OAuth string
	// Agents are the user ids of agents: their public comments are replies.
	Agents []int64
	// Policies are the SLA policies; Schedule the business hours (default Monday to Friday
	// 09:00-17:00 UTC).
	Policies []Policy
	Schedule *Schedule
	// AccountLimit is the account's requests per minute (default 700, Enterprise); the
	// incremental exports allow IncrementalLimit per minute (default 10).
	AccountLimit, IncrementalLimit int
	// Now is the simulator's clock (default time.Now).
	Now func() time.Time
}

// Server is a simulated Zendesk account. Its Requests count requests per endpoint: export,
// audits, policies, other.
type Server struct {
	*httptest.Server
	apitest.Plumbing[Fault]

	mu          sync.Mutex
	now         func() time.Time
	tickets     map[int64]*Ticket
	agents      map[int64]bool
	policies    []Policy
	schedule    Schedule
	creds       map[string]bool
	limit, incr int
	window      time.Time // the account limit's minute
	used        int
	log         []Entry
	nextID      int64
	served      func(endpoint string, n int)
}

// New starts a simulator.
func New(o Options) *Server {
	s := &Server{now: o.Now, tickets: map[int64]*Ticket{}, agents: map[int64]bool{}, policies: o.Policies,
		creds: map[string]bool{}, limit: o.AccountLimit, incr: o.IncrementalLimit, nextID: 1000}
	if s.now == nil {
		s.now = time.Now
	}
	for _, a := range o.Agents {
		s.agents[a] = true
	}
	if o.Schedule != nil {
		s.schedule = *o.Schedule
	} else {
		s.schedule = Weekdays(time.UTC, 9*60, 17*60)
	}
	if s.limit == 0 {
		s.limit = 700
	}
	if s.incr == 0 {
		s.incr = 10
	}
	if o.Token != "" {
		s.creds["Basic "+base64.StdEncoding.EncodeToString([]byte(o.Email+"/token:"+o.Token))] = true
	}
	if o.OAuth != "" {
		s.creds["Bearer "+o.OAuth] = true
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// OnServed calls f after each answer is written, outside the simulator's lock, with the
// endpoint and how many requests to it were served so far: a test changes tickets between
// two pages with it.
func (s *Server) OnServed(f func(endpoint string, n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.served = f
}

// Log returns the requests served so far.
func (s *Server) Log() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Revoke stops accepting every credential; Grant accepts those of o again.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.creds {
		s.creds[k] = false
	}
}

// Grant accepts the credentials again.
func (s *Server) Grant() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.creds {
		s.creds[k] = true
	}
}

// Create adds a ticket, made now by its submitter (the requester unless set), with its
// description as a first public comment. Status defaults to new, Channel to web; an ID of 0
// takes the next free one. It returns the id.
func (s *Server) Create(t Ticket, description string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	c := t
	if c.ID == 0 {
		s.nextID++
		c.ID = s.nextID
	}
	if c.Submitter == 0 {
		c.Submitter = c.Requester
	}
	c.Status = cmpOr(c.Status, "new")
	c.Channel = cmpOr(c.Channel, "web")
	c.Created, c.Updated, c.Generated = now, now, now
	c.Tags = slices.Clone(c.Tags)
	events := []event{{kind: "Create", field: "status", value: c.Status}}
	if c.Priority != "" {
		events = append(events, event{kind: "Create", field: "priority", value: c.Priority})
	}
	if c.Type != "" {
		events = append(events, event{kind: "Create", field: "type", value: c.Type})
	}
	if c.Group != 0 {
		events = append(events, event{kind: "Create", field: "group_id", value: idText(c.Group)})
	}
	events = append(events, event{kind: "Comment", author: c.Submitter, public: true, body: description})
	s.addAudit(&c, c.Submitter, c.Channel, events)
	s.tickets[c.ID] = &c
	return c.ID
}

// Change applies an update to ticket id, made now by author.
func (s *Server) Change(id, author int64, u Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tickets[id]
	now := s.now().UTC().Truncate(time.Second)
	var events []event
	set := func(field string, old *string, v string) {
		if v != "" && v != *old {
			events = append(events, event{kind: "Change", field: field, value: v, previous: nullable(*old)})
			*old = v
		}
	}
	setID := func(field string, old *int64, v int64) {
		if v != 0 && v != *old {
			events = append(events, event{kind: "Change", field: field, value: idText(v), previous: nullable(idText(*old))})
			*old = v
		}
	}
	set("status", &t.Status, u.Status)
	set("priority", &t.Priority, u.Priority)
	set("type", &t.Type, u.Type)
	setID("group_id", &t.Group, u.Group)
	setID("brand_id", &t.Brand, u.Brand)
	setID("assignee_id", &t.Assignee, u.Assignee)
	if u.Tags != nil {
		events = append(events, event{kind: "Change", field: "tags", value: slices.Clone(u.Tags), previous: slices.Clone(t.Tags)})
		t.Tags = slices.Clone(u.Tags)
	}
	if u.Comment != "" {
		events = append(events, event{kind: "Comment", author: author, public: u.Public, body: u.Comment})
	}
	if u.Satisfaction != "" {
		events = append(events, event{kind: "SatisfactionRating", satisfaction: u.Satisfaction})
		t.Satisfaction = u.Satisfaction
	}
	s.addAudit(t, author, cmpOr(u.Channel, "web"), events)
	t.Updated, t.Generated = now, now
}

// Delete soft-deletes a ticket: the export lists it with status deleted, its audits answer 404.
func (s *Server) Delete(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tickets[id]
	t.Status = "deleted"
	t.Generated = s.now().UTC().Truncate(time.Second)
}

// Touch is a system update: generated_timestamp moves, updated_at does not.
func (s *Server) Touch(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tickets[id].Generated = s.now().UTC().Truncate(time.Second)
}

// Tickets returns a copy of the tickets, by id.
func (s *Server) Tickets() map[int64]Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]Ticket, len(s.tickets))
	for id, t := range s.tickets {
		out[id] = *t
	}
	return out
}

// Native is Zendesk's verdict on one SLA metric of a ticket, as the simulator works it out.
type Native struct {
	Metric string
	// Start is when the metric started; Stop when it was fulfilled (zero before).
	Start, Stop time.Time
	// Deadline is breach_at: zero while paused and not breached.
	Deadline time.Time
	// Breached: the metric counted more than its target.
	Breached, Paused bool
	// Elapsed is the time counted, pauses (and, in business hours, off hours) excluded.
	Elapsed time.Duration
}

// Natives are the SLA metrics of ticket id at now, as Zendesk works them out.
func (s *Server) Natives(id int64) []Native {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Native
	for _, m := range s.states(s.tickets[id], s.now()) {
		out = append(out, Native{Metric: m.metric, Start: m.start, Stop: m.stop, Deadline: m.breachAt,
			Breached: m.elapsed > m.target, Paused: m.paused, Elapsed: m.elapsed})
	}
	return out
}

// addAudit appends an audit of events to t. Callers hold mu.
func (s *Server) addAudit(t *Ticket, author int64, channel string, events []event) {
	s.nextID++
	a := audit{id: s.nextID, at: s.now().UTC().Truncate(time.Second), author: author, channel: channel}
	for _, e := range events {
		s.nextID++
		e.id = s.nextID
		a.events = append(a.events, e)
	}
	t.audits = append(t.audits, a)
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func splitTags(v any) []string { return strings.Fields(valueText(v)) }
