package pdf_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/pdf/pdftest"
)

// TestPrint prints a two-page document and reads it back with poppler: A4, the @page margin
// boxes as header and footer on each page, the page break where the CSS puts it; scripts do not
// run and nothing is fetched, though the document asks for a stylesheet, two images and a script.
func TestPrint(t *testing.T) {
	pdftest.RequireBrowser(t)
	var fetched atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		t.Errorf("the printed document fetched %s", r.URL)
	}))
	defer srv.Close()
	local := filepath.Join(t.TempDir(), "local.png")
	if err := os.WriteFile(local, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test report</title>
<style>
@page{size:A4;margin:20mm;@top-left{content:"Service report · Europe/Berlin"}@bottom-right{content:"page " counter(page) " of " counter(pages)}}
body{font-family:sans-serif;background:#eef}
.next{break-before:page}
</style>
<link rel="stylesheet" href="` + srv.URL + `/remote.css"></head>
<body><h1>Executive summary</h1><p>Attainment 99.95% against 99.9%: kept. Ümlaut and € survive.</p>
<img src="` + srv.URL + `/remote.png" alt=""><img src="file://` + local + `" alt="">
<script src="` + srv.URL + `/remote.js"></script>
<script>document.body.insertAdjacentText("beforeend", "SCRIPT RAN")</script>
<h2 class="next">Suppliers</h2><p>Credit to claim: EUR 1,250.00.</p></body></html>`
	out, err := pdf.New(pdf.Options{}).Print(context.Background(), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "%PDF-") {
		t.Fatalf("not a PDF: %.20q", out)
	}
	if got := pdftest.Pages(t, out); got != 2 {
		t.Errorf("%d pages, want 2: the CSS breaks before Suppliers", got)
	}
	// A4 is 210 × 297 mm = 595.3 × 841.9 pt; Chromium rounds the page to whole CSS pixels.
	if got := pdftest.PageSize(t, out); !strings.HasSuffix(got, "(A4)") {
		t.Errorf("page size %q, want A4", got)
	}
	pages := pdftest.Text(t, out)
	want := [][]string{
		{"Service report · Europe/Berlin", "Executive summary", "Attainment 99.95% against 99.9%: kept.", "Ümlaut and € survive.", "page 1 of 2"},
		{"Service report · Europe/Berlin", "Suppliers", "Credit to claim: EUR 1,250.00.", "page 2 of 2"},
	}
	if len(pages) != len(want) {
		t.Fatalf("pdftotext read %d pages, want %d: %q", len(pages), len(want), pages)
	}
	for i, phrases := range want {
		for _, p := range phrases {
			if !strings.Contains(pages[i], p) {
				t.Errorf("page %d lacks %q:\n%s", i+1, p, pages[i])
			}
		}
		if strings.Contains(pages[i], "SCRIPT RAN") {
			t.Errorf("page %d: a script ran while printing", i+1)
		}
	}
	if n := fetched.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

// TestPrintNoBrowser: the printer fails before starting anything, with the error that names
// the package.
func TestPrintNoBrowser(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "chromium")
	_, err := pdf.New(pdf.Options{Path: missing}).Print(context.Background(), []byte("<p>x"))
	if !pdf.IsNoBrowser(err) {
		t.Fatalf("Print with a missing browser: %v, want a pdf.NoBrowserError", err)
	}
}

// TestPrintBrowserFails: a "browser" that exits at once is an error naming it, not a hang.
func TestPrintBrowserFails(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'this is no browser' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := pdf.New(pdf.Options{Path: fake}).Print(context.Background(), []byte("<p>x"))
	if err == nil || !strings.HasPrefix(err.Error(), "PDF: printing with "+fake+": ") {
		t.Fatalf("Print with a failing browser: %v", err)
	}
	t.Log(err)
}

// TestPrintTimeout: a browser that never answers is given up at the timeout, and the error
// says so. The "browser" sleeps; its process is ended with the context.
func TestPrintTimeout(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "chromium")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := pdf.New(pdf.Options{Path: fake, Timeout: 200 * time.Millisecond}).Print(context.Background(), []byte("<p>x"))
	want := "PDF: " + fake + " did not print within 200ms: context deadline exceeded"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
}
