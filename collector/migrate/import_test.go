package migrate

import (
	"strings"
	"testing"
)

// TestAutoRefusesMixedFile: a file holding documents of two tools is an error naming the file,
// the line of the stray document and the first document's, not a half import.
func TestAutoRefusesMixedFile(t *testing.T) {
	data := "version: prometheus/v1\nservice: a\nslos: []\n---\napiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n"
	_, err := Import("auto", []Input{{Name: "slos/both.yml", Data: []byte(data)}}, Options{})
	want := "slos/both.yml:5: a pyrra document in a file of sloth specs (line 1): import them from separate files"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestAutoDetect: each tool's ways of naming itself, an OpenSLO list of objects, and what names
// no tool.
func TestAutoDetect(t *testing.T) {
	for _, tc := range []struct{ data, tool string }{
		{"version: \"prometheus/v1\"\nservice: a\n", "sloth"},
		{"apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n", "sloth"},
		{"apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n", "pyrra"},
		{"apiVersion: openslo/v1\nkind: SLO\n", "openslo"},
		{"- apiVersion: openslo/v1\n  kind: SLI\n- apiVersion: openslo/v1\n  kind: SLO\n", "openslo"},
		{"groups: []\n", ""},
		{"apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n", ""},
	} {
		tool, _, err := detect(Input{Name: "x.yml", Data: []byte(tc.data)})
		if err != nil || tool != tc.tool {
			t.Errorf("%q: tool %q, %v; want %q", strings.SplitN(tc.data, "\n", 2)[0], tool, err, tc.tool)
		}
	}
}
