// Package delivery sends reports on a schedule: on the first working day of the month (or
// another day) it asks a Renderer for the report of the finished period and e-mails it over
// SMTP, writes it to a folder, or both. A delivery that fails is retried with backoff a bounded
// number of times; attempts are counted in metrics, and what was delivered is persisted, so a
// delivery due while the exporter was down is made once after it starts again, and never twice.
//
// The package knows nothing of what a report holds: the Renderer makes the files. The serve
// command runs it beside the evaluation:
//
//	sched := delivery.New(cfg.Reports, delivery.Options{Render: render, State: db, Logger: logger})
//	reg.MustRegister(sched)           // the sla_report_* metrics
//	wg.Go(func() { sched.Run(ctx) })
//	...
//	sched.Update(cfg.Reports)         // on a configuration reload
package delivery

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"path/filepath"
	"strings"
	"time"
)

// The formats a report may be asked in.
const (
	FormatHTML = "html"
	FormatPDF  = "pdf"
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// Formats are the known formats, in the order documented.
var Formats = []string{FormatHTML, FormatPDF, FormatCSV, FormatJSON}

// The kinds of Filter.
const (
	FilterService  = "service"
	FilterCustomer = "customer"
	FilterSupplier = "supplier"
	FilterContract = "contract"
)

// Filter limits a report to one service, customer, supplier or contract; the zero Filter is the
// whole report.
type Filter struct {
	// Kind is one of FilterService, FilterCustomer, FilterSupplier and FilterContract.
	Kind  string
	Value string
}

// String reads "service web-shop", or "" for no filter.
func (f Filter) String() string {
	if f.Kind == "" {
		return ""
	}
	return f.Kind + " " + f.Value
}

// Request is what a Renderer is asked for.
type Request struct {
	// Report is the delivery's name.
	Report string
	// Period is the label of the period covered ("2026-11", "2026-Q4"); Start and End its
	// bounds [Start, End) in the schedule's timezone.
	Period     string
	Start, End time.Time
	Filter     Filter
	// Formats are those configured, in their order: the renderer returns one file or more for
	// each (CSV may be several tables, or one zip).
	Formats []string
}

// Attachment is a rendered file.
type Attachment struct {
	// Filename is a base name ("sla-report-2026-11.pdf"): it names the attachment and the file
	// written to a folder.
	Filename string
	// ContentType is its media type; the text/html one is also the body of the e-mail.
	ContentType string
	Data        []byte
}

// Renderer renders the report a request asks for. It is called from the delivery's own
// goroutine, never from the evaluation's.
type Renderer func(ctx context.Context, req Request) ([]Attachment, error)

// Spec is a configured delivery. The configuration builds and checks it.
type Spec struct {
	// Name identifies the delivery in metrics, logs and the persisted state.
	Name     string
	Schedule Schedule
	Filter   Filter
	Formats  []string
	// Email sends the report by e-mail when set.
	Email *Email
	// Folder, when set, is the directory the report's files are written to, under a folder per
	// period (Folder/2026-11/...).
	Folder string
}

// request is what the renderer is asked for a report due at due.
func (s *Spec) request(due time.Time) Request {
	start, end, label := s.Schedule.Covers(due)
	return Request{Report: s.Name, Period: label, Start: start, End: end, Filter: s.Filter, Formats: s.Formats}
}

// checkAttachments refuses what the renderer returned when it could not be delivered as asked:
// nothing, a file name that is a path, or a name given twice.
func checkAttachments(atts []Attachment) error {
	if len(atts) == 0 {
		return errors.New("the renderer returned no file")
	}
	seen := map[string]bool{}
	for _, a := range atts {
		switch {
		case a.Filename == "" || a.Filename == "." || a.Filename == ".." || filepath.Base(a.Filename) != a.Filename ||
			strings.ContainsAny(a.Filename, "/\\\x00\r\n") || strings.HasPrefix(a.Filename, "."):
			return fmt.Errorf("the renderer returned the file name %q, which is not a plain file name", a.Filename)
		case seen[a.Filename]:
			return fmt.Errorf("the renderer returned %q twice", a.Filename)
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return fmt.Errorf("the renderer returned %q with content type %q: %w", a.Filename, a.ContentType, err)
		}
		seen[a.Filename] = true
	}
	return nil
}

// isHTML reports whether an attachment is HTML, the body of the e-mail.
func isHTML(a Attachment) bool {
	mt, _, err := mime.ParseMediaType(a.ContentType)
	return err == nil && mt == "text/html"
}
