package migrate

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// checkLoads runs the configuration through config.Load, as `sla_exporter check --syntax-only`.
func checkLoads(t *testing.T, name string, out []byte) {
	t.Helper()
	if _, err := config.Load(out, name, t.TempDir()); err != nil {
		t.Errorf("%s does not load: %v\n%s", name, err, out)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}

// TestImportGolden imports the example specs the tools publish (testdata/<tool>, each citing
// its source) and compares configuration and report with the goldens.
func TestImportGolden(t *testing.T) {
	for _, tc := range []struct {
		name, tool string
		paths      []string
		opts       Options
	}{
		{"sloth", "sloth", []string{"testdata/sloth"}, Options{}},
		{"sloth-7d", "sloth", []string{"testdata/sloth/getting-started.yml", "testdata/sloth-windows/7d.yaml"}, Options{SlothPeriod: 7}},
		{"pyrra", "pyrra", []string{"testdata/pyrra"}, Options{}},
		{"openslo", "openslo", []string{"testdata/openslo"}, Options{PrometheusURL: "http://prometheus.example.com:9090"}},
		// A folder of the three tools' specs: each file to its tool, one configuration.
		{"mixed", "auto", []string{"testdata/sloth/getting-started.yml", "testdata/pyrra/prometheus-http.yaml", "testdata/openslo/prometheus.yaml", "testdata/mixed"}, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ReadPaths(tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import(tc.tool, in, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := res.Config.Marshal(Header(res))
			if err != nil {
				t.Fatal(err)
			}
			var report strings.Builder
			if err := res.Report.Write(&report); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "golden", tc.name+".yml"), out)
			golden(t, filepath.Join("testdata", "golden", tc.name+".report.txt"), []byte(report.String()))
			checkLoads(t, tc.name, out)
		})
	}
}
