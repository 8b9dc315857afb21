package sourcetest

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// counter is an incremental source: each sync returns the tickets numbered from the checkpoint
// on, and a ticket changed since (number 0 is re-reported changed, as an overlapping window
// would).
type counter struct {
	perSync int
	// replayUnchanged breaks the contract by re-reporting the last ticket unchanged.
	replayUnchanged bool
	// ignoreCtx breaks the contract by not checking the context.
	ignoreCtx bool
}

func (c *counter) Sync(ctx context.Context, checkpoint []byte) (collector.Batch, error) {
	if !c.ignoreCtx {
		if err := ctx.Err(); err != nil {
			return collector.Batch{}, err
		}
	}
	from := 0
	if checkpoint != nil {
		n, err := strconv.Atoi(string(checkpoint))
		if err != nil {
			return collector.Batch{}, err
		}
		from = n
	}
	var b collector.Batch
	if from > 0 {
		changed := Ticket(0)
		changed.Priority = "P1-" + strconv.Itoa(from)
		b.Tickets = append(b.Tickets, changed)
		if c.replayUnchanged {
			b.Tickets = append(b.Tickets, Ticket(from-1))
		}
	}
	for i := from; i < from+c.perSync; i++ {
		b.Tickets = append(b.Tickets, Ticket(i))
	}
	b.Checkpoint = []byte(strconv.Itoa(from + c.perSync))
	return b, nil
}

func TestRunContract_IncrementalSource(t *testing.T) {
	RunContract(t, func() collector.Source { return &counter{perSync: 3} })
}

func TestRunContract_ReplaceSourceMayRepeat(t *testing.T) {
	RunContract(t, func() collector.Source { return replaceAll{} })
}

type replaceAll struct{}

func (replaceAll) Sync(ctx context.Context, _ []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	return collector.Batch{Tickets: []ticket.Ticket{Ticket(1)}, Checkpoint: []byte{}, Replace: true}, nil
}

// The contract's checks must catch the breaches they are about: run them on a recorder and look
// at the verdict.
func TestRunContract_CatchesBreaches(t *testing.T) {
	tests := []struct {
		name string
		src  func() collector.Source
		want []string // failed checks
	}{
		{"replays unchanged tickets", func() collector.Source { return &counter{perSync: 2, replayUnchanged: true} }, []string{"resumable"}},
		{"ignores its context", func() collector.Source { return &counter{perSync: 2, ignoreCtx: true} }, []string{"cancelled context", "expired deadline"}},
		{"returns no checkpoint", func() collector.Source { return noCheckpoint{} }, []string{"returns a checkpoint"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{ctx: t.Context()}
			runContract(r, tt.src)
			if diff := cmp.Diff(tt.want, r.failed); diff != "" {
				t.Errorf("failed checks (-want +got):\n%s", diff)
			}
		})
	}
}

// recorder is a tb that notes which checks failed instead of failing the test.
type recorder struct {
	ctx    context.Context
	name   string
	failed []string
	mu     sync.Mutex
}

func (r *recorder) Helper()                  {}
func (r *recorder) Context() context.Context { return r.ctx }
func (r *recorder) Errorf(string, ...any)    { r.fail() }

// Fatalf ends the check's goroutine, as testing.T's does.
func (r *recorder) Fatalf(string, ...any) {
	r.fail()
	runtime.Goexit()
}

func (r *recorder) fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.failed, r.name) {
		r.failed = append(r.failed, r.name)
	}
}

// Run runs f on its own goroutine so that Fatalf can end it, and waits.
func (r *recorder) Run(name string, f func(tb)) {
	r.name = name
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

type noCheckpoint struct{}

func (noCheckpoint) Sync(ctx context.Context, _ []byte) (collector.Batch, error) {
	return collector.Batch{}, ctx.Err()
}
