package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// webhookAlert is an alert in Alertmanager's webhook payload (version 4).
type webhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

type webhookPayload struct {
	Version     string            `json:"version"`
	Receiver    string            `json:"receiver"`
	Status      string            `json:"status"`
	Alerts      []webhookAlert    `json:"alerts"`
	GroupLabels map[string]string `json:"groupLabels"`
	ExternalURL string            `json:"externalURL"`
	GroupKey    string            `json:"groupKey"`
}

// notification is one webhook call: when it arrived, on which path (one per receiver) and
// what it carried.
type notification struct {
	at      time.Time
	path    string
	payload webhookPayload
}

// webhook records Alertmanager's notifications; each receiver posts to /<receiver name>.
type webhook struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []notification
}

func newWebhook(t *testing.T) *webhook {
	t.Helper()
	w := &webhook{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		var p webhookPayload
		if err := json.Unmarshal(b, &p); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.got = append(w.got, notification{at: time.Now(), path: r.URL.Path, payload: p})
		w.mu.Unlock()
	}))
	t.Cleanup(w.srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- webhook notifications:\n%s", w.dump())
		}
	})
	return w
}

func (w *webhook) notifications() []notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.got)
}

// find returns the first notification with an alert matching labels in the given status
// ("firing" or "resolved"), and that alert.
func (w *webhook) find(status string, labels map[string]string) (notification, webhookAlert, bool) {
	for _, n := range w.notifications() {
		for _, a := range n.payload.Alerts {
			if a.Status == status && subset(labels, a.Labels) {
				return n, a, true
			}
		}
	}
	return notification{}, webhookAlert{}, false
}

func (w *webhook) dump() string {
	var b strings.Builder
	for _, n := range w.notifications() {
		fmt.Fprintf(&b, "%s %s receiver=%s status=%s\n", n.at.Format("15:04:05.000"), n.path, n.payload.Receiver, n.payload.Status)
		for _, a := range n.payload.Alerts {
			fmt.Fprintf(&b, "    %s %v\n", a.Status, a.Labels)
		}
	}
	if b.Len() == 0 {
		return "(none)"
	}
	return b.String()
}

// testAlertmanagerConfig is the shipped Alertmanager configuration with every receiver posting
// to the test's webhook (/<receiver name>) and the timers shortened to a second; the routes,
// matchers and inhibition rules are left as they are.
func testAlertmanagerConfig(t *testing.T, hookURL string) []byte {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, "deploy/alertmanager/alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	var shorten func(route map[string]any, root bool)
	shorten = func(route map[string]any, root bool) {
		for _, k := range []string{"group_wait", "group_interval"} {
			if _, ok := route[k]; ok || root {
				route[k] = "1s"
			}
		}
		if subs, ok := route["routes"].([]any); ok {
			for _, s := range subs {
				shorten(s.(map[string]any), false)
			}
		}
	}
	route, ok := cfg["route"].(map[string]any)
	if !ok {
		t.Fatal("alertmanager.yml has no route")
	}
	shorten(route, true)
	receivers, _ := cfg["receivers"].([]any)
	if len(receivers) == 0 {
		t.Fatal("alertmanager.yml has no receivers")
	}
	for i, r := range receivers {
		name := r.(map[string]any)["name"].(string)
		receivers[i] = map[string]any{
			"name":            name,
			"webhook_configs": []any{map[string]any{"url": hookURL + "/" + name, "send_resolved": true}},
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// startAlertmanager runs Alertmanager on loopback, without clustering, with the test's
// version of the shipped configuration.
func startAlertmanager(t *testing.T, hookURL string) *server {
	t.Helper()
	bin := requireTool(t, "alertmanager")
	cfg := testAlertmanagerConfig(t, hookURL)
	return startServer(t, "alertmanager", bin, "/-/ready", time.Minute, func(addr, dir string) []string {
		path := writeFile(t, dir, "alertmanager.yml", string(cfg))
		return []string{
			"--config.file=" + path,
			"--storage.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=" + addr,
			"--web.external-url=http://" + addr + "/",
			"--cluster.listen-address=", // no gossip port
			"--log.level=debug",
		}
	})
}

// amAlert is an alert in Alertmanager's API v2.
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	Receivers   []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		State       string   `json:"state"` // active, suppressed, unprocessed
		InhibitedBy []string `json:"inhibitedBy"`
		SilencedBy  []string `json:"silencedBy"`
	} `json:"status"`
}

// amAlerts lists Alertmanager's alerts, including the inhibited ones.
func amAlerts(am *server) ([]amAlert, error) {
	var alerts []amAlert
	err := getJSON(am.url+"/api/v2/alerts?active=true&inhibited=true&silenced=true&unprocessed=true", &alerts)
	return alerts, err
}

func findAMAlert(alerts []amAlert, labels map[string]string) (amAlert, bool) {
	for _, a := range alerts {
		if subset(labels, a.Labels) {
			return a, true
		}
	}
	return amAlert{}, false
}

// postAlerts sends alerts to Alertmanager as Prometheus does (API v2), firing until endsAt.
func postAlerts(t *testing.T, am *server, endsAt time.Time, alerts ...map[string]string) {
	t.Helper()
	var body []map[string]any
	for _, l := range alerts {
		body = append(body, map[string]any{"labels": l, "startsAt": time.Now().Add(-time.Minute), "endsAt": endsAt,
			"generatorURL": "http://127.0.0.1/test"})
	}
	b, _ := json.Marshal(body)
	resp, err := httpClient.Post(am.url+"/api/v2/alerts", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST /api/v2/alerts: %s: %s", resp.Status, msg)
	}
}

// TestAlertmanagerInhibition runs Alertmanager with the shipped routing and inhibition rules and
// sends it alerts directly, as Prometheus would: a page burn alert inhibits the ticket burn alert
// of the same objective and service but not another objective's; SLASourceDown inhibits the
// alerts of the objectives reading that source (labelled source) and no others; the notifications
// reach the receivers the severities route to.
func TestAlertmanagerInhibition(t *testing.T) {
	requireTool(t, "alertmanager")
	hook := newWebhook(t)
	am := startAlertmanager(t, hook.srv.URL)

	burn := func(objective, service, severity, source string) map[string]string {
		l := map[string]string{"alertname": "SLAErrorBudgetBurn", "objective": objective, "service": service, "severity": severity}
		if source != "" {
			l["source"] = source
		}
		return l
	}
	pageWeb := burn("web-availability", "web", "page", "probes")
	ticketWeb := burn("web-availability", "web", "ticket", "probes")
	ticketAPI := burn("api-availability", "api", "ticket", "probes-api")
	sourceDown := map[string]string{"alertname": "SLASourceDown", "source": "desk", "severity": "ticket"}
	noDataDesk := map[string]string{"alertname": "SLANoData", "objective": "incident-response", "service": "service-desk", "severity": "ticket", "source": "desk"}
	breachedDesk := map[string]string{"alertname": "SLABreached", "objective": "incident-resolution", "service": "service-desk", "severity": "ticket", "source": "desk"}
	noSourceLabel := map[string]string{"alertname": "SLABreached", "objective": "p1-resolution", "service": "service-desk", "severity": "ticket"}

	// The inhibiting alerts first: inhibition is decided when a notification is sent, so a
	// target that reaches Alertmanager before its source would be sent once.
	endsAt := time.Now().Add(5 * time.Minute)
	postAlerts(t, am, endsAt, pageWeb, sourceDown)
	deadline := time.Now().Add(30 * time.Second)
	waitFor(t, deadline, 200*time.Millisecond, "the inhibiting alerts to be active", func() (bool, string) {
		alerts, err := amAlerts(am)
		if err != nil {
			return false, err.Error()
		}
		_, ok1 := findAMAlert(alerts, pageWeb)
		_, ok2 := findAMAlert(alerts, sourceDown)
		return ok1 && ok2, fmt.Sprintf("%d alerts", len(alerts))
	})
	postAlerts(t, am, endsAt, ticketWeb, ticketAPI, noDataDesk, breachedDesk, noSourceLabel)

	checkRouted(t, am, hook, deadline, []routedAlert{
		{"page burn", pageWeb, nil, "oncall"},
		{"ticket burn, same objective as the page", ticketWeb, []map[string]string{pageWeb}, "itsm"},
		{"ticket burn, another objective", ticketAPI, nil, "itsm"},
		{"source down", sourceDown, nil, "itsm"},
		{"no data, source down", noDataDesk, []map[string]string{sourceDown}, "itsm"},
		{"breached, source down", breachedDesk, []map[string]string{sourceDown}, "itsm"},
		{"breached, no source label", noSourceLabel, nil, "itsm"},
	})
	if u, err := url.Parse(hook.notifications()[0].payload.ExternalURL); err != nil || u.Host != am.addr {
		t.Errorf("externalURL %q is not the Alertmanager's --web.external-url", hook.notifications()[0].payload.ExternalURL)
	}
}

// routedAlert is an alert posted to Alertmanager and where it must go: to receiver, or nowhere
// when inhibitedBy is set, suppressed by one of those alerts.
type routedAlert struct {
	name        string
	labels      map[string]string
	inhibitedBy []map[string]string // nil: not inhibited
	receiver    string
}

// checkRouted waits until Alertmanager has processed every alert of want, checks each one's
// receiver and state (active, or suppressed by one of its inhibitedBy), then that the active ones
// are notified to their receivers and, two group intervals later, the inhibited ones never.
func checkRouted(t *testing.T, am *server, hook *webhook, deadline time.Time, want []routedAlert) {
	t.Helper()
	waitFor(t, deadline, 200*time.Millisecond, "every alert to be processed", func() (bool, string) {
		alerts, err := amAlerts(am)
		if err != nil {
			return false, err.Error()
		}
		for _, w := range want {
			a, ok := findAMAlert(alerts, w.labels)
			if !ok || a.Status.State == "unprocessed" {
				return false, w.name + " not processed yet"
			}
		}
		return true, ""
	})
	alerts, err := amAlerts(am)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		a, _ := findAMAlert(alerts, w.labels)
		var receivers []string
		for _, r := range a.Receivers {
			receivers = append(receivers, r.Name)
		}
		if !slices.Equal(receivers, []string{w.receiver}) {
			t.Errorf("%s: receivers %q, want %s", w.name, receivers, w.receiver)
		}
		if w.inhibitedBy == nil {
			if a.Status.State != "active" {
				t.Errorf("%s: state %s (inhibited by %q), want active", w.name, a.Status.State, a.Status.InhibitedBy)
			}
			continue
		}
		// Alertmanager names one of the alerts inhibiting it.
		var sources []string
		for _, l := range w.inhibitedBy {
			src, _ := findAMAlert(alerts, l)
			sources = append(sources, src.Fingerprint)
		}
		if a.Status.State != "suppressed" || len(a.Status.InhibitedBy) != 1 || !slices.Contains(sources, a.Status.InhibitedBy[0]) {
			t.Errorf("%s: state %s inhibited by %q, want suppressed by one of %q", w.name, a.Status.State, a.Status.InhibitedBy, sources)
		}
	}
	waitFor(t, time.Now().Add(30*time.Second), 200*time.Millisecond, "the notifications of the active alerts", func() (bool, string) {
		for _, w := range want {
			if w.inhibitedBy != nil {
				continue
			}
			n, _, ok := hook.find("firing", w.labels)
			if !ok {
				return false, w.name + " not notified"
			}
			if n.path != "/"+w.receiver || n.payload.Receiver != w.receiver {
				t.Fatalf("%s notified to %s (receiver %s), want /%s", w.name, n.path, n.payload.Receiver, w.receiver)
			}
		}
		return true, ""
	})
	time.Sleep(2 * time.Second) // two group intervals: time for a wrong notification to arrive
	for _, w := range want {
		if w.inhibitedBy == nil {
			continue
		}
		if n, _, ok := hook.find("firing", w.labels); ok {
			t.Errorf("%s was inhibited but notified to %s at %s", w.name, n.path, n.at.Format(time.TimeOnly))
		}
	}
}
