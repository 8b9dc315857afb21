package zabbix

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
)

// dbSLA and dbEntry are the scenario's SLA and its entry, the service's id 1.
var (
	dbSLA     = slaObject{SLAID: "1", Name: "DB SLA", SLO: "99.9"}
	dbEntry   = slaSel{index: 0, name: "DB SLA", series: "db-service", service: "DB service"}
	dbService = map[string]string{"DB service": "1"}
)

// TestSLIFigures maps answers of sla.getsli other than the scenario's: a period Zabbix
// counted nothing of, a service outside the SLA, and answers of the wrong shape.
func TestSLIFigures(t *testing.T) {
	now := at("11:30")
	slo := 99.9 // as the source reads it: "99.9" divided by 100 at run time
	// February and March in Europe/Rome, as the scenario's.
	const periods = `"periods":[{"period_from":1738364400,"period_to":1740783600},{"period_from":1740783600,"period_to":1743458400}]`
	cell := func(up, down int, sli string) string {
		return `{"uptime":` + strconv.Itoa(up) + `,"downtime":` + strconv.Itoa(down) + `,"sli":` + sli + `,"error_budget":0,"excluded_downtimes":[]}`
	}
	tests := []struct {
		name     string
		result   string
		want     []collector.ToolSLI
		rejected []collector.Rejection
		err      string
	}{
		{
			// The service was made in March: nothing counted in February (sli -1), so no
			// figure; March's 3,600 s down of 7,200 counted is 50%.
			name:   "a period not counted",
			result: `{` + periods + `,"serviceids":[1],"sli":[[` + cell(0, 0, "-1") + `],[` + cell(3600, 3600, "50") + `]]}`,
			want: []collector.ToolSLI{{Tool: "Zabbix", Name: "DB SLA", Series: "db-service", From: time.Unix(1740783600, 0), To: time.Unix(1743458400, 0),
				At: now, SLI: 0.5, SLO: slo / 100, Uptime: time.Hour, Downtime: time.Hour}},
		},
		{
			// Zabbix leaves out the services the SLA's service tags do not match.
			name:   "the service not in the SLA",
			result: `{` + periods + `,"serviceids":[],"sli":[[],[]]}`,
			rejected: []collector.Rejection{{Where: `SLA "DB SLA"`, Setting: "zabbix.slas[0].series",
				Reason: `service "DB service" is not one of SLA "DB SLA"'s services (its tags do not match the SLA's service tags)`, Rule: "a service is not in its SLA", Setup: true}},
		},
		{name: "rows missing", result: `{` + periods + `,"serviceids":[1],"sli":[[` + cell(1, 0, "100") + `]]}`,
			err: `sla.getsli: SLA "DB SLA": 1 rows of figures for 2 periods`},
		{name: "a row short", result: `{` + periods + `,"serviceids":[1],"sli":[[` + cell(1, 0, "100") + `],[]]}`,
			err: `sla.getsli: SLA "DB SLA": period 1 has figures for 0 services of 1`},
		{name: "a period reversed", result: `{"periods":[{"period_from":1740783600,"period_to":1738364400}],"serviceids":[1],"sli":[[` + cell(1, 0, "100") + `]]}`,
			err: `sla.getsli: SLA "DB SLA": period 0 ends (1738364400) before it starts (1740783600)`},
		{name: "an SLI over 100", result: `{` + periods + `,"serviceids":[1],"sli":[[` + cell(1, 0, "100") + `],[` + cell(1, 0, "100.5") + `]]}`,
			err: `sla.getsli: SLA "DB SLA": period 1: sli 100.5, uptime 1, downtime 0 or error budget 0 is out of range for a period of 2674800 s`},
		// March is 2,674,800 s long: 2,674,801 s up cannot be.
		{name: "more time than the period", result: `{` + periods + `,"serviceids":[1],"sli":[[` + cell(1, 0, "100") + `],[` + cell(2674801, 0, "100") + `]]}`,
			err: `sla.getsli: SLA "DB SLA": period 1: sli 100, uptime 2674801, downtime 0 or error budget 0 is out of range for a period of 2674800 s`},
		{name: "an SLI not a number", result: `{` + periods + `,"serviceids":[1],"sli":[[` + cell(1, 0, `"n/a"`) + `],[` + cell(1, 0, "100") + `]]}`,
			err: `sla.getsli: SLA "DB SLA": period 0: sli "n/a" is not a number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := newReplayer(t)
			rp.expect([]exchange{{Call: `sla.getsli {"period_to":1743420600,"periods":2,"serviceids":["1"],"slaid":"1"}`, Status: 200,
				Body: json.RawMessage(`{"jsonrpc":"2.0","result":` + tc.result + `,"id":1}`)}})
			c := replayConn(t, rp)
			got, rejected, err := c.sli(dbSLA, []slaSel{dbEntry}, dbService, now)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("figures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.rejected, rejected); diff != "" {
				t.Errorf("rejected (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSLAByName: an SLA Zabbix has not, or has twice, is a rejection naming the setting, and
// no sla.getsli is made for it; an SLA whose series' service is rejected is not asked for.
func TestSLAByName(t *testing.T) {
	get := `sla.get {"filter":{"name":["DB SLA"]},"output":["slaid","name","slo"],"sortfield":"slaid"}`
	tests := []struct {
		name   string
		result string
		want   collector.Rejection
	}{
		{"none", `[]`, collector.Rejection{Where: `SLA "DB SLA"`, Setting: "zabbix.slas[0].name",
			Reason: `no SLA "DB SLA" in Zabbix (or the token's user may not read it)`, Rule: "an SLA is not in Zabbix", Setup: true}},
		{"two", `[{"slaid":"1","name":"DB SLA","slo":"99.9"},{"slaid":"2","name":"DB SLA","slo":"99"}]`, collector.Rejection{Where: `SLA "DB SLA"`,
			Setting: "zabbix.slas[0].name", Reason: `2 SLAs are named "DB SLA": rename them apart`, Rule: "an SLA name is not unique", Setup: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := newReplayer(t)
			rp.expect([]exchange{{Call: get, Status: 200, Body: json.RawMessage(`{"jsonrpc":"2.0","result":` + tc.result + `,"id":1}`)}})
			got, rejected, err := replayConn(t, rp).toolSLIs([]slaSel{dbEntry}, dbService, at("11:30"))
			if err != nil || got != nil {
				t.Fatalf("figures %v, error %v", got, err)
			}
			if diff := cmp.Diff([]collector.Rejection{tc.want}, rejected); diff != "" {
				t.Errorf("rejected (-want +got):\n%s", diff)
			}
		})
	}
	// The service is not in Zabbix (its series is rejected for it): no call at all.
	rp := newReplayer(t)
	got, rejected, err := replayConn(t, rp).toolSLIs([]slaSel{dbEntry}, map[string]string{}, at("11:30"))
	if got != nil || rejected != nil || err != nil {
		t.Errorf("figures %v, rejected %v, error %v; want nothing", got, rejected, err)
	}
}

// replayConn is a sync's connection to a replayer, as a Zabbix 6.0 with the replay token.
func replayConn(t *testing.T, rp *replayer) *conn {
	t.Helper()
	src := replaySource(t, rp, collector.NewRequests(), &testClock{t: at("11:30")})
	return &conn{s: src.client.Session(t.Context()), api: src.p.api, token: replayToken, version: version{6, 0}}
}
