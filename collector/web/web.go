// Package web serves sla_exporter's HTTP endpoints: the status page, /metrics, health and
// readiness, configuration reload, and the JSON/CSV drill-down API. Everything it shows comes from
// the last evaluation's snapshot; only the drill-down recomputes ticket cycles, on request.
package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
)

// Options wire the handlers to the daemon.
type Options struct {
	Registry  *prometheus.Registry
	Expo      *collector.Exposition
	Evaluator *evaluation.Evaluator
	// Reload reloads the configuration; nil disables /-/reload (the built-in demo, or
	// --web.enable-lifecycle not given).
	Reload func() error
	// ReloadDisabled is the message /-/reload answers with when Reload is nil.
	ReloadDisabled string
	Logger         *slog.Logger
	// Version is shown on the status page.
	Version string
	// Demo marks the built-in demo configuration on the status page.
	Demo bool
	// Ready, when set, reports whether the snapshot served reflects every source's first sync
	// (see Readiness). /-/ready waits for it, so a fresh start does not announce itself ready
	// while every objective still reads no_data.
	Ready func(*collector.Snapshot) bool
}

// Handler returns the HTTP handler of every endpoint.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(o.Registry,
		promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{Registry: o.Registry, EnableOpenMetrics: true, ErrorLog: slogAdapter{o.Logger}})))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("Healthy.\n"))
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		snap := o.Expo.Snapshot()
		if snap.At.IsZero() {
			http.Error(w, "Not ready: no evaluation yet.", http.StatusServiceUnavailable)
			return
		}
		if o.Ready != nil && !o.Ready(snap) {
			http.Error(w, "Not ready: waiting for the sources' first sync.", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("Ready.\n"))
	})
	mux.HandleFunc("POST /-/reload", func(w http.ResponseWriter, _ *http.Request) {
		if o.Reload == nil {
			msg := o.ReloadDisabled
			if msg == "" {
				msg = "reload is not enabled"
			}
			http.Error(w, msg, http.StatusForbidden)
			return
		}
		if err := o.Reload(); err != nil {
			http.Error(w, "failed to reload config: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte("Reloaded.\n"))
	})
	mux.HandleFunc("GET /api/v1/objectives", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, ObjectivesJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("GET /api/v1/kpis", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, KPIsJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("GET /api/v1/contracts", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, ContractsJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("GET /api/v1/sources", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, SourcesJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("GET /api/v1/objectives/{name}/tickets", func(w http.ResponseWriter, r *http.Request) {
		tickets(w, r, o)
	})
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) { serveReport(w, r, o) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		page(w, o)
	})
	return mux
}

// writeJSON encodes before writing, so that a value that does not encode is a 500 rather than a
// 200 with a truncated body.
func writeJSON(w http.ResponseWriter, logger *slog.Logger, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		if logger != nil {
			logger.Error("API response does not encode", "err", err)
		}
		http.Error(w, "internal error: the response does not encode as JSON", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}

func tickets(w http.ResponseWriter, r *http.Request, o Options) {
	at := o.Expo.Snapshot().At
	if at.IsZero() {
		at = time.Now()
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		http.Error(w, "bad query string: "+err.Error(), http.StatusBadRequest)
		return
	}
	for key, vs := range q {
		switch {
		case key != "state" && key != "format" && key != "deadline":
			http.Error(w, fmt.Sprintf("unknown parameter %q: the parameters are state, deadline and format", key), http.StatusBadRequest)
			return
		case len(vs) > 1:
			http.Error(w, fmt.Sprintf("parameter %q given %d times: give it once", key, len(vs)), http.StatusBadRequest)
			return
		}
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		http.Error(w, fmt.Sprintf("format %q: want json or csv", format), http.StatusBadRequest)
		return
	}
	rows, err := o.Evaluator.CyclesWhere(r.PathValue("name"), evaluation.CycleFilter{State: q.Get("state"), Deadline: q.Get("deadline")}, at)
	switch {
	case errors.Is(err, evaluation.ErrNotFound):
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if format == "csv" || format == "" && strings.Contains(r.Header.Get("Accept"), "text/csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		WriteCSV(w, rows)
		return
	}
	if rows == nil {
		rows = []evaluation.CycleRow{}
	}
	writeJSON(w, o.Logger, map[string]any{"objective": r.PathValue("name"), "at": at.UTC(), "cycles": rows})
}

// WriteCSV writes cycle rows as CSV with a header line.
func WriteCSV(w interface{ Write([]byte) (int, error) }, rows []evaluation.CycleRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"ticket", "cycle", "priority", "group", "state", "at_risk", "start", "stop", "deadline", "breached_at", "target_seconds", "elapsed_seconds", "remaining_seconds", "tool_deadline", "deadline_agrees"})
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rows {
		cw.Write([]string{cell(r.Ticket), strconv.Itoa(r.Cycle), cell(r.Priority), cell(r.Group), r.State, strconv.FormatBool(r.AtRisk),
			r.Start.UTC().Format(time.RFC3339), ts(r.Stop), ts(r.Deadline), ts(r.BreachedAt), f(r.Target), f(r.Elapsed), f(r.Remaining),
			ts(r.ToolDeadline), agrees(r.DeadlineAgrees)})
	}
	cw.Flush()
	return cw.Error()
}

// agrees writes an optional verdict: empty when there is none to give.
func agrees(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// slogAdapter lets promhttp log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Println(v ...any) {
	if a.l != nil {
		a.l.Error("metrics handler error", "err", fmt.Sprint(v...))
	}
}

// cell neutralizes text that a spreadsheet would run as a formula (=, +, -, @, tab or carriage
// return first): ticket ids and groups come from the ITSM tool, and the CSV goes to a manager's
// spreadsheet. A leading apostrophe makes the cell plain text, as OWASP recommends.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
