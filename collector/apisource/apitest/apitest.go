// Package apitest is what the tests of the kinds on collector/apisource share: a fake clock
// that the client's backoff advances instead of sleeping, and the files and YAML a source's
// configuration needs.
package apitest

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Clock is a fake clock, shared by a simulator and the source under test, so that a test
// decides what time it is and a retry's wait costs no wall time. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a clock standing at now.
func NewClock(now time.Time) *Clock { return &Clock{now: now} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to at.
func (c *Clock) Set(at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = at
}

// Advance moves the clock d on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Hooks are the client's hooks on the clock: a sleep advances it, and the jitter is always
// the middle of its range, so that the waits are the same on every run.
func (c *Clock) Hooks() apisource.Hooks {
	return apisource.Hooks{
		Sleep: func(ctx context.Context, d time.Duration) error {
			c.Advance(d)
			return ctx.Err()
		},
		Rand: func() float64 { return 0.5 },
	}
}

// WriteToken writes token, newline-ended as an editor leaves it, to dir/name for
// http_client_config to read, and returns the file's path.
func WriteToken(t testing.TB, dir, name, token string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Node parses doc, a source's block, into the node a kind's New takes.
func Node(t testing.TB, doc string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}
