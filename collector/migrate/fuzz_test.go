package migrate

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// fuzzImport runs an importer on arbitrary input: it must not panic, and what it imports must
// marshal into YAML in which every objective names a series of the source, so that nothing
// imported is left without its SLI, and it must load.
func fuzzImport(f *testing.F, tool, dir string) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import(tool, []Input{{Name: "spec.yaml", Data: data}}, Options{})
		if err != nil {
			return
		}
		out, err := res.Config.Marshal("fuzz")
		if err != nil {
			t.Fatal(err)
		}
		var back Config
		if err := yaml.Unmarshal(out, &back); err != nil {
			t.Fatalf("the output does not read back: %v\n%s", err, out)
		}
		series := map[string]bool{}
		for _, s := range res.Config.Sources {
			for _, e := range s.Prometheus.Events {
				series[e.Series] = true
			}
			for _, a := range s.Prometheus.Availability {
				series[a.Series] = true
			}
		}
		for _, o := range res.Config.Objectives {
			if !series[o.Series] {
				t.Fatalf("objective %q reads series %q, which the source lacks", o.Name, o.Series)
			}
		}
		checkLoads(t, "fuzz", out)
	})
}

func FuzzImportSloth(f *testing.F)   { fuzzImport(f, "sloth", "sloth") }
func FuzzImportPyrra(f *testing.F)   { fuzzImport(f, "pyrra", "pyrra") }
func FuzzImportOpenSLO(f *testing.F) { fuzzImport(f, "openslo", "openslo") }
