package servicenow

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/servicenow/servicenowsim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The simulator's credentials; tests check they never show in an error.
const (
	user     = "sla_exporter"
	password = "Sn0w-Simulated-Password-42"
)

// t0 is Monday 2026-03-02 08:00 UTC.
var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// env is a simulator, its clock, and what a source of it needs.
type env struct {
	sim      *servicenowsim.Server
	clk      *apitest.Clock
	dir      string
	requests *collector.Requests
}

func newEnv(t testing.TB, o servicenowsim.Options) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(t0), dir: t.TempDir(), requests: collector.NewRequests()}
	o.User, o.Password, o.Now = user, password, e.clk.Now
	e.sim = servicenowsim.New(o)
	t.Cleanup(e.sim.Close)
	apitest.WriteToken(t, e.dir, "password", password)
	return e
}

// node parses a servicenow block: the simulator's url and basic auth, then extra keys.
func (e *env) node(t testing.TB, extra string) *yaml.Node {
	t.Helper()
	doc := fmt.Sprintf("url: %s\nhttp_client_config:\n  basic_auth: {username: %s, password_file: password}\n"+
		"rate_limit: {requests: 1000, per: 1s, burst: 1000}\n%s", e.sim.URL, user, extra)
	return apitest.Node(t, doc)
}

func (e *env) opts() collector.Options {
	return collector.Options{Name: "snow", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}
}

func (e *env) source(t testing.TB, extra string) *Source {
	t.Helper()
	src, err := newSource(e.node(t, extra), e.opts(), e.clk.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

// at is t0 plus minutes.
func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// utc reads "2006-01-02 15:04" in UTC.
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func byID(ts []ticket.Ticket) map[string]ticket.Ticket {
	out := map[string]ticket.Ticket{}
	for _, t := range ts {
		out[t.ID] = t
	}
	return out
}

func idsOf(ts []ticket.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}
