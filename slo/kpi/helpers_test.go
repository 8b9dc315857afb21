package kpi

import (
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// t0 is Monday 2024-01-01 00:00 UTC. Test instants are offsets from it, so that the arithmetic in
// the comments is on small numbers and business-time tests know the weekday.
const t0 = 1704067200

// Category shorthands for history literals.
const (
	O = ticket.Open
	P = ticket.Paused
	R = ticket.Resolved
	C = ticket.Closed
	X = ticket.Cancelled
)

type option func(*ticket.Ticket)

// tk builds a ticket created at offset created, of type incident unless an option says otherwise.
// hist alternates offsets and categories: 0, O, 100, R.
func tk(id string, created int64, hist []any, opts ...option) *ticket.Ticket {
	t := &ticket.Ticket{ID: id, Created: at(created), Type: "incident", Priority: "P3"}
	for i := 0; i < len(hist); i += 2 {
		c := hist[i+1].(ticket.Category)
		t.History = append(t.History, ticket.StatusChange{At: at(int64(hist[i].(int))), Status: c.String(), Category: c})
	}
	for _, o := range opts {
		o(t)
	}
	return t
}

func h(changes ...any) []any { return changes }

func at(offset int64) time.Time { return time.Unix(t0+offset, 0).UTC() }

func resp(offset int64) option { return func(t *ticket.Ticket) { t.FirstResponse = at(offset) } }

func rated(r ticket.Rating) option { return func(t *ticket.Ticket) { t.Rating = r } }

func reassigned(n int) option { return func(t *ticket.Ticket) { t.Reassignments = n } }

func typ(s string) option { return func(t *ticket.Ticket) { t.Type = s } }

func field(k, v string) option {
	return func(t *ticket.Ticket) {
		if t.Fields == nil {
			t.Fields = map[string]string{}
		}
		t.Fields[k] = v
	}
}

func store(tb testing.TB, ts ...*ticket.Ticket) *ticket.Store {
	tb.Helper()
	st := ticket.NewStore(ticket.StoreOptions{})
	for _, t := range ts {
		if err := st.Add(t); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

func ofType(s string) func(ticket.View) bool {
	return func(v ticket.View) bool { return v.Type() == s }
}

func ptr(f float64) *float64 { return &f }
