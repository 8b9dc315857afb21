package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// costBase has a ticket source declaring its priorities, a ticket objective with targets for P1
// and P2, an availability objective, and the service desk's cost block; line 25 is "cost:".
const costBase = `sources:
  - name: tickets
    type: demo
    priorities: [P1, P2, P3]
  - name: probes
    type: demo
objectives:
  - name: resolution
    service: desk
    kind: ticket
    source: tickets
    clock: resolution
    targets: {P1: 4h, P2: 1d}
    target: 0.95
  - name: uptime
    service: desk
    kind: availability
    source: probes
    series: web
    target: 0.999
services:
  - name: desk
  - name: other
  - name: shop
    cost:
      currency: EUR
      downtime_per_minute: 120
      breached_ticket: {P1: 500, P2: 100, "*": 20}
`

func TestLoadCost(t *testing.T) {
	// other prices downtime at 0 (explicitly: it costs nothing) but has no availability objective.
	yml := strings.Replace(costBase, "  - name: other\n", "  - name: other\n    cost: {currency: USD, downtime_per_minute: 0}\n", 1)
	cfg, err := Load([]byte(yml), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Cost{}
	for name, s := range cfg.Services {
		got[name] = s.Cost
	}
	want := map[string]*Cost{
		"desk":  nil,
		"other": {Currency: "USD", DowntimePerMinute: 0, HasDowntime: true},
		"shop":  {Currency: "EUR", DowntimePerMinute: 120, HasDowntime: true, BreachedTicket: map[string]float64{"P1": 500, "P2": 100, "*": 20}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("costs (-want +got):\n%s", diff)
	}
	wantWarn := []string{
		`test.yml:24: services[1].cost.downtime_per_minute: service "other" has no availability objective: downtime_per_minute prices nothing`,
		`test.yml:28: services[2].cost.downtime_per_minute: service "shop" has no availability objective: downtime_per_minute prices nothing`,
		`test.yml:29: services[2].cost.breached_ticket: service "shop" has no ticket objective: breached_ticket prices nothing`,
	}
	if diff := cmp.Diff(wantWarn, cfg.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestLoadCost_Desk(t *testing.T) {
	yml := strings.Replace(costBase, "  - name: desk\n", "  - name: desk\n    cost:\n      currency: EUR\n      downtime_per_minute: 1.5\n      breached_ticket: {P1: 500, P2: 100, \"*\": 20}\n", 1)
	yml = strings.Replace(yml, "  - name: shop\n    cost:\n      currency: EUR\n      downtime_per_minute: 120\n      breached_ticket: {P1: 500, P2: 100, \"*\": 20}\n", "", 1)
	cfg, err := Load([]byte(yml), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	want := &Cost{Currency: "EUR", DowntimePerMinute: 1.5, HasDowntime: true, BreachedTicket: map[string]float64{"P1": 500, "P2": 100, "*": 20}}
	if diff := cmp.Diff(want, cfg.Services["desk"].Cost); diff != "" {
		t.Errorf("cost (-want +got):\n%s", diff)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %q", cfg.Warnings)
	}
	for _, tt := range []struct {
		prio  string
		price float64
		ok    bool
	}{{"P1", 500, true}, {"P2", 100, true}, {"P3", 20, true}, {"", 20, true}} {
		if price, ok := want.TicketPrice(tt.prio); price != tt.price || ok != tt.ok {
			t.Errorf("TicketPrice(%q) = %g, %v, want %g, %v", tt.prio, price, ok, tt.price, tt.ok)
		}
	}
}

func TestLoadCostErrors(t *testing.T) {
	// Line 25 is "cost:", 26 currency, 27 downtime_per_minute, 28 breached_ticket.
	tests := []struct {
		name, old, new, want string
	}{
		{"lower-case currency", "currency: EUR", "currency: eur",
			`test.yml:26: services[2].cost.currency: "eur" is not an ISO 4217 currency code (three upper-case letters, e.g. EUR)`},
		{"no currency", "      currency: EUR\n", "",
			`test.yml:25: services[2].cost.currency: "" is not an ISO 4217 currency code (three upper-case letters, e.g. EUR)`},
		{"negative downtime", "downtime_per_minute: 120", "downtime_per_minute: -1",
			"test.yml:27: services[2].cost.downtime_per_minute: -1 is not a finite amount >= 0"},
		{"NaN price", "P2: 100", "P2: .nan",
			"test.yml:28: services[2].cost.breached_ticket.P2: NaN is not a finite amount >= 0"},
		{"unknown key", "      currency: EUR\n", "      currency: EUR\n      per_ticket: 3\n", "test.yml:27: services[2].cost.per_ticket: unknown field (known: currency, downtime_per_minute, breached_ticket)"},
		{"prices nothing", "      downtime_per_minute: 120\n      breached_ticket: {P1: 500, P2: 100, \"*\": 20}\n", "",
			"test.yml:25: services[2].cost: prices nothing: set downtime_per_minute, breached_ticket or both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(costBase, tt.old, tt.new, 1)
			if text == costBase {
				t.Fatal("the test's replacement changes nothing")
			}
			_, err := Load([]byte(text), "test.yml", t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestLoadCostPriorities checks priced priorities against the service's ticket objectives: a
// priority no source or target knows is an error when every source declares its priorities, a
// priority left without a price a warning.
func TestLoadCostPriorities(t *testing.T) {
	// The desk's objectives under shop, so that its cost applies to them.
	shop := strings.ReplaceAll(costBase, "    service: desk\n", "    service: shop\n")
	tests := []struct {
		name, old, new string
		err            string
		warnings       []string
	}{
		{"known", "", "", "", nil},
		{"typo", "P2: 100", "P7: 100",
			`test.yml:28: services[2].cost.breached_ticket.P7: no ticket objective of service "shop" has tickets of priority "P7" (its priorities: P1, P2, P3)`, nil},
		{"a source without priorities cannot tell", "    priorities: [P1, P2, P3]\n", "", "",
			nil},
		// P3 has no target, so no cycle of it exists to price: no "*" is needed.
		{"every target priced", `, "*": 20}`, "}", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(shop, tt.old, tt.new, 1)
			cfg, err := Load([]byte(text), "test.yml", t.TempDir())
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.warnings, cfg.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("a * target left unpriced", func(t *testing.T) {
		text := strings.Replace(strings.Replace(shop, "targets: {P1: 4h, P2: 1d}", `targets: {P1: 4h, "*": 1d}`, 1), `, "*": 20}`, "}", 1)
		cfg, err := Load([]byte(text), "test.yml", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		want := []string{`test.yml:28: services[2].cost.breached_ticket: breached cycles of priority * cost nothing: add them, or "*", to breached_ticket`}
		if diff := cmp.Diff(want, cfg.Warnings); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
	})
	t.Run("native verdict priced by priority", func(t *testing.T) {
		text := strings.Replace(shop, "    target: 0.95\n", "    target: 0.95\n    verdict: native\n", 1)
		cfg, err := Load([]byte(text), "test.yml", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		// verdict: native is one line more.
		want := []string{`test.yml:29: services[2].cost.breached_ticket: objective "resolution" counts the ticket tool's own verdicts (verdict: native), whose breaches cannot be split by priority: its breached_tickets cost is not published; price it with "*" only`}
		if diff := cmp.Diff(want, cfg.Warnings); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
	})
}
