package main

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/pdf/pdftest"
)

// reportAt is a Thursday in December 2026: the default report is November's.
const reportAt = "2026-12-03T09:00:00Z"

// TestReportDemo writes the demo's report in each format without a configuration file. The JSON
// is the report package's golden file: the command serves the same model.
func TestReportDemo(t *testing.T) {
	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "nov.json")
	stdout, stderr, err := runCmd(t, "report", "--at", reportAt, "--format", "json", "--output", jsonFile)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if stdout != jsonFile+"\n" {
		t.Errorf("printed %q, want the file written", stdout)
	}
	if got, want := readFile(t, jsonFile), readFile(t, "../../collector/report/testdata/demo-2026-11.json"); got != want {
		t.Error("report --format json differs from collector/report/testdata/demo-2026-11.json")
	}

	stdout, stderr, err = runCmd(t, "report", "--at", reportAt)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.HasPrefix(stdout, "<!DOCTYPE html>") || !strings.Contains(stdout, "Service report November 2026") {
		t.Errorf("HTML on standard output:\n%.300s", stdout)
	}

	zipFile := filepath.Join(dir, "nov.zip")
	if _, stderr, err := runCmd(t, "report", "--at", reportAt, "--format", "csv", "-o", zipFile); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	z, err := zip.OpenReader(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	if len(z.File) != 16 {
		t.Errorf("%d tables in the zip, want 16", len(z.File))
	}

	tables := filepath.Join(dir, "tables")
	stdout, stderr, err = runCmd(t, "report", "--at", reportAt, "--format", "csv", "--output", tables, "--supplier", "hostco")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, filepath.Join(tables, "contracts.csv")) {
		t.Errorf("files listed: %s", stdout)
	}
	contracts := readFile(t, filepath.Join(tables, "contracts.csv"))
	// hostco's November: 10% of 12,000 EUR, to claim by 31 January 2027.
	if !strings.Contains(contracts, "hostco-hosting,supplier,hostco,2026-11,2026-11-01T00:00:00+01:00,2026-12-01T00:00:00+01:00,credit_due,0.1,1200,EUR,12000,2027-02-01T00:00:00+01:00,2027-01-31,false,") {
		t.Errorf("contracts.csv:\n%s", contracts)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("%d entries in the output folder, want the JSON, the zip and the tables: no temporary file left", len(entries))
	}
}

// TestReportPDF prints the demo's report with the installed Chromium, as the report package's
// TestDemoPDF does, through the command: a PDF file of the same eleven A4 pages.
func TestReportPDF(t *testing.T) {
	pdftest.RequireBrowser(t)
	out := filepath.Join(t.TempDir(), "nov.pdf")
	stdout, stderr, err := runCmd(t, "report", "--at", reportAt, "--format", "pdf", "--output", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if stdout != out+"\n" {
		t.Errorf("printed %q, want the file written", stdout)
	}
	doc := []byte(readFile(t, out))
	if got := pdftest.Pages(t, doc); got != 12 {
		t.Errorf("%d pages, want 12", got)
	}
	pages := pdftest.Text(t, doc)
	if !strings.Contains(pages[0], "Executive summary") || !strings.Contains(pages[len(pages)-1], "Suppliers") {
		t.Errorf("first page %.200q, last %.200q", pages[0], pages[len(pages)-1])
	}
}

// TestReportErrors: bad input is refused with its reason and exit status 2, before any source
// is read when the flags alone show it.
func TestReportErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"report", "--period", "2026-13"}, `--period: period "2026-13": there are months 01 to 12; want a month such as 2026-11 or a quarter such as 2026-Q4`, 2},
		{[]string{"report", "--format", "xml"}, `--format: format "xml": want csv, html, json, pdf`, 2},
		// A missing browser is said before any source is read; it is not bad input.
		{[]string{"--report.chromium-path", "/nonexistent/chromium", "report", "--format", "pdf"},
			`PDF needs a Chromium browser, and /nonexistent/chromium (--report.chromium-path) cannot be run: exec: "/nonexistent/chromium": stat /nonexistent/chromium: no such file or directory`, 1},
		{[]string{"report", "--at", "tomorrow"}, `--at: "tomorrow" is not an RFC 3339 time such as 2026-12-01T08:00:00Z`, 2},
		{[]string{"report", "--at", reportAt, "--period", "2027-01"}, "period 2027-01 has not begun: it starts 2027-01-01 00:00 CET", 2},
		{[]string{"report", "--at", reportAt, "--period", "2025-01"}, "period 2025-01 has no data: nothing was frozen for it, and the oldest record held is from 2026-08-07 12:01 CEST", 2},
		{[]string{"report", "--at", reportAt, "--service", "mail"}, `service "mail": no objective or KPI belongs to it (services: api, hosting, service-desk, webshop)`, 2},
		{[]string{"report", "--at", reportAt, "--customer", "acme"}, `customer "acme": no objective carries the label customer with that value (customers: partners, public)`, 2},
		{[]string{"report", "--at", reportAt, "--service", "api", "--contract", "hostco-hosting"}, "give one filter at most: service, customer, supplier or contract", 2},
		{[]string{"--config.file", "/nonexistent/sla.yml", "report"}, "could not read configuration: stat /nonexistent/sla.yml: no such file or directory", 1},
	} {
		stdout, _, err := runCmd(t, tc.args...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
			continue
		}
		if got := exitCode(err); got != tc.code {
			t.Errorf("%v: exit status %d, want %d", tc.args, got, tc.code)
		}
		if stdout != "" {
			t.Errorf("%v: printed %q", tc.args, stdout)
		}
	}
	if exitCode(errors.New("disk full")) != 1 {
		t.Error("a failure that is not bad input exits with 2")
	}
}
