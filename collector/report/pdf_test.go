package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/pdf/pdftest"
)

// TestDemoPDF prints the demo's report of November 2026 with the installed Chromium and reads
// it back with poppler's pdftotext: the page count, the header and footer the HTML's @page
// rules give every page, each section starting its own page (section.page breaks before), and
// key figures of the golden report in their places.
//
// The page count follows the layout, and so the fonts: it was measured with the fonts CI
// installs (deploy/ci/install-tools.sh: fonts-noto-core, which system-ui resolves to).
func TestDemoPDF(t *testing.T) {
	pdftest.RequireBrowser(t)
	rep := mustDemoReport(t, Request{})
	var buf bytes.Buffer
	if err := RenderPDF(context.Background(), &buf, rep, pdf.New(pdf.Options{})); err != nil {
		t.Fatal(err)
	}
	doc := buf.Bytes()
	t.Logf("wrote %s", pdftest.Artefact(t, "report-2026-11.pdf", doc))
	if got := pdftest.PageSize(t, doc); !strings.HasSuffix(got, "(A4)") {
		t.Errorf("page size %q, want A4", got)
	}
	// 1: title, banners, executive summary; 2-5: services, an objective's block never split
	// across pages; 6: open tickets by escalation level (the rest of page 5 is too short for
	// its table); 7: customer contracts (none in the demo); 8-9: service desk scorecard (KPIs,
	// then volumes, backlog and teams); 10: problem trends; 11: staffing; 12: suppliers.
	const want = 12
	pages := pdftest.Text(t, doc)
	if got := pdftest.Pages(t, doc); got != want || len(pages) != want {
		t.Fatalf("%d pages (pdftotext read %d), want %d; the layout depends on the fonts, see the comment", got, len(pages), want)
	}
	for i, p := range pages {
		// The @page margin boxes: title and period · zone on top, generator · time and the page
		// number below.
		for _, s := range []string{"Service report November 2026", "November 2026 · Europe/Rome",
			"sla_exporter · 2026-12-03 10:00 CET"} {
			if !strings.Contains(p, s) {
				t.Errorf("page %d lacks its header or footer %q:\n%s", i+1, s, p)
			}
		}
		// pdftotext guesses the spaces in "1 / 10" from the glyphs' gaps: "1/10" is as good.
		if !regexp.MustCompile(fmt.Sprintf(`(^| )%d ?/ ?%d$`, i+1, want)).MatchString(p) {
			t.Errorf("page %d does not end with its number:\n%s", i+1, p)
		}
	}
	// Each section title is the first text after the page's header. pdftotext reads a row of
	// tiles or a table row by row and column by column, as the phrases below are. The figures are the golden
	// report's (testdata/demo-2026-11.json): hosting-availability's November credit is 10% of
	// the 12,000 EUR fee, claimed by 2027-01-31 (TestDemoGolden checks the arithmetic).
	header := "Service report November 2026 November 2026 · Europe/Rome "
	checks := []struct {
		page    int
		starts  string
		phrases []string
	}{
		{1, "Service report November 2026", []string{"Executive summary 3 4 0 promises kept promises missed without data",
			"1,200.00 EUR credits to claim from suppliers", "In November 2026, 3 of 7 promises were kept and 4 missed"}},
		{2, "Services", []string{"incident-response missed", "Attainment 94.30% Target 95.00%"}},
		// The golden's escalations, the table read column by column: incident-resolution's open
		// cycles at 75%, 100% and 150% of their target are 9, 6 and 2 (TestReportEscalations
		// checks them against the evaluation).
		{6, "Open tickets by escalation level", []string{"incident-resolution service-desk, 2026-12", "1 75.00% warning notify=lead 9 2 100.00% critical notify=manager 6 3 150.00% critical notify=manager 2"}},
		{7, "Customer contracts", []string{"No customer contract is in this report."}},
		{8, "Service desk scorecard", []string{"mttr 19h9m green"}},
		{10, "Problem trends", []string{"Problem candidates: category email (99); category erp (95)."}},
		{11, "Staffing", []string{"desk-p3 workload", "Expected attainment with the roster 96.45%"}},
		{12, "Suppliers", []string{"hostco-hosting · hostco", "Fee 12,000.00 EUR a period.", "credit due 10.00% 1,200.00 EUR", "Claim by 2027-01-31"}},
	}
	for _, c := range checks {
		p := pages[c.page-1]
		if !strings.HasPrefix(p, header+c.starts) {
			t.Errorf("page %d does not start with %q:\n%.300s", c.page, c.starts, p)
		}
		for _, s := range c.phrases {
			if !strings.Contains(p, s) {
				t.Errorf("page %d lacks %q:\n%s", c.page, s, p)
			}
		}
	}
}

// fakePrinter records the document it is given.
type fakePrinter struct {
	got []byte
	err error
}

func (f *fakePrinter) Print(_ context.Context, html []byte) ([]byte, error) {
	f.got = html
	if f.err != nil {
		return nil, f.err
	}
	return []byte("%PDF-1.7 fake"), nil
}

// TestRenderPDF: the printer is given the report's HTML, byte for byte, and what it returns is
// written; its error is returned as is (a missing browser stays a pdf.NoBrowserError). Render
// itself refuses PDF, which needs a printer.
func TestRenderPDF(t *testing.T) {
	rep := mustDemoReport(t, Request{})
	var html, out bytes.Buffer
	if err := Render(context.Background(), &html, rep, HTML); err != nil {
		t.Fatal(err)
	}
	p := &fakePrinter{}
	if err := RenderPDF(context.Background(), &out, rep, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.got, html.Bytes()) {
		t.Error("the printer was not given the report's HTML")
	}
	if out.String() != "%PDF-1.7 fake" {
		t.Errorf("wrote %q", out.String())
	}

	noBrowser := &pdf.NoBrowserError{}
	if err := RenderPDF(context.Background(), &out, rep, &fakePrinter{err: noBrowser}); !errors.Is(err, noBrowser) {
		t.Errorf("printer error: %v", err)
	}
	err := Render(context.Background(), &out, rep, PDF)
	if err == nil || err.Error() != "report: pdf is printed from the HTML by a browser: RenderPDF writes it" {
		t.Errorf("Render(PDF) = %v", err)
	}
	// RenderWith: PDF with the printer, the others as Render writes them, PDF without a
	// printer refused.
	var viaWith bytes.Buffer
	if err := RenderWith(context.Background(), &viaWith, rep, PDF, &fakePrinter{}); err != nil || viaWith.String() != "%PDF-1.7 fake" {
		t.Errorf("RenderWith(PDF) = %v, wrote %q", err, viaWith.String())
	}
	viaWith.Reset()
	if err := RenderWith(context.Background(), &viaWith, rep, HTML, nil); err != nil || !bytes.Equal(viaWith.Bytes(), html.Bytes()) {
		t.Errorf("RenderWith(HTML) = %v, or not the HTML Render writes", err)
	}
	if err := RenderWith(context.Background(), &viaWith, rep, PDF, nil); !errors.Is(err, ErrNoPrinter) {
		t.Errorf("RenderWith(PDF, nil) = %v", err)
	}
	if got := FileName(rep, PDF); got != "service-report-2026-11.pdf" {
		t.Errorf("file name %q", got)
	}
	if got := ContentType(PDF); got != "application/pdf" {
		t.Errorf("content type %q", got)
	}
}
