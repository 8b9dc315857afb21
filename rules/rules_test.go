package rules

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/demo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCase is a configuration whose rules are kept in testdata/<name>.golden.yaml; the
// promtool unit tests (testdata/*.test.yml) read those files.
type goldenCase struct {
	name string
	cfg  func(t testing.TB) *config.Config
	opts Options
}

var goldenCases = []goldenCase{
	{"demo", func(t testing.TB) *config.Config {
		cfg, err := config.Load(demo.ConfigYAML, "built-in demo configuration", ".")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}, Options{}},
	{"example", func(t testing.TB) *config.Config { return loadFile(t, "../deploy/config/example.yml") }, Options{}},
	{"rolling28d", func(t testing.TB) *config.Config { return loadFile(t, "testdata/rolling28d.yml") }, Options{}},
	{"calendar-month", func(t testing.TB) *config.Config { return loadFile(t, "testdata/calendar-month.yml") }, Options{KPIAmber: true}},
	{"compat", func(t testing.TB) *config.Config { return loadFile(t, "testdata/compat.yml") }, Options{Compat: []Compat{CompatSloth, CompatPyrra}}},
	{"escalation", func(t testing.TB) *config.Config { return loadFile(t, "testdata/escalation.yml") }, Options{}},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			files, groups := generate(t, tc.cfg(t), tc.opts)
			if len(files) != 1 {
				t.Fatalf("%d files, want 1", len(files))
			}
			checkFiles(t, files, groups, tc.opts)
			path := filepath.Join("testdata", tc.name+".golden.yaml")
			if *update {
				if err := os.WriteFile(path, files[0].Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./rules -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(files[0].Data)); diff != "" {
				t.Errorf("%s differs (-golden +generated); if intended, go test ./rules -update:\n%s", path, diff)
			}
		})
	}
}

// TestPromtoolCheck runs promtool check rules, every lint fatal, on the golden files.
func TestPromtoolCheck(t *testing.T) {
	var paths []string
	for _, tc := range goldenCases {
		paths = append(paths, filepath.Join("testdata", tc.name+".golden.yaml"))
	}
	promtoolCheck(t, paths...)
}

// TestPromtoolTest runs the unit tests of testdata/*.test.yml: hand-written series of the
// exporter's metrics, and when each alert must fire and must not yet.
func TestPromtoolTest(t *testing.T) {
	bin := promtool(t)
	tests, err := filepath.Glob("testdata/*.test.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no unit tests in testdata: %v", err)
	}
	for _, f := range tests {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cmd := exec.Command(bin, "test", "rules", filepath.Base(f))
			cmd.Dir = "testdata"
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("promtool test rules %s: %v\n%s", f, err, out)
			}
		})
	}
}

// TestOperator checks PrometheusRule output: the same groups as rule files, inside objects that
// promtool cannot read, so their spec is checked as a rule file.
func TestOperator(t *testing.T) {
	cfg := goldenCases[0].cfg(t)
	opts := Options{Operator: true, Namespace: "monitoring", OperatorLabels: map[string]string{"prometheus": "k8s", "role": "alert-rules"}}
	files, groups := generate(t, cfg, opts)
	checkFiles(t, files, groups, opts)
	_, plain := generate(t, cfg, Options{})
	if diff := cmp.Diff(plain, groups); diff != "" {
		t.Errorf("operator groups differ from the rule files' (-files +operator):\n%s", diff)
	}
	var pr PrometheusRule
	if err := yaml.Unmarshal(files[0].Data, &pr); err != nil {
		t.Fatal(err)
	}
	wantMeta := ObjectMeta{Name: "sla-rules-001", Namespace: "monitoring",
		Labels: map[string]string{"app.kubernetes.io/managed-by": "sla_exporter", "prometheus": "k8s", "role": "alert-rules"}}
	if diff := cmp.Diff(wantMeta, pr.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	spec, err := yaml.Marshal(pr.Spec)
	if err != nil {
		t.Fatal(err)
	}
	promtoolCheck(t, writeFiles(t, []File{{Name: "spec.yml", Data: spec}})...)
}

// TestSplit checks that a large configuration is split into files under the limit, every group
// in exactly one file, in order, and that each file passes promtool.
func TestSplit(t *testing.T) {
	cfg := syntheticConfig(t, 300)
	for _, operator := range []bool{false, true} {
		opts := Options{MaxFileBytes: 100 << 10, Operator: operator, Interval: 30e9}
		files, groups := generate(t, cfg, opts)
		if len(files) < 5 {
			t.Fatalf("%d files for 300 objectives under 100 KiB each", len(files))
		}
		checkFiles(t, files, groups, opts)
		// The exporter's and the sources' groups, one KPI group per service, one group per objective.
		if got, want := len(groups), 2+len(cfg.KPIs)+300; got != want {
			t.Errorf("%d groups, want %d", got, want)
		}
		if !operator {
			promtoolCheck(t, writeFiles(t, files)...)
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	keep := map[string]string{
		"sla-rules-099.yml":   "groups: []\n", // same name pattern, not generated: kept
		"other-001.yml":       headerPrefix + "x\n",
		"sla-rules-extra.yml": headerPrefix + "x\n",
	}
	for name, data := range keep {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	big := syntheticConfig(t, 120)
	written, err := Write(dir, big, Options{MaxFileBytes: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) < 3 {
		t.Fatalf("wrote %v", written)
	}
	files, _ := generate(t, big, Options{MaxFileBytes: 100 << 10})
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Fatalf("%s not written as generated: %v", f.Name, err)
		}
	}
	// A smaller configuration replaces the files: the ones it no longer needs go.
	small := syntheticConfig(t, 5)
	written, err = Write(dir, small, Options{MaxFileBytes: 100 << 10})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"other-001.yml", "sla-rules-001.yml", "sla-rules-099.yml", "sla-rules-extra.yml"}
	if diff := cmp.Diff(want, names); diff != "" || len(written) != 1 {
		t.Errorf("folder after the second run (-want +got):\n%s\nwritten %v", diff, written)
	}
	// A file of the same name that sla_exporter did not write is never overwritten.
	if err := os.WriteFile(filepath.Join(dir, "mine-001.yml"), []byte("groups: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, small, Options{Prefix: "mine"}); err == nil || !strings.Contains(err.Error(), "refusing to overwrite") {
		t.Errorf("overwrote a file it did not generate: %v", err)
	}
}

func TestErrors(t *testing.T) {
	base := `
sources: [{name: s, type: demo, demo: {seed: 1}}]
objectives:
  - {name: o, service: svc, kind: availability, source: s, series: x, target: 0.99, alerting: %s}
`
	for _, tc := range []struct {
		name, alerting string
		opts           Options
		want           string
	}{
		{"generated label", `{labels: {burn_tier: x}}`, Options{}, `objective "o": alerting label "burn_tier" is set by the generated rules`},
		{"series label", `{labels: {window: x}}`, Options{}, `alerting label "window"`},
		{"probe label", `{labels: {target: x}}`, Options{}, `alerting label "target"`},
		{"bad runbook", `{runbook_url: "https://x/{{ $labels.objective"}`, Options{}, `objective "o": runbook_url: not a valid alert template`},
		{"undefined variable", `{dashboard_url: "https://x/{{ $objective }}"}`, Options{}, `dashboard_url: not a valid alert template`},
		{"tiny files", `{}`, Options{MaxFileBytes: 100}, `too small`},
		{"prefix path", `{}`, Options{Prefix: "../x"}, `plain file name`},
		{"object name", `{}`, Options{Prefix: "SLA", Operator: true}, `Kubernetes object name`},
		{"namespace", `{}`, Options{Namespace: "Mon_itoring"}, `namespace`},
		{"unknown peer", `{}`, Options{Compat: []Compat{"nobl9"}}, `compatibility series of "nobl9": only sloth and pyrra are known`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load([]byte(strings.Replace(base, "%s", tc.alerting, 1)), "t.yml", ".")
			if err != nil {
				t.Fatal(err)
			}
			_, err = Generate(cfg, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := Generate(nil, Options{}); err == nil {
		t.Error("no error without a configuration")
	}
}

// TestDisabled: alerting disabled globally leaves a file without groups, which replaces the
// rules of an earlier run.
func TestDisabled(t *testing.T) {
	cfg, err := config.Load([]byte(`
global: {alerting: {disabled: true}}
sources: [{name: s, type: demo, demo: {seed: 1}}]
objectives: [{name: o, service: svc, kind: availability, source: s, series: x, target: 0.99}]
kpis: [{name: k, service: svc, kind: backlog, source: s, target: 10}]
`), "t.yml", ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{}, {Operator: true}} {
		files, groups := generate(t, cfg, opts)
		checkFiles(t, files, groups, opts)
		if len(files) != 1 || len(groups) != 0 {
			t.Errorf("%d files, groups %+v", len(files), groups)
		}
		if !opts.Operator {
			promtoolCheck(t, writeFiles(t, files)...)
		}
	}
}
