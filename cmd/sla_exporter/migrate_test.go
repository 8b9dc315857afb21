package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestImportExportCommands: import writes a configuration that check accepts and a report on
// stderr with file and line; export writes OpenSLO of it and lists the ticket-free skips.
func TestImportExportCommands(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sla.yml")
	spec := "../../collector/migrate/testdata/openslo/prometheus.yaml"
	_, stderr, err := runCmd(t, "import", "--from", "openslo", "--prometheus-url", "http://127.0.0.1:9090", "--out", out, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "Mapped exactly: ") || !strings.Contains(stderr, spec+":52: SLO checkout-availability timeWindow 1M: period month in Europe/Rome") {
		t.Errorf("report:\n%s", stderr)
	}
	stdout, _, err := runCmd(t, "--config.file", out, "check", "--syntax-only")
	if err != nil || !strings.Contains(stdout, "3 objectives") {
		t.Fatalf("check: %v\n%s", err, stdout)
	}
	stdout, stderr, err = runCmd(t, "--config.file", out, "export", "--to", "openslo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(stdout, "kind: SLO") != 3 || !strings.Contains(stderr, "skipped: ") {
		t.Errorf("export:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if _, _, err := runCmd(t, "import", "--from", "nagios", spec); err == nil {
		t.Error("an unknown --from was accepted")
	}
}
