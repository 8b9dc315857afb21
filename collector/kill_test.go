package collector_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
	"github.com/sla-exporter/sla_exporter/collector/store"
	"github.com/sla-exporter/sla_exporter/slo/availability"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

// killChildDir, when set, makes TestKill9 the child: it syncs into the store in that folder
// until killed.
const killChildDir = "SLA_EXPORTER_TEST_KILL_CHILD_DIR"

// perBatch is the number of tickets in each batch of the child's source.
const perBatch = 50

// generator returns batch k+1 when resuming from checkpoint k: tickets numbered
// k*perBatch ... (k+1)*perBatch-1 and one sample, at once, forever.
type generator struct{}

func (generator) Sync(ctx context.Context, checkpoint []byte) (collector.Batch, error) {
	if err := ctx.Err(); err != nil {
		return collector.Batch{}, err
	}
	k := 0
	if checkpoint != nil {
		var err error
		if k, err = strconv.Atoi(string(checkpoint)); err != nil {
			return collector.Batch{}, err
		}
	}
	b := collector.Batch{
		Tickets:    make([]ticket.Ticket, perBatch),
		Uptime:     []collector.UptimeSeries{{Series: "web", Samples: []availability.Sample{{At: at(k), State: availability.Up}}}},
		Checkpoint: []byte(strconv.Itoa(k + 1)),
	}
	for i := range b.Tickets {
		b.Tickets[i] = sourcetest.Ticket(k*perBatch + i)
	}
	return b, nil
}

func killConfig(src collector.Source) collector.SourceConfig {
	// An interval of 1ns syncs back to back: the child spends its life committing.
	return collector.SourceConfig{Name: "desk", Type: "generator", Source: src, Interval: time.Nanosecond, Hash: "h"}
}

// killChild runs the runner over the generator and prints the number of each batch once it is
// applied, which the runner does only after the batch and its checkpoint are committed.
func killChild(dir string) {
	db, err := store.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r := collector.NewRunner(collector.RunnerOptions{Store: db})
	if err := r.Update([]collector.SourceConfig{killConfig(generator{})}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	go func() { _ = r.Run(context.Background()) }()
	last := 0
	for range r.Changed() {
		n := 0
		r.Read(func(d collector.Data) { n = d.Tickets["desk"].Len() })
		if k := n / perBatch; k > last {
			last = k
			fmt.Println(k) // a parent gone away kills us with SIGPIPE here
		}
	}
}

// TestKill9 kills a process in the middle of syncing and checks that the store holds the last
// batch it reported committed (or a later one), with all of that batch's records and none of a
// batch it did not commit, and that the source then resumes from that checkpoint.
func TestKill9(t *testing.T) {
	if dir := os.Getenv(killChildDir); dir != "" {
		killChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildDir+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	printed := 0
	for range 8 {
		if !lines.Scan() {
			t.Fatalf("child stopped after batch %d: %v", printed, lines.Err())
		}
		n, err := strconv.Atoi(lines.Text())
		if err != nil {
			t.Fatalf("child printed %q", lines.Text())
		}
		printed = n
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred function runs
		t.Fatal(err)
	}
	_ = cmd.Wait()

	db, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Load("desk")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := strconv.Atoi(string(st.Checkpoint))
	if err != nil {
		t.Fatalf("stored checkpoint %q: %v", st.Checkpoint, err)
	}
	t.Logf("child printed batch %d, store holds batch %d", printed, committed)
	if committed < printed {
		t.Errorf("store holds checkpoint %d, but batch %d was reported committed", committed, printed)
	}
	if len(st.Tickets) != committed*perBatch {
		t.Errorf("store holds %d tickets with checkpoint %d, want %d: records and checkpoint disagree", len(st.Tickets), committed, committed*perBatch)
	}
	ids := map[string]bool{}
	for _, tk := range st.Tickets {
		ids[tk.ID] = true
	}
	for i := range committed * perBatch {
		if id := sourcetest.Ticket(i).ID; !ids[id] {
			t.Errorf("ticket %s of a committed batch is missing", id)
			break
		}
	}
	if n := len(st.Uptime["web"].Samples); n != committed {
		t.Errorf("%d samples stored with checkpoint %d", n, committed)
	}

	// A new runner resumes from the stored checkpoint.
	f := sourcetest.NewFake()
	r := collector.NewRunner(collector.RunnerOptions{Store: db})
	if err := r.Update([]collector.SourceConfig{killConfig(f)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	c := <-f.Calls()
	if got := string(c.Checkpoint); got != strconv.Itoa(committed) {
		t.Errorf("resumed from checkpoint %q, want %d", got, committed)
	}
	cancel()
	<-done
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
