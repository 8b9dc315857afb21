package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sla-exporter/sla_exporter/collector/pdf"
	"github.com/sla-exporter/sla_exporter/collector/report"
)

// reportParams are the parameters /report takes.
var reportParams = []string{"period", "format", "service", "customer", "supplier", "contract"}

// serveReport answers GET /report?period=2026-11&format=html&service=...: the service report of
// a period, built from the evaluator's data and frozen periods at the last evaluation's instant.
// A request the report cannot answer (a bad period, a period without data, a filter naming
// nothing) is a 400 with the reason; the report is rendered whole before anything is written,
// so a failure is a clean 500, never half a document.
func serveReport(w http.ResponseWriter, r *http.Request, o Options) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		http.Error(w, "bad query string: "+err.Error(), http.StatusBadRequest)
		return
	}
	for key, vs := range q {
		switch {
		case !slices.Contains(reportParams, key):
			http.Error(w, fmt.Sprintf("unknown parameter %q: the parameters are %s", key, strings.Join(reportParams, ", ")), http.StatusBadRequest)
			return
		case len(vs) > 1:
			http.Error(w, fmt.Sprintf("parameter %q given %d times: give it once", key, len(vs)), http.StatusBadRequest)
			return
		}
	}
	format := report.HTML
	if f := q.Get("format"); f != "" {
		if format, err = report.ParseFormat(f); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	snap := o.Expo.Snapshot()
	if o.Evaluator == nil || snap.At.IsZero() {
		http.Error(w, "no report yet: nothing has been evaluated", http.StatusServiceUnavailable)
		return
	}
	req := report.Request{Period: q.Get("period"), Filter: report.Filter{Service: q.Get("service"), Customer: q.Get("customer"),
		Supplier: q.Get("supplier"), Contract: q.Get("contract")}}
	rep, err := report.Build(report.Inputs{Source: o.Evaluator, Current: snap, Demo: o.Demo, TicketURL: o.Evaluator.Config().TicketLink}, req)
	if err != nil {
		reportError(w, o, err)
		return
	}
	var buf bytes.Buffer
	if err := report.RenderWith(r.Context(), &buf, rep, format, o.PDF); err != nil {
		reportError(w, o, err)
		return
	}
	disposition := "inline"
	if format == report.CSV {
		disposition = "attachment"
	}
	w.Header().Set("Content-Type", report.ContentType(format))
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": report.FileName(rep, format)}))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func reportError(w http.ResponseWriter, o Options, err error) {
	switch {
	case report.IsInputError(err):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case errors.Is(err, report.ErrNoPrinter) || pdf.IsNoBrowser(err):
		// What the operator must install is no secret, and the reader of the page can pass it on.
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if o.Logger != nil {
		o.Logger.Error("report", "err", err)
	}
	http.Error(w, "internal error: the report could not be built; see the log", http.StatusInternalServerError)
}
