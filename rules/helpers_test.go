package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector/config"
	c "github.com/sla-exporter/sla_exporter/slo/conventions"
)

// generate runs the generator and returns its files and the groups it put into them.
func generate(t testing.TB, cfg *config.Config, opts Options) ([]File, []Group) {
	t.Helper()
	var files []File
	var groups []Group
	err := each(cfg, opts, func(f File) error {
		files = append(files, File{Name: f.Name, Data: bytes.Clone(f.Data)})
		return nil
	}, func(g *Group) { groups = append(groups, *g) })
	if err != nil {
		t.Fatal(err)
	}
	return files, groups
}

func loadFile(t testing.TB, path string) *config.Config {
	t.Helper()
	cfg, err := config.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// decodeFile reads a generated file back with yaml.v3, strictly, as Prometheus would: exactly
// one document, no unknown keys.
func decodeFile(t testing.TB, f File, operator bool) []Group {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	dec.KnownFields(true)
	var groups []Group
	if operator {
		var pr PrometheusRule
		if err := dec.Decode(&pr); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if pr.APIVersion != OperatorAPIVersion || pr.Kind != OperatorKind || pr.Metadata.Name != strings.TrimSuffix(f.Name, ".yml") {
			t.Errorf("%s: object %s %s %q", f.Name, pr.APIVersion, pr.Kind, pr.Metadata.Name)
		}
		groups = pr.Spec.Groups
	} else {
		var rf RuleFile
		if err := dec.Decode(&rf); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		groups = rf.Groups
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Errorf("%s: a second YAML document (Prometheus would ignore it): %v", f.Name, err)
	}
	return groups
}

var (
	recordName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	metricRef  = regexp.MustCompile(`\bsla_[a-z_]+\b`)
	// exported are the metric names a rule may read: the exporter's, per the conventions.
	exported = []string{c.ObjectiveInfo, c.ObjectiveTarget, c.Attainment, c.BudgetRemainingRatio,
		c.BudgetConsumedRatio, c.BudgetRemainingSeconds, c.BudgetRemainingEvents, c.BurnRate,
		c.ForecastAttainment, c.BudgetExhaustion, c.BreachProbability, c.ExpectedBreaches, c.Status,
		c.PeriodStart, c.PeriodEnd, c.PeriodEvents, c.PeriodFinalAttainment, c.DataCoverage,
		c.TicketsOpen, c.KPIValue, c.KPITarget, c.KPIStatus, c.ContractPeriodFinalCreditRatio,
		c.ContractPeriodFinalCreditAmount, c.ContractForecastCreditRatio, c.ContractForecastCreditAmount,
		c.ContractRunningCreditRatio, c.ContractRunningCreditAmount, c.ContractStatus, c.CostAmount, c.SourceUp, c.SourceLastSuccess, c.SourceRecords,
		c.SourceRejectedRecords, c.SourceSyncDuration, c.SourceRequests, c.SourceStatus, c.SourceLastSyncRecords,
		c.SourceLastSyncRejected, c.StoreWriteFailures, c.StoreLastWriteSuccessful, c.KPIInfo, c.ToolDeadlineCycles, c.NativeCycles, c.NativeDisagreements,
		c.ToolAttainment, c.ToolAttainmentDifference, c.EvaluationDuration,
		c.LastEvaluation, c.SnapshotRestored, c.ConfigLastReloadSuccessful, c.ConfigLastReloadSuccess, c.BuildInfo,
		c.ProbeSuccess, c.ProbeDuration, c.ProbeLast, c.ProbeHTTPStatusCode, c.ProbeCertExpiry,
		c.ReportDeliveries, c.ReportLastDelivery, c.ReportLastDeliverySuccessful, c.HTTPRequestsRejected,
		c.TicketsEscalated,
		c.StaffingRequiredAgents, c.StaffingRosteredAgents, c.StaffingExpectedAttainment, c.StaffingArrivalsPerHour, c.StaffingHandleTime}
)

// checkFiles reads the files back and checks what promtool cannot see or what would need
// github.com/prometheus/prometheus to check: the files hold exactly the groups generated, one
// document each, under the size limit, with valid names, durations and templates, reading only
// metrics the exporter publishes, and no rule twice.
func checkFiles(t *testing.T, files []File, groups []Group, opts Options) {
	t.Helper()
	limit := opts.MaxFileBytes
	if limit == 0 {
		limit = DefaultMaxFileBytes
		if opts.Operator {
			limit = DefaultOperatorMaxFileBytes
		}
	}
	var read []Group
	for i, f := range files {
		if want := fmt.Sprintf("%s-%03d.yml", cmpOr(opts.Prefix, DefaultPrefix), i+1); f.Name != want {
			t.Errorf("file %d is named %s, want %s", i, f.Name, want)
		}
		if len(f.Data) > limit {
			t.Errorf("%s: %d bytes, over the limit of %d", f.Name, len(f.Data), limit)
		}
		if !bytes.HasPrefix(f.Data, []byte(headerPrefix)) || !bytes.Contains(f.Data[:bytes.IndexByte(f.Data, '\n')], []byte(", do not edit.")) {
			t.Errorf("%s: no generated header: %.80q", f.Name, f.Data)
		}
		read = append(read, decodeFile(t, f, opts.Operator)...)
	}
	if diff := cmp.Diff(groups, read); diff != "" {
		t.Fatalf("groups read back differ from the groups generated (-generated +read):\n%s", diff)
	}
	names := map[string]bool{}
	rules := map[string]bool{}
	for _, g := range read {
		if names[g.Name] {
			t.Errorf("group %s twice", g.Name)
		}
		names[g.Name] = true
		if g.Interval != "" {
			mustDuration(t, g.Name, g.Interval)
		}
		for _, r := range g.Rules {
			checkRule(t, g.Name, r)
			key := fmt.Sprint(r.Alert, r.Record, r.Expr, r.Labels)
			if rules[key] {
				t.Errorf("%s: rule %s%s twice with labels %v", g.Name, r.Alert, r.Record, r.Labels)
			}
			rules[key] = true
		}
	}
}

func checkRule(t *testing.T, group string, r Rule) {
	t.Helper()
	switch {
	case (r.Alert == "") == (r.Record == ""):
		t.Errorf("%s: rule with alert %q and record %q", group, r.Alert, r.Record)
	case r.Record != "" && !recordName.MatchString(r.Record):
		t.Errorf("%s: %q is not a metric name", group, r.Record)
	case r.Record != "" && (r.For != "" || len(r.Annotations) > 0):
		t.Errorf("%s: recording rule %s with for or annotations", group, r.Record)
	case r.Alert != "" && (r.Annotations["summary"] == "" || r.Annotations["description"] == ""):
		t.Errorf("%s: alert %s without summary or description", group, r.Alert)
	case r.Alert != "" && r.Labels[LabelSeverity] == "":
		t.Errorf("%s: alert %s without severity", group, r.Alert)
	}
	if r.For != "" {
		mustDuration(t, group, r.For)
	}
	for k := range r.Labels {
		if !labelName.MatchString(k) {
			t.Errorf("%s: %q is not a label name", group, k)
		}
	}
	for k, v := range r.Annotations {
		if err := checkTemplate(v); err != nil {
			t.Errorf("%s: %s annotation %s: %v", group, r.Alert, k, err)
		}
	}
	for _, m := range metricRef.FindAllString(r.Expr, -1) {
		if !slices.Contains(exported, m) {
			t.Errorf("%s: %s reads %s, which the exporter does not publish", group, r.Alert+r.Record, m)
		}
	}
	if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") || strings.Count(r.Expr, "{") != strings.Count(r.Expr, "}") {
		t.Errorf("%s: unbalanced expression %q", group, r.Expr)
	}
}

func mustDuration(t *testing.T, where, d string) {
	t.Helper()
	if _, err := model.ParseDuration(d); err != nil {
		t.Errorf("%s: %q: %v", where, d, err)
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// promtool returns the path of promtool, or skips the test loudly when it is not installed,
// unless the CI environment variable is set: CI must run the checks.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if _, statErr := os.Stat("/usr/bin/promtool"); statErr == nil {
			return "/usr/bin/promtool"
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("promtool is required when CI is set: %v", err)
		}
		t.Log("!!! promtool not found: SKIPPING the promtool checks of the generated rules (apt-get install prometheus); CI runs them")
		t.Skip("promtool not installed")
	}
	return path
}

// writeFiles writes the files into a new folder and returns their paths.
func writeFiles(t *testing.T, files []File) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, f := range files {
		p := dir + "/" + f.Name
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// promtoolCheck runs promtool check rules with every lint fatal on the files.
func promtoolCheck(t *testing.T, paths ...string) {
	t.Helper()
	bin := promtool(t)
	out, err := exec.Command(bin, append([]string{"check", "rules", "--lint=all", "--lint-fatal"}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}
