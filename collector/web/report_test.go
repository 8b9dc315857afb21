package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/pdf/pdftest"
	"github.com/sla-exporter/sla_exporter/collector/report"
)

// TestReportEndpoint serves the demo's report of October 2026 (the last month finished at the
// fixture's instant) in each format, the same model the package builds.
func TestReportEndpoint(t *testing.T) {
	s := newDemoServer(t, func(o *Options) { o.Demo = true })
	tests := []struct {
		target, contentType, disposition string
	}{
		{"/report", "text/html; charset=utf-8", `inline; filename=service-report-2026-10.html`},
		{"/report?format=json", "application/json", `inline; filename=service-report-2026-10.json`},
		{"/report?format=csv&period=2026-10", "application/zip", `attachment; filename=service-report-2026-10.zip`},
		{"/report?format=json&service=webshop", "application/json", `inline; filename=service-report-2026-10-service-webshop.json`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := s.get(t, tt.target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := resp.Header.Get("Content-Disposition"); got != tt.disposition {
				t.Errorf("Content-Disposition %q, want %q", got, tt.disposition)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Error("a report may be cached")
			}
			switch {
			case strings.Contains(tt.contentType, "html"):
				if !strings.Contains(body, "<h1>") || !strings.Contains(body, "Service report October 2026") || !strings.Contains(body, "banner demo") {
					t.Errorf("HTML without its title or demo banner:\n%.500s", body)
				}
			case strings.Contains(tt.contentType, "zip"):
				if _, err := zip.NewReader(strings.NewReader(body), int64(len(body))); err != nil {
					t.Errorf("not a zip: %v", err)
				}
			}
		})
	}

	// The JSON is the model the package builds from the same evaluator at the same instant.
	rep, err := report.Build(report.Inputs{Source: s.eval, Current: s.expo.Snapshot(), Demo: true}, report.Request{})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := report.Render(context.Background(), &want, rep, report.JSON); err != nil {
		t.Fatal(err)
	}
	if _, body := s.get(t, "/report?format=json"); body != want.String() {
		t.Error("/report?format=json is not the report the package builds")
	}
	var got report.Report
	_, body := s.get(t, "/report?format=json&service=webshop")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Services) != 1 || got.Services[0].Name != "webshop" || got.Filter.Service != "webshop" {
		t.Errorf("filtered report has services %+v", got.Services)
	}
}

func TestReportEndpointBadInput(t *testing.T) {
	s := newDemoServer(t, nil)
	tests := []struct {
		target string
		status int
		body   string
	}{
		{"/report?period=2026-13", 400, `period "2026-13": there are months 01 to 12; want a month such as 2026-11 or a quarter such as 2026-Q4`},
		{"/report?period=2027-01", 400, "period 2027-01 has not begun: it starts 2027-01-01 00:00 CET"},
		{"/report?period=2024-01", 400, "period 2024-01 has no data: nothing was frozen for it, and the oldest record held is from"},
		{"/report?service=nope", 400, `service "nope": no objective or KPI belongs to it (services: api, hosting, service-desk, webshop)`},
		{"/report?supplier=nope", 400, `supplier "nope": no objective carries the label supplier with that value (suppliers: hostco)`},
		{"/report?contract=nope", 400, `contract "nope": no such contract (contracts: hostco-hosting)`},
		{"/report?service=api&customer=partners", 400, "give one filter at most: service, customer, supplier or contract"},
		{"/report?format=docx", 400, `format "docx": want csv, html, json, pdf`},
		// The server was given no printer.
		{"/report?format=pdf", 503, "PDF is not available: no browser was given to print it"},
		{"/report?month=2026-10", 400, `unknown parameter "month": the parameters are period, format, service, customer, supplier, contract`},
		{"/report?period=2026-10&period=2026-09", 400, `parameter "period" given 2 times: give it once`},
		{"/report?period=%zz", 400, "bad query string"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := s.get(t, tt.target)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
		})
	}
}

// TestReportEndpointPDF prints the report with the installed Chromium: the PDF of the same
// report as the HTML, served inline with its file name. A browser that is not there is a 503
// naming the package to install.
func TestReportEndpointPDF(t *testing.T) {
	pdftest.RequireBrowser(t)
	s := newDemoServer(t, func(o *Options) { o.Demo = true; o.PDF = pdf.New(pdf.Options{}) })
	resp, body := s.get(t, "/report?format=pdf&supplier=hostco")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/pdf" {
		t.Errorf("Content-Type %q", got)
	}
	if got := resp.Header.Get("Content-Disposition"); got != "inline; filename=service-report-2026-10-supplier-hostco.pdf" {
		t.Errorf("Content-Disposition %q", got)
	}
	text := strings.Join(pdftest.Text(t, []byte(body)), "\n")
	for _, want := range []string{"Service report October 2026, supplier hostco", "Suppliers", "hostco-hosting · hostco"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}

	missing := newDemoServer(t, func(o *Options) { o.PDF = pdf.New(pdf.Options{Path: "/nonexistent/chromium"}) })
	resp, body = missing.get(t, "/report?format=pdf")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "PDF needs a Chromium browser, and /nonexistent/chromium (--report.chromium-path) cannot be run") {
		t.Errorf("%d %q, want 503 naming the browser", resp.StatusCode, body)
	}
}

// Before the first evaluation there is no instant to report at: 503, as /-/ready says.
func TestReportEndpointBeforeEvaluation(t *testing.T) {
	f := demoFor(t)
	s := newTestServer(t, f.cfg, f.runner, nil)
	if resp, body := s.get(t, "/report"); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "nothing has been evaluated") {
		t.Errorf("%d %q, want 503", resp.StatusCode, body)
	}
}
