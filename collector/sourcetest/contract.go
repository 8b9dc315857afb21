// Package sourcetest helps test sources and what runs them: RunContract checks the promises of
// collector.Source that every kind must keep, Fake is a source a test scripts call by call, and
// Ticket makes realistic tickets.
package sourcetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// RunContract checks that sources made by newSource keep the collector.Source contract:
//
//   - a cancelled or expired context makes Sync return an error wrapping ctx.Err();
//   - a successful Sync returns a checkpoint;
//   - Sync is resumable: given the checkpoint of the previous sync, it does not return the same
//     tickets again (unless its batch is a Replace snapshot), and it accepts its own checkpoint
//     once more.
//
// newSource is called for each check, so checks do not see each other's state. A Sync that
// ignores its context hangs the check until the test binary's -timeout, which names it.
func RunContract(t *testing.T, newSource func() collector.Source) {
	t.Helper()
	runContract(testingT{t}, newSource)
}

// tb is the part of *testing.T the contract uses, so that a test can check that the contract
// catches the breaches it is about.
type tb interface {
	Helper()
	Context() context.Context
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Run(name string, f func(tb))
}

type testingT struct{ *testing.T }

func (t testingT) Run(name string, f func(tb)) {
	t.T.Run(name, func(t *testing.T) { f(testingT{t}) })
}

func runContract(t tb, newSource func() collector.Source) {
	t.Helper()
	t.Run("cancelled context", func(t tb) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		checkCtxErr(t, newSource(), ctx)
	})
	t.Run("expired deadline", func(t tb) {
		ctx, cancel := context.WithDeadline(t.Context(), time.Unix(0, 0))
		defer cancel()
		checkCtxErr(t, newSource(), ctx)
	})
	t.Run("returns a checkpoint", func(t tb) {
		b, err := newSource().Sync(t.Context(), nil)
		if err != nil {
			t.Fatalf("first sync: %v", err)
		}
		if b.Checkpoint == nil {
			t.Errorf("first sync returned a nil checkpoint: the next one could not resume")
		}
	})
	t.Run("resumable", func(t tb) {
		src := newSource()
		first, err := src.Sync(t.Context(), nil)
		if err != nil {
			t.Fatalf("first sync: %v", err)
		}
		second, err := src.Sync(t.Context(), first.Checkpoint)
		if err != nil {
			t.Fatalf("sync from the first sync's checkpoint %q: %v", first.Checkpoint, err)
		}
		if !second.Replace {
			seen := map[string]*ticket.Ticket{}
			for i := range first.Tickets {
				seen[first.Tickets[i].ID] = &first.Tickets[i]
			}
			for i := range second.Tickets {
				tk := &second.Tickets[i]
				if old, ok := seen[tk.ID]; ok && cmp.Equal(*old, *tk) {
					t.Errorf("ticket %s returned again, unchanged, by the sync resuming from %q", tk.ID, first.Checkpoint)
				}
			}
		}
		if _, err := src.Sync(t.Context(), second.Checkpoint); err != nil {
			t.Errorf("sync from the second sync's checkpoint %q: %v", second.Checkpoint, err)
		}
	})
}

func checkCtxErr(t tb, src collector.Source, ctx context.Context) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := src.Sync(ctx, nil)
		done <- err
	}()
	err := <-done
	if !errors.Is(err, ctx.Err()) {
		t.Errorf("Sync with a done context returned %v, want an error wrapping %v", err, ctx.Err())
	}
}
