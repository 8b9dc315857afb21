package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Format is an output format of a report.
type Format string

// Formats.
const (
	// HTML is one self-contained file for people and for print.
	HTML Format = "html"
	// JSON is the model as is, for BI tools.
	JSON Format = "json"
	// CSV is one file per table, in a zip.
	CSV Format = "csv"
	// PDF is the HTML printed on A4 by a headless browser: RenderPDF writes it, with a Printer.
	PDF Format = "pdf"
)

// Printer prints an HTML document to PDF; package pdf's Printer does, with the installed
// Chromium.
type Printer interface {
	Print(ctx context.Context, html []byte) ([]byte, error)
}

// renderer writes a report in one format.
type renderer struct {
	render      func(ctx context.Context, w io.Writer, rep *Report) error
	contentType string
	extension   string
}

// renderers are the formats a report is written in. PDF has no render func of its own: it
// needs a Printer, which RenderPDF is given.
var renderers = map[Format]renderer{
	HTML: {renderHTML, "text/html; charset=utf-8", "html"},
	JSON: {renderJSON, "application/json", "json"},
	CSV:  {renderCSVZip, "application/zip", "zip"},
	PDF:  {nil, "application/pdf", "pdf"},
}

// Formats lists the formats Render knows, sorted.
func Formats() []Format {
	out := make([]Format, 0, len(renderers))
	for f := range renderers {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// ParseFormat reads a format name; an unknown one is an InputError listing the known.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := renderers[f]; ok {
		return f, nil
	}
	names := make([]string, 0, len(renderers))
	for _, k := range Formats() {
		names = append(names, string(k))
	}
	return "", inputErrorf("format %q: want %s", s, strings.Join(names, ", "))
}

// Render writes the report in the format; PDF needs a browser, and is written by RenderPDF.
func Render(ctx context.Context, w io.Writer, rep *Report, f Format) error {
	r, ok := renderers[f]
	if !ok {
		_, err := ParseFormat(string(f))
		return err
	}
	if r.render == nil {
		return fmt.Errorf("report: %s is printed from the HTML by a browser: RenderPDF writes it", f)
	}
	return r.render(ctx, w, rep)
}

// ErrNoPrinter is RenderWith's error for PDF when no Printer was given.
var ErrNoPrinter = errors.New("PDF is not available: no browser was given to print it")

// RenderWith writes the report in any format: RenderPDF with p for PDF, Render for the others.
func RenderWith(ctx context.Context, w io.Writer, rep *Report, f Format, p Printer) error {
	if f != PDF {
		return Render(ctx, w, rep, f)
	}
	if p == nil {
		return ErrNoPrinter
	}
	return RenderPDF(ctx, w, rep, p)
}

// RenderPDF writes the report as PDF: its HTML, whose print styles lay it out on A4 with a
// header and footer on each page, printed by p. ctx bounds the browser.
func RenderPDF(ctx context.Context, w io.Writer, rep *Report, p Printer) error {
	var html bytes.Buffer
	if err := renderHTML(ctx, &html, rep); err != nil {
		return err
	}
	doc, err := p.Print(ctx, html.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(doc)
	return err
}

// ContentType is the media type of a format, for HTTP.
func ContentType(f Format) string { return renderers[f].contentType }

// FileName is the name a report's file takes: "service-report-2026-11.html", with the filter
// ("service-report-2026-11-customer-acme.html") when there is one.
func FileName(rep *Report, f Format) string {
	name := "service-report-" + rep.Period.Label
	if t := filterText(rep.Filter); t != "" {
		name += "-" + t
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String() + "." + renderers[f].extension
}

// renderJSON writes the model, indented, with a final newline.
func renderJSON(_ context.Context, w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
