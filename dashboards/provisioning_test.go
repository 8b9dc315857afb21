package dashboards

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite deploy/grafana/dashboards from the embedded dashboards")

// TestProvisioning checks deploy/grafana: the provisioning files decode and point where the
// dashboards go, and the copies there are the embedded dashboards (go test -update rewrites them).
func TestProvisioning(t *testing.T) {
	var dash struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name           string `yaml:"name"`
			Type           string `yaml:"type"`
			AllowUIUpdates bool   `yaml:"allowUiUpdates"`
			Options        struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeYAML(t, "../deploy/grafana/provisioning/dashboards/sla_exporter.yaml", &dash)
	if dash.APIVersion != 1 || len(dash.Providers) != 1 || dash.Providers[0].Type != "file" || dash.Providers[0].Options.Path == "" {
		t.Errorf("dashboard provisioning: %+v", dash)
	}
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string `yaml:"name"`
			Type      string `yaml:"type"`
			URL       string `yaml:"url"`
			IsDefault bool   `yaml:"isDefault"`
		} `yaml:"datasources"`
	}
	decodeYAML(t, "../deploy/grafana/provisioning/datasources/prometheus.yaml", &ds)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 || ds.Datasources[0].Type != "prometheus" || !ds.Datasources[0].IsDefault {
		t.Errorf("data source provisioning: %+v", ds)
	}

	dir := "../deploy/grafana/dashboards"
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range Names() {
		want, _ := fs.ReadFile(FS, name)
		path := filepath.Join(dir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from dashboards/%s (%v); run go test ./dashboards/ -update", path, name, err)
		}
	}
	copies, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(copies) != len(Names()) {
		t.Errorf("%s holds %d dashboards, the binary %d; run go test ./dashboards/ -update", dir, len(copies), len(Names()))
	}
}

func decodeYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(false)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
