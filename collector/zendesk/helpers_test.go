package zendesk

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/zendesk/zendesksim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The simulator's credentials; tests check the token never shows in an error.
const (
	email = "agent@example.com"
	token = "zd_SimulatedApiToken0123456789abcdef"
	oauth = "zd_oauth_SimulatedAccessToken0123456789"
)

// Users of the simulated account.
const (
	system                 = 1 // Zendesk's own updates (automations, channel rule)
	alice, bob             = 11, 12
	carol, dave, erin      = 21, 22, 23
	serviceDesk, network   = 100, 200
	acme                   = 1
	productField, osField  = 360001, 360002
	vipPolicy, standardSLA = 51, 52
)

// utc reads "2006-01-02 15:04" in UTC.
func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// policies are the account's SLA policies: VIP (tickets tagged vip, none here) first, then
// Standard for every ticket: by priority, first reply and requester wait in business hours.
func policies() []zendesksim.Policy {
	targets := []struct {
		priority     string
		reply, solve int // minutes
	}{{"urgent", 30, 4 * 60}, {"high", 60, 8 * 60}, {"normal", 4 * 60, 16 * 60}, {"low", 8 * 60, 24 * 60}}
	std := zendesksim.Policy{ID: standardSLA, Title: "Standard", Position: 2}
	vip := zendesksim.Policy{ID: vipPolicy, Title: "VIP", Position: 1,
		All: []zendesksim.Condition{{Field: "current_tags", Operator: "includes", Value: "vip"}}}
	for _, t := range targets {
		std.Metrics = append(std.Metrics,
			zendesksim.PolicyMetric{Priority: t.priority, Metric: zendesksim.FirstReplyTime, Target: t.reply, BusinessHours: true},
			zendesksim.PolicyMetric{Priority: t.priority, Metric: zendesksim.RequesterWaitTime, Target: t.solve, BusinessHours: true})
		vip.Metrics = append(vip.Metrics, zendesksim.PolicyMetric{Priority: t.priority, Metric: zendesksim.FirstReplyTime, Target: 5})
	}
	return []zendesksim.Policy{std, vip}
}

// env is a simulator, its clock, and what a source of it needs.
type env struct {
	sim      *zendesksim.Server
	clk      *apitest.Clock
	dir      string
	requests *collector.Requests
}

func newEnv(t testing.TB, start time.Time, o zendesksim.Options) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(start), dir: t.TempDir(), requests: collector.NewRequests()}
	o.Email, o.Token, o.OAuth, o.Now = email, token, oauth, e.clk.Now
	o.Agents = append(o.Agents, alice, bob)
	if o.Policies == nil {
		o.Policies = policies()
	}
	e.sim = zendesksim.New(o)
	t.Cleanup(e.sim.Close)
	apitest.WriteToken(t, e.dir, "token", token)
	apitest.WriteToken(t, e.dir, "oauth", oauth)
	return e
}

// baseConfig is the block the tests configure, before the url and extra keys.
const baseConfig = `http_client_config:
  basic_auth: {username: agent@example.com/token, password_file: token}
groups: {"100": Service desk, "200": Network}
brands: {"1": Acme}
tag_fields: {customer: "customer_(.+)"}
custom_fields: {product: 360001, os: 360002}
`

func (e *env) node(t testing.TB, extra string) *yaml.Node {
	t.Helper()
	return apitest.Node(t, fmt.Sprintf("url: %s\n%s%s", e.sim.URL, baseConfig, extra))
}

func (e *env) opts() collector.Options {
	return collector.Options{Name: "zd", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}
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

func idsOf(ts []ticket.Ticket) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}
