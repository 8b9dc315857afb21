// Package web serves sla_exporter's HTTP endpoints: the status page and a page per objective for
// people, /metrics, health and readiness, configuration reload, and the JSON/CSV API with its
// ticket drill-down. Everything it shows comes from the last evaluation's snapshot; only the
// drill-down and an objective page's budget burn-down recompute, on request.
package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/evaluation"
	"github.com/sla-exporter/sla_exporter/collector/report"
)

// Options wire the handlers to the daemon.
type Options struct {
	// Registry holds the series gathered at every scrape of /metrics, after the snapshot's:
	// Expo.Live(), not Expo itself, whose snapshot series are served from Expo's encoding.
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
	// PDF prints /report?format=pdf; nil answers that format with 503.
	PDF report.Printer
	// RefreshSeconds is how often the pages refetch their figures; zero is every 60 seconds.
	// Tests shorten it to see a refresh happen.
	RefreshSeconds int
	// SyncNow asks the runner for an immediate sync of a source (collector.Runner.SyncNow);
	// nil serves no webhook.
	SyncNow func(source string) (queued bool, err error)
	// MaxRequests is how many requests are served at once (--web.max-requests); beyond it a
	// request is answered 503 at once and counted in sla_http_requests_rejected_total, which
	// Handler registers in Registry. The health endpoints are exempt. Zero is no limit.
	MaxRequests int
}

// Handler returns the HTTP handler of every endpoint.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	// The snapshot's series are served from the bytes encoded when it was published; the
	// registry's (Go, process, Live, the HTTP counters) are gathered at every scrape.
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(o.Registry,
		o.Expo.Handler(collector.HandlerOpts{Live: o.Registry, Registry: o.Registry, ErrorLog: slogAdapter{o.Logger}})))
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
		writeJSON(w, o.Logger, objectivesJSON(explainer{snap: o.Expo.Snapshot(), cfg: o.config()}))
	})
	mux.HandleFunc("GET /api/v1/kpis", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, KPIsJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("GET /api/v1/costs", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, o.Logger, CostsJSON(o.Expo.Snapshot())) })
	mux.HandleFunc("GET /api/v1/contracts", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, ContractsJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("GET /api/v1/staffing", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, o.Logger, StaffingsJSON(o.Expo.Snapshot())) })
	mux.HandleFunc("GET /api/v1/sources", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, o.Logger, SourcesJSON(o.Expo.Snapshot()))
	})
	mux.HandleFunc("POST /api/v1/sources/{name}/webhook", func(w http.ResponseWriter, r *http.Request) {
		sourceWebhook(w, r, o)
	})
	mux.HandleFunc("GET /api/v1/objectives/{name}/tickets", func(w http.ResponseWriter, r *http.Request) {
		tickets(w, r, o)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "max-age=86400")
		w.Write([]byte(favicon))
	})
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) { serveReport(w, r, o) })
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		page(w, o)
	})
	mux.HandleFunc("GET /objectives/{name}", func(w http.ResponseWriter, r *http.Request) {
		objectivePageHandler(w, r, o)
	})
	mux.HandleFunc("GET /objectives/{name}/tickets", func(w http.ResponseWriter, r *http.Request) {
		ticketsPageHandler(w, r, o)
	})
	return limitRequests(mux, o.MaxRequests, rejectedCounter(o.Registry))
}

// favicon is the icon a browser asks every page of a server for: a green dot. The pages name it
// inline; the report, one self-contained file that links nothing, is answered here instead of
// with a 404 a browser logs as an error.
const favicon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1a7f37"/></svg>`

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

// slogAdapter lets promhttp log through slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Println(v ...any) {
	if a.l != nil {
		a.l.Error("metrics handler error", "err", fmt.Sprint(v...))
	}
}
