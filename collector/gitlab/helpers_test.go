package gitlab

import (
	"flag"
	"fmt"
	"net/http"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/gitlab/gitlabsim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// token is the simulator's token; tests check it never shows in an error.
const token = "glpat-SimulatedToken0123456789"

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type env struct {
	sim      *gitlabsim.Server
	clk      *apitest.Clock
	dir      string
	requests *collector.Requests
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(t0), dir: t.TempDir(), requests: collector.NewRequests()}
	e.sim = gitlabsim.New("acme/support", gitlabsim.Options{Token: token, RateLimit: 1_000_000, Now: e.clk.Now})
	t.Cleanup(e.sim.Close)
	apitest.WriteToken(t, e.dir, "token", token)
	return e
}

// node is a gitlab block: the simulator's url, the project, the token in a PRIVATE-TOKEN header
// read from a file, then extra keys.
func (e *env) node(t testing.TB, extra string) *yaml.Node {
	t.Helper()
	doc := fmt.Sprintf("url: %s\nproject: acme/support\nhttp_client_config:\n  http_headers:\n    PRIVATE-TOKEN: {files: [token]}\n"+
		"rate_limit: {requests: 1000, per: 1s, burst: 1000}\n%s", e.sim.APIURL(), extra)
	return apitest.Node(t, doc)
}

func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	src, err := newSource(e.node(t, extra), collector.Options{Name: "gl", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}, e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

var (
	alice = gitlabsim.User{Username: "alice"}
	bob   = gitlabsim.User{Username: "bob"}
	carol = gitlabsim.User{Username: "carol"}
	bot   = gitlabsim.User{Username: "support-bot", Bot: true}
)

// desk fills the simulator with n issues, one created a minute, with notes and closings.
func desk(sim *gitlabsim.Server, from, n int) {
	for i := from; i < from+n; i++ {
		is := gitlabsim.Issue{IID: i, Author: alice, Created: at(i), Updated: at(i), Labels: []string{fmt.Sprintf("priority::%d", 1+i%4)}}
		if i%3 == 0 {
			is.Notes = []gitlabsim.Note{{Author: bob, At: at(i + 7)}}
			is.Updated = at(i + 7)
		}
		if i%5 == 0 {
			is.State, is.Closed, is.Updated = "closed", at(i+60), at(i+60)
			is.States = []gitlabsim.StateEvent{{User: bob, At: at(i + 60), State: "closed"}}
		}
		sim.Add(is)
	}
}

// stripLink drops the Link header of every answer, as a proxy might.
type stripLink struct{ h http.Handler }

func (s stripLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.h.ServeHTTP(linkless{w}, r)
}

type linkless struct{ http.ResponseWriter }

func (l linkless) WriteHeader(code int) {
	l.Header().Del("Link")
	l.ResponseWriter.WriteHeader(code)
}

func (l linkless) Write(b []byte) (int, error) {
	l.Header().Del("Link")
	return l.ResponseWriter.Write(b)
}
