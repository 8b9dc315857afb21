package sourcetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// Fake is a Source a test scripts one call at a time: each Sync is announced on Calls and blocks
// until the test replies or the sync's context ends. Tests thus wait on channels, never on the
// clock, and see exactly which checkpoint each sync was given.
type Fake struct {
	calls chan *Call

	mu     sync.Mutex
	closed bool
}

// NewFake returns a fake source.
func NewFake() *Fake { return &Fake{calls: make(chan *Call)} }

// Call is one Sync in progress.
type Call struct {
	// Checkpoint is what the sync was given (a copy).
	Checkpoint []byte
	// Ctx is the sync's context, to check its deadline or wait for its cancellation.
	Ctx   context.Context
	reply chan result
}

type result struct {
	b   collector.Batch
	err error
}

// Reply ends the sync with b and err. It does not block; a second reply is ignored.
func (c *Call) Reply(b collector.Batch, err error) {
	select {
	case c.reply <- result{b, err}:
	default:
	}
}

// Calls announces each Sync.
func (f *Fake) Calls() <-chan *Call { return f.calls }

// Sync implements collector.Source.
func (f *Fake) Sync(ctx context.Context, checkpoint []byte) (collector.Batch, error) {
	c := &Call{Checkpoint: bytes.Clone(checkpoint), Ctx: ctx, reply: make(chan result, 1)}
	select {
	case f.calls <- c:
	case <-ctx.Done():
		return collector.Batch{}, ctx.Err()
	}
	select {
	case r := <-c.reply:
		return r.b, r.err
	case <-ctx.Done():
		return collector.Batch{}, ctx.Err()
	}
}

// Close implements io.Closer, so tests see when the runner discards the source.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// Epoch is when Ticket's tickets start being created.
var Epoch = time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC)

// Ticket returns a valid, realistic ticket numbered i: created i minutes after Epoch, with three
// fields, a six-step history with a pause, a first response, a rating and, for three tickets in
// four, a work time (so that the store's and the snapshot's paths for it are exercised).
func Ticket(i int) ticket.Ticket {
	created := Epoch.Add(time.Duration(i) * time.Minute)
	return ticket.Ticket{
		ID:       fmt.Sprintf("INC%07d", i),
		Created:  created,
		Priority: []string{"P1", "P2", "P3", "P4"}[i%4],
		Type:     "incident",
		Group:    []string{"Service Desk", "Network", "Database"}[i%3],
		Fields:   map[string]string{"customer": "ACME Corp", "service": "web-shop", "category": "network"},
		History: []ticket.StatusChange{
			{At: created, Status: "New", Category: ticket.Open},
			{At: created.Add(7 * time.Minute), Status: "In Progress", Category: ticket.Open},
			{At: created.Add(40 * time.Minute), Status: "On Hold", Category: ticket.Paused},
			{At: created.Add(3 * time.Hour), Status: "In Progress", Category: ticket.Open},
			{At: created.Add(5 * time.Hour), Status: "Resolved", Category: ticket.Resolved},
			{At: created.Add(77 * time.Hour), Status: "Closed", Category: ticket.Closed},
		},
		FirstResponse: created.Add(7 * time.Minute),
		Rating:        ticket.Good,
		Reassignments: i % 3,
		WorkTime:      time.Duration(i%4) * 20 * time.Minute,
	}
}
