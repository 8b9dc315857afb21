package jira

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource/apitest"
	"github.com/sla-exporter/sla_exporter/collector/jira/jirasim"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The simulator's credentials; tests check the token never shows in an error.
const (
	email = "agent@example.com"
	token = "ATATT3xFfGF0SimulatedToken0123456789"
)

var berlin = mustLoc("Europe/Berlin")

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local reads "2006-01-02 15:04" in Berlin; utc in UTC.
func local(s string) time.Time { return parse(s, berlin) }
func utc(s string) time.Time   { return parse(s, time.UTC) }

func parse(s string, loc *time.Location) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC()
		}
	}
	panic("bad time " + s)
}

// office is the JSM SLA calendar of the tests: Monday to Friday, 09:00-17:00 in Berlin.
var office = &jirasim.Calendar{Loc: berlin, Open: 9 * time.Hour, Close: 17 * time.Hour,
	Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}

// jsmSLAs are the service project's SLAs: JSM's defaults, with goals by priority.
func jsmSLAs() []jirasim.SLA {
	return []jirasim.SLA{
		{FieldID: "customfield_10030", ID: "1", Name: "Time to first response", Response: true, Calendar: office,
			Goals: map[string]time.Duration{"High": time.Hour, "Medium": 2 * time.Hour}},
		{FieldID: "customfield_10031", ID: "2", Name: "Time to resolution", Calendar: office,
			Goals: map[string]time.Duration{"High": 4 * time.Hour, "Medium": 8 * time.Hour}, PauseStatuses: []string{"Waiting for customer"}},
	}
}

// env is a simulator, its clock, and what a source of it needs.
type env struct {
	sim      *jirasim.Server
	clk      *apitest.Clock
	dir      string
	requests *collector.Requests
	dc       bool
}

func newEnv(t testing.TB, now time.Time, o jirasim.Options) *env {
	t.Helper()
	e := &env{clk: apitest.NewClock(now), dir: t.TempDir(), requests: collector.NewRequests(), dc: o.DataCenter}
	o.Email, o.Token, o.Now = email, token, e.clk.Now
	if o.TimeZone == "" {
		o.TimeZone = "Europe/Berlin"
	}
	if o.SLAs == nil {
		o.SLAs = jsmSLAs()
	}
	if o.ResponseField == "" {
		o.ResponseField = "customfield_10020"
	}
	e.sim = jirasim.New(o)
	t.Cleanup(e.sim.Close)
	apitest.WriteToken(t, e.dir, "token", token)
	return e
}

// node is a jira block on the simulator with the credentials of its deployment, then extra keys.
func (e *env) node(t testing.TB, extra string) *yaml.Node {
	t.Helper()
	auth := "deployment: cloud\nhttp_client_config:\n  basic_auth: {username: " + email + ", password_file: token}\n"
	if e.dc {
		auth = "deployment: data_center\nhttp_client_config:\n  authorization: {type: Bearer, credentials_file: token}\n"
	}
	doc := fmt.Sprintf("url: %s\n%sjql: project = SUP\nrate_limit: {requests: 1000, per: 1s, burst: 1000}\n%s", e.sim.URL, auth, extra)
	return apitest.Node(t, doc)
}

func (e *env) opts() collector.Options {
	return collector.Options{Name: "jsm", Dir: e.dir, Now: e.clk.Now, Requests: e.requests}
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

// byID indexes tickets by id; a later ticket of an id replaces an earlier, as the store does.
func byID(tickets []ticket.Ticket) map[string]ticket.Ticket {
	out := map[string]ticket.Ticket{}
	for _, t := range tickets {
		out[t.ID] = t
	}
	return out
}

// deskConfig maps the JSM desk of the tests.
const deskConfig = `
statuses: {paused: [Waiting for customer], cancelled: [Canceled]}
fields: {component: components, request_type: customfield_10010, organization: customfield_10002}
first_response: {field: customfield_10020}
sla_fields: [customfield_10030, customfield_10031]
native_slas: {"Time to first response": response, "Time to resolution": resolution}
`
