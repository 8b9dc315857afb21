package gitlab

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// issue is what the source reads of an issue of the listing (list-project-issues).
type issue struct {
	IID            int        `json:"iid"`
	State          string     `json:"state"` // opened, closed
	IssueType      string     `json:"issue_type"`
	Severity       string     `json:"severity"`
	Author         user       `json:"author"`
	Labels         []string   `json:"labels"`
	Assignees      []user     `json:"assignees"`
	Milestone      *milestone `json:"milestone"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	UserNotesCount int        `json:"user_notes_count"`
	// TimeStats is the issue's time tracking: total_time_spent is the time spent logged on it
	// (/spend, or the API's add_spent_time) in seconds, 0 when none (GitLab's issues API,
	// "time_stats").
	TimeStats *struct {
		TotalTimeSpent int64 `json:"total_time_spent"`
	} `json:"time_stats"`
}

type user struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot"`
}

type milestone struct {
	Title string `json:"title"`
}

// stateEvent is a resource state event; labelEvent a resource label event; note a note.
type stateEvent struct {
	CreatedAt time.Time `json:"created_at"`
	State     string    `json:"state"`
}

type labelEvent struct {
	CreatedAt time.Time `json:"created_at"`
	Action    string    `json:"action"`
	Label     *struct {
		Name string `json:"name"`
	} `json:"label"`
}

type note struct {
	CreatedAt time.Time `json:"created_at"`
	Author    user      `json:"author"`
	System    bool      `json:"system"`
	Internal  bool      `json:"internal"`
}

// details are what the source reads of an issue besides the listing.
type details struct {
	states []stateEvent
	labels []labelEvent
	notes  []note
}

const (
	statusOpen   = "opened"
	statusClosed = "closed"
)

func (s *settings) ticketID(iid int) string { return s.project + "#" + strconv.Itoa(iid) }

// mapTicket builds an issue's ticket.
func (s *settings) mapTicket(is *issue, d details) (ticket.Ticket, *collector.Rejection) {
	id := s.ticketID(is.IID)
	if is.CreatedAt.IsZero() {
		return ticket.Ticket{}, &collector.Rejection{Where: id, Reason: "the issue has no created_at", Rule: "issue without created_at"}
	}
	t := ticket.Ticket{ID: id, Created: is.CreatedAt.UTC(), Type: is.IssueType, Fields: map[string]string{"project": s.project}}
	s.mapping.Apply(&t, is.Labels)
	// An incident without a priority label takes its priority from its severity, when mapped.
	if _, byLabel := s.mapping.Priority.Match(is.Labels); !byLabel && is.IssueType == "incident" {
		if p, ok := s.severity[strings.ToUpper(is.Severity)]; ok {
			t.Priority = p
		}
	}
	if is.IssueType == "incident" && is.Severity != "" {
		t.Fields["severity"] = strings.ToLower(is.Severity)
	}
	if len(is.Assignees) > 0 && is.Assignees[0].Username != "" {
		t.Fields["assignee"] = is.Assignees[0].Username
	}
	if is.Milestone != nil && is.Milestone.Title != "" {
		t.Fields["milestone"] = is.Milestone.Title
	}
	t.History = s.history(is, d)
	t.FirstResponse = s.firstResponse(is, d.notes)
	if ts := is.TimeStats; ts != nil {
		if ts.TotalTimeSpent < 0 || ts.TotalTimeSpent > maxTimeSpent {
			return ticket.Ticket{}, &collector.Rejection{Where: id, Reason: fmt.Sprintf("time_stats.total_time_spent %d is not a number of seconds, 0 or more", ts.TotalTimeSpent),
				Rule: "time_stats.total_time_spent is not a number of seconds, 0 or more"}
		}
		t.WorkTime = time.Duration(ts.TotalTimeSpent) * time.Second
	}
	return t, nil
}

// maxTimeSpent bounds time_stats.total_time_spent: a century in seconds is no issue's work.
const maxTimeSpent = 100 * 365 * 24 * 3600

// change is one state or label change, in time order.
type change struct {
	at     time.Time
	state  string // closed, reopened
	label  string
	remove bool
}

// history replays the state events (closed, reopened) and, with paused labels, the label
// events: the issue opens at creation, paused while open with a paused label.
func (s *settings) history(is *issue, d details) []ticket.StatusChange {
	created := is.CreatedAt.UTC()
	var changes []change
	for _, e := range d.states {
		changes = append(changes, change{at: e.CreatedAt, state: e.State})
	}
	added := map[string]bool{}
	for _, e := range d.labels {
		if e.Label == nil || !s.mapping.IsPaused(e.Label.Name) {
			continue
		}
		changes = append(changes, change{at: e.CreatedAt, label: e.Label.Name, remove: e.Action == "remove"})
		if e.Action == "add" {
			added[strings.ToLower(e.Label.Name)] = true
		}
	}
	slices.SortStableFunc(changes, func(a, b change) int { return a.at.Compare(b.at) })

	var (
		hist   []ticket.StatusChange
		closed bool
		paused []string
	)
	for _, l := range is.Labels {
		if s.mapping.IsPaused(l) && !added[strings.ToLower(l)] {
			paused = append(paused, l) // carried since creation
		}
	}
	emit := func(at time.Time) {
		at = latest(at.UTC(), created)
		if n := len(hist); n > 0 {
			at = latest(at, hist[n-1].At)
		}
		st, cat := statusOpen, ticket.Open
		switch {
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
	emit(created)
	for _, c := range changes {
		switch {
		case c.state == "closed":
			closed = true
		case c.state == "reopened":
			closed = false
		case c.label != "" && c.remove:
			paused = slices.DeleteFunc(paused, func(l string) bool { return strings.EqualFold(l, c.label) })
		case c.label != "" && !slices.Contains(paused, c.label):
			paused = append(paused, c.label)
		}
		emit(c.at)
	}
	// The issue's own state wins over events that are missing (issues closed before GitLab
	// recorded state events, in 13.x).
	if is.State == "closed" && !closed {
		closed = true
		at := is.UpdatedAt
		if is.ClosedAt != nil {
			at = *is.ClosedAt
		}
		emit(at)
	} else if is.State == "opened" && closed {
		closed = false
		emit(is.UpdatedAt)
	}
	return hist
}

// firstResponse is the time of the first user note (not a system note) by someone other than
// the author, internal notes and bots left out unless configured.
func (s *settings) firstResponse(is *issue, notes []note) time.Time {
	sorted := slices.Clone(notes)
	slices.SortStableFunc(sorted, func(a, b note) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, n := range sorted {
		switch {
		case n.System || n.CreatedAt.IsZero():
		case n.Author.ID == is.Author.ID && n.Author.Username == is.Author.Username:
		case n.Internal && !s.internal:
		case n.Author.Bot && !s.bots:
		default:
			return latest(n.CreatedAt.UTC(), is.CreatedAt.UTC())
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
