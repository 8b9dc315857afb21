package e2e

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the generated files under deploy/ (deploy/kubernetes/prometheusrule.yaml)")

const prometheusRuleHeader = `# The PrometheusRule of the configuration in configmap.yaml, generated with
#   sla_exporter --config.file sla.yml rules --operator --out DIR
# Do not edit: after changing the ConfigMap's configuration (or upgrading sla_exporter), run
#   go test ./deploy/e2e -run TestKubernetesPrometheusRule -update
# The Prometheus Operator loads it when the Prometheus object's ruleSelector selects its labels
# (kube-prometheus-stack: release: <helm release name>; --operator.label release=... adds it).
`

// TestKubernetesPrometheusRule checks that deploy/kubernetes/prometheusrule.yaml is what
// `sla_exporter rules --operator` generates for the ConfigMap's configuration, and that its rule
// groups pass promtool check rules.
func TestKubernetesPrometheusRule(t *testing.T) {
	exporter := exporterBinary(t)
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	decodeYAMLFile(t, repoPath(t, "deploy/kubernetes/configmap.yaml"), &cm)
	dir := t.TempDir()
	cfgPath := writeFile(t, dir, "sla.yml", cm.Data["sla.yml"])
	files := generateRules(t, exporter, cfgPath, filepath.Join(dir, "out"), "--operator")
	slices.Sort(files)
	var docs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, withoutComments(string(b)))
	}
	want := prometheusRuleHeader + strings.Join(docs, "---\n")
	path := repoPath(t, "deploy/kubernetes/prometheusrule.yaml")
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./deploy/e2e -run TestKubernetesPrometheusRule -update)", err)
	}
	if string(got) != want {
		t.Errorf("deploy/kubernetes/prometheusrule.yaml is not what sla_exporter rules --operator generates for configmap.yaml's configuration;\n"+
			"regenerate it with: go test ./deploy/e2e -run TestKubernetesPrometheusRule -update\n%s", firstDifference(string(got), want))
	}

	// The rule groups pass promtool.
	promtool := requireTool(t, "promtool")
	for i, f := range files {
		var pr struct {
			Kind string `yaml:"kind"`
			Spec struct {
				Groups []any `yaml:"groups"`
			} `yaml:"spec"`
		}
		decodeYAMLFile(t, f, &pr)
		if pr.Kind != "PrometheusRule" || len(pr.Spec.Groups) == 0 {
			t.Fatalf("%s is not a PrometheusRule with groups", f)
		}
		b, err := yaml.Marshal(map[string]any{"groups": pr.Spec.Groups})
		if err != nil {
			t.Fatal(err)
		}
		rf := writeFile(t, dir, filepath.Base(f)+".rules.yml", string(b))
		if out, err := run(t, dir, promtool, "check", "rules", rf); err != nil {
			t.Errorf("PrometheusRule %d: promtool check rules: %v\n%s", i, err, out)
		}
	}
}

// withoutComments drops the leading comment lines (the generator's header names the temporary
// configuration file).
func withoutComments(s string) string {
	for strings.HasPrefix(s, "#") {
		_, rest, _ := strings.Cut(s, "\n")
		s = rest
	}
	return s
}

func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "first difference at line " + strconv.Itoa(i+1) + ":\n  have: " + gl + "\n  want: " + wl
		}
	}
	return ""
}

// generatedAlert is an alerting rule of the generated files.
type generatedAlert struct {
	Alert  string            `yaml:"alert"`
	Labels map[string]string `yaml:"labels"`
}

func generatedAlerts(t *testing.T, files []string) []generatedAlert {
	t.Helper()
	var alerts []generatedAlert
	for _, f := range files {
		var rf struct {
			Groups []struct {
				Rules []generatedAlert `yaml:"rules"`
			} `yaml:"groups"`
		}
		decodeYAMLFile(t, f, &rf)
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				if r.Alert != "" {
					alerts = append(alerts, r)
				}
			}
		}
	}
	return alerts
}

// TestGeneratedAlertsRoute generates the demo's rules and checks that every alert they define
// reaches the receiver its severity calls for under the shipped Alertmanager configuration
// (page: oncall, ticket: itsm; an escalation level's, the one its notify label names), and
// that the objective alerts carry the labels the inhibition rules compare (objective, service;
// source for the SLASourceDown inhibition).
func TestGeneratedAlertsRoute(t *testing.T) {
	amtool := requireTool(t, "amtool")
	exporter := exporterBinary(t)
	files := generateRules(t, exporter, "", filepath.Join(t.TempDir(), "rules"))
	alerts := generatedAlerts(t, files)
	if len(alerts) == 0 {
		t.Fatal("the demo's rules define no alert")
	}
	receiverOf := map[string]string{"page": "oncall", "ticket": "itsm"}
	escalationReceiverOf := map[string]string{"team": "desk-team", "lead": "desk-lead", "manager": "desk-manager"}
	cfg := repoPath(t, "deploy/alertmanager/alertmanager.yml")
	tested := map[string]bool{}
	for _, a := range alerts {
		sev := a.Labels["severity"]
		want, ok := receiverOf[sev]
		if a.Alert == "SLATicketsEscalated" {
			// Escalation levels route by whom their notify label names, whatever the severity.
			want, ok = escalationReceiverOf[a.Labels["notify"]]
			sev += ", notify " + a.Labels["notify"]
		}
		if !ok {
			t.Errorf("alert %s has severity %q, which the Alertmanager configuration does not route", a.Alert, sev)
			continue
		}
		if obj := a.Labels["objective"]; obj != "" {
			if a.Labels["service"] == "" {
				t.Errorf("alert %s of %s has no service label: the page/ticket inhibition compares it", a.Alert, obj)
			}
			if a.Labels["source"] == "" {
				t.Errorf("alert %s of %s has no source label: SLASourceDown cannot inhibit it", a.Alert, obj)
			}
		}
		key := a.Alert + "/" + sev
		if tested[key] {
			continue
		}
		tested[key] = true
		args := []string{"config", "routes", "test", "--config.file=" + cfg, "--verify.receivers=" + want, "alertname=" + a.Alert}
		for k, v := range a.Labels {
			args = append(args, k+"="+v)
		}
		if out, err := run(t, filepath.Dir(cfg), amtool, args...); err != nil {
			t.Errorf("alert %s (severity %s) routes to %q, want %s", a.Alert, sev, lastLine(out), want)
		}
	}
}
