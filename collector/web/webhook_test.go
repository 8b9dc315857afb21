package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/config"
	"github.com/sla-exporter/sla_exporter/collector/sourcetest"
)

const webhookSecret = "zendesk-signing-secret"

// webhookServer serves a configuration with three sources (Zendesk-signed, token-signed and one
// without a webhook) over a real runner on a fake clock, whose Zendesk source is a fake the test
// answers. The runner has synced that source once and waits out its hour.
type webhookServer struct {
	*testServer
	runner *collector.Runner
	clk    *sourcetest.Clock
	fake   *sourcetest.Fake
}

func newWebhookServer(t *testing.T) *webhookServer {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "zd.secret"), []byte(webhookSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load([]byte(`
sources:
  - name: zd
    type: demo
    webhook: {signature: hmac-sha256, secret_file: zd.secret, header: X-Zendesk-Webhook-Signature, encoding: base64,
              timestamp_header: X-Zendesk-Webhook-Signature-Timestamp}
  - name: snow
    type: demo
    webhook: {signature: token, secret_file: missing.secret, header: X-SLA-Token}
  - {name: plain, type: demo}
`), "test.yml", dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := sourcetest.NewClock(evalAt)
	runner := collector.NewRunner(collector.RunnerOptions{Clock: clk, Rand: func() float64 { return 0.5 }})
	// Only zd runs: the other sources' calls never reach the runner.
	f := sourcetest.NewFake()
	if err := runner.Update([]collector.SourceConfig{{Name: "zd", Type: "fake", Source: f, Interval: time.Hour}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { runner.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	(<-f.Calls()).Reply(collector.Batch{Checkpoint: []byte("1")}, nil)
	if d := <-clk.Afters; d != time.Hour {
		t.Fatalf("first wait %v", d)
	}
	s := newTestServer(t, cfg, runner, func(o *Options) { o.SyncNow = runner.SyncNow })
	return &webhookServer{testServer: s, runner: runner, clk: clk, fake: f}
}

// zendesk signs body at ts as Zendesk does: base64(HMAC-SHA256(ts + body)).
func zendesk(secret, ts, body string) http.Header {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + body))
	return http.Header{
		"X-Zendesk-Webhook-Signature":           {base64.StdEncoding.EncodeToString(mac.Sum(nil))},
		"X-Zendesk-Webhook-Signature-Timestamp": {ts},
		"Content-Type":                          {"application/json"},
	}
}

func (s *webhookServer) post(t *testing.T, source, body string, h http.Header) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/sources/"+source+"/webhook", strings.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

const ticketEvent = `{"type":"zen:event-type:ticket.status_changed","detail":{"id":"35436"}}`

// A signed call syncs the source; a flood of them is one sync, spaced from the last; the payload
// is not data.
func TestWebhookTriggersOneSync(t *testing.T) {
	s := newWebhookServer(t)
	for i := range 20 {
		code, body := s.post(t, "zd", ticketEvent, zendesk(webhookSecret, fmt.Sprintf("2026-11-15T12:00:%02dZ", i), ticketEvent))
		want := "A sync was already queued; it will include this change.\n"
		if i == 0 {
			want = "Sync queued.\n"
		}
		if code != http.StatusAccepted || body != want {
			t.Fatalf("call %d: %d %q, want 202 %q", i, code, body, want)
		}
	}
	if d := <-s.clk.Afters; d != collector.SyncNowSpacing {
		t.Fatalf("the requested sync waits %v, want %v from the last", d, collector.SyncNowSpacing)
	}
	s.clk.Advance(collector.SyncNowSpacing)
	c := <-s.fake.Calls()
	if string(c.Checkpoint) != "1" {
		t.Errorf("the sync got checkpoint %q, want 1: incremental", c.Checkpoint)
	}
	c.Reply(collector.Batch{Checkpoint: []byte("2")}, nil)
	if d := <-s.clk.Afters; d != time.Hour {
		t.Errorf("after it, the next sync in %v, want the hour: the flood was one sync", d)
	}
	if queued, _ := s.runner.SyncNow("zd"); !queued {
		t.Error("a request was left pending after the sync")
	}
}

func TestWebhookRefusals(t *testing.T) {
	s := newWebhookServer(t)
	big := strings.Repeat("x", MaxWebhookBody+1)
	for _, tc := range []struct {
		name, source, body string
		header             http.Header
		code               int
		want               string
	}{
		{"unsigned", "zd", ticketEvent, nil, 401, "webhook: the call is not signed: no header X-Zendesk-Webhook-Signature\n"},
		{"signed with another secret", "zd", ticketEvent, zendesk("guess", "1", ticketEvent), 401, "webhook: the signature does not match\n"},
		{"signed for another body", "zd", ticketEvent, zendesk(webhookSecret, "1", ticketEvent+" "), 401, "webhook: the signature does not match\n"},
		{"too large", "zd", big, zendesk(webhookSecret, "1", big), 413, "the body is larger than a webhook call's limit of 1 MiB\n"},
		{"unknown source", "nope", ticketEvent, nil, 404, "no source named \"nope\"\n"},
		{"no webhook", "plain", ticketEvent, nil, 404, "source \"plain\" has no webhook: enable it with the source's webhook settings\n"},
		{"unreadable secret", "snow", ticketEvent, http.Header{"X-Sla-Token": {"t"}}, 500, "the webhook's secret cannot be read: see the exporter's log\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := s.post(t, tc.source, tc.body, tc.header)
			if code != tc.code || body != tc.want {
				t.Errorf("%d %q, want %d %q", code, body, tc.code, tc.want)
			}
		})
	}
	// Nothing was queued by them: the next request is the first.
	if queued, err := s.runner.SyncNow("zd"); !queued || err != nil {
		t.Errorf("after refused calls: queued %v, %v; want a first request", queued, err)
	}
	if logs := s.logs.String(); strings.Contains(logs, webhookSecret) || !strings.Contains(logs, "missing.secret") {
		t.Errorf("the log quotes the secret, or does not name the unreadable file:\n%s", logs)
	}
	// GET is not a webhook call.
	if resp, _ := s.get(t, "/api/v1/sources/zd/webhook"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
}
