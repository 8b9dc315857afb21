package demo

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/events"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func rome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := location()
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// newSourceAt builds a source from a YAML block with its clock at now.
func newSourceAt(t testing.TB, block string, now time.Time) (*Source, *clock) {
	t.Helper()
	c := &clock{t: now}
	var node *yaml.Node
	if block != "" {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
			t.Fatal(err)
		}
		node = doc.Content[0]
	}
	src, err := New(node, collector.Options{Name: "demo", Now: c.Now})
	if err != nil {
		t.Fatalf("New(%q): %v", block, err)
	}
	return src.(*Source), c
}

func mustSync(t testing.TB, s collector.Source, cp []byte) collector.Batch {
	t.Helper()
	b, err := s.Sync(context.Background(), cp)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return b
}

// world is what a sequence of batches adds up to: the latest version of each ticket, and the
// samples and counts of each series in time order.
type world struct {
	tickets map[string]ticket.Ticket
	samples map[string][]availability.Sample
	buckets map[string][]events.Bucket
}

func newWorld() *world {
	return &world{tickets: map[string]ticket.Ticket{}, samples: map[string][]availability.Sample{}, buckets: map[string][]events.Bucket{}}
}

func (w *world) add(b collector.Batch) {
	for _, t := range b.Tickets {
		w.tickets[t.ID] = t
	}
	for _, u := range b.Uptime {
		w.samples[u.Series] = append(w.samples[u.Series], u.Samples...)
	}
	for _, e := range b.Events {
		w.buckets[e.Series] = append(w.buckets[e.Series], e.Buckets...)
	}
}

// sortedTickets lists the tickets by id.
func (w *world) sortedTickets() []ticket.Ticket {
	out := make([]ticket.Ticket, 0, len(w.tickets))
	for _, t := range w.tickets {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b ticket.Ticket) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// firstStop is the index of the ticket's first Resolved/Closed/Cancelled change, -1 if none.
func firstStop(t ticket.Ticket) int {
	for i, h := range t.History {
		if h.Category.Stopped() {
			return i
		}
	}
	return -1
}

func hasCategory(t ticket.Ticket, c ticket.Category) bool {
	for _, h := range t.History {
		if h.Category == c {
			return true
		}
	}
	return false
}

// reopened reports a change back to open or paused after a resolution.
func reopened(t ticket.Ticket) bool {
	stopped := false
	for _, h := range t.History {
		switch {
		case h.Category == ticket.Resolved || h.Category == ticket.Closed:
			stopped = true
		case stopped && (h.Category == ticket.Open || h.Category == ticket.Paused):
			return true
		}
	}
	return false
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
