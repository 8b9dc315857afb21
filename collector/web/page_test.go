package web

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/slo"
	"github.com/sla-exporter/sla_exporter/slo/contract"
	"github.com/sla-exporter/sla_exporter/slo/ticket"
)

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"INC0012345":               "INC0012345",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+1":                       "'+1",
		"-2":                       "'-2",
		"@SUM(A1)":                 "'@SUM(A1)",
		"":                         "",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatusPage(t *testing.T) {
	s := newDemoServer(t, nil)
	resp, body := s.get(t, "/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parsePage(t, body)
	// Times in the demo's global.timezone, Europe/Rome: UTC+1 in November.
	for _, want := range []string{"1.2.3-test", `href="/metrics"`, `Evaluated <time datetime="2026-11-15T12:00:00Z">2026-11-15 13:00 CET</time>`,
		"hostco-hosting", "mttr-p1", `<tr data-source="demo"><th scope="row">demo</th>`, `<a class="skip" href="#main">`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, o := range demoFor(t).cfg.Objectives {
		row := one(t, doc, "row of "+o.Name, withAttr("data-objective", o.Name))
		if links := hrefs(row); len(links) == 0 || links[0] != "/objectives/"+o.Name {
			t.Errorf("%s: links %v, want its page first", o.Name, links)
		}
	}
	// People are sent to pages, never to raw JSON.
	for _, h := range hrefs(doc) {
		if strings.HasPrefix(h, "/api/") {
			t.Errorf("the status page links %s", h)
		}
	}
	// Every table has a caption and its headers a scope.
	for _, table := range findAll(doc, tag("table")) {
		if len(findAll(table, tag("caption"))) != 1 {
			t.Errorf("a table without a caption: %.80s", text(table))
		}
		for _, th := range findAll(table, tag("th")) {
			if _, ok := attr(th, "scope"); !ok {
				t.Errorf("<th> %q has no scope", text(th))
			}
		}
	}
	for _, bad := range []string{"NaN", "%!", "<no value>", "Inf", "e+0"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}

	// The demo banner.
	d := newDemoServer(t, func(o *Options) { o.Demo = true })
	if _, body := d.get(t, "/"); !strings.Contains(body, "built-in demo") {
		t.Error("demo page does not say it serves the built-in demo")
	}
}

// TestStatusPageEscapes serves names that configuration checks would refuse, to make sure the
// pages do not depend on them for their safety.
func TestStatusPageEscapes(t *testing.T) {
	const script = `<script>alert(1)</script>`
	s := newDemoServer(t, func(o *Options) { o.Version = `<b>v</b>` })
	nan := math.NaN()
	s.expo.Set(&collector.Snapshot{At: evalAt,
		Objectives: []collector.ObjectiveResult{
			{Result: slo.Result{Objective: script, Service: `"svc" & 'x'`, Kind: slo.TicketSLA, Target: 0.9,
				PeriodLabel: `<i>2026-11</i>`, Attainment: nan, HasData: true, BudgetRemainingRatio: nan, Status: slo.OK},
				History: []collector.FrozenPeriod{{Label: `<u>2026-10</u>`, Attainment: 0.5, HasData: true}}},
			{Result: slo.Result{Objective: `"><img src=x onerror=alert(2)>`, Kind: slo.Availability, Target: 0.99}, Stale: true},
		},
		KPIs: []collector.KPIResult{{Name: `<iframe src=//evil>`, Service: "s", Value: nan, OK: true, Status: `"><svg onload=alert(3)>`}},
		Contracts: []collector.ContractResult{{Spec: contract.Spec{Name: `</table><h1>x</h1>`, Currency: `<u>EUR</u>`, Fee: 1},
			PeriodLabel: `<i>2026-11</i>`, Running: collector.ContractCredit{Result: contract.Result{Known: true, Ratio: nan, Amount: nan}}}},
		Sources: []collector.SourceHealth{{Name: `<marquee>src</marquee>`, Reasons: []collector.RejectionReason{{Reason: "<b>bad</b>", Example: "<em>x</em>", Count: 1}}}},
	})
	escaped := url.PathEscape(script)
	for _, target := range []string{"/", "/objectives/" + escaped} {
		t.Run(target, func(t *testing.T) {
			resp, body := s.get(t, target)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			checkHTML(t, body)
			// The page's own inline script is the only one.
			if n := strings.Count(body, "<script"); n != 1 {
				t.Errorf("%d <script elements, want the page's own one", n)
			}
			for _, raw := range []string{"<script>alert", "<img", "<iframe", "<svg onload", "<h1>x", "<marquee", "<u>EUR", "<b>v", "<i>2026", "<u>2026", `"svc"`, "<b>bad", "<em>"} {
				if strings.Contains(body, raw) {
					t.Errorf("page contains %q unescaped", raw)
				}
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Error("page lacks the escaped name")
			}
			if i := strings.Index(body, "NaN"); i >= 0 {
				t.Errorf("page shows NaN: %s", body[max(0, i-200):i+20])
			}
		})
	}
	_, body := s.get(t, "/")
	// In links, the name is one path segment.
	for _, want := range []string{`href="/objectives/%3Cscript%3Ealert%281%29%3C%2Fscript%3E"`, "&lt;b&gt;v&lt;/b&gt;", "&#34;svc&#34; &amp; &#39;x&#39;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if !strings.Contains(body, `href="/objectives/%3Cscript%3Ealert%281%29%3C%2Fscript%3E/tickets?state=open"`) {
		i := strings.Index(body, "tickets?state=open")
		t.Errorf("tickets link not escaped as a path segment: %s", body[max(0, i-120):i+20])
	}
}

// TestTicketIDEscapes: a ticket id is the ticket tool's text; on the pages it is escaped, and in
// its ticket_url link it is one escaped query value.
func TestTicketIDEscapes(t *testing.T) {
	const id = `<script>alert(1)</script>`
	data := emptyData(true, "demo")
	created := evalAt.Add(-time.Hour)
	tk := ticket.Ticket{ID: id, Type: "incident", Priority: "P1", Group: `<b>grp</b>`, Created: created,
		History: []ticket.StatusChange{{At: created, Status: "new", Category: ticket.Open}}}
	if err := data.Tickets["demo"].Add(&tk); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, demoWithTicketURL(t), fakeReader{data}, nil)
	s.eval.Publish()
	for _, target := range []string{"/objectives/incident-response", "/objectives/incident-response/tickets"} {
		_, body := s.get(t, target)
		doc := parsePage(t, body)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>grp") {
			t.Errorf("%s: the ticket's text is not escaped", target)
		}
		row := one(t, doc, "the ticket's row", withAttr("data-ticket", id))
		if links := hrefs(row); len(links) != 1 || links[0] != "https://desk.example.com/ticket?id=%3Cscript%3Ealert%281%29%3C%2Fscript%3E" {
			t.Errorf("%s: links %v", target, links)
		}
		if got := text(findAll(row, tag("a"))[0]); got != id {
			t.Errorf("%s: the link reads %q", target, got)
		}
	}
}

// TestFavicon: the icon every browser asks a server for is there, so that opening the report
// (which links no icon) logs no 404; the pages name the same icon inline and never ask.
func TestFavicon(t *testing.T) {
	s := newDemoServer(t, nil)
	resp, body := s.get(t, "/favicon.ico")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || body != favicon {
		t.Errorf("/favicon.ico: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	_, page := s.get(t, "/")
	if !strings.Contains(page, `<link rel="icon" href="data:image/svg+xml,`) {
		t.Error("the status page names no icon: the browser asks /favicon.ico")
	}
}
