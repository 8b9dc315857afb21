// Package pdftest is what the tests of PDF output and of pages in a real browser share: finding
// the browser and poppler's tools, and reading a PDF back as text.
//
// A missing browser or tool skips the test with a loud log line on a developer's machine, and
// fails it when the CI environment variable is set: CI installs them (deploy/ci/install-tools.sh)
// and must not pass by skipping.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
)

// RequireBrowser returns the Chromium the tests drive.
func RequireBrowser(t testing.TB) string {
	t.Helper()
	p, err := pdf.Find("")
	if err != nil {
		missing(t, "chromium", err.Error())
	}
	return p
}

// RequireTool returns the path of a poppler-utils tool (pdftotext, pdfinfo, pdftoppm).
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "poppler-utils", name+" is not on PATH")
	}
	return p
}

func missing(t testing.TB, pkg, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s, and CI is set: a missing tool is a failure there. CI must install Debian's %s (deploy/ci/install-tools.sh).", why, pkg)
	}
	bar := strings.Repeat("!", 100)
	t.Log(bar)
	t.Logf("!!! SKIPPING %s: %s.", t.Name(), why)
	t.Logf("!!! Install Debian's %s package (apt-get install %s) to run it; with CI set, this skip is a FAILURE.", pkg, pkg)
	t.Log(bar)
	t.SkipNow()
}

// write puts the PDF in a file of the test's temporary folder for poppler's tools to read.
func write(t testing.TB, doc []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Pages is the PDF's page count, as pdfinfo reads it.
func Pages(t testing.TB, doc []byte) int {
	t.Helper()
	out, err := exec.Command(RequireTool(t, "pdfinfo"), write(t, doc)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// PageSize is the size of the PDF's first page in points, as pdfinfo reads it ("595.92 x
// 842.88 pts (A4)" for A4).
func PageSize(t testing.TB, doc []byte) string {
	t.Helper()
	out, err := exec.Command(RequireTool(t, "pdfinfo"), write(t, doc)).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Page size:\s+(.+)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo printed no page size:\n%s", out)
	}
	return string(m[1])
}

// Text is the PDF's text as pdftotext reads it, one string per page, in reading order with
// runs of white space collapsed to one space, so that a test can look for a phrase however the
// lines broke.
func Text(t testing.TB, doc []byte) []string {
	t.Helper()
	cmd := exec.Command(RequireTool(t, "pdftotext"), "-enc", "UTF-8", write(t, doc), "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, stderr.Bytes())
	}
	pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
	for i, p := range pages {
		pages[i] = strings.Join(strings.Fields(p), " ")
	}
	return pages
}

// ArtefactsEnv names the folder the tests write what a person should look at: screenshots of
// the pages, the printed report. Unset, they go to the test's temporary folder and are removed.
const ArtefactsEnv = "SLA_ARTEFACTS"

// Artefact writes a file a person should look at under $SLA_ARTEFACTS (created if need be), or
// the test's temporary folder, and returns its path.
func Artefact(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir := os.Getenv(ArtefactsEnv)
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
