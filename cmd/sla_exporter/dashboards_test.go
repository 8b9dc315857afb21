package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sla-exporter/sla_exporter/dashboards"
)

// runDashboards parses args for the dashboards command alone and runs it.
func runDashboards(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runSubcommand(t, func(app *kingpin.Application, _ *configFlag) command { return newDashboards(app) }, args...)
}

func TestDashboardsCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b") // created on the way
	// A stale copy is replaced, and a file of another name is left alone.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{dashboards.Names()[0]: "stale", "mine.json": "{}"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // twice: rewriting is idempotent
		out, err := runDashboards(t, "dashboards", "--out", dir)
		if err != nil {
			t.Fatal(err)
		}
		var printed []string
		for _, name := range dashboards.Names() {
			path := filepath.Join(dir, name)
			printed = append(printed, path)
			want, _ := fs.ReadFile(dashboards.FS, name)
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: not the embedded dashboard (%v)", path, err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("%s: mode %v (%v), want 0644 so Grafana can read it", path, fi.Mode(), err)
			}
		}
		if want := strings.Join(printed, "\n") + "\n"; out != want {
			t.Errorf("printed %q, want %q", out, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(dashboards.Names())+1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v: a temporary file left behind, or mine.json removed", names)
	}
}

func TestDashboardsCommandNeedsOut(t *testing.T) {
	app := kingpin.New("sla_exporter", "")
	newDashboards(app)
	if _, err := app.Parse([]string{"dashboards"}); err == nil {
		t.Error("dashboards without --out was accepted")
	}
}

func TestDashboardsCommandUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runDashboards(t, "dashboards", "--out", filepath.Join(file, "dir")); err == nil {
		t.Error("writing under a regular file succeeded")
	}
}
