// Package ticket holds normalized tickets (incidents, requests, changes) from any ITSM tool, a
// compact store for a million of them, and the SLA clocks computed from their status history.
package ticket

import (
	"fmt"
	"strings"
	"time"
)

// Category is what a status means to an SLA clock. Each source maps its status names onto these.
type Category uint8

// Status categories.
const (
	// Unmapped is the zero value: a status no mapping knows. Tickets with it are rejected.
	Unmapped Category = iota
	// Open: work is expected; clocks run.
	Open
	// Paused: waiting on the customer or a supplier; resolution clocks stop.
	Paused
	// Resolved: a fix was delivered; it may still be reopened.
	Resolved
	// Closed: final.
	Closed
	// Cancelled: withdrawn; running clocks are cancelled, not met or breached.
	Cancelled
)

var categoryNames = [...]string{"unmapped", "open", "paused", "resolved", "closed", "cancelled"}

// String is the lower-case name used in configuration and output.
func (c Category) String() string {
	if int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return fmt.Sprintf("category(%d)", c)
}

// ParseCategory reads a category name.
func ParseCategory(s string) (Category, error) {
	for i, n := range categoryNames[1:] {
		if strings.EqualFold(s, n) {
			return Category(i + 1), nil
		}
	}
	return Unmapped, fmt.Errorf("unknown status category %q (want open, paused, resolved, closed or cancelled)", s)
}

// Stopped reports whether the category ends work on the ticket (resolved, closed or cancelled).
func (c Category) Stopped() bool { return c == Resolved || c == Closed || c == Cancelled }

// Rating is a customer satisfaction answer, mapped to good or bad by the source.
type Rating int8

// Ratings.
const (
	Unrated Rating = iota
	Good
	Bad
)

// StatusChange is one entry of a ticket's status history: from At on, the ticket was in Status.
type StatusChange struct {
	At       time.Time
	Status   string
	Category Category
}

// Ticket is a normalized ticket as a source produces it. Times are instants; the store keeps them
// to the second.
type Ticket struct {
	ID       string
	Created  time.Time
	Priority string
	Type     string // incident, request, change, ...
	Group    string // assignment group or queue
	// Fields holds any other attribute an objective may select on (customer, service, category,
	// close code ...).
	Fields map[string]string
	// History is ordered by time; its first entry is the status at creation (or later, when the
	// source only knows later changes).
	History []StatusChange
	// FirstResponse is the first agent response; zero when there was none.
	FirstResponse time.Time
	Rating        Rating
	// Reassignments counts hand-overs between groups; first-contact resolution needs none.
	Reassignments int
	// WorkTime is the work the ticket tool records on the ticket (Jira's time spent, ServiceNow's
	// time worked, Redmine's spent hours ...); 0 means none recorded. Zero and absent are one:
	// a tool reports a ticket nobody logged time on as 0 or as null alike, and such a ticket
	// says nothing about how long its work took, so measured handle times skip it. The store
	// keeps it to the second.
	WorkTime time.Duration
	// Native holds the ticket tool's own SLA records (JSM SLA cycles, ServiceNow task_sla,
	// Zendesk policy metrics), in start order, imported to be compared with the engine's cycles
	// for the same clock; nil when the source imports none.
	Native []NativeSLA
}

// NativeSLA is a ticket tool's own record of one cycle of one of its SLAs on a ticket.
type NativeSLA struct {
	// Name is the tool's name of the SLA ("Time to first response", a ServiceNow SLA
	// definition, a Zendesk metric such as "first_reply_time").
	Name string
	// Clock is the engine's clock the SLA measures, "response" or "resolution", as the source's
	// configuration maps the tool's SLA names; empty when it maps to none.
	Clock string
	// Start is when the tool started the cycle.
	Start time.Time
	// Deadline is when the tool says the cycle breaches (or breached); zero when it does not
	// say, as for a paused cycle whose deadline moves.
	Deadline time.Time
	// Stop is when the cycle stopped (the ticket answered or resolved); zero while it runs.
	Stop time.Time
	// Breached is the tool's verdict: the cycle is past its deadline, or stopped after it.
	Breached bool
	// Paused says the running cycle is paused now.
	Paused bool
}

// Validate checks a ticket's internal consistency. The error says which part is wrong.
func (t *Ticket) Validate() error {
	if t.ID == "" {
		return fmt.Errorf("ticket has no id")
	}
	if t.Created.IsZero() {
		return fmt.Errorf("ticket %s: no creation time", t.ID)
	}
	if !t.FirstResponse.IsZero() && t.FirstResponse.Before(t.Created) {
		return fmt.Errorf("ticket %s: first response %s is before creation %s", t.ID, stamp(t.FirstResponse), stamp(t.Created))
	}
	if t.Rating < Unrated || t.Rating > Bad {
		return fmt.Errorf("ticket %s: rating %d is not unrated, good or bad", t.ID, t.Rating)
	}
	if t.Reassignments < 0 {
		return fmt.Errorf("ticket %s: negative reassignment count %d", t.ID, t.Reassignments)
	}
	if t.WorkTime < 0 {
		return fmt.Errorf("ticket %s: negative work time %s", t.ID, t.WorkTime)
	}
	if len(t.History) > maxHistory {
		return fmt.Errorf("ticket %s: %d status changes, more than the %d kept", t.ID, len(t.History), maxHistory)
	}
	for i, h := range t.History {
		if h.Category == Unmapped || h.Category > Cancelled {
			return fmt.Errorf("ticket %s: status %q at %s has no category mapping", t.ID, h.Status, stamp(h.At))
		}
		if h.At.Before(t.Created) {
			what := "status " + h.Status
			if h.Category == Resolved || h.Category == Closed {
				what = "resolved"
			}
			return fmt.Errorf("ticket %s: %s at %s is before creation %s", t.ID, what, stamp(h.At), stamp(t.Created))
		}
		if i > 0 && h.At.Before(t.History[i-1].At) {
			return fmt.Errorf("ticket %s: status history goes backwards at entry %d (%s after %s)", t.ID, i, stamp(h.At), stamp(t.History[i-1].At))
		}
	}
	return t.validateNative()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
