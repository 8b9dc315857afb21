package redmine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// replayConfig is scenarioConfig with the key the replay server checks, as a secret.
func replayConfig(t *testing.T, url string) string {
	return fmt.Sprintf(scenarioConfig, url, keyFile(t, replayKey))
}

// TestReplaySync replays the real Redmine's answers to the scenario's three syncs: the same
// tickets as TestRealRedmine expects, from the same requests, each made once, with the key sent
// from its file.
func TestReplaySync(t *testing.T) {
	rp, srv := newReplayer(t)
	src := newSourceT(t, replayConfig(t, srv.URL))

	rp.load(readRecording(t, "sync1"))
	b1, err := src.Sync(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rp.check(t, "sync1")
	if diff := cmp.Diff(wantFirstSync(), b1.Tickets); diff != "" {
		t.Errorf("first sync's tickets (-want +got):\n%s", diff)
	}

	rp.load(readRecording(t, "sync2"))
	b2, err := src.Sync(t.Context(), b1.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	rp.check(t, "sync2")
	if diff := cmp.Diff(wantSecondSync(), b2.Tickets); diff != "" {
		t.Errorf("second sync's tickets (-want +got):\n%s", diff)
	}

	rp.load(readRecording(t, "sync3"))
	b3, err := src.Sync(t.Context(), b2.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	rp.check(t, "sync3")
	if len(b3.Tickets)+len(b3.Rejected) != 0 {
		t.Errorf("third sync: %d tickets, %d rejections, want none", len(b3.Tickets), len(b3.Rejected))
	}
	// 5 + 3 + 1 requests, every one with the key.
	if diff := cmp.Diff(map[string]int{replayKey: 9}, rp.keys); diff != "" {
		t.Errorf("X-Redmine-API-Key sent (-want +got):\n%s", diff)
	}

	// The checkpoint after the second sync: the watermark is C's update, Wed 09:00; the issues
	// updated since 08:58 (the 2m overlap) are C alone. The first sync read the listing whole,
	// which counts as a reconciliation, at the clock's Wed 12:00.
	want := `{"config":"` + src.plan.fingerprint() + `","driver":{"v":1,"watermark":"2026-03-04T09:00:00Z","seen":{"3":"2026-03-04T09:00:00Z"},"complete":true,"reconciled":"2026-03-04T12:00:00Z"}}`
	if string(b2.Checkpoint) != want {
		t.Errorf("checkpoint\n%s, want\n%s", b2.Checkpoint, want)
	}
	checkClocks(t, append(b1.Tickets, b2.Tickets...))
}

// TestRecordingsScrubbed checks that no recording holds anything like an API key: Redmine's keys
// are 40 hex digits, and the users' objects (which would show theirs) are never fetched.
func TestRecordingsScrubbed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "recorded", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := hexKey.Find(b); m != nil {
			t.Errorf("%s holds %q, which looks like an API key", f, m)
		}
	}
}

var hexKey = regexp.MustCompile(`[0-9a-f]{40}`)
