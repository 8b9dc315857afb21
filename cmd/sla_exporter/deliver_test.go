package main

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/delivery"
	"github.com/sla-exporter/sla_exporter/collector/demo"
	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/pdf/pdftest"
	"github.com/sla-exporter/sla_exporter/collector/report"
)

// TestReportRenderer: the scheduled deliveries get the report of the period they ask for, in
// each format they list, named and typed as /report names and types them; before the first
// evaluation there is nothing to render.
func TestReportRenderer(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Load(demo.ConfigYAML, demoName, ".")
	if err != nil {
		t.Fatal(err)
	}
	expo := collector.NewExposition()
	eval, err := evaluateAt(t.Context(), cfg, slog.New(slog.DiscardHandler), at, expo)
	if err != nil {
		t.Fatal(err)
	}
	render := reportRenderer(eval, expo, true, nil)
	req := delivery.Request{Report: "monthly", Period: "2026-11", Formats: []string{"html", "csv", "json"}}
	if _, err := render(t.Context(), req); err == nil {
		t.Error("rendered before any evaluation")
	}
	eval.Publish()
	atts, err := render(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	type file struct{ Name, Type string }
	var got []file
	for _, a := range atts {
		if len(a.Data) == 0 {
			t.Errorf("%s is empty", a.Filename)
		}
		got = append(got, file{a.Filename, a.ContentType})
	}
	want := []file{
		{"service-report-2026-11.html", "text/html; charset=utf-8"},
		{"service-report-2026-11.zip", "application/zip"},
		{"service-report-2026-11.json", "application/json"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
	req.Filter = delivery.Filter{Kind: delivery.FilterService, Value: "no-such-service"}
	if _, err := render(t.Context(), req); err == nil {
		t.Error("a filter naming nothing rendered")
	}
	// PDF without a browser to print it fails the delivery (it is retried and counted).
	req = delivery.Request{Report: "monthly", Period: "2026-11", Formats: []string{"html", "pdf"}}
	if _, err := render(t.Context(), req); !errors.Is(err, report.ErrNoPrinter) {
		t.Errorf("PDF without a printer: %v", err)
	}
}

// TestReportRendererPDF: a delivery asking for PDF gets the report printed by the installed
// Chromium, beside the HTML, as report --format pdf writes it.
func TestReportRendererPDF(t *testing.T) {
	pdftest.RequireBrowser(t)
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Load(demo.ConfigYAML, demoName, ".")
	if err != nil {
		t.Fatal(err)
	}
	expo := collector.NewExposition()
	eval, err := evaluateAt(t.Context(), cfg, slog.New(slog.DiscardHandler), at, expo)
	if err != nil {
		t.Fatal(err)
	}
	eval.Publish()
	render := reportRenderer(eval, expo, true, pdf.New(pdf.Options{}))
	atts, err := render(t.Context(), delivery.Request{Report: "monthly", Period: "2026-11", Formats: []string{"html", "pdf"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) != 2 || atts[1].Filename != "service-report-2026-11.pdf" || atts[1].ContentType != "application/pdf" {
		t.Fatalf("attachments %v", atts)
	}
	if got := pdftest.Pages(t, atts[1].Data); got != 12 {
		t.Errorf("%d pages, want the demo report's 12", got)
	}
	if text := pdftest.Text(t, atts[1].Data); !strings.Contains(text[0], "Service report November 2026") {
		t.Errorf("first page: %.200s", text[0])
	}
}

// TestWarnNoBrowser: a scheduled PDF that no browser can print is said at start, once, naming
// the package to install; a schedule without PDF says nothing.
func TestWarnNoBrowser(t *testing.T) {
	missing := pdf.New(pdf.Options{Path: "/nonexistent/chromium"})
	for _, tc := range []struct {
		formats []string
		want    string
	}{
		{[]string{"html", "pdf"}, `level=WARN msg="scheduled report asks for PDF, which cannot be printed" report=monthly err="PDF needs a Chromium browser, and /nonexistent/chromium (--report.chromium-path) cannot be run: exec: \"/nonexistent/chromium\": stat /nonexistent/chromium: no such file or directory"` + "\n"},
		{[]string{"html", "csv"}, ""},
	} {
		var logs strings.Builder
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
		cfg := &config.Config{Reports: []delivery.Spec{{Name: "monthly", Formats: tc.formats}, {Name: "weekly", Formats: tc.formats}}}
		warnNoBrowser(logger, cfg, missing)
		if logs.String() != tc.want {
			t.Errorf("formats %v logged\n%s\nwant\n%s", tc.formats, logs.String(), tc.want)
		}
	}
}
