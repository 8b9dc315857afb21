package github

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/github/githubsim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// token is the simulator's token; tests check it never shows in an error.
const token = "ghp_SimulatedToken0123456789abcdef"

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is a simulator, its clock, and what a source of it needs.
type env struct {
	sim      *githubsim.Server
	clk      *apitest.Clock
	dir      string
	requests *collector.Requests
}

func newEnv(t testing.TB, o githubsim.Options) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(t0), dir: t.TempDir(), requests: collector.NewRequests()}
	o.Token, o.Now = token, e.clk.Now
	if o.RateLimit == 0 {
		o.RateLimit = 1_000_000
	}
	e.sim = githubsim.New("acme", "support", o)
	t.Cleanup(e.sim.Close)
	apitest.WriteToken(t, e.dir, "token", token)
	return e
}

// node parses a github block: the simulator's url, the repository and the token file, then
// extra keys.
func (e *env) node(t testing.TB, extra string) *yaml.Node {
	t.Helper()
	doc := fmt.Sprintf("url: %s\nrepository: acme/support\nhttp_client_config:\n  authorization: {credentials_file: token}\n"+
		"rate_limit: {requests: 1000, per: 1s, burst: 1000}\n%s", e.sim.APIURL(), extra)
	return apitest.Node(t, doc)
}

func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	src, err := newSource(e.node(t, extra), collector.Options{Name: "gh", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}, e.clk.Hooks())
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
