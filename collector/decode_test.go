package collector_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

type columns struct {
	ID       string `yaml:"id"`
	Created  string `yaml:"created"`
	Priority string `yaml:"priority"`
}

type common struct {
	Timezone string `yaml:"timezone"`
}

type target struct {
	URL    string            `yaml:"url"`
	Labels map[string]string `yaml:"labels"`
}

type status struct {
	Category string `yaml:"category"`
}

type extra struct {
	Known string            `yaml:"known"`
	Rest  map[string]string `yaml:",inline"`
}

// kindConfig is a source kind's configuration with every shape DecodeStrict follows.
type kindConfig struct {
	Path     string                  `yaml:"path"`
	Columns  columns                 `yaml:"columns"`
	Optional *columns                `yaml:"optional"`
	Targets  []target                `yaml:"targets"`
	Statuses map[string]*status      `yaml:"statuses"`
	Every    model.Duration          `yaml:"every"`
	Token    config.Secret           `yaml:"token"`
	HTTP     config.HTTPClientConfig `yaml:"http"`
	Extra    extra                   `yaml:"extra"`
	Raw      yaml.Node               `yaml:"raw"`
	Untagged int
	common   `yaml:",inline"`
}

func parse(t *testing.T, doc string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

func TestDecodeStrict_Accepts(t *testing.T) {
	doc := `
path: tickets.csv
timezone: Europe/Berlin
columns: &cols
  id: number
  created: opened_at
optional:
  <<: *cols
  priority: prio
targets:
  - url: https://a.example
    labels: {team: web}
statuses:
  On Hold: {category: paused}
every: 5m
token: s3cr3t
http:
  follow_redirects: true
  proxy_url: http://proxy:3128
  basic_auth: {username: u, password: p}
  tls_config: {insecure_skip_verify: true}
extra:
  known: 1
  anything: goes
raw: {whatever: [1, 2]}
untagged: 3
`
	var got kindConfig
	if err := collector.DecodeStrict(parse(t, doc), &got); err != nil {
		t.Fatal(err)
	}
	if got.Columns.ID != "number" || got.Optional.Priority != "prio" || got.Optional.Created != "opened_at" ||
		got.Timezone != "Europe/Berlin" || time.Duration(got.Every) != 5*time.Minute ||
		got.HTTP.ProxyURL.String() != "http://proxy:3128" || got.HTTP.BasicAuth.Password != "p" ||
		got.Extra.Rest["anything"] != "goes" || got.Statuses["On Hold"].Category != "paused" || got.Untagged != 3 {
		t.Errorf("decoded %+v", got)
	}
}

func TestDecodeStrict_UnknownField(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"top level", "path: x\npaht: y\n",
			"line 2: paht: unknown field (known: path, columns, optional, targets, statuses, every, token, http, extra, raw, untagged, timezone)"},
		{"nested struct", "columns:\n  id: a\n  prioritty: b\n",
			"line 3: columns.prioritty: unknown field (known: id, created, priority)"},
		{"pointer", "optional:\n  idd: a\n", "line 2: optional.idd: unknown field (known: id, created, priority)"},
		{"slice of structs", "targets:\n  - url: a\n  - url: b\n    label: {}\n",
			"line 4: targets[1].label: unknown field (known: url, labels)"},
		{"map of structs", "statuses:\n  Open:\n    categroy: open\n",
			"line 3: statuses.Open.categroy: unknown field (known: category)"},
		{"http client config", "http:\n  follow_redirect: true\n",
			"line 2: http.follow_redirect: unknown field (known: basic_auth, authorization, oauth2, bearer_token, bearer_token_file, tls_config, follow_redirects, enable_http2, proxy_url, no_proxy, proxy_from_environment, proxy_connect_header, http_headers)"},
		{"inside http client config", "http:\n  basic_auth:\n    user: u\n",
			"line 3: http.basic_auth.user: unknown field (known: username, username_file, username_ref, password, password_file, password_ref)"},
		{"tls config", "http:\n  tls_config: {insecure: true}\n",
			"line 2: http.tls_config.insecure: unknown field (known: ca, cert, key, ca_file, cert_file, key_file, ca_ref, cert_ref, key_ref, server_name, insecure_skip_verify, min_version, max_version)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got kindConfig
			err := collector.DecodeStrict(parse(t, tt.doc), &got)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err, tt.want)
			}
			var uf *collector.UnknownFieldError
			if !errors.As(err, &uf) {
				t.Errorf("error %T is not an *UnknownFieldError", err)
			}
		})
	}
}

func TestDecodeStrict_Merge(t *testing.T) {
	doc := "columns:\n  <<: &base\n    id: a\n    idd: b\n"
	var got kindConfig
	err := collector.DecodeStrict(parse(t, doc), &got)
	if err == nil || !strings.HasPrefix(err.Error(), "line 4: columns.idd: unknown field") {
		t.Errorf("got %v, want the merged key idd reported at line 4", err)
	}
}

func TestDecodeStrict_NilAndTypeErrors(t *testing.T) {
	got := kindConfig{Path: "default"}
	if err := collector.DecodeStrict(nil, &got); err != nil || got.Path != "default" {
		t.Errorf("nil node: %v, %+v", err, got)
	}
	errorTests := []struct {
		doc, want string
	}{
		{"every: soon\n", `line 1: every: not a valid duration string: "soon"`},
		{"targets:\n  - url: a\n  - url: [b]\n", "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!seq into string"},
		{"http:\n  tls_config:\n    min_version: TLS09\n", `line 3: http.tls_config.min_version: unknown TLS version: TLS09`},
		{"http:\n  bearer_token: a\n  bearer_token_file: b\n", "line 2: http: at most one of bearer_token & bearer_token_file must be configured"},
	}
	for _, tt := range errorTests {
		err := collector.DecodeStrict(parse(t, tt.doc), &got)
		if err == nil || err.Error() != tt.want {
			t.Errorf("DecodeStrict(%q) = %v, want %q", tt.doc, err, tt.want)
		}
	}
	if err := collector.DecodeStrict(parse(t, "path: x\n"), got); err == nil {
		t.Error("decoding into a non-pointer succeeded")
	}
}

func TestDecodeStrict_KeepsDefaults(t *testing.T) {
	got := kindConfig{HTTP: config.DefaultHTTPClientConfig}
	if err := collector.DecodeStrict(parse(t, "http:\n  bearer_token: t\n"), &got); err != nil {
		t.Fatal(err)
	}
	if !got.HTTP.FollowRedirects || !got.HTTP.EnableHTTP2 {
		t.Errorf("defaults lost: follow_redirects %v, enable_http2 %v", got.HTTP.FollowRedirects, got.HTTP.EnableHTTP2)
	}
	if got.HTTP.Authorization == nil || got.HTTP.Authorization.Credentials != "t" {
		t.Errorf("bearer token not decoded: %+v", got.HTTP.Authorization)
	}
}
