package web

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/sla-exporter/sla_exporter/collector"
)

// costSnapshot is mid-November 2026 (15 of November's 30 days elapsed), its figures as the
// evaluation gives them (sorted by service, kind, currency), each worked out in its comment.
func costSnapshot() *collector.Snapshot {
	return &collector.Snapshot{At: evalAt, Costs: []collector.CostResult{
		// api prices downtime at 120 USD a minute: 45 s bad = 0.75 min × 120 = 90 USD; the
		// objective has no forecast.
		{Service: "api", Kind: "downtime", Currency: "USD", SoFar: 90, HasSoFar: true, Quantity: 0.75, Unknown: "api-availability has no forecast"},
		// hostco's supplier contract (12,000 EUR a month, 10% tier so far): 1,200 EUR earned so
		// far; its forecast is unknown.
		{Service: "hosting", Kind: "credits_earned", Currency: "EUR", SoFar: 1200, HasSoFar: true, Unknown: "contract hostco has an objective without data"},
		// 2 P1 × 500 + 1 P2 × 100 = 1,100 EUR for 3 breached cycles; extrapolated to the month:
		// 1,100 × 30 / 15 = 2,200 EUR.
		{Service: "service-desk", Kind: "breached_tickets", Currency: "EUR", SoFar: 1100, HasSoFar: true, Forecast: 2200, HasForecast: true, Quantity: 3, Extrapolated: true},
		{Service: "webshop", Kind: "breached_tickets", Currency: "EUR", Unknown: "webshop-tickets is stale"},
		// 10% of a 12,000 EUR fee so far, 25% forecast.
		{Service: "webshop", Kind: "credits_owed", Currency: "EUR", SoFar: 1200, HasSoFar: true, Forecast: 3000, HasForecast: true},
		// A contract in dollars under the same service: never added to the euros.
		{Service: "webshop", Kind: "credits_owed", Currency: "USD", SoFar: 250, HasSoFar: true, Forecast: 250, HasForecast: true},
		// 12.5 bad minutes × 120 EUR = 1,500 EUR; 25.8375 forecast minutes × 120 = 3,100.50 EUR.
		{Service: "webshop", Kind: "downtime", Currency: "EUR", SoFar: 1500, HasSoFar: true, Forecast: 3100.5, HasForecast: true, Quantity: 12.5},
		// A figure that is not a number is no figure, and says so even without a reason given.
		{Service: "zeta", Kind: "breached_tickets", Currency: "EUR", SoFar: math.NaN(), HasSoFar: true, Forecast: 0, HasForecast: true, Quantity: 0},
	}}
}

func TestCostsJSON(t *testing.T) {
	got := CostsJSON(costSnapshot())
	eur := func(so, fc string) CostDisplayJSON { return CostDisplayJSON{SoFar: so, Forecast: fc} }
	want := []CostJSON{
		{
			Service: "api", Currency: "USD",
			Kinds: []CostKindJSON{{Kind: "downtime", SoFar: ptr(90.0), Quantity: ptr(0.75), QuantityUnit: "minutes",
				Unknown: "api-availability has no forecast", Display: CostDisplayJSON{SoFar: "90.00 USD", Quantity: "45s of bad time"}}},
			// The total is as known as its parts: so far 90, forecast null.
			Total: &CostTotalJSON{SoFar: ptr(90.0), Unknown: []string{"downtime: api-availability has no forecast"}, Display: CostDisplayJSON{SoFar: "90.00 USD"}},
		},
		{
			Service: "hosting", Currency: "EUR",
			Kinds: []CostKindJSON{{Kind: "credits_earned", SoFar: ptr(1200.0), Unknown: "contract hostco has an objective without data",
				Display: CostDisplayJSON{SoFar: "1,200.00 EUR"}}},
			// Credits earned offset costs: with nothing else, no total.
		},
		{
			Service: "service-desk", Currency: "EUR",
			Kinds: []CostKindJSON{{Kind: "breached_tickets", SoFar: ptr(1100.0), Forecast: ptr(2200.0), Quantity: ptr(3.0), QuantityUnit: "cycles", Extrapolated: true,
				Display: CostDisplayJSON{SoFar: "1,100.00 EUR", Forecast: "2,200.00 EUR", Quantity: "3 breached cycles"}}},
			Total: &CostTotalJSON{SoFar: ptr(1100.0), Forecast: ptr(2200.0), Display: eur("1,100.00 EUR", "2,200.00 EUR")},
		},
		{
			Service: "webshop", Currency: "EUR",
			// Downtime, breached tickets, credits owed: the order of the report's summary.
			Kinds: []CostKindJSON{
				{Kind: "downtime", SoFar: ptr(1500.0), Forecast: ptr(3100.5), Quantity: ptr(12.5), QuantityUnit: "minutes",
					Display: CostDisplayJSON{SoFar: "1,500.00 EUR", Forecast: "3,100.50 EUR", Quantity: "12m30s of bad time"}},
				{Kind: "breached_tickets", Unknown: "webshop-tickets is stale"},
				{Kind: "credits_owed", SoFar: ptr(1200.0), Forecast: ptr(3000.0), Display: eur("1,200.00 EUR", "3,000.00 EUR")},
			},
			// One unknown part leaves the total unknown, not 2,700 EUR that would pass for it.
			Total: &CostTotalJSON{Unknown: []string{"breached_tickets: webshop-tickets is stale"}},
		},
		{
			Service: "webshop", Currency: "USD",
			Kinds: []CostKindJSON{{Kind: "credits_owed", SoFar: ptr(250.0), Forecast: ptr(250.0), Display: CostDisplayJSON{SoFar: "250.00 USD", Forecast: "250.00 USD"}}},
			Total: &CostTotalJSON{SoFar: ptr(250.0), Forecast: ptr(250.0), Display: CostDisplayJSON{SoFar: "250.00 USD", Forecast: "250.00 USD"}},
		},
		{
			Service: "zeta", Currency: "EUR",
			Kinds: []CostKindJSON{{Kind: "breached_tickets", Forecast: ptr(0.0), Unknown: "the data behind it is missing", Display: CostDisplayJSON{Forecast: "0.00 EUR"}}},
			Total: &CostTotalJSON{Forecast: ptr(0.0), Unknown: []string{"breached_tickets: the data behind it is missing"}, Display: CostDisplayJSON{Forecast: "0.00 EUR"}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CostsJSON (-want +got):\n%s", diff)
	}

	// Unknown figures are null in the JSON, with the reason, never 0.
	raw, err := json.Marshal(got[3])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`{"kind":"breached_tickets","so_far":null,"forecast":null,"extrapolated":false,"unknown":"webshop-tickets is stale","display":{}}`,
		`"total":{"so_far":null,"forecast":null,"unknown":["breached_tickets: webshop-tickets is stale"],"display":{}}`} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("JSON lacks %s:\n%s", s, raw)
		}
	}
	// Nothing priced is an empty list, not null.
	if raw, _ := json.Marshal(CostsJSON(&collector.Snapshot{})); string(raw) != "[]" {
		t.Errorf("no costs: %s, want []", raw)
	}
}

// TestCostsAPI serves the demo's costs: the service desk's breached tickets and the web shop's
// downtime in euros, the hosting supplier's credits earned; marked while restored.
func TestCostsAPI(t *testing.T) {
	s := newDemoServer(t, nil)
	resp, body := s.get(t, "/api/v1/costs")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var got []CostJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(CostsJSON(s.expo.Snapshot()), got); diff != "" {
		t.Errorf("served (-snapshot +API):\n%s", diff)
	}
	kinds := map[string][]string{}
	for _, j := range got {
		for _, k := range j.Kinds {
			kinds[j.Service+" "+j.Currency] = append(kinds[j.Service+" "+j.Currency], k.Kind)
			if k.SoFar == nil || k.Forecast == nil {
				t.Errorf("%s %s: %+v: the demo has the data", j.Service, k.Kind, k)
			}
		}
	}
	if diff := cmp.Diff(map[string][]string{"hosting EUR": {"credits_earned"}, "service-desk EUR": {"breached_tickets"}, "webshop EUR": {"downtime"}}, kinds); diff != "" {
		t.Errorf("the demo's priced kinds (-want +got):\n%s", diff)
	}
	if strings.Contains(body, `"restored"`) {
		t.Error("restored before any restart")
	}

	restored := *s.expo.Snapshot()
	restored.Restored = true
	s.expo.Set(&restored)
	if _, body := s.get(t, "/api/v1/costs"); strings.Count(body, `"restored": true`) != len(got) {
		t.Errorf("restored figures are not marked on each entry:\n%.400s", body)
	}
}

// TestStatusPageCosts reads the page's cost section as a browser does: a table body per service
// and currency, a row per kind and the total, the unknown figures said as unknown with the reason,
// each amount as the API's display gives it.
func TestStatusPageCosts(t *testing.T) {
	s := newDemoServer(t, nil)
	snap := costSnapshot()
	s.expo.Set(snap)
	_, body := s.get(t, "/")
	doc := parsePage(t, body)
	section := one(t, doc, "the costs section", func(n *html.Node) bool { return n.Data == "section" && withAttr("aria-labelledby", "costs-h")(n) })
	if h := text(one(t, section, "its heading", tag("h2"))); h != "Cost of missed promises" {
		t.Errorf("heading %q", h)
	}
	type row struct{ Kind, Label, SoFar, Forecast, Notes string }
	got := map[string][]row{}
	var order []string
	for _, tb := range findAll(section, tag("tbody")) {
		service, _ := attr(tb, "data-service")
		currency, _ := attr(tb, "data-currency")
		key := service + " " + currency
		order = append(order, key)
		group := one(t, tb, key+"'s header", withAttr("scope", "rowgroup"))
		if text(group) != key {
			t.Errorf("%s: the group reads %q", key, text(group))
		}
		for _, tr := range findAll(tb, tag("tr")) {
			kind, _ := attr(tr, "data-cost")
			got[key] = append(got[key], row{kind, text(one(t, tr, "the kind", withAttr("scope", "row"))),
				figureOf(t, tr, "so_far"), figureOf(t, tr, "forecast"), figureOf(t, tr, "notes")})
		}
	}
	const unknown = "○ unknown"
	const downtimeHow = "forecast: from the objectives' forecast attainment (the bad time so far plus the time ahead going bad at the recent rate)"
	want := map[string][]row{
		"api USD": {{"downtime", "Downtime", "90.00 USD", unknown, "45s of bad time unknown: api-availability has no forecast"}},
		"hosting EUR": {{"credits_earned", "Credits earned from suppliers", "1,200.00 EUR", unknown,
			"unknown: contract hostco has an objective without data"}},
		// One kind: no total row repeating it.
		"service-desk EUR": {{"breached_tickets", "Breached tickets", "1,100.00 EUR", "2,200.00 EUR",
			"3 breached cycles forecast: extrapolated from the share of the period elapsed"}},
		"webshop EUR": {
			{"downtime", "Downtime", "1,500.00 EUR", "3,100.50 EUR", "12m30s of bad time " + downtimeHow},
			{"breached_tickets", "Breached tickets", unknown, unknown, "unknown: webshop-tickets is stale"},
			{"credits_owed", "Credits owed to customers", "1,200.00 EUR", "3,000.00 EUR", "the contracts' running and forecast credits"},
			{"total", "Total cost", unknown, unknown, "unknown: breached_tickets: webshop-tickets is stale"},
		},
		"webshop USD": {{"credits_owed", "Credits owed to customers", "250.00 USD", "250.00 USD", "the contracts' running and forecast credits"}},
		"zeta EUR":    {{"breached_tickets", "Breached tickets", unknown, "0.00 EUR", "unknown: the data behind it is missing"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cost rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"api USD", "hosting EUR", "service-desk EUR", "webshop EUR", "webshop USD", "zeta EUR"}, order); diff != "" {
		t.Errorf("groups' order (-want +got):\n%s", diff)
	}
	// The page's amounts are the API's.
	for _, j := range CostsJSON(snap) {
		for i, k := range j.Kinds {
			r := got[j.Service+" "+j.Currency][i]
			if r.SoFar != cmpOr(k.Display.SoFar, unknown) || r.Forecast != cmpOr(k.Display.Forecast, unknown) {
				t.Errorf("%s %s: page %+v, API display %+v", j.Service, k.Kind, r, k.Display)
			}
		}
	}
	// The unknown mark is a word, with its symbol hidden from screen readers.
	for _, b := range findAll(section, func(n *html.Node) bool { c, _ := attr(n, "class"); return c == "badge unknown" }) {
		if sym := one(t, b, "the symbol", withAttr("aria-hidden", "true")); text(sym) != "○" {
			t.Errorf("unknown badge symbol %q", text(sym))
		}
	}
}

func cmpOr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// TestStatusPageCostsNone: with nothing priced the section is left out rather than shown empty.
func TestStatusPageCostsNone(t *testing.T) {
	s := newDemoServer(t, nil)
	snap := *s.expo.Snapshot()
	snap.Costs = nil
	s.expo.Set(&snap)
	_, body := s.get(t, "/")
	if strings.Contains(body, "costs-h") {
		t.Error("a cost section without costs")
	}
}

// TestStatusPageCostsEscape serves names and reasons that configuration checks would refuse:
// the section escapes them.
func TestStatusPageCostsEscape(t *testing.T) {
	s := newDemoServer(t, nil)
	s.expo.Set(&collector.Snapshot{At: evalAt, Costs: []collector.CostResult{
		{Service: `<script>alert(1)</script>`, Kind: `"><img src=x onerror=alert(2)>`, Currency: `<u>EUR</u>`, SoFar: 1, HasSoFar: true, Unknown: `<b>stale</b>`},
	}})
	_, body := s.get(t, "/")
	checkHTML(t, body)
	if n := strings.Count(body, "<script"); n != 1 {
		t.Errorf("%d <script elements, want the page's own one", n)
	}
	for _, raw := range []string{"<script>alert", "<img", "<u>EUR", "<b>stale"} {
		if strings.Contains(body, raw) {
			t.Errorf("page contains %q unescaped", raw)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "1.00 &lt;u&gt;EUR&lt;/u&gt;", "unknown: &lt;b&gt;stale&lt;/b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}
