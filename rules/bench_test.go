package rules

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

// syntheticYAML is a configuration of n objectives of every kind and period, a service per ten
// objectives, three sources and a KPI per service; every fifth objective overrides its alerting.
func syntheticYAML(n int) []byte {
	var b strings.Builder
	b.WriteString("sources:\n")
	for _, s := range []string{"desk", "probes", "requests"} {
		fmt.Fprintf(&b, "  - {name: %s, type: demo, demo: {seed: 1}}\n", s)
	}
	b.WriteString("services:\n")
	services := (n + 9) / 10
	for i := range services {
		fmt.Fprintf(&b, "  - {name: svc-%d, labels: {team: team-%d}}\n", i, i%7)
	}
	b.WriteString("objectives:\n")
	periods := []string{"month", "rolling:30d", "week", "rolling:28d", "quarter"}
	for i := range n {
		svc := fmt.Sprintf("svc-%d", i/10)
		p := periods[i%len(periods)]
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "  - {name: obj-%d, service: %s, kind: ticket, source: desk, clock: resolution, targets: {P1: 4h, P2: 8h}, target: 0.95, period: %q", i, svc, p)
		case 1:
			fmt.Fprintf(&b, "  - {name: obj-%d, service: %s, kind: availability, source: probes, series: s%d, target: 0.999, period: %q", i, svc, i, p)
		default:
			fmt.Fprintf(&b, "  - {name: obj-%d, service: %s, kind: event_ratio, source: requests, series: s%d, target: 0.995, period: %q", i, svc, i, p)
		}
		if i%5 == 0 {
			b.WriteString(", alerting: {page_severity: critical, ticket_severity: warning, runbook_url: 'https://runbooks.example.org/{{ $labels.objective }}', labels: {tier: gold}}")
		}
		b.WriteString("}\n")
	}
	b.WriteString("kpis:\n")
	for i := range services {
		fmt.Fprintf(&b, "  - {name: mttr-%d, service: svc-%d, kind: mttr, source: desk, stat: p90, target: 4h, red: 8h}\n", i, i)
	}
	return []byte(b.String())
}

func syntheticConfig(t testing.TB, n int) *config.Config {
	t.Helper()
	cfg, err := config.Load(syntheticYAML(n), fmt.Sprintf("synthetic-%d.yml", n), ".")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// benchGenerate streams the rules of n objectives to nowhere, as Write does to disk, and reports
// the cost per objective and, from an untimed pass that collects garbage at every file, the
// most memory the generation holds on to beyond the configuration: with memory flat, the
// figures per objective and the held memory stay the same from 1,000 to 5,000 objectives.
func benchGenerate(b *testing.B, n int) {
	cfg := syntheticConfig(b, n)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var held uint64
	err := Each(cfg, Options{}, func(File) error {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		held = max(held, ms.HeapAlloc-min(base, ms.HeapAlloc))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var bytesOut, files int
	var before runtime.MemStats
	b.ReportAllocs()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		bytesOut, files = 0, 0
		err := Each(cfg, Options{}, func(f File) error {
			bytesOut += len(f.Data)
			files++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/objective")
	b.ReportMetric(float64(ms.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "alloc-B/objective")
	b.ReportMetric(float64(bytesOut)/float64(n), "out-B/objective")
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(held)/(1<<20), "held-MiB")
}

func BenchmarkGenerate1000(b *testing.B) { benchGenerate(b, 1000) }
func BenchmarkGenerate5000(b *testing.B) { benchGenerate(b, 5000) }

// BenchmarkGenerateInMemory1000 keeps every file, as Generate does: memory then grows with the
// output, about 6 KB per objective.
func BenchmarkGenerateInMemory1000(b *testing.B) {
	cfg := syntheticConfig(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(cfg, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarshalYAMLv3_1000 marshals the same groups with yaml.v3, for comparison with the
// emitter that Generate uses instead.
func BenchmarkMarshalYAMLv3_1000(b *testing.B) {
	_, groups := generate(b, syntheticConfig(b, 1000), Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range groups {
			if _, err := yaml.Marshal(RuleFile{Groups: groups[i : i+1]}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
