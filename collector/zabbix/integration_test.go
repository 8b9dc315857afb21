package zabbix

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// TestRealZabbix plays the scenario on a real Zabbix 6.0 (deploy/ci/install-zabbix.sh): hosts,
// trapper items, triggers, maintenance, a service and its SLA made through the API, values sent
// to the server's trapper; it syncs three times through a recording proxy and checks every
// series and the SLA's figures against the values worked out by hand in scenario_test.go, and
// the requests each sync cost. With -record
// it writes what passed to testdata/recorded/sync.json for the replay tests.
func TestRealZabbix(t *testing.T) {
	z := startZabbix(t)
	token := z.setUp()
	rec := newRecorder(t, z.url)
	requests := collector.NewRequests()
	clk := &testClock{}
	node := scenarioNode(t, rec.srv.URL+"/", writeToken(t, token))
	src, err := newSource(node, collector.Options{Name: "zabbix", Requests: requests, Now: clk.now}, apisource.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	fixture := recording{Token: "<scrubbed>"}
	var cp []byte
	for i, w := range wantSyncs {
		if vals := phaseValues(i); vals != nil {
			z.send(vals...)
		}
		z.waitEvents(wantEvents[i])
		z.waitServiceAlarms(1)
		clk.t = w.at
		before := sum(requests.Counts("zabbix"))
		b, err := src.Sync(t.Context(), cp)
		if err != nil {
			t.Fatalf("sync %q: %v", w.name, err)
		}
		checkSync(t, w, b)
		checkSLIs(t, w, src.ToolSLIs())
		if n := sum(requests.Counts("zabbix")) - before; n != w.requests {
			t.Errorf("sync %q: %d requests, want %d", w.name, n, w.requests)
		}
		cp = b.Checkpoint
		fixture.Syncs = append(fixture.Syncs, scrub(t, rec.take(), token, z.session))
	}
	if t.Failed() {
		return
	}
	if *record {
		writeRecording(t, fixture)
		t.Logf("wrote %s", recordingPath)
	}
}

// scenarioNode is the scenario's block with its url and token file.
func scenarioNode(t testing.TB, url, tokenFile string) *yaml.Node {
	t.Helper()
	return scenarioNodeFor(t, fmt.Sprintf(scenarioConfig, url, tokenFile))
}

// scenarioNodeFor parses a block.
func scenarioNodeFor(t testing.TB, block string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(block), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}

// setUp makes the scenario's groups, hosts, items, triggers and maintenance as Admin, and an
// API token for the source.
func (z *zbxServer) setUp() string {
	t := z.t
	t.Helper()
	var ids struct {
		GroupIDs   []string `json:"groupids"`
		HostIDs    []string `json:"hostids"`
		TriggerIDs []string `json:"triggerids"`
		TokenIDs   []string `json:"tokenids"`
	}
	groups := map[string]string{}
	for _, g := range []string{"SLA shop", "SLA db"} {
		z.call("hostgroup.create", map[string]any{"name": g}, &ids)
		groups[g] = ids.GroupIDs[0]
	}
	hosts := map[string]string{}
	for _, h := range []struct{ host, group string }{{"web1", "SLA shop"}, {"web2", "SLA shop"}, {"db1", "SLA db"}} {
		z.call("host.create", map[string]any{"host": h.host, "groups": []map[string]string{{"groupid": groups[h.group]}}}, &ids)
		hosts[h.host] = ids.HostIDs[0]
		// A trapper item (type 2) of unsigned integers (value_type 3), keeping history long
		// enough for the scenario's dates (older values are dropped).
		z.call("item.create", map[string]any{"hostid": ids.HostIDs[0], "name": "up", "key_": "up", "type": 2, "value_type": 3, "history": "3650d", "trends": "3650d"}, nil)
	}
	z.call("trigger.create", []map[string]any{
		{"description": "web1 down", "expression": "last(/web1/up)=0", "priority": 4},
		{"description": "web1 not up", "expression": "last(/web1/up)<>1", "priority": 3},
		{"description": "web1 slow", "expression": "last(/web1/up)=2", "priority": 2},
		{"description": "web2 down", "expression": "last(/web2/up)=0", "priority": 4},
		{"description": "db1 down", "expression": "last(/db1/up)=0", "priority": 5, "tags": []map[string]string{{"tag": "service", "value": "db"}}},
	}, &ids)
	unix := func(s string) string { return strconv.FormatInt(utc(s).Unix(), 10) }
	shop := []map[string]string{{"groupid": groups["SLA shop"]}}
	for _, m := range []map[string]any{
		{"name": "M1 web2 once", "active_since": unix("2025-03-31 00:00"), "active_till": unix("2025-04-01 00:00"),
			"hosts":       []map[string]string{{"hostid": hosts["web2"]}},
			"timeperiods": []map[string]any{{"timeperiod_type": 0, "start_date": unix("2025-03-31 11:00"), "period": 3600}}},
		{"name": "M2 shop daily", "active_since": unix("2025-03-25 00:00"), "active_till": unix("2025-04-30 00:00"), "groups": shop,
			"timeperiods": []map[string]any{{"timeperiod_type": 2, "every": 1, "start_time": 2 * 3600, "period": 3600}}},
		{"name": "M3 shop weekly", "active_since": unix("2025-03-01 00:00"), "active_till": unix("2025-06-01 00:00"), "groups": shop,
			"timeperiods": []map[string]any{{"timeperiod_type": 3, "every": 1, "dayofweek": 1, "start_time": 6 * 3600, "period": 7200}}},
		{"name": "M4 shop monthly", "active_since": unix("2025-01-01 00:00"), "active_till": unix("2025-12-31 00:00"), "groups": shop,
			"timeperiods": []map[string]any{{"timeperiod_type": 4, "every": 5, "dayofweek": 64, "month": 4095, "start_time": 3 * 3600, "period": 3600}}},
		{"name": "M5 shop tagged", "active_since": unix("2025-03-31 00:00"), "active_till": unix("2025-04-01 00:00"), "groups": shop,
			"tags":        []map[string]any{{"tag": "service", "operator": 2, "value": "shop"}},
			"timeperiods": []map[string]any{{"timeperiod_type": 0, "start_date": unix("2025-03-31 08:00"), "period": 3600}}},
	} {
		z.call("maintenance.create", m, nil)
	}
	// A service made of db1's problems (problem tag service=db, operator 0: equals), its
	// status the most critical of its problems (algorithm 1), tagged for the SLA below.
	z.call("service.create", map[string]any{"name": "DB service", "algorithm": 1, "sortorder": 0,
		"problem_tags": []map[string]any{{"tag": "service", "operator": 0, "value": "db"}},
		"tags":         []map[string]string{{"tag": "sla", "value": "db"}}}, nil)
	// Zabbix counts a service's SLI from its creation (services.created_at, which the API
	// sets to the present and does not change): the service is dated back, as though it had
	// been made before the scenario's days.
	z.sql(fmt.Sprintf("UPDATE services SET created_at = %d", utc("2025-01-01 00:00").Unix()))
	// The SLA over the services tagged sla=db (operator 0: equals): monthly (period 2) in
	// Europe/Rome, 99.9%, all week (no schedule), with an excluded downtime.
	z.call("sla.create", map[string]any{"name": "DB SLA", "period": 2, "slo": "99.9", "timezone": "Europe/Rome",
		"effective_date": utc("2025-01-01 00:00").Unix(),
		"service_tags":   []map[string]any{{"tag": "sla", "operator": 0, "value": "db"}},
		"excluded_downtimes": []map[string]any{{"name": "DB upgrade",
			"period_from": utc("2025-03-31 12:00").Unix(), "period_to": utc("2025-03-31 13:00").Unix()}}}, nil)
	z.call("token.create", map[string]any{"name": "sla_exporter test", "userid": "1"}, &ids)
	var gen []struct {
		Token string `json:"token"`
	}
	z.call("token.generate", ids.TokenIDs, &gen)
	if len(gen) != 1 || gen[0].Token == "" {
		t.Fatalf("token.generate gave %v", gen)
	}
	return gen[0].Token
}

// waitEvents waits until Zabbix holds n trigger events: the server writes them a moment after
// it takes the values.
func (z *zbxServer) waitEvents(n int) {
	z.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got string
		z.call("event.get", map[string]any{"source": 0, "object": 0, "countOutput": true}, &got)
		if got == strconv.Itoa(n) {
			return
		}
		if time.Now().After(deadline) {
			z.t.Fatalf("Zabbix holds %s trigger events after 60 s, want %d", got, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitServiceAlarms waits until the service "DB service" has n status changes: Zabbix's service
// manager writes them a moment after the events.
func (z *zbxServer) waitServiceAlarms(n int) {
	z.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var svcs []service
		z.call("service.get", map[string]any{"output": []string{"serviceid", "name"}, "filter": map[string]any{"name": "DB service"},
			"selectStatusTimeline": []map[string]int64{{"period_from": 0, "period_to": time.Now().Unix()}}}, &svcs)
		if len(svcs) == 1 && len(svcs[0].Timeline) == 1 && len(svcs[0].Timeline[0].Alarms) >= n {
			return
		}
		if time.Now().After(deadline) {
			z.t.Fatalf("the service has not %d status changes after 60 s: %+v", n, svcs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
