package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/slo"
)

func TestEndpoints(t *testing.T) {
	s := newDemoServer(t, func(o *Options) { o.Reload = func() error { return nil } })
	for _, tc := range []struct {
		method, target string
		header         http.Header
		status         int
		contentType    string // prefix
		body           string // substring
	}{
		{"GET", "/", nil, 200, "text/html; charset=utf-8", "incident-response"},
		{"GET", "/metrics", nil, 200, "text/plain; version=0.0.4", "sla_attainment_ratio{"},
		{"GET", "/metrics", http.Header{"Accept": {"application/openmetrics-text; version=1.0.0"}}, 200, "application/openmetrics-text", "# EOF"},
		{"HEAD", "/metrics", nil, 200, "text/plain", ""},
		{"GET", "/-/healthy", nil, 200, "text/plain", "Healthy"},
		{"GET", "/-/ready", nil, 200, "text/plain", "Ready"},
		{"POST", "/-/reload", nil, 200, "text/plain", "Reloaded"},
		{"GET", "/api/v1/objectives", nil, 200, "application/json", `"name": "incident-response"`},
		{"GET", "/api/v1/kpis", nil, 200, "application/json", `"name": "mttr-p1"`},
		{"GET", "/api/v1/contracts", nil, 200, "application/json", `"name": "hostco-hosting"`},
		{"GET", "/api/v1/objectives/incident-response/tickets", nil, 200, "application/json", `"cycles"`},
		{"GET", "/api/v1/objectives/incident-response/tickets?state=breached&format=csv", nil, 200, "text/csv; charset=utf-8", "ticket,cycle,priority"},
		{"GET", "/api/v1/objectives/incident-response/tickets", http.Header{"Accept": {"text/csv"}}, 200, "text/csv; charset=utf-8", "ticket,cycle,priority"},
		{"GET", "/api/v1/objectives/no-such-objective/tickets", nil, 404, "text/plain", "no such ticket objective"},
		{"GET", "/api/v1/objectives/webshop-availability/tickets", nil, 404, "text/plain", "no such ticket objective"},
		{"GET", "/api/v1/objectives/incident-response/tickets?state=bogus", nil, 400, "text/plain", `state "bogus" is not one of`},
		{"GET", "/-/reload", nil, 405, "text/plain", ""},
		{"POST", "/metrics", nil, 405, "text/plain", ""},
		{"DELETE", "/api/v1/objectives", nil, 405, "text/plain", ""},
		{"GET", "/no-such-page", nil, 404, "text/plain", ""},
		{"GET", "/api/v1/objectives/", nil, 404, "text/plain", ""},
		{"GET", "/objectives/incident-response", nil, 200, "text/html; charset=utf-8", "Breached tickets"},
		{"GET", "/objectives/webshop-availability", nil, 200, "text/html; charset=utf-8", "Error budget burn-down"},
		{"GET", "/objectives/no-such-objective", nil, 404, "text/html; charset=utf-8", "No objective is named &#34;no-such-objective&#34;."},
		{"GET", "/objectives/incident-response?period=2026-10", nil, 200, "text/html; charset=utf-8", "Breached tickets of 2026-10"},
		{"GET", "/objectives/incident-response?state=open", nil, 400, "text/html; charset=utf-8", "unknown parameter &#34;state&#34;: the page takes period"},
		{"GET", "/objectives/incident-response/tickets?period=previous&state=breached", nil, 200, "text/html; charset=utf-8", "Tickets of incident-response in 2026-10"},
		{"GET", "/objectives/webshop-availability/tickets", nil, 404, "text/html; charset=utf-8", "No ticket objective is named"},
		{"GET", "/objectives/incident-response/tickets?period=2027-01", nil, 400, "text/html; charset=utf-8", "has not begun"},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			resp, body := s.do(t, tc.method, tc.target, tc.header)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; body:\n%.500s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %q...", ct, tc.contentType)
			}
			if !strings.Contains(body, tc.body) {
				t.Errorf("body does not contain %q:\n%.500s", tc.body, body)
			}
			if tc.status == 405 && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

func TestReloadMethodNotAllowedNamesPOST(t *testing.T) {
	s := newDemoServer(t, func(o *Options) { o.Reload = func() error { return nil } })
	resp, _ := s.get(t, "/-/reload")
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "POST") {
		t.Fatalf("GET /-/reload: %d, Allow %q; want 405 allowing POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestReadyAfterFirstEvaluation(t *testing.T) {
	f := demoFor(t)
	s := newTestServer(t, f.cfg, f.runner, nil)
	resp, body := s.get(t, "/-/ready")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("before the first evaluation: %d %q, want 503", resp.StatusCode, body)
	}
	// Healthy is about the process, not the data.
	if resp, _ := s.get(t, "/-/healthy"); resp.StatusCode != 200 {
		t.Errorf("healthy before the first evaluation: %d, want 200", resp.StatusCode)
	}
	// Everything else serves an empty but well-formed answer meanwhile.
	if resp, body := s.get(t, "/api/v1/objectives"); resp.StatusCode != 200 || strings.TrimSpace(body) != "[]" {
		t.Errorf("objectives before the first evaluation: %d %q, want 200 []", resp.StatusCode, body)
	}
	if resp, body := s.get(t, "/"); resp.StatusCode != 200 || !strings.Contains(body, "Not evaluated yet") {
		t.Errorf("status page before the first evaluation: %d, want 200 saying \"Not evaluated yet\":\n%s", resp.StatusCode, body)
	}
	s.eval.Publish()
	if resp, body := s.get(t, "/-/ready"); resp.StatusCode != 200 {
		t.Fatalf("after the first evaluation: %d %q, want 200", resp.StatusCode, body)
	}
}

// TestReadyWaitsForSources: an evaluation that read data from before the sources' first sync
// outcome does not make the exporter ready; one that read it does, and ready then stays ready
// while newer syncs arrive (it flapped before: 118 of 295 polls answered 503).
func TestReadyWaitsForSources(t *testing.T) {
	var settledGen uint64
	settled := false
	s := newDemoServer(t, func(o *Options) {
		o.Ready = Readiness(func() (uint64, bool) { return settledGen, settled })
	})
	served := s.expo.Snapshot()
	if resp, body := s.get(t, "/-/ready"); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "first sync") {
		t.Fatalf("before any sync: %d %q, want 503 waiting for the first sync", resp.StatusCode, body)
	}
	// Every source has an outcome, but the served evaluation read older data.
	settled, settledGen = true, served.DataGen+1
	if resp, _ := s.get(t, "/-/ready"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("sync after the served evaluation: %d, want 503", resp.StatusCode)
	}
	settledGen = served.DataGen
	if resp, body := s.get(t, "/-/ready"); resp.StatusCode != 200 {
		t.Fatalf("after the sync: %d %q, want 200", resp.StatusCode, body)
	}
	// A newer sync than the evaluation served does not take readiness back.
	settledGen = served.DataGen + 5
	for range 3 {
		if resp, body := s.get(t, "/-/ready"); resp.StatusCode != 200 {
			t.Fatalf("once ready: %d %q, want 200", resp.StatusCode, body)
		}
	}
}

func TestReload(t *testing.T) {
	calls := 0
	var fail error
	s := newDemoServer(t, func(o *Options) {
		o.Reload = func() error { calls++; return fail }
	})
	resp, body := s.do(t, "POST", "/-/reload", nil)
	if resp.StatusCode != 200 || calls != 1 {
		t.Fatalf("POST /-/reload: %d %q after %d calls, want 200 after 1", resp.StatusCode, body, calls)
	}
	fail = errors.New(`config.yml:3: global.timezone: unknown timezone "Mars"`)
	resp, body = s.do(t, "POST", "/-/reload", nil)
	if resp.StatusCode != 500 || calls != 2 || !strings.Contains(body, fail.Error()) {
		t.Fatalf("failing reload: %d %q after %d calls, want 500 naming the error after 2", resp.StatusCode, body, calls)
	}
	if resp, _ := s.get(t, "/-/reload"); resp.StatusCode != 405 || calls != 2 {
		t.Errorf("GET /-/reload: %d, reload called %d times; want 405 without a call", resp.StatusCode, calls)
	}

	// Without a reload function (the demo, or --web.enable-lifecycle not given) the endpoint
	// refuses with the reason it was given.
	d := newDemoServer(t, func(o *Options) { o.ReloadDisabled = "reload over HTTP is disabled" })
	if resp, body := d.do(t, "POST", "/-/reload", nil); resp.StatusCode != 403 || strings.TrimSpace(body) != "reload over HTTP is disabled" {
		t.Errorf("POST /-/reload without a reload function: %d %q, want 403 explaining why", resp.StatusCode, body)
	}
}

// objectiveKeys are the keys every objective of /api/v1/objectives has, null or not.
var objectiveKeys = []string{"name", "service", "kind", "unit", "period", "period_label", "period_start", "period_end",
	"target", "status", "attainment", "good", "bad", "excluded", "coverage", "error_budget", "forecast_attainment", "stale"}

func decodeObjectives(t *testing.T, body string) []map[string]json.RawMessage {
	t.Helper()
	var objs []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &objs); err != nil {
		t.Fatalf("objectives do not decode: %v\n%s", err, body)
	}
	for _, o := range objs {
		for _, k := range objectiveKeys {
			if _, ok := o[k]; !ok {
				t.Errorf("objective %s has no key %q", o["name"], k)
			}
		}
	}
	return objs
}

func isNull(m json.RawMessage) bool { return m == nil || string(m) == "null" }

func TestObjectivesAPI(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/api/v1/objectives")
	objs := decodeObjectives(t, body)
	snap := s.expo.Snapshot()
	if len(objs) != len(demoFor(t).cfg.Objectives) || len(objs) != len(snap.Objectives) {
		t.Fatalf("%d objectives served, %d configured", len(objs), len(demoFor(t).cfg.Objectives))
	}
	for i, o := range objs {
		r := snap.Objectives[i]
		var got struct {
			Name       string              `json:"name"`
			Kind       string              `json:"kind"`
			Status     string              `json:"status"`
			Attainment *float64            `json:"attainment"`
			Target     float64             `json:"target"`
			Budget     *BudgetJSON         `json:"error_budget"`
			Open       *OpenJSON           `json:"open_cycles"`
			Start      *time.Time          `json:"period_start"`
			History    []PeriodJSON        `json:"history"`
			BurnRates  map[string]*float64 `json:"burn_rates"`
		}
		raw, _ := json.Marshal(o)
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		if got.Name != demoFor(t).cfg.Objectives[i].Name || got.Name != r.Objective {
			t.Errorf("objective %d is %q, want %q", i, got.Name, demoFor(t).cfg.Objectives[i].Name)
		}
		if r.Stale || !r.HasData {
			t.Errorf("%s: stale %v, has data %v at %s: the demo should have data", got.Name, r.Stale, r.HasData, evalAt)
			continue
		}
		if got.Attainment == nil || *got.Attainment != r.Attainment {
			t.Errorf("%s: attainment %v, want %v", got.Name, got.Attainment, r.Attainment)
		}
		if got.Status != r.Status.String() || !slices.Contains([]string{"ok", "at_risk", "breached"}, got.Status) {
			t.Errorf("%s: status %q, want %q", got.Name, got.Status, r.Status)
		}
		if got.Budget == nil || got.Budget.Total == nil || got.Budget.RemainingRatio == nil {
			t.Errorf("%s: error budget %+v, want figures", got.Name, got.Budget)
		}
		if got.Start == nil || !got.Start.Equal(r.PeriodStart) {
			t.Errorf("%s: period_start %v, want %v", got.Name, got.Start, r.PeriodStart)
		}
		if (got.Kind == "ticket") != (got.Open != nil) {
			t.Errorf("%s (%s): open_cycles %+v: want them for ticket objectives only", got.Name, got.Kind, got.Open)
		}
		for _, h := range got.History {
			if !h.HasData && h.Attainment != nil {
				t.Errorf("%s: period %s without data has attainment %v, want null", got.Name, h.Label, *h.Attainment)
			}
			if h.HasData && h.Attainment == nil {
				t.Errorf("%s: period %s with data has a null attainment", got.Name, h.Label)
			}
		}
	}
}

// TestObjectivesAPINulls checks that figures that do not exist are null, never a made-up 0.
func TestObjectivesAPINulls(t *testing.T) {
	cfg := demoFor(t).cfg
	t.Run("stale", func(t *testing.T) {
		// The source never synced: every objective is no_data with no figures at all.
		s := newTestServer(t, cfg, fakeReader{emptyData(false, "demo")}, nil)
		s.eval.Publish()
		_, body := s.get(t, "/api/v1/objectives")
		for _, o := range decodeObjectives(t, body) {
			if string(o["status"]) != `"no_data"` || string(o["stale"]) != "true" {
				t.Errorf("%s: status %s stale %s, want no_data and stale", o["name"], o["status"], o["stale"])
			}
			for _, k := range []string{"attainment", "good", "bad", "excluded", "coverage", "error_budget", "forecast_attainment"} {
				if !isNull(o[k]) {
					t.Errorf("%s: %s is %s for a stale objective, want null", o["name"], k, o[k])
				}
			}
			for _, k := range []string{"burn_rates", "budget_exhaustion", "expected_breaches", "breach_probability"} {
				if v, ok := o[k]; ok && !isNull(v) {
					t.Errorf("%s: %s is %s for a stale objective, want it absent or null", o["name"], k, v)
				}
			}
			if v := o["period_start"]; !isNull(v) && strings.HasPrefix(string(v), `"0001-`) {
				t.Errorf("%s: period_start %s is the zero time, want null", o["name"], v)
			}
		}
	})
	t.Run("no data", func(t *testing.T) {
		// The source synced but holds nothing: nothing to measure.
		s := newTestServer(t, cfg, fakeReader{emptyData(true, "demo")}, nil)
		s.eval.Publish()
		_, body := s.get(t, "/api/v1/objectives")
		for _, o := range decodeObjectives(t, body) {
			for _, k := range []string{"attainment", "error_budget", "forecast_attainment"} {
				if !isNull(o[k]) {
					t.Errorf("%s: %s is %s without data, want null", o["name"], k, o[k])
				}
			}
			if string(o["status"]) != `"no_data"` {
				t.Errorf("%s: status %s without data, want no_data", o["name"], o["status"])
			}
		}
	})
	t.Run("not a number", func(t *testing.T) {
		// Figures that are not numbers (a target of 100% has a budget of 0) must not break the
		// encoding nor read as 0.
		nan, inf := math.NaN(), math.Inf(1)
		snap := &collector.Snapshot{At: evalAt, Objectives: []collector.ObjectiveResult{{
			Result: slo.Result{Objective: "strict", Service: "s", Kind: slo.Availability, Unit: slo.Seconds, Target: 1,
				PeriodStart: evalAt.Add(-time.Hour), PeriodEnd: evalAt.Add(time.Hour),
				Good: 3600, Attainment: 1, HasData: true, Coverage: nan,
				BudgetTotal: 0, BudgetRemainingRatio: nan, Forecast: nan, HasForecast: true,
				BurnRates: []slo.BurnRate{{Window: time.Hour, Rate: inf}}, Status: slo.OK},
			History: []collector.FrozenPeriod{{Label: "2026-10", Start: evalAt.AddDate(0, -1, 0), End: evalAt, HasData: false}},
		}}}
		raw, err := json.Marshal(ObjectivesJSON(snap))
		if err != nil {
			t.Fatalf("does not encode: %v", err)
		}
		var objs []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &objs); err != nil {
			t.Fatal(err)
		}
		o := objs[0]
		if !isNull(o["coverage"]) || !isNull(o["forecast_attainment"]) {
			t.Errorf("NaN coverage and forecast are %s and %s, want null", o["coverage"], o["forecast_attainment"])
		}
		var budget map[string]json.RawMessage
		json.Unmarshal(o["error_budget"], &budget)
		if !isNull(budget["remaining_ratio"]) || string(budget["total"]) != "0" {
			t.Errorf("error budget %s: want a total of 0 and a null remaining ratio", o["error_budget"])
		}
		if string(o["burn_rates"]) != `{"1h":null}` {
			t.Errorf("burn rates %s, want {\"1h\":null}", o["burn_rates"])
		}
		if !strings.Contains(string(o["history"]), `"attainment":null`) {
			t.Errorf("history %s: a period without data must have a null attainment", o["history"])
		}

		// Served by the handler, whatever is in the snapshot encodes.
		s := newDemoServer(t, nil)
		s.expo.Set(snap)
		if resp, body := s.get(t, "/api/v1/objectives"); resp.StatusCode != 200 || !json.Valid([]byte(body)) {
			t.Errorf("served: %d, valid JSON %v:\n%s", resp.StatusCode, json.Valid([]byte(body)), body)
		}
	})
}

var csvHeader = []string{"ticket", "cycle", "priority", "group", "state", "at_risk", "start", "stop", "deadline",
	"breached_at", "target_seconds", "elapsed_seconds", "remaining_seconds", "tool_deadline", "deadline_agrees",
	"native_name", "native_stop", "native_deadline", "native_verdict", "native_comparison"}

type ticketsJSON struct {
	Objective string                `json:"objective"`
	At        time.Time             `json:"at"`
	Cycles    []evaluation.CycleRow `json:"cycles"`
}

func getTickets(t *testing.T, s *testServer, objective, state string) ticketsJSON {
	t.Helper()
	resp, body := s.get(t, "/api/v1/objectives/"+objective+"/tickets?state="+state)
	if resp.StatusCode != 200 {
		t.Fatalf("%s state=%s: %d %s", objective, state, resp.StatusCode, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatalf("%s state=%s: %v", objective, state, err)
	}
	if c := string(raw["cycles"]); !strings.HasPrefix(c, "[") {
		t.Errorf("%s state=%s: cycles is %.20s, want an array (empty rather than null)", objective, state, c)
	}
	var out ticketsJSON
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Objective != objective || !out.At.Equal(evalAt) {
		t.Errorf("%s state=%s: objective %q at %s, want %q at %s", objective, state, out.Objective, out.At, objective, evalAt)
	}
	return out
}

func getTicketsCSV(t *testing.T, s *testServer, target string, header http.Header) [][]string {
	t.Helper()
	resp, body := s.do(t, "GET", target, header)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: %d %s", target, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v", target, err)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], csvHeader) {
		t.Fatalf("%s: header %v, want %v", target, recs[0], csvHeader)
	}
	return recs[1:]
}

func TestTickets(t *testing.T) {
	s := newDemoServer(t, nil)
	snap := s.expo.Snapshot()
	for _, r := range snap.Objectives {
		if r.Kind != slo.TicketSLA {
			continue
		}
		t.Run(r.Objective, func(t *testing.T) {
			all := getTickets(t, s, r.Objective, "")
			if len(all.Cycles) == 0 {
				t.Fatal("no cycles in the demo's current period")
			}
			count := map[string]int{}
			for _, st := range evaluation.DrillStates {
				rows := getTickets(t, s, r.Objective, st).Cycles
				count[st] = len(rows)
				for _, row := range rows {
					if !slices.ContainsFunc(all.Cycles, func(c evaluation.CycleRow) bool { return c.Ticket == row.Ticket && c.Cycle == row.Cycle }) {
						t.Errorf("state=%s lists %s#%d, which the unfiltered list lacks", st, row.Ticket, row.Cycle)
					}
					switch st {
					case "within", "at_risk", "paused", "open":
						if row.Stop != nil {
							t.Errorf("state=%s lists %s#%d stopped at %s", st, row.Ticket, row.Cycle, row.Stop)
						}
					case "breached", "met", "cancelled":
						if row.State != st {
							t.Errorf("state=%s lists %s#%d in state %s", st, row.Ticket, row.Cycle, row.State)
						}
					}
				}
				csvRows := getTicketsCSV(t, s, "/api/v1/objectives/"+r.Objective+"/tickets?format=csv&state="+st, nil)
				if len(csvRows) != len(rows) {
					t.Errorf("state=%s: %d CSV rows, %d JSON cycles", st, len(csvRows), len(rows))
				}
				for i, rec := range csvRows {
					if i < len(rows) && (rec[0] != rows[i].Ticket || rec[4] != rows[i].State) {
						t.Errorf("state=%s: CSV row %d is %v, JSON has %s in state %s", st, i, rec, rows[i].Ticket, rows[i].State)
					}
				}
			}
			// The drill-down agrees with the counts the snapshot publishes.
			if count["within"] != r.Open.Within || count["at_risk"] != r.Open.AtRisk || count["paused"] != r.Open.Paused {
				t.Errorf("drill-down within/at_risk/paused %d/%d/%d, snapshot %d/%d/%d",
					count["within"], count["at_risk"], count["paused"], r.Open.Within, r.Open.AtRisk, r.Open.Paused)
			}
			if count["open"] != r.Open.Within+r.Open.AtRisk+r.Open.Paused+r.Open.Breached {
				t.Errorf("drill-down open %d, snapshot %+v", count["open"], r.Open)
			}
			// Accept: text/csv is the same as format=csv.
			byAccept := getTicketsCSV(t, s, "/api/v1/objectives/"+r.Objective+"/tickets", http.Header{"Accept": {"text/csv"}})
			if len(byAccept) != len(all.Cycles) {
				t.Errorf("Accept: text/csv: %d rows, want %d", len(byAccept), len(all.Cycles))
			}
		})
	}
	if resp, body := s.get(t, "/api/v1/objectives/incident-response/tickets?state=BREACHED"); resp.StatusCode != 400 {
		t.Errorf("state=BREACHED: %d %q, want 400", resp.StatusCode, body)
	}
}

// checkHTML checks that a page is well-formed: it parses, every element that is not void is
// closed in order, and nothing but the doctype, comments and space lies outside <html>.
func checkHTML(t *testing.T, page string) {
	t.Helper()
	if _, err := html.Parse(strings.NewReader(page)); err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	void := map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
		"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}
	z := html.NewTokenizer(strings.NewReader(page))
	var stack []string
	sawDoctype := false
	for {
		tt := z.Next()
		tok := z.Token()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			if len(stack) > 0 {
				t.Errorf("elements left open: %v", stack)
			}
			if !sawDoctype {
				t.Error("no doctype")
			}
			return
		case html.DoctypeToken:
			sawDoctype = true
		case html.StartTagToken:
			if len(stack) == 0 && tok.Data != "html" {
				t.Errorf("<%s> outside <html>", tok.Data)
			}
			if !void[tok.Data] {
				stack = append(stack, tok.Data)
			}
		case html.SelfClosingTagToken:
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				t.Fatalf("</%s> closes %v", tok.Data, stack)
			}
			stack = stack[:len(stack)-1]
		case html.TextToken:
			if len(stack) == 0 && strings.TrimSpace(tok.Data) != "" {
				t.Errorf("text outside <html>: %q", tok.Data)
			}
		}
	}
}

func TestMetrics(t *testing.T) {
	s := newDemoServer(t, nil)
	_, body := s.get(t, "/metrics")
	for _, o := range s.expo.Snapshot().Objectives {
		want := fmt.Sprintf(`sla_attainment_ratio{objective=%q,service=%q}`, o.Objective, o.Service)
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(body, `sla_source_up{source="demo"} 1`) {
		t.Error(`metrics lack sla_source_up{source="demo"} 1`)
	}
	// Scraped twice, the handler's own counter moves: the registry is the one served.
	_, again := s.get(t, "/metrics")
	if !strings.Contains(again, `promhttp_metric_handler_requests_total{code="200"} 1`) {
		t.Errorf("second scrape does not count the first:\n%s", grep(again, "promhttp_metric_handler_requests_total"))
	}
}

func grep(s, substr string) string {
	var out bytes.Buffer
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			fmt.Fprintln(&out, l)
		}
	}
	return out.String()
}

// TestTicketsBadParameters: a parameter the drill-down does not know, one given twice, one that
// does not decode, or a format it cannot write is a 400 naming it, never every cycle with 200.
func TestTicketsBadParameters(t *testing.T) {
	s := newDemoServer(t, nil)
	for _, tc := range []struct{ query, want string }{
		{"state=%zz", `bad query string: invalid URL escape "%zz"`},
		{"state=open&state=breached", `parameter "state" given 2 times: give it once`},
		{"format=xml", `format "xml": want json or csv`},
		{"status=open", `unknown parameter "status": the parameters are state, deadline, native, period, level and format`},
		{"period=2026-Q4", `period "2026-Q4": objective "incident-response" has month periods: give current, previous or a month such as 2026-10`},
		{"period=2026-12", `period "2026-12" of objective "incident-response" has not begun: the current period is 2026-11`},
	} {
		resp, body := s.get(t, "/api/v1/objectives/incident-response/tickets?"+tc.query)
		if resp.StatusCode != http.StatusBadRequest || strings.TrimSpace(body) != tc.want {
			t.Errorf("?%s: %d %q, want 400 %q", tc.query, resp.StatusCode, body, tc.want)
		}
	}
	if resp, body := s.get(t, "/api/v1/objectives/incident-response/tickets?state=open&format=csv"); resp.StatusCode != 200 || !strings.HasPrefix(body, "ticket,cycle,") {
		t.Errorf("a good query: %d %.200q", resp.StatusCode, body)
	}
}
