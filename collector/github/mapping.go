package github

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// issue is what the source reads of an issue of the listing (list-repository-issues).
type issue struct {
	Number      int        `json:"number"`
	State       string     `json:"state"`
	StateReason string     `json:"state_reason"`
	User        user       `json:"user"`
	Labels      []label    `json:"labels"`
	Assignees   []user     `json:"assignees"`
	Milestone   *milestone `json:"milestone"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	ClosedAt    *time.Time `json:"closed_at"`
	// PullRequest is present on pull requests, which the issues listing includes.
	PullRequest json.RawMessage `json:"pull_request"`
}

type user struct {
	Login string `json:"login"`
	Type  string `json:"type"` // User, Bot, Organization
}

type milestone struct {
	Title string `json:"title"`
}

// label is an issue's label: an object with a name, or (as the OpenAPI description allows) a
// bare string.
type label struct{ Name string }

func (l *label) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &l.Name)
	}
	var o struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	l.Name = o.Name
	return nil
}

// event is a timeline event (issue-event-types.md): closed, reopened, labeled, unlabeled and
// commented are read; the others are skipped.
type event struct {
	Event     string     `json:"event"`
	CreatedAt *time.Time `json:"created_at"`
	Actor     *user      `json:"actor"`
	// User and AuthorAssociation are a comment's.
	User              *user  `json:"user"`
	AuthorAssociation string `json:"author_association"`
	Label             *label `json:"label"`
	StateReason       string `json:"state_reason"`
}

// Status names of the history: an open issue is "open", or the name of the paused label it
// carries; a closed one "closed", or "closed: <reason>" when the reason cancels it.
const (
	statusOpen   = "open"
	statusClosed = "closed"
)

func (is *issue) labelNames() []string {
	names := make([]string, 0, len(is.Labels))
	for _, l := range is.Labels {
		if l.Name != "" {
			names = append(names, l.Name)
		}
	}
	return names
}

// ticketID is how a ticket is named: owner/name#number.
func ticketID(repo string, number int) string { return repo + "#" + strconv.Itoa(number) }

// mapTicket builds an issue's ticket from the issue and its timeline. A ticket it cannot build
// is a rejection naming the issue.
func (s *settings) mapTicket(is *issue, timeline []event) (ticket.Ticket, *collector.Rejection) {
	id := ticketID(s.repo, is.Number)
	if is.CreatedAt.IsZero() {
		return ticket.Ticket{}, &collector.Rejection{Where: id, Reason: "the issue has no created_at", Rule: "issue without created_at"}
	}
	t := ticket.Ticket{ID: id, Created: is.CreatedAt.UTC(), Fields: map[string]string{"repository": s.repo}}
	labels := is.labelNames()
	s.mapping.Apply(&t, labels)
	if len(is.Assignees) > 0 && is.Assignees[0].Login != "" {
		t.Fields["assignee"] = is.Assignees[0].Login
	}
	if is.Milestone != nil && is.Milestone.Title != "" {
		t.Fields["milestone"] = is.Milestone.Title
	}
	if is.StateReason != "" && is.State == "closed" {
		t.Fields["state_reason"] = is.StateReason
	}
	t.History = s.history(is, timeline)
	t.FirstResponse = s.firstResponse(is, timeline)
	return t, nil
}

// history replays the timeline: the issue opens at creation, closed and reopened events close
// and reopen it, and paused labels pause it while open. Each change of status is one entry.
// Times before the creation (an import's clock) are taken as the creation.
func (s *settings) history(is *issue, timeline []event) []ticket.StatusChange {
	created := is.CreatedAt.UTC()
	var (
		hist   []ticket.StatusChange
		closed bool
		reason string
		paused []string // paused labels carried, in the order they were added
	)
	emit := func(at time.Time) {
		at = latest(at.UTC(), created)
		if n := len(hist); n > 0 {
			at = latest(at, hist[n-1].At) // the history may not go backwards
		}
		st, cat := statusOpen, ticket.Open
		switch {
		case closed && slices.Contains(s.cancelled, reason):
			st, cat = statusClosed+": "+reason, ticket.Cancelled
		case closed:
			st, cat = statusClosed, ticket.Closed
		case len(paused) > 0:
			st, cat = paused[0], ticket.Paused
		}
		if n := len(hist); n > 0 && hist[n-1].Status == st {
			return
		}
		hist = append(hist, ticket.StatusChange{At: at, Status: st, Category: cat})
	}
	// Labels carried at creation are not in the timeline as labeled events when the issue was
	// opened with them; those still carried and never labeled later count from creation.
	labeledLater := map[string]bool{}
	for _, e := range timeline {
		if e.Event == "labeled" && e.Label != nil {
			labeledLater[strings.ToLower(e.Label.Name)] = true
		}
	}
	for _, l := range is.labelNames() {
		if s.mapping.IsPaused(l) && !labeledLater[strings.ToLower(l)] {
			paused = append(paused, l)
		}
	}
	emit(created)
	for _, e := range sortedEvents(timeline) {
		switch e.Event {
		case "closed":
			closed, reason = true, e.StateReason
		case "reopened":
			closed, reason = false, ""
		case "labeled":
			if e.Label != nil && s.mapping.IsPaused(e.Label.Name) && !slices.Contains(paused, e.Label.Name) {
				paused = append(paused, e.Label.Name)
			}
		case "unlabeled":
			if e.Label != nil {
				paused = slices.DeleteFunc(paused, func(l string) bool { return strings.EqualFold(l, e.Label.Name) })
			}
		default:
			continue
		}
		emit(*e.CreatedAt)
	}
	// The issue's own state wins over a timeline that lost an event (a transfer, an import).
	if is.State == "closed" && !closed {
		closed, reason = true, is.StateReason
		at := is.UpdatedAt
		if is.ClosedAt != nil {
			at = *is.ClosedAt
		}
		emit(at)
	} else if is.State == "open" && closed {
		closed, reason = false, ""
		emit(is.UpdatedAt)
	}
	return hist
}

// sortedEvents keeps the events with a time, in time order (the timeline's order among equals).
func sortedEvents(timeline []event) []event {
	out := make([]event, 0, len(timeline))
	for _, e := range timeline {
		if e.CreatedAt != nil && !e.CreatedAt.IsZero() {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b event) int { return a.CreatedAt.Compare(*b.CreatedAt) })
	return out
}

// firstResponse is the time of the first comment by someone other than the issue's author (a
// responder, when responders is set; not a bot unless bot_responses); zero when none.
func (s *settings) firstResponse(is *issue, timeline []event) time.Time {
	for _, e := range sortedEvents(timeline) {
		if e.Event != "commented" || e.User == nil || e.User.Login == "" {
			continue
		}
		switch {
		case strings.EqualFold(e.User.Login, is.User.Login):
		case e.User.Type == "Bot" && !s.bots:
		case len(s.responders) > 0 && !slices.Contains(s.responders, strings.ToUpper(e.AuthorAssociation)):
		default:
			return latest(e.CreatedAt.UTC(), is.CreatedAt.UTC())
		}
	}
	return time.Time{}
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
