package github

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// token is the simulator's token; tests check it never shows in an error.
const token = "ghp_SimulatedToken0123456789abcdef"

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is a fake clock that sleeps advance, shared by the simulator and the source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) hooks() apisource.Hooks {
	return apisource.Hooks{
		Sleep: func(ctx context.Context, d time.Duration) error {
			c.Advance(d)
			return ctx.Err()
		},
		Rand: func() float64 { return 0.5 },
	}
}

// env is a simulator, its clock, and what a source of it needs.
type env struct {
	sim      *githubsim.Server
	clk      *clock
	dir      string
	requests *collector.Requests
}

func newEnv(t testing.TB, o githubsim.Options) *env {
	t.Helper()
	e := &env{clk: &clock{now: t0}, dir: t.TempDir(), requests: collector.NewRequests()}
	o.Token, o.Now = token, e.clk.Now
	if o.RateLimit == 0 {
		o.RateLimit = 1_000_000
	}
	e.sim = githubsim.New("acme", "support", o)
	t.Cleanup(e.sim.Close)
	if err := os.WriteFile(filepath.Join(e.dir, "token"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// node parses a github block: the simulator's url, the repository and the token file, then
// extra keys.
func (e *env) node(t testing.TB, extra string) *yaml.Node {
	t.Helper()
	doc := fmt.Sprintf("url: %s\nrepository: acme/support\nhttp_client_config:\n  authorization: {credentials_file: token}\n"+
		"rate_limit: {requests: 1000, per: 1s, burst: 1000}\n%s", e.sim.APIURL(), extra)
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	src, err := newSource(e.node(t, extra), collector.Options{Name: "gh", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}, e.clk.hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

var (
	alice = githubsim.User{Login: "alice"}
	bob   = githubsim.User{Login: "bob"}
	carol = githubsim.User{Login: "carol"}
	bot   = githubsim.User{Login: "helpdesk[bot]", Bot: true}
)

func optsFor(e *env) collector.Options {
	return collector.Options{Name: "gh", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}
}
