package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sla-exporter/sla_exporter/collector/display"
	"github.com/sla-exporter/sla_exporter/collector/report"
)

// fetchJSON GETs url and decodes its JSON body into v.
func fetchJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// textJS is a JavaScript function reading an element's text as a person reads it: white space
// collapsed, "" for no element.
const textJS = `function text(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }`

// TestBrowserPages loads every page of the demo in Chromium at a desktop and a phone width: the
// status page, each objective's page, each ticket objective's drill-down, and the report (whole,
// and a supplier's). Each loads with no console error, no uncaught exception, no error the browser
// logs (a Content-Security-Policy violation would be one), no failed request and no response of
// 400 or more; none is wider than a phone's screen, a wide table scrolling in its own region. The
// figures people read equal the API's, formatted as the page formats them. Screenshots of the
// status page, an objective page, a drill-down and the reports are written as artefacts.
func TestBrowserPages(t *testing.T) {
	s := newBrowserServer(t, nil)
	tb := newTab(t)
	var objectives []ObjectiveJSON
	fetchJSON(t, s.url+"/api/v1/objectives", &objectives)
	var kpis []KPIJSON
	fetchJSON(t, s.url+"/api/v1/kpis", &kpis)
	var rep report.Report
	fetchJSON(t, s.url+"/report?format=json", &rep)
	var costs []CostJSON
	fetchJSON(t, s.url+"/api/v1/costs", &costs)

	type page struct {
		path, shot string // shot names the screenshot; "" takes none
		check      func(t *testing.T)
	}
	pages := []page{{"/", "status", func(t *testing.T) { checkStatusFigures(t, tb, objectives, kpis); checkCostFigures(t, tb, costs) }}}
	for _, o := range objectives {
		shot := ""
		if o.Name == "incident-response" {
			shot = "objective-incident-response"
		}
		pages = append(pages, page{objectiveURL(o.Name), shot, func(t *testing.T) { checkObjectiveFigures(t, tb, o) }})
		if o.Kind != "ticket" {
			continue
		}
		shot = ""
		if o.Name == "incident-response" {
			shot = "tickets-incident-response"
		}
		pages = append(pages, page{objectiveURL(o.Name) + "/tickets", shot, func(t *testing.T) { checkTicketCount(t, s, tb, o.Name) }})
	}
	if len(pages) < 8 {
		t.Fatalf("the demo has %d pages, want the status page and at least 7 more", len(pages))
	}
	pages = append(pages,
		page{"/report", "report", func(t *testing.T) { checkReportFigures(t, tb, &rep) }},
		page{"/report?supplier=hostco", "report-supplier-hostco", nil})

	for _, vp := range viewports {
		tb.setViewport(t, vp.width, vp.height, vp.mobile)
		for _, p := range pages {
			t.Run(vp.name+p.path, func(t *testing.T) {
				tb.visit(t, s.url+p.path)
				if p.check != nil {
					p.check(t)
				}
				// The page itself never scrolls sideways; a wide table scrolls in its region.
				if w := eval[int64](t, tb, "document.documentElement.scrollWidth"); w > vp.width {
					t.Errorf("the page is %dpx wide in a %dpx viewport", w, vp.width)
				}
				if p.shot != "" {
					tb.screenshot(t, p.shot+"-"+vp.name)
				}
				tb.checkClean(t, p.path)
			})
		}
	}
}

// checkStatusFigures compares the status page with the API: each objective's attainment, target
// and forecast as explain formats the API's numbers (and as the API's own display says), the
// summary tiles against the statuses, each KPI's value.
func checkStatusFigures(t *testing.T, tb *tab, objectives []ObjectiveJSON, kpis []KPIJSON) {
	t.Helper()
	type row struct{ Name, Attainment, Target, Forecast, Budget string }
	rows := eval[[]row](t, tb, `(() => { `+textJS+`
		return [...document.querySelectorAll("tr[data-objective]")].map(tr => ({
			Name: tr.dataset.objective,
			Attainment: text(tr.querySelector("[data-figure=attainment]")),
			Target: text(tr.querySelector("[data-figure=target]")),
			Forecast: text(tr.querySelector("[data-figure=forecast]")),
			Budget: text(tr.querySelector("[data-figure=budget]")),
		})); })()`)
	if len(rows) != len(objectives) {
		t.Fatalf("%d objective rows, the API has %d", len(rows), len(objectives))
	}
	counts := map[string]int{}
	for i, o := range objectives {
		counts[statusBadge(o.Status).Class]++
		want := row{Name: o.Name, Target: display.Percent(o.Target), Budget: o.Display.BudgetRemaining}
		if o.Attainment != nil {
			want.Attainment = display.PercentVs(*o.Attainment, o.Target)
		}
		if o.Forecast != nil {
			want.Forecast = display.PercentVs(*o.Forecast, o.Target)
		}
		if want.Attainment != o.Display.Attainment || want.Forecast != o.Display.Forecast || want.Target != o.Display.Target {
			t.Errorf("%s: the API's display %+v does not format its own numbers as %+v", o.Name, o.Display, want)
		}
		if rows[i] != want {
			t.Errorf("row %d: the page shows %+v, the API %+v", i, rows[i], want)
		}
		if want.Attainment == "" {
			t.Errorf("%s has no attainment in the demo", o.Name)
		}
	}

	type tileView struct {
		Class string
		Count int
	}
	tiles := eval[[]tileView](t, tb, `[...document.querySelectorAll("li.tile")].map(li => ({
		Class: [...li.classList].find(c => c !== "tile") || "",
		Count: parseInt(li.querySelector(".count").textContent, 10)}))`)
	total := 0
	for _, tile := range tiles {
		total += tile.Count
		if tile.Count != counts[tile.Class] {
			t.Errorf("tile %s counts %d, the API has %d objectives of that status", tile.Class, tile.Count, counts[tile.Class])
		}
	}
	if len(tiles) != 4 || total != len(objectives) {
		t.Errorf("tiles %+v: want four that add up to the %d objectives", tiles, len(objectives))
	}

	type kpiView struct{ Name, Value, Target string }
	shown := eval[[]kpiView](t, tb, `(() => { `+textJS+`
		return [...document.querySelectorAll("tr[data-kpi]")].map(tr => ({Name: tr.dataset.kpi,
			Value: text(tr.querySelector("[data-figure=value]")), Target: text(tr.querySelector("[data-figure=target]"))})); })()`)
	if len(shown) != len(kpis) {
		t.Fatalf("%d KPI rows, the API has %d", len(shown), len(kpis))
	}
	for i, k := range kpis {
		want := kpiView{Name: k.Name, Target: display.Quantity(k.Target, k.Unit)}
		if k.Value != nil {
			want.Value = display.QuantityVs(*k.Value, k.Target, k.Unit)
		}
		if shown[i] != want || want.Value != k.Display.Value {
			t.Errorf("KPI row %d: the page shows %+v, the API %+v (display %+v)", i, shown[i], want, k.Display)
		}
	}
}

// checkObjectiveFigures compares an objective page with the API: the attainment so far and each
// finished period's attainment in the trend table.
func checkObjectiveFigures(t *testing.T, tb *tab, o ObjectiveJSON) {
	t.Helper()
	type figures struct {
		H1, Attainment string
		History        map[string]string
	}
	got := eval[figures](t, tb, `(() => { `+textJS+`
		const f = {H1: text(document.querySelector("h1")), Attainment: "", History: {}};
		for (const div of document.querySelectorAll("dl.figures > div")) {
			if (text(div.querySelector("dt")) === "Attainment so far") f.Attainment = text(div.querySelector("dd"));
		}
		for (const tr of document.querySelectorAll("tr[data-period]")) {
			f.History[tr.dataset.period] = text(tr.querySelector("[data-figure=attainment]"));
		}
		return f; })()`)
	want := figures{H1: o.Name, Attainment: o.Display.Attainment, History: map[string]string{}}
	for _, h := range o.History {
		want.History[h.Label] = ""
		if h.Attainment != nil {
			want.History[h.Label] = display.PercentVs(*h.Attainment, o.Target)
		}
	}
	if got.H1 != want.H1 || got.Attainment != want.Attainment || fmt.Sprint(got.History) != fmt.Sprint(want.History) {
		t.Errorf("the page shows %+v, the API %+v", got, want)
	}
}

// checkTicketCount compares a drill-down page with the API's drill-down of the same period: as
// many rows, the same tickets in the same order, and the count the page states.
func checkTicketCount(t *testing.T, s *browserServer, tb *tab, name string) {
	t.Helper()
	var api struct {
		Cycles []struct {
			Ticket string `json:"ticket"`
		} `json:"cycles"`
	}
	fetchJSON(t, s.url+"/api/v1/objectives/"+url.PathEscape(name)+"/tickets", &api)
	type view struct {
		Tickets []string
		Stated  string
	}
	got := eval[view](t, tb, `(() => { `+textJS+`
		const p = [...document.querySelectorAll("main p")].find(p => / ticket cycles\./.test(p.textContent));
		return {Tickets: [...document.querySelectorAll("tr[data-ticket]")].map(tr => tr.dataset.ticket),
			Stated: p ? text(p).replace(/ ticket cycles\..*/, "") : ""}; })()`)
	var want []string
	for _, c := range api.Cycles {
		want = append(want, c.Ticket)
	}
	if strings.Join(got.Tickets, " ") != strings.Join(want, " ") {
		t.Errorf("the page lists %d tickets %v, the API %d %v", len(got.Tickets), got.Tickets, len(want), want)
	}
	if got.Stated != display.Count(float64(len(want))) {
		t.Errorf("the page says %q ticket cycles, the API lists %d", got.Stated, len(want))
	}
}

// checkReportFigures compares the report's HTML with its JSON: the promises kept, missed and
// without data, and the title.
func checkReportFigures(t *testing.T, tb *tab, rep *report.Report) {
	t.Helper()
	type view struct {
		Title                string
		Kept, Missed, NoData string
	}
	got := eval[view](t, tb, `(() => { `+textJS+`
		const fig = p => text(document.querySelector('[data-fig="' + p + '"]'));
		return {Title: fig("title"), Kept: fig("summary.kept"), Missed: fig("summary.missed"), NoData: fig("summary.no_data")}; })()`)
	want := view{Title: rep.Title, Kept: fmt.Sprint(rep.Summary.Kept), Missed: fmt.Sprint(rep.Summary.Missed), NoData: fmt.Sprint(rep.Summary.NoData)}
	if got != want {
		t.Errorf("the report shows %+v, its JSON %+v", got, want)
	}
}

// TestBrowserKeyboard: on each kind of page the first Tab stop is the skip link, shown when it
// has focus, and Enter on it moves the focus to the figures.
func TestBrowserKeyboard(t *testing.T) {
	s := newBrowserServer(t, nil)
	tb := newTab(t)
	tb.setViewport(t, 1280, 900, false)
	for _, path := range []string{"/", "/objectives/incident-response", "/objectives/incident-response/tickets", "/objectives/nope"} {
		t.Run(path, func(t *testing.T) {
			want := http.StatusOK
			if path == "/objectives/nope" {
				want = http.StatusNotFound // the error page has the same layout
			}
			resp, err := chromedp.Run(tb.ctx, chromedp.NavigateResponse(s.url+path))
			if err != nil || resp.Status != int64(want) {
				t.Fatalf("load %s: %v %v", path, resp, err)
			}
			if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
				t.Fatal(err)
			}
			type focus struct {
				Tag, Class, Href, Text string
				Visible                bool
			}
			got := eval[focus](t, tb, `(() => { const a = document.activeElement, r = a.getBoundingClientRect();
				return {Tag: a.tagName, Class: a.className, Href: a.getAttribute("href") || "", Text: a.textContent,
					Visible: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.width > 0}; })()`)
			if got != (focus{Tag: "A", Class: "skip", Href: "#main", Text: "Skip to the figures", Visible: true}) {
				t.Errorf("first Tab stop: %+v, want the skip link, visible", got)
			}
			if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatal(err)
			}
			if id := eval[string](t, tb, "document.activeElement.id"); id != "main" {
				t.Errorf("after Enter on the skip link the focus is on %q, want main", id)
			}
			for _, p := range tb.takeProblems() {
				if path == "/objectives/nope" && strings.Contains(p, "404") && strings.Contains(p, "/objectives/nope") {
					continue
				}
				t.Errorf("%s: %s", path, p)
			}
		})
	}
}

// TestBrowserRefresh: the status page refetches itself and swaps its figures in place, with no
// reload. The interval is shortened to a second (Options.RefreshSeconds); between two fetches the
// server evaluates at a later instant, and the page shows it.
func TestBrowserRefresh(t *testing.T) {
	s := newBrowserServer(t, func(o *Options) { o.RefreshSeconds = 1 })
	tb := newTab(t)
	tb.visit(t, s.url+"/")
	if note := eval[string](t, tb, `document.getElementById("refresh-note").textContent`); note != "The figures refresh every 1 seconds." {
		t.Errorf("refresh note %q", note)
	}
	// A mark on the window survives a swap and not a reload; a mark on the shown time element
	// does not survive the swap, which puts new elements in <main>.
	eval[bool](t, tb, `window.notReloaded = true; window.oldTime = document.querySelector("main time"); true`)
	before := eval[string](t, tb, `document.querySelector("main time").getAttribute("datetime")`)
	if before != evalAt.Format(time.RFC3339) {
		t.Fatalf("evaluated at %s, want %s", before, evalAt.Format(time.RFC3339))
	}
	later := evalAt.Add(10 * time.Minute)
	s.evaluateAt(later)

	type state struct {
		Datetime, Shown   string
		Swapped, NoReload bool
	}
	deadline := time.Now().Add(30 * time.Second)
	var got state
	for {
		got = eval[state](t, tb, `(() => { const el = document.querySelector("main time");
			return {Datetime: el.getAttribute("datetime"), Shown: el.textContent,
				Swapped: !document.contains(window.oldTime), NoReload: window.notReloaded === true}; })()`)
		if got.Datetime != before || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	want := state{Datetime: later.Format(time.RFC3339), Shown: display.Time(later, s.expo.Snapshot().Location), Swapped: true, NoReload: true}
	if got != want {
		t.Errorf("after the next evaluation the page shows %+v, want %+v", got, want)
	}
	if n := s.pages.Load(); n < 2 {
		t.Errorf("%d requests of the page, want the load and at least one refresh", n)
	}
	tb.checkClean(t, "/ refreshing")
}
