package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPrometheusConfigs checks the shipped Prometheus configurations with promtool.
func TestPrometheusConfigs(t *testing.T) {
	promtool := requireTool(t, "promtool")
	for _, rel := range []string{"deploy/prometheus/prometheus.yml", "deploy/docker-compose/prometheus.yml"} {
		t.Run(rel, func(t *testing.T) {
			path := repoPath(t, rel)
			out, err := run(t, filepath.Dir(path), promtool, "check", "config", path)
			if err != nil {
				t.Fatalf("promtool check config %s: %v\n%s", rel, err, out)
			}
		})
	}
}

// TestAlertmanagerConfig checks the shipped Alertmanager configuration with amtool.
func TestAlertmanagerConfig(t *testing.T) {
	amtool := requireTool(t, "amtool")
	path := repoPath(t, "deploy/alertmanager/alertmanager.yml")
	out, err := run(t, filepath.Dir(path), amtool, "check-config", path)
	if err != nil {
		t.Fatalf("amtool check-config: %v\n%s", err, out)
	}
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("amtool check-config did not report SUCCESS:\n%s", out)
	}
}

// TestAlertmanagerRoutes checks where the shipped Alertmanager configuration sends each kind of
// alert, with amtool config routes test --verify.receivers.
func TestAlertmanagerRoutes(t *testing.T) {
	amtool := requireTool(t, "amtool")
	path := repoPath(t, "deploy/alertmanager/alertmanager.yml")
	cases := []struct {
		name     string
		labels   []string
		receiver string
	}{
		{"page burn", []string{"alertname=SLAErrorBudgetBurn", "severity=page", "objective=webshop-availability", "service=webshop", "source=demo"}, "oncall"},
		{"ticket burn", []string{"alertname=SLAErrorBudgetBurn", "severity=ticket", "objective=webshop-availability", "service=webshop", "source=demo"}, "itsm"},
		{"ticket forecast", []string{"alertname=SLAForecastBreach", "severity=ticket", "objective=incident-response", "service=service-desk"}, "itsm"},
		{"page without objective", []string{"alertname=Anything", "severity=page"}, "oncall"},
		{"source down", []string{"alertname=SLASourceDown", "severity=ticket", "source=demo"}, "itsm"},
		{"no severity", []string{"alertname=SLAExporterDown"}, "webhook"},
		{"unknown severity", []string{"alertname=X", "severity=critical"}, "webhook"},
		// Escalation levels go by their notify label, whatever their severity.
		{"escalation to the team", []string{"alertname=SLATicketsEscalated", "severity=info", "escalation_level=1", "notify=team", "objective=incident-response", "service=service-desk"}, "desk-team"},
		{"escalation to the lead", []string{"alertname=SLATicketsEscalated", "severity=warning", "escalation_level=2", "notify=lead", "objective=incident-response", "service=service-desk"}, "desk-lead"},
		{"escalation to the manager", []string{"alertname=SLATicketsEscalated", "severity=critical", "escalation_level=3", "notify=manager", "objective=incident-response", "service=service-desk"}, "desk-manager"},
		{"escalation paging severity", []string{"alertname=SLATicketsEscalated", "severity=page", "escalation_level=4", "notify=manager", "objective=incident-response", "service=service-desk"}, "desk-manager"},
		{"escalation without notify", []string{"alertname=SLATicketsEscalated", "severity=info", "escalation_level=1", "objective=incident-response", "service=service-desk"}, "desk-team"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"config", "routes", "test", "--config.file=" + path, "--verify.receivers=" + c.receiver}, c.labels...)
			out, err := run(t, filepath.Dir(path), amtool, args...)
			if err != nil {
				t.Fatalf("%s routed to %q, want %s (%v)", strings.Join(c.labels, " "), strings.TrimSpace(lastLine(out)), c.receiver, err)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var keep []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "Warning:") && !strings.HasPrefix(l, "WARNING:") {
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		return s
	}
	return keep[len(keep)-1]
}

// TestAlertmanagerInhibitRules checks the inhibitions the routing relies on: page inhibits
// ticket for the same objective and service, a source that is down inhibits its objectives'
// alerts. Alertmanager compares a label missing on both sides as equal, so every equal: label
// must be one the alerts carry.
func TestAlertmanagerInhibitRules(t *testing.T) {
	var cfg struct {
		InhibitRules []struct {
			SourceMatchers []string `yaml:"source_matchers"`
			TargetMatchers []string `yaml:"target_matchers"`
			Equal          []string `yaml:"equal"`
		} `yaml:"inhibit_rules"`
	}
	decodeYAMLFile(t, repoPath(t, "deploy/alertmanager/alertmanager.yml"), &cfg)
	type rule struct{ source, target, equal string }
	var got []rule
	for _, r := range cfg.InhibitRules {
		got = append(got, rule{strings.Join(r.SourceMatchers, ","), strings.Join(r.TargetMatchers, ","), strings.Join(r.Equal, ",")})
	}
	want := []rule{
		{`severity="page"`, `severity="ticket"`, "objective,service"},
		{`alertname="SLASourceDown"`, `objective=~".+"`, "source"},
	}
	// A higher escalation level silences the lower ones of the same objective and service.
	for k := 1; k < 9; k++ {
		src := fmt.Sprintf(`escalation_level=~"[%d-9]"`, k+1)
		switch k {
		case 7:
			src = `escalation_level=~"[89]"`
		case 8:
			src = `escalation_level="9"`
		}
		want = append(want, rule{`alertname="SLATicketsEscalated",` + src, fmt.Sprintf(`alertname="SLATicketsEscalated",escalation_level="%d"`, k), "objective,service"})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("inhibit_rules = %+v, want %+v", got, want)
	}
}

// k8sObject is the part of a Kubernetes object every manifest has.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	node *yaml.Node
	file string
}

// k8sManifests reads every YAML document under deploy/kubernetes.
func k8sManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(repoPath(t, "deploy/kubernetes/*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no manifests in deploy/kubernetes")
	}
	var objs []k8sObject
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(fh)
		for i := 0; ; i++ {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fh.Close()
				t.Fatalf("%s: document %d: %v", f, i, err)
			}
			if len(n.Content) == 0 || n.Content[0].Kind == yaml.ScalarNode && n.Content[0].Tag == "!!null" {
				continue // an empty document (a trailing ---)
			}
			var o k8sObject
			if err := n.Decode(&o); err != nil {
				t.Fatalf("%s: document %d: %v", f, i, err)
			}
			o.node, o.file = &n, filepath.Base(f)
			objs = append(objs, o)
		}
		fh.Close()
	}
	return objs
}

// TestKubernetesManifests checks that every manifest is a YAML document with apiVersion, kind
// and metadata.name, and that the objects fit together: the Deployment's volumes name the
// ConfigMap, Secret and PersistentVolumeClaim, the Service selects the Deployment's pods and
// the ServiceMonitor the Service, the probes hit the health endpoints, the pod runs as non-root
// on a read-only root filesystem, and the configuration in the ConfigMap loads.
func TestKubernetesManifests(t *testing.T) {
	objs := k8sManifests(t)
	byKind := map[string][]k8sObject{}
	for _, o := range objs {
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Errorf("%s: a document lacks apiVersion, kind or metadata.name: %+v", o.file, o)
			continue
		}
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	for _, kind := range []string{"Deployment", "Service", "ServiceMonitor", "ConfigMap", "Secret", "PersistentVolumeClaim", "PrometheusRule"} {
		if len(byKind[kind]) != 1 {
			t.Errorf("want one %s, found %d", kind, len(byKind[kind]))
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	one := func(kind string) k8sObject { return byKind[kind][0] }

	var dep struct {
		Spec struct {
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
			Template struct {
				Metadata struct {
					Labels map[string]string `yaml:"labels"`
				} `yaml:"metadata"`
				Spec struct {
					SecurityContext struct {
						RunAsNonRoot *bool `yaml:"runAsNonRoot"`
						RunAsUser    *int  `yaml:"runAsUser"`
					} `yaml:"securityContext"`
					Containers []struct {
						Name  string   `yaml:"name"`
						Image string   `yaml:"image"`
						Args  []string `yaml:"args"`
						Ports []struct {
							Name          string `yaml:"name"`
							ContainerPort int    `yaml:"containerPort"`
						} `yaml:"ports"`
						LivenessProbe  probe `yaml:"livenessProbe"`
						ReadinessProbe probe `yaml:"readinessProbe"`
						Resources      struct {
							Requests map[string]string `yaml:"requests"`
							Limits   map[string]string `yaml:"limits"`
						} `yaml:"resources"`
						SecurityContext struct {
							AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
							ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
							Capabilities             struct {
								Drop []string `yaml:"drop"`
							} `yaml:"capabilities"`
						} `yaml:"securityContext"`
						VolumeMounts []struct {
							Name      string `yaml:"name"`
							MountPath string `yaml:"mountPath"`
							ReadOnly  bool   `yaml:"readOnly"`
						} `yaml:"volumeMounts"`
					} `yaml:"containers"`
					Volumes []struct {
						Name      string `yaml:"name"`
						ConfigMap *struct {
							Name string `yaml:"name"`
						} `yaml:"configMap"`
						Secret *struct {
							SecretName string `yaml:"secretName"`
						} `yaml:"secret"`
						PersistentVolumeClaim *struct {
							ClaimName string `yaml:"claimName"`
						} `yaml:"persistentVolumeClaim"`
						EmptyDir any `yaml:"emptyDir"`
					} `yaml:"volumes"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := one("Deployment").node.Decode(&dep); err != nil {
		t.Fatal(err)
	}
	pod := dep.Spec.Template.Spec
	if !subset(dep.Spec.Selector.MatchLabels, dep.Spec.Template.Metadata.Labels) || len(dep.Spec.Selector.MatchLabels) == 0 {
		t.Errorf("Deployment selector %v does not select its pod labels %v", dep.Spec.Selector.MatchLabels, dep.Spec.Template.Metadata.Labels)
	}
	if pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == nil || *pod.SecurityContext.RunAsUser == 0 {
		t.Errorf("pod securityContext must set runAsNonRoot: true and a non-zero runAsUser")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, found %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
		t.Error("container must have readOnlyRootFilesystem: true")
	}
	if c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Error("container must have allowPrivilegeEscalation: false")
	}
	if !slices.Contains(c.SecurityContext.Capabilities.Drop, "ALL") {
		t.Error("container must drop ALL capabilities")
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("container resources must request cpu and memory and limit memory: %+v", c.Resources)
	}
	port := exporterPort(t)
	portName := ""
	for _, p := range c.Ports {
		if p.ContainerPort == port {
			portName = p.Name
		}
	}
	if portName == "" {
		t.Errorf("container does not expose port %d", port)
	}
	for name, p := range map[string]probe{"livenessProbe": c.LivenessProbe, "readinessProbe": c.ReadinessProbe} {
		want := map[string]string{"livenessProbe": "/-/healthy", "readinessProbe": "/-/ready"}[name]
		if p.HTTPGet.Path != want || (p.HTTPGet.Port != portName && p.HTTPGet.Port != strconv.Itoa(port)) {
			t.Errorf("%s = GET %s on port %s, want %s on %s", name, p.HTTPGet.Path, p.HTTPGet.Port, want, portName)
		}
	}
	flags := map[string]string{}
	for _, a := range c.Args {
		k, v, _ := strings.Cut(a, "=")
		flags[k] = v
	}
	mountOf := func(path string) (string, bool, bool) {
		best, ro := "", false
		for _, m := range c.VolumeMounts {
			if (path == m.MountPath || strings.HasPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/")) && len(m.MountPath) > len(best) {
				best, ro = m.MountPath, m.ReadOnly
			}
		}
		for _, m := range c.VolumeMounts {
			if m.MountPath == best {
				return m.Name, ro, true
			}
		}
		return "", false, false
	}
	volumes := map[string]int{}
	for i, v := range pod.Volumes {
		volumes[v.Name] = i
	}
	// --storage.path lies on the writable PersistentVolumeClaim.
	if vol, ro, ok := mountOf(flags["--storage.path"]); !ok || ro || pod.Volumes[volumes[vol]].PersistentVolumeClaim == nil ||
		pod.Volumes[volumes[vol]].PersistentVolumeClaim.ClaimName != one("PersistentVolumeClaim").Metadata.Name {
		t.Errorf("--storage.path=%s is not on a writable mount of the PersistentVolumeClaim %s", flags["--storage.path"], one("PersistentVolumeClaim").Metadata.Name)
	}
	// --config.file is a key of the ConfigMap, mounted whole.
	cfgPath := flags["--config.file"]
	vol, _, ok := mountOf(cfgPath)
	if !ok || pod.Volumes[volumes[vol]].ConfigMap == nil || pod.Volumes[volumes[vol]].ConfigMap.Name != one("ConfigMap").Metadata.Name {
		t.Fatalf("--config.file=%s is not on a mount of the ConfigMap %s", cfgPath, one("ConfigMap").Metadata.Name)
	}
	secretMounted := false
	for _, v := range pod.Volumes {
		if v.Secret != nil && v.Secret.SecretName == one("Secret").Metadata.Name {
			secretMounted = true
		}
	}
	if !secretMounted {
		t.Errorf("the Secret %s is not mounted", one("Secret").Metadata.Name)
	}

	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	if err := one("ConfigMap").node.Decode(&cm); err != nil {
		t.Fatal(err)
	}
	key := filepath.Base(cfgPath)
	content, ok := cm.Data[key]
	if !ok {
		t.Fatalf("the ConfigMap has no key %s (--config.file=%s)", key, cfgPath)
	}
	dir := t.TempDir()
	cfgFile := writeFile(t, dir, key, content)
	if out, err := run(t, dir, exporterBinary(t), "--config.file="+cfgFile, "check"); err != nil {
		t.Errorf("the ConfigMap's %s does not load: %v\n%s", key, err, out)
	}

	var svc struct {
		Spec struct {
			Selector map[string]string `yaml:"selector"`
			Ports    []struct {
				Name       string `yaml:"name"`
				Port       int    `yaml:"port"`
				TargetPort string `yaml:"targetPort"`
			} `yaml:"ports"`
		} `yaml:"spec"`
	}
	if err := one("Service").node.Decode(&svc); err != nil {
		t.Fatal(err)
	}
	if len(svc.Spec.Selector) == 0 || !subset(svc.Spec.Selector, dep.Spec.Template.Metadata.Labels) {
		t.Errorf("Service selector %v does not select the pods %v", svc.Spec.Selector, dep.Spec.Template.Metadata.Labels)
	}
	svcPorts := map[string]bool{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = true
		if p.TargetPort != portName && p.TargetPort != strconv.Itoa(port) {
			t.Errorf("Service port %s targets %s, not the container's port %s", p.Name, p.TargetPort, portName)
		}
	}

	var sm struct {
		Spec struct {
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
			Endpoints []struct {
				Port string `yaml:"port"`
				Path string `yaml:"path"`
			} `yaml:"endpoints"`
		} `yaml:"spec"`
	}
	if err := one("ServiceMonitor").node.Decode(&sm); err != nil {
		t.Fatal(err)
	}
	if len(sm.Spec.Selector.MatchLabels) == 0 || !subset(sm.Spec.Selector.MatchLabels, one("Service").Metadata.Labels) {
		t.Errorf("ServiceMonitor selector %v does not select the Service's labels %v", sm.Spec.Selector.MatchLabels, one("Service").Metadata.Labels)
	}
	for _, e := range sm.Spec.Endpoints {
		if !svcPorts[e.Port] || (e.Path != "" && e.Path != "/metrics") {
			t.Errorf("ServiceMonitor endpoint %+v: not a Service port or not /metrics", e)
		}
	}
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// exporterPort is the port of the exporter's default listen address, from its source.
func exporterPort(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, "cmd/sla_exporter/serve.go"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`DefaultListenAddress\s*=\s*":(\d+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatal("DefaultListenAddress not found in cmd/sla_exporter/serve.go")
	}
	p, _ := strconv.Atoi(string(m[1]))
	return p
}

// dockerInstructions reads a Dockerfile into its instructions (continuation lines joined,
// comments dropped), each as the keyword in upper case and the rest.
func dockerInstructions(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		kw, rest, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, [2]string{strings.ToUpper(kw), strings.TrimSpace(rest)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDockerfile checks deploy/Dockerfile: a Go builder at least as new as go.mod's go
// directive building the command package that exists, a final stage that runs that binary as a
// non-root user, and the exporter's port exposed.
func TestDockerfile(t *testing.T) {
	ins := dockerInstructions(t, repoPath(t, "deploy/Dockerfile"))
	args := map[string]string{}
	var froms []string
	var builds, copies []string
	var user, expose, entrypoint string
	for _, in := range ins {
		switch in[0] {
		case "ARG":
			k, v, _ := strings.Cut(in[1], "=")
			if _, seen := args[k]; !seen {
				args[k] = v
			}
		case "FROM":
			froms = append(froms, in[1])
		case "RUN":
			if strings.Contains(in[1], "go build") {
				builds = append(builds, in[1])
			}
		case "COPY":
			if len(froms) > 1 {
				copies = append(copies, in[1])
			}
		case "USER":
			user = in[1]
		case "EXPOSE":
			expose = in[1]
		case "ENTRYPOINT":
			entrypoint = in[1]
		}
	}
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, found FROM %q", froms)
	}
	// The builder's Go is at least the go directive of go.mod.
	goVersion := regexp.MustCompile(`golang:\$\{GO_VERSION\}|golang:(\d+\.\d+)`).FindStringSubmatch(froms[0])
	if goVersion == nil {
		t.Fatalf("the first stage %q is not a golang image", froms[0])
	}
	imageGo := goVersion[1]
	if imageGo == "" {
		imageGo = args["GO_VERSION"]
	}
	modGo := goModVersion(t)
	if compareVersions(imageGo, modGo) < 0 {
		t.Errorf("the builder image has Go %s, go.mod needs %s", imageGo, modGo)
	}
	// It builds the command package, which exists, into the binary the final stage copies and
	// runs.
	if len(builds) != 1 {
		t.Fatalf("want one RUN go build, found %d", len(builds))
	}
	m := regexp.MustCompile(`-o\s+(\S+)\s+(\./\S+)`).FindStringSubmatch(builds[0])
	if m == nil {
		t.Fatalf("go build without -o <binary> ./<package>: %s", builds[0])
	}
	binary, pkg := m[1], m[2]
	if pkg != "./cmd/sla_exporter" {
		t.Errorf("go build builds %s, want ./cmd/sla_exporter", pkg)
	}
	if b, err := os.ReadFile(repoPath(t, pkg, "main.go")); err != nil || !strings.Contains(string(b), "package main") {
		t.Errorf("%s/main.go is not a main package: %v", pkg, err)
	}
	if !strings.Contains(builds[0], "CGO_ENABLED=0") {
		t.Error("the build must set CGO_ENABLED=0 for the static final image")
	}
	var ep []string
	if err := yaml.Unmarshal([]byte(entrypoint), &ep); err != nil || len(ep) == 0 {
		t.Fatalf("ENTRYPOINT %q is not an exec-form array", entrypoint)
	}
	exe := ep[0]
	copied := false
	for _, c := range copies {
		f := strings.Fields(c)
		if len(f) >= 3 && strings.HasPrefix(f[0], "--from=") && f[len(f)-2] == binary && f[len(f)-1] == exe {
			copied = true
		}
	}
	if !copied {
		t.Errorf("the final stage does not COPY --from the builder %s to the ENTRYPOINT %s (COPYs: %q)", binary, exe, copies)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("USER %q: the image must run as a non-root user", user)
	}
	if expose != strconv.Itoa(exporterPort(t)) {
		t.Errorf("EXPOSE %s, want the exporter's port %d", expose, exporterPort(t))
	}
}

func goModVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go\s+(\d+\.\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no go directive in go.mod")
	}
	return string(m[1])
}

// compareVersions compares dotted version numbers.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// TestComposeFile checks deploy/docker-compose/docker-compose.yml without a Docker engine: the
// services are there, every file it bind-mounts exists, the exporter image builds from
// deploy/Dockerfile, the images are pinned, Prometheus scrapes the exporter service and sends
// to the Alertmanager service, and the Alertmanager it mounts is the shipped one.
func TestComposeFile(t *testing.T) {
	dir := repoPath(t, "deploy/docker-compose")
	var compose struct {
		Services map[string]struct {
			Image string `yaml:"image"`
			Build *struct {
				Context    string `yaml:"context"`
				Dockerfile string `yaml:"dockerfile"`
			} `yaml:"build"`
			Command []string `yaml:"command"`
			Ports   []string `yaml:"ports"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	decodeYAMLFile(t, filepath.Join(dir, "docker-compose.yml"), &compose)
	for _, name := range []string{"sla-exporter", "rules", "prometheus", "alertmanager", "grafana"} {
		if _, ok := compose.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	for name, s := range compose.Services {
		if s.Build != nil {
			if df := filepath.Join(dir, s.Build.Context, s.Build.Dockerfile); !fileExists(df) {
				t.Errorf("service %s builds from %s, which does not exist", name, df)
			}
		} else if s.Image == "" || !strings.Contains(s.Image, ":") || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("service %s: image %q is not pinned to a version", name, s.Image)
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if !fileExists(filepath.Join(dir, src)) {
					t.Errorf("service %s mounts %s, which does not exist", name, src)
				}
			} else if _, ok := compose.Volumes[src]; !ok {
				t.Errorf("service %s mounts the volume %s, which is not declared", name, src)
			}
		}
	}
	// Prometheus scrapes the exporter service on its port and alerts the Alertmanager service.
	var prom struct {
		RuleFiles []string `yaml:"rule_files"`
		Alerting  struct {
			Alertmanagers []struct {
				StaticConfigs []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"alertmanagers"`
		} `yaml:"alerting"`
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	decodeYAMLFile(t, filepath.Join(dir, "prometheus.yml"), &prom)
	var targets []string
	for _, sc := range prom.ScrapeConfigs {
		for _, s := range sc.StaticConfigs {
			targets = append(targets, s.Targets...)
		}
	}
	if want := fmt.Sprintf("sla-exporter:%d", exporterPort(t)); !slices.Contains(targets, want) {
		t.Errorf("prometheus.yml scrapes %q, not %s", targets, want)
	}
	if len(prom.Alerting.Alertmanagers) == 0 || len(prom.Alerting.Alertmanagers[0].StaticConfigs) == 0 ||
		!slices.Contains(prom.Alerting.Alertmanagers[0].StaticConfigs[0].Targets, "alertmanager:9093") {
		t.Errorf("prometheus.yml does not send alerts to alertmanager:9093")
	}
	// The rules volume is mounted where rule_files look.
	mounted := false
	for _, v := range compose.Services["prometheus"].Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[0] == "rules" {
			for _, rf := range prom.RuleFiles {
				if filepath.Dir(rf) == parts[1] {
					mounted = true
				}
			}
		}
	}
	if !mounted {
		t.Errorf("the rules volume is not mounted where rule_files %q look", prom.RuleFiles)
	}
	rules := compose.Services["rules"]
	if !slices.Contains(rules.Command, "rules") {
		t.Errorf("the rules service runs %q, not the rules command", rules.Command)
	}
	if !slices.ContainsFunc(compose.Services["alertmanager"].Volumes, func(v string) bool {
		return strings.HasPrefix(v, "../alertmanager/alertmanager.yml:")
	}) {
		t.Error("the alertmanager service does not mount ../alertmanager/alertmanager.yml")
	}

	// Grafana: the dashboards are mounted where the provisioning provider reads them, and the
	// provisioned data source reaches the compose Prometheus.
	grafanaMounts := map[string]string{}
	for _, v := range compose.Services["grafana"].Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			grafanaMounts[parts[0]] = parts[1]
		}
	}
	if grafanaMounts["../grafana/provisioning"] != "/etc/grafana/provisioning" {
		t.Errorf("grafana does not mount ../grafana/provisioning at /etc/grafana/provisioning: %v", grafanaMounts)
	}
	providers, _ := filepath.Glob(repoPath(t, "deploy/grafana/provisioning/dashboards/*.yaml"))
	if len(providers) == 0 {
		t.Fatal("no dashboard provider under deploy/grafana/provisioning/dashboards")
	}
	for _, f := range providers {
		var p struct {
			Providers []struct {
				Options struct {
					Path string `yaml:"path"`
				} `yaml:"options"`
			} `yaml:"providers"`
		}
		decodeYAMLFile(t, f, &p)
		for _, pr := range p.Providers {
			if grafanaMounts["../grafana/dashboards"] != pr.Options.Path {
				t.Errorf("%s reads dashboards from %s, but compose mounts ../grafana/dashboards at %s", filepath.Base(f), pr.Options.Path, grafanaMounts["../grafana/dashboards"])
			}
		}
	}
	datasources, _ := filepath.Glob(repoPath(t, "deploy/grafana/provisioning/datasources/*.yaml"))
	for _, f := range datasources {
		var d struct {
			Datasources []struct {
				Type string `yaml:"type"`
				URL  string `yaml:"url"`
			} `yaml:"datasources"`
		}
		decodeYAMLFile(t, f, &d)
		for _, ds := range d.Datasources {
			if ds.Type == "prometheus" && ds.URL != "http://prometheus:9090" {
				t.Errorf("%s: the Prometheus data source points to %s, not the compose service http://prometheus:9090", filepath.Base(f), ds.URL)
			}
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func decodeYAMLFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestSystemdUnit checks the unit's command line against the exporter's flags and, where
// systemd-analyze is installed, verifies the unit with it.
func TestSystemdUnit(t *testing.T) {
	unit := repoPath(t, "deploy/systemd/sla_exporter.service")
	b, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	def, err := os.ReadFile(repoPath(t, "deploy/systemd/sla_exporter.default"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(def), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = strings.Trim(v, `"`)
		}
	}
	var execStart string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			execStart = v
		}
	}
	if execStart == "" {
		t.Fatal("no ExecStart")
	}
	// The command line parses: run the unit's flags through the exporter's `serve --help`
	// parser by asking for --config.check on a configuration that loads.
	words := strings.Fields(os.Expand(execStart, func(k string) string { return env[k] }))
	if words[0] != "/usr/local/bin/sla_exporter" {
		t.Errorf("ExecStart runs %s", words[0])
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "sla.yml", "sources: [{name: d, type: demo, demo: {seed: 1}}]\n")
	var args []string
	for _, w := range words[1:] {
		if strings.HasPrefix(w, "--config.file=") {
			w = "--config.file=" + cfg
		}
		args = append(args, w)
	}
	args = append(args, "--config.check")
	if out, err := run(t, dir, exporterBinary(t), args...); err != nil {
		t.Errorf("the unit's command line %q does not parse: %v\n%s", args, err, out)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: the unit is not verified by systemd")
		return
	}
	copyDir := t.TempDir()
	writeFile(t, copyDir, "sla_exporter.service", strings.ReplaceAll(string(b), "/usr/local/bin/sla_exporter", exporterBinary(t)))
	out, err := run(t, copyDir, analyze, "verify", filepath.Join(copyDir, "sla_exporter.service"))
	// verify also reads the units installed on the machine (request-tracker5.service names
	// databases this machine does not run): only what it says of ours counts.
	var ours []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "sla_exporter") {
			ours = append(ours, line)
		}
	}
	if err != nil || len(ours) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, strings.Join(ours, "\n"))
	}
}

// TestInstallScript checks that the CI install script parses and keeps its contract.
func TestInstallScript(t *testing.T) {
	path := repoPath(t, "deploy/ci/install-tools.sh")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&0o111 == 0 {
		t.Error("install-tools.sh is not executable")
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := run(t, filepath.Dir(path), bash, "-n", path); err != nil {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	}
	b, _ := os.ReadFile(path)
	for _, want := range []string{"DEBIAN_FRONTEND=noninteractive", "DPkg::Lock::Timeout=600", "--no-install-recommends",
		"prometheus prometheus-alertmanager", "/usr/bin/promtool", "/usr/bin/amtool",
		"prometheus-blackbox-exporter", "/usr/bin/prometheus-blackbox-exporter"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("install-tools.sh lacks %q", want)
		}
	}
}
