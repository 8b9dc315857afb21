package report

import (
	"context"
	"encoding/json"
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
)

// renderer writes a report in one format.
type renderer struct {
	render      func(ctx context.Context, w io.Writer, rep *Report) error
	contentType string
	extension   string
}

// renderers are the formats Render knows. A format rendered elsewhere (PDF from the HTML) adds
// itself here.
var renderers = map[Format]renderer{
	HTML: {renderHTML, "text/html; charset=utf-8", "html"},
	JSON: {renderJSON, "application/json", "json"},
	CSV:  {renderCSVZip, "application/zip", "zip"},
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

// Render writes the report in the format. ctx bounds renderers that take time (a browser).
func Render(ctx context.Context, w io.Writer, rep *Report, f Format) error {
	r, ok := renderers[f]
	if !ok {
		_, err := ParseFormat(string(f))
		return err
	}
	return r.render(ctx, w, rep)
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
