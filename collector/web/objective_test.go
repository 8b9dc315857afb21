package web

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/explain"
	"github.com/sla-exporter/sla_exporter/slo"
)

// TestObjectivePages opens the page of one demo objective of each kind and checks its figures
// against the snapshot and the API: status and reasons, headline figures, burn rates, the
// history table, and for tickets the open and breached lists against the drill-down.
func TestObjectivePages(t *testing.T) {
	s := newDemoServer(t, nil)
	snap := s.expo.Snapshot()
	api := map[string]ObjectiveJSON{}
	for _, o := range ObjectivesJSON(snap) {
		api[o.Name] = o
	}
	for _, name := range []string{"incident-response", "webshop-availability", "api-requests", "api-availability"} {
		t.Run(name, func(t *testing.T) {
			res := objectiveResult(snap, name)
			resp, body := s.get(t, "/objectives/"+name)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			doc := parsePage(t, body)
			if h1 := text(one(t, doc, "h1", tag("h1"))); h1 != name {
				t.Errorf("h1 %q", h1)
			}
			// The status and the reasons the explain package gives.
			x := explainer{snap: snap, cfg: demoFor(t).cfg}
			e := x.explain(res)
			status := text(one(t, doc, "status heading", withAttr("id", "status-h")))
			if want := "Status: " + statusBadge(e.Status).Symbol + " " + statusBadge(e.Status).Word; status != want {
				t.Errorf("status %q, want %q", status, want)
			}
			for _, r := range e.Reasons {
				if !strings.Contains(body, r.Text) {
					t.Errorf("page lacks the reason %q", r.Text)
				}
			}
			// The headline figures are the API's display strings.
			dd := map[string]string{}
			for _, d := range findAll(doc, tag("div")) {
				if dts := findAll(d, tag("dt")); len(dts) == 1 {
					dd[text(dts[0])] = text(findAll(d, tag("dd"))[0])
				}
			}
			j := api[name]
			if dd["Attainment so far"] != j.Display.Attainment || dd["Error budget left"] != j.Display.BudgetRemaining || dd["Forecast at the period's end"] != j.Display.Forecast {
				t.Errorf("figures %v, API display %+v", dd, j.Display)
			}
			// Burn rates: every window the objective publishes, with its rate.
			var rates []string
			for _, td := range findAll(doc, withAttr("data-figure", "rate")) {
				rates = append(rates, text(td))
			}
			var want []string
			for _, b := range sortedRates(res.BurnRates) {
				want = append(want, display.Rate(b.Rate))
			}
			if !slices.Equal(rates, want) || len(rates) != len(j.BurnRates) {
				t.Errorf("burn rates %v, want %v", rates, want)
			}
			// The burn-down chart is drawn, with its accessible title.
			if one(t, doc, "burn-down title", withAttr("id", "burndown-title")) == nil {
				t.Error("no burn-down chart")
			}
			// History: newest first, each the frozen attainment.
			var hist []string
			for _, tr := range findAll(doc, hasAttr("data-period")) {
				l, _ := attr(tr, "data-period")
				hist = append(hist, l+" "+figureOf(t, tr, "attainment"))
			}
			var wantHist []string
			for i := len(j.History) - 1; i >= 0; i-- {
				h := j.History[i]
				a := ""
				if h.Attainment != nil {
					a = display.PercentVs(*h.Attainment, j.Target)
				}
				wantHist = append(wantHist, strings.TrimSpace(h.Label+" "+a))
			}
			for i := range hist {
				hist[i] = strings.TrimSpace(hist[i])
			}
			if diff := gocmp.Diff(wantHist, hist); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
			if res.Kind != slo.TicketSLA {
				if strings.Contains(body, "Open tickets") {
					t.Error("a page of another kind lists tickets")
				}
				return
			}
			// Open tickets: the drill-down's open cycles, the least time left first.
			drill := getTickets(t, s, name, "open").Cycles
			slices.SortStableFunc(drill, func(a, b evaluation.CycleRow) int { return cmp.Compare(a.Remaining, b.Remaining) })
			var wantOpen []string
			for _, r := range drill[:min(len(drill), maxOpenShown)] {
				wantOpen = append(wantOpen, r.Ticket)
			}
			section := one(t, doc, "open tickets", section("open-h"))
			var open []string
			for _, tr := range findAll(section, hasAttr("data-ticket")) {
				id, _ := attr(tr, "data-ticket")
				open = append(open, id)
			}
			if diff := gocmp.Diff(wantOpen, open); diff != "" {
				t.Errorf("open tickets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestObjectivePageBreached picks the previous period in the selector: the breached tickets
// listed are the drill-down's of that period.
func TestObjectivePageBreached(t *testing.T) {
	s := newDemoServer(t, nil)
	for _, period := range []string{"", "2026-10"} {
		_, body := s.get(t, "/objectives/incident-resolution?period="+period)
		doc := parsePage(t, body)
		section := one(t, doc, "breached tickets", section("breached-h"))
		var got []string
		for _, tr := range findAll(section, hasAttr("data-ticket")) {
			id, _ := attr(tr, "data-ticket")
			got = append(got, id)
		}
		_, api := s.get(t, "/api/v1/objectives/incident-resolution/tickets?state=breached&period="+period)
		var want []string
		for _, line := range strings.Split(api, "\n") {
			if id, ok := strings.CutPrefix(strings.TrimSpace(line), `"ticket": "`); ok {
				want = append(want, strings.TrimSuffix(id, `",`))
			}
		}
		if len(want) == 0 {
			t.Fatalf("period %q: no breached ticket in the demo", period)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("period %q (-want +got):\n%s", period, diff)
		}
		// The selector shows the period chosen.
		sel := one(t, doc, "selected period", func(n *html.Node) bool { _, ok := attr(n, "selected"); return n.Data == "option" && ok })
		if v, _ := attr(sel, "value"); v != period {
			t.Errorf("selected %q, want %q", v, period)
		}
	}
}

// demoWithTicketURL is the demo configuration with a ticket_url on its source.
func demoWithTicketURL(t *testing.T) *config.Config {
	t.Helper()
	yml := strings.Replace(string(demo.ConfigYAML), "    type: demo\n", "    type: demo\n    ticket_url: https://desk.example.com/ticket?id={id}\n", 1)
	cfg, err := config.Load([]byte(yml), "demo.yml", ".")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestTicketLinks: with a ticket_url, every ticket id on the pages links to the ticket in its
// tool, the id escaped as a query value; without one, ids are plain text.
func TestTicketLinks(t *testing.T) {
	linked := newTestServer(t, demoWithTicketURL(t), demoFor(t).runner, nil)
	linked.eval.Publish()
	plain := newDemoServer(t, nil)
	for _, target := range []string{"/objectives/incident-resolution", "/objectives/incident-resolution/tickets?period=previous"} {
		_, body := linked.get(t, target)
		doc := parsePage(t, body)
		rows := findAll(doc, hasAttr("data-ticket"))
		if len(rows) == 0 {
			t.Fatalf("%s: no tickets", target)
		}
		for _, tr := range rows {
			id, _ := attr(tr, "data-ticket")
			if links := hrefs(tr); len(links) != 1 || links[0] != "https://desk.example.com/ticket?id="+url.QueryEscape(id) {
				t.Errorf("%s: %s links %v", target, id, links)
			}
		}
		_, body = plain.get(t, target)
		for _, tr := range findAll(parsePage(t, body), hasAttr("data-ticket")) {
			if links := hrefs(tr); len(links) != 0 {
				t.Errorf("%s without ticket_url: links %v", target, links)
			}
		}
	}
}

// TestExplainAgreesWithEngine: at instants across two months of the demo, every objective's
// reason is one the engine's figures give for its status, never "unexplained".
func TestExplainAgreesWithEngine(t *testing.T) {
	f := demoFor(t)
	s := newTestServer(t, f.cfg, f.runner, nil)
	seen := map[explain.Cause]int{}
	for at := evalAt.AddDate(0, -2, 0); !at.After(evalAt); at = at.Add(61 * time.Hour) {
		snap := s.eval.Evaluate(at)
		x := explainer{snap: snap, cfg: f.cfg}
		for i := range snap.Objectives {
			o := &snap.Objectives[i]
			e := x.explain(o)
			for _, r := range e.Reasons {
				seen[r.Cause]++
				if r.Cause == explain.Unexplained {
					t.Errorf("%s at %s: %s", o.Objective, at, r.Text)
				}
			}
			if want := o.Status.String(); e.Status != want && !o.Stale {
				t.Errorf("%s at %s: explained status %s, published %s", o.Objective, at, e.Status, want)
			}
		}
	}
	// The demo goes through more than one cause, or the test would prove little.
	if len(seen) < 3 {
		t.Errorf("causes seen %v: want at least three kinds", seen)
	}
}

// TestObjectiveStale: a stale objective's page says why, naming its source, and shows no figure.
func TestObjectiveStale(t *testing.T) {
	cfg := demoFor(t).cfg
	s := newTestServer(t, cfg, fakeReader{emptyData(false, "demo")}, nil)
	snap := s.eval.Publish()
	snap.Sources = []collector.SourceHealth{{Name: "demo", State: collector.SourceSyncFailed}}
	_, body := s.get(t, "/objectives/incident-response")
	doc := parsePage(t, body)
	if !strings.Contains(body, "no data: source demo is down (its syncs fail) and has never synced") {
		t.Errorf("page lacks the stale reason:\n%s", text(doc))
	}
	if len(findAll(doc, tag("dl"))) != 0 || len(findAll(doc, withAttr("id", "burndown-title"))) != 0 {
		t.Error("a stale objective shows figures")
	}
}

// section matches the <section> headed by the heading with id h.
func section(h string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == "section" && withAttr("aria-labelledby", h)(n) }
}
