package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHashMod checks the shard of a name against values worked out by hand, as Prometheus'
// hashmod does it: `printf %s NAME | md5sum`, the last 16 hex digits as a number, modulo the
// count. For web-availability the sum ends e89b2ca72f7ffff1 = 16761039534757511153, which is odd
// (mod 2 = 1), 1+6+7+6+1+0+3+9+5+3+4+7+5+7+5+1+1+1+5+3 = 80 → mod 3 = 2. The distributed test
// (deploy/e2e TestShardedHA) also compares the exporter's shards with Prometheus' own hashmod
// relabelling of the objective label.
func TestHashMod(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mod2, mod3 int
		mod10      int
	}{
		{"web-availability", 1, 2, 3}, // ...e89b2ca72f7ffff1 = 16761039534757511153
		{"api-latency", 1, 0, 5},      // ...53807d4c3dbe4959 = 6016946868573849945
		{"checkout", 1, 0, 7},         // ...b03e993f1a91917f = 12699756495539114367
		{"csat", 0, 0, 8},             // ...a2d39fff67e39e30 = 11732897373538721328
		{"silver", 0, 1, 0},           // ...7ec368d6158eb3f4 = 9134259737931461620
		{"mttr", 1, 1, 9},             // ...f414afe25bb51713 = 17587875831524693779
		{"", 0, 1, 8},                 // ...e9800998ecf8427e = 16825458760271544958
	} {
		got := []int{HashMod(tc.name, 2), HashMod(tc.name, 3), HashMod(tc.name, 10), HashMod(tc.name, 1)}
		if diff := cmp.Diff([]int{tc.mod2, tc.mod3, tc.mod10, 0}, got); diff != "" {
			t.Errorf("%q: shards of 2, 3, 10, 1 (-want +got):\n%s", tc.name, diff)
		}
	}
}

// shardConfig has three sources, objectives on each, two contracts sharing an objective and one
// contract alone, and KPIs on two sources.
const shardConfig = `sources:
  - {name: tickets, type: demo}
  - {name: probes, type: demo}
  - {name: requests, type: demo}
objectives:
  - {name: web-availability, service: web, kind: availability, source: probes, series: web, target: 0.99}
  - {name: api-latency, service: api, kind: event_ratio, source: requests, series: api, target: 0.99}
  - {name: checkout, service: web, kind: availability, source: probes, series: checkout, target: 0.99}
  - {name: search, service: web, kind: availability, source: probes, series: search, target: 0.99}
  - {name: desk-response, service: desk, kind: ticket, source: tickets, clock: response, targets: {P1: 1h}, target: 0.95}
kpis:
  - {name: csat, service: desk, kind: csat, source: tickets, target: 0.9}
  - {name: mttr, service: desk, kind: mttr, source: tickets, stat: mean, target: 4h}
contracts:
  - {name: silver, objectives: [checkout], tiers: [{below: 0.99, credit: 0.1}]}
  - {name: gold, objectives: [search, checkout], tiers: [{below: 0.99, credit: 0.1}]}
  - {name: mttr, objectives: [desk-response], tiers: [{below: 0.95, credit: 0.1}]}
reports:
  - name: monthly
    folder: reports
`

func loadShardConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := Load([]byte(shardConfig), "test.yml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestAssign: objectives and KPIs by their names, objectives of contracts by their contract's;
// gold and silver share checkout, so both (and search, gold's other objective) go by "gold", the
// lesser name. Shards (count 2) from TestHashMod's sums: web-availability 1, api-latency 1,
// gold ...5225765f0af81755 odd → 1, mttr 1, csat 0. With 3: web-availability 2, api-latency 0,
// gold (5+2+2+5+7+6+5+f+0+a+f+8+1+7+5+5 = 5+2+2+5+7+6+5+15+0+10+15+8+1+7+5+5 = 98 → 2), mttr 1,
// csat 0. (A sum of hex digits gives the value mod 3 because 16 ≡ 1 mod 3.)
func TestAssign(t *testing.T) {
	cfg := loadShardConfig(t)
	got2, err := cfg.Assign(2)
	if err != nil {
		t.Fatal(err)
	}
	want2 := Assignment{Count: 2,
		Objectives: []Assigned{
			{"web-availability", "web-availability", 1}, {"api-latency", "api-latency", 1},
			{"checkout", "gold", 1}, {"search", "gold", 1}, {"desk-response", "mttr", 1},
		},
		KPIs:      []Assigned{{"csat", "csat", 0}, {"mttr", "mttr", 1}},
		Contracts: []Assigned{{"silver", "gold", 1}, {"gold", "gold", 1}, {"mttr", "mttr", 1}},
	}
	if diff := cmp.Diff(want2, got2); diff != "" {
		t.Errorf("assignment to 2 shards (-want +got):\n%s", diff)
	}
	got3, _ := cfg.Assign(3)
	var shards []int
	for _, a := range append(append(got3.Objectives, got3.KPIs...), got3.Contracts...) {
		shards = append(shards, a.Shard)
	}
	if diff := cmp.Diff([]int{2, 0, 2, 2, 1, 0, 1, 2, 2, 1}, shards); diff != "" {
		t.Errorf("shards of 3 (-want +got):\n%s", diff)
	}
	if _, err := cfg.Assign(0); err == nil {
		t.Error("Assign(0) succeeded")
	}
}

// TestShard: each shard holds its objectives, KPIs and contracts and only the sources they
// read; together the shards hold everything exactly once.
func TestShard(t *testing.T) {
	cfg := loadShardConfig(t)
	type part struct {
		Objectives, KPIs, Contracts, Sources []string
		Reports                              int
	}
	summary := func(c *Config) part {
		var p part
		for _, o := range c.Objectives {
			p.Objectives = append(p.Objectives, o.Name)
		}
		for _, k := range c.KPIs {
			p.KPIs = append(p.KPIs, k.Spec.Name)
		}
		for _, k := range c.Contracts {
			p.Contracts = append(p.Contracts, k.Spec.Name)
		}
		for _, s := range c.Sources {
			p.Sources = append(p.Sources, s.Name)
		}
		p.Reports = len(c.Reports)
		return p
	}
	// Shards of 3 from TestAssign: api-latency and csat 0; desk-response, the KPI mttr and the
	// contract mttr 1; web-availability, checkout, search, silver and gold 2.
	want := []part{
		{Objectives: []string{"api-latency"}, KPIs: []string{"csat"}, Sources: []string{"tickets", "requests"}},
		{Objectives: []string{"desk-response"}, KPIs: []string{"mttr"}, Contracts: []string{"mttr"}, Sources: []string{"tickets"}},
		{Objectives: []string{"web-availability", "checkout", "search"}, Contracts: []string{"silver", "gold"}, Sources: []string{"probes"}},
	}
	for i := range 3 {
		sh, err := cfg.Shard(i, 3)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want[i], summary(sh)); diff != "" {
			t.Errorf("shard %d of 3 (-want +got):\n%s", i, diff)
		}
		if !strings.Contains(strings.Join(sh.Warnings, "\n"), "test.yml:18: reports: scheduled reports are not delivered by a shard") {
			t.Errorf("shard %d: no warning on the reports left out: %q", i, sh.Warnings)
		}
	}
	if len(cfg.Objectives) != 5 || len(cfg.Sources) != 3 || len(cfg.Reports) != 1 || len(cfg.Warnings) != 0 {
		t.Error("Shard changed the configuration it was called on")
	}
	one, err := cfg.Shard(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(one); len(got.Objectives) != 5 || len(got.KPIs) != 2 || len(got.Contracts) != 3 || len(got.Sources) != 3 {
		t.Errorf("the only shard of 1 holds %+v, want everything", got)
	}
}

func TestShardErrors(t *testing.T) {
	cfg := loadShardConfig(t)
	for _, tc := range []struct {
		index, count int
		want         string
	}{
		{0, 0, "--shard.count 0: want at least 1"},
		{2, 2, "--shard.index 2: want 0 to 1 (--shard.count is 2)"},
		{-1, 2, "--shard.index -1: want 0 to 1 (--shard.count is 2)"},
	} {
		_, err := cfg.Shard(tc.index, tc.count)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Shard(%d, %d): %v, want %s", tc.index, tc.count, err, tc.want)
		}
	}
	// More shards than names: some are empty, and say so.
	sh, err := cfg.Shard(4, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Objectives)+len(sh.KPIs) == 0 && !strings.Contains(strings.Join(sh.Warnings, "\n"), "serves no objective and no KPI") {
		t.Errorf("empty shard without a warning: %q", sh.Warnings)
	}
}
