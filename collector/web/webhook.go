package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/webhook"
)

// MaxWebhookBody bounds a webhook call's body: Jira's issue events with their changelog run to
// tens of kilobytes; a megabyte is no ticket change.
const MaxWebhookBody = 1 << 20

// sourceWebhook serves POST /api/v1/sources/{name}/webhook: a ticket tool says a ticket
// changed, and a call that proves it knows the source's shared secret syncs the source at once
// (Options.SyncNow). The payload is read only to check its signature, never as data: the sync
// reads the tool's API as always, so a forged or replayed call can at most cause a sync.
func sourceWebhook(w http.ResponseWriter, r *http.Request, o Options) {
	name := r.PathValue("name")
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var spec *webhook.Spec
	known := false
	if cfg := o.config(); cfg != nil {
		for i := range cfg.Sources {
			if cfg.Sources[i].Name == name {
				known, spec = true, cfg.Sources[i].Webhook
			}
		}
	}
	switch {
	case !known:
		http.Error(w, "no source named "+quote(name), http.StatusNotFound)
		return
	case spec == nil || o.SyncNow == nil:
		http.Error(w, "source "+quote(name)+" has no webhook: enable it with the source's webhook settings", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "the body is larger than a webhook call's limit of 1 MiB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := spec.Verify(r.Header, r.URL.Query(), body); err != nil {
		if errors.Is(err, webhook.ErrSecret) {
			// The file's path, never its content: Verify's errors quote neither the secret nor
			// what the call sent.
			logger.Error("webhook secret unreadable: calls are refused", "source_name", name, "err", err)
			http.Error(w, "the webhook's secret cannot be read: see the exporter's log", http.StatusInternalServerError)
			return
		}
		// Debug only: anyone who can reach the endpoint could fill the log.
		logger.Debug("webhook call refused", "source_name", name, "err", err)
		http.Error(w, "webhook: "+err.Error(), http.StatusUnauthorized)
		return
	}
	queued, err := o.SyncNow(name)
	switch {
	case errors.Is(err, collector.ErrUnknownSource):
		// Configured but not running: a reload in progress.
		http.Error(w, "source "+quote(name)+" is not running yet", http.StatusServiceUnavailable)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case queued:
		logger.Debug("webhook: sync queued", "source_name", name)
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("Sync queued.\n"))
	default:
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("A sync was already queued; it will include this change.\n"))
	}
}

func quote(s string) string { return `"` + s + `"` }
