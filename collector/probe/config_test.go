package probe

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, block, want string }{
		{"no targets", "targets: []", "line 1: targets: is required: at least one target"},
		{"unknown key", "targets:\n  - series: a\n    htp: {url: http://x/}",
			"line 3: targets[0].htp: unknown field (known: series, interval, timeout, http, tcp, dns, icmp)"},
		{"no series", "targets:\n  - http: {url: http://x/}", "line 2: targets[0].series: is required: the name objectives give as series"},
		{"spaces", "targets:\n  - series: ' a'\n    http: {url: http://x/}", `line 2: targets[0].series: " a" has leading or trailing spaces`},
		{"duplicate series", "targets:\n  - {series: a, http: {url: http://x/}}\n  - {series: a, tcp: {address: 'x:1'}}",
			`line 3: targets[1].series: "a" is also the series of targets[0]: each target feeds a series of its own`},
		{"no probe", "targets:\n  - series: a", "line 2: targets[0]: has no probe: set one of http, tcp, dns, icmp"},
		{"two probes", "targets:\n  - series: a\n    http: {url: http://x/}\n    tcp: {address: 'x:1'}",
			"line 4: targets[0].tcp: a target has one probe, and this one has http and tcp: make a target of each"},
		{"short interval", "targets:\n  - {series: a, interval: 500ms, http: {url: http://x/}}", "line 2: targets[0].interval: 500ms is shorter than 1s"},
		{"timeout over interval", "targets:\n  - series: a\n    interval: 10s\n    timeout: 15s\n    http: {url: http://x/}",
			"line 4: targets[0].timeout: 15s is longer than the interval 10s: probes of a target never overlap"},
		{"bad duration", "targets:\n  - {series: a, interval: soon, http: {url: http://x/}}",
			`line 2: targets[0].interval: not a valid duration string: "soon"`},
		{"no url", "targets:\n  - series: a\n    http: {method: GET}", "line 3: targets[0].http.url: is required"},
		{"not a URL", "targets:\n  - series: a\n    http: {url: 'ftp://x/'}", "line 3: targets[0].http.url: not an http:// or https:// URL with a host"},
		{"user in URL", "targets:\n  - series: a\n    http: {url: 'https://bob:hunter2@x/'}",
			"line 3: targets[0].http.url: has user information: set credentials in http_client_config (basic_auth with password_file)"},
		{"method", "targets:\n  - series: a\n    http:\n      url: http://x/\n      method: POST",
			`line 5: targets[0].http.method: "POST" is not one of GET, HEAD, OPTIONS`},
		{"status", "targets:\n  - series: a\n    http:\n      url: http://x/\n      valid_status_codes: [200, 2000]",
			"line 5: targets[0].http.valid_status_codes[1]: 2000 is not an HTTP status code"},
		{"regex", "targets:\n  - series: a\n    http:\n      url: http://x/\n      body_regex: '(ok'",
			"line 5: targets[0].http.body_regex: error parsing regexp: missing closing ): `(ok`"},
		{"plain credential header", "targets:\n  - series: a\n    http:\n      url: http://x/\n      http_client_config:\n        http_headers:\n          X-Api-Key: {values: [s3cret]}",
			"line 7: targets[0].http.http_client_config.http_headers.X-Api-Key.values: a credential in plain values shows wherever the configuration is printed: use secrets, or better files"},
		{"client config", "targets:\n  - series: a\n    http:\n      url: http://x/\n      http_client_config:\n        bearer_token: abc\n        bearer_token_file: /t",
			"line 6: targets[0].http.http_client_config: at most one of bearer_token & bearer_token_file must be configured"},
		{"tcp address", "targets:\n  - series: a\n    tcp: {address: db.internal}", `line 3: targets[0].tcp.address: "db.internal" is not host:port`},
		{"tls_config without tls", "targets:\n  - series: a\n    tcp:\n      address: 'db:5432'\n      tls_config: {insecure_skip_verify: true}",
			"line 5: targets[0].tcp.tls_config: applies with tls: true"},
		{"dns name", "targets:\n  - series: a\n    dns: {server: 127.0.0.1}", "line 3: targets[0].dns.name: is required"},
		{"dns label", "targets:\n  - series: a\n    dns: {name: 'a..b', server: 127.0.0.1}", `line 3: targets[0].dns.name: "a..b" is not a domain name`},
		{"dns server", "targets:\n  - series: a\n    dns: {name: example.org}", "line 3: targets[0].dns.server: is required: the DNS server to ask, host or host:port"},
		{"dns type", "targets:\n  - series: a\n    dns:\n      name: example.org\n      server: 127.0.0.1\n      record_type: ANY",
			`line 6: targets[0].dns.record_type: "ANY" is not one of A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT`},
		{"icmp host", "targets:\n  - series: a\n    icmp: {host: 'x:1'}", `line 3: targets[0].icmp.host: "x:1" is not an address or a host name (no port)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var node yaml.Node
			if err := yaml.Unmarshal([]byte(tc.block), &node); err != nil {
				t.Fatal(err)
			}
			_, err := newKind(node.Content[0], collector.Options{Name: "probes"})
			if err == nil || err.Error() != tc.want {
				t.Errorf("error\n got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// TestConfigDefaults: interval 30s, timeout 10s (or the interval when shorter), the target
// names sla_probe_* shows (a URL without its query, which may hold a key).
func TestConfigDefaults(t *testing.T) {
	src := mustBuild(t, `targets:
  - {series: web, http: {url: "https://www.example.org/health?key=abc#top"}}
  - {series: db, interval: 5s, tcp: {address: "db.internal:5432"}}
  - {series: ns, interval: 1m, timeout: 3s, dns: {name: example.org, server: "192.0.2.53"}}
  - {series: gw, icmp: {host: "[2001:db8::1]"}}`)
	type row struct {
		Series, Target, Prober string
		Interval, Timeout      time.Duration
	}
	var got []row
	for _, tg := range src.Scheduler().Targets() {
		got = append(got, row{tg.Series, tg.Target, tg.Prober, tg.Interval, tg.Timeout})
	}
	want := []row{
		{"web", "https://www.example.org/health", "http", 30 * time.Second, 10 * time.Second},
		{"db", "db.internal:5432", "tcp", 5 * time.Second, 5 * time.Second},
		{"ns", "example.org @192.0.2.53:53", "dns", time.Minute, 3 * time.Second},
		{"gw", "2001:db8::1", "icmp", 30 * time.Second, 10 * time.Second},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
}

// TestNew: a source built from a Config in Go, as the end-to-end tests do; its errors name the
// key without a line.
func TestNew(t *testing.T) {
	src, err := New(Config{Targets: []TargetConfig{{Timing: Timing{Series: "web"}, HTTP: &HTTPConfig{URL: "http://127.0.0.1:1/"}}}}, collector.Options{Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	_ = src.Close()
	_, err = New(Config{Targets: []TargetConfig{{Timing: Timing{Series: "web"}}}}, collector.Options{Name: "p"})
	if want := "line 0: targets[0]: has no probe: set one of http, tcp, dns, icmp"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
