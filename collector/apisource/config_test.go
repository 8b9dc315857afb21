package apisource

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"golang.org/x/time/rate"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
)

// kindConfig is how a kind embeds Config.
type kindConfig struct {
	Config     `yaml:",inline"`
	Repository string `yaml:"repository"`
}

const modelHour = model.Duration(time.Hour)

var testDefaults = Defaults{URL: "https://api.example.com", PageSize: 50, MaxPageSize: 100,
	RateLimit: RateLimit{Requests: 3600, Per: modelHour, Burst: 5}, MaxRequestsPerSync: 500,
	Overlap: 5 * time.Minute, Reconcile: 24 * time.Hour, Credentials: "http_client_config.authorization"}

func compileYAML(t *testing.T, doc string) (*Settings, error) {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &node); err != nil {
		t.Fatal(err)
	}
	cfg := kindConfig{Config: Config{HTTPClientConfig: config.DefaultHTTPClientConfig}}
	if err := collector.DecodeStrict(&node, &cfg); err != nil {
		return nil, ScrubConfigError(&node, err)
	}
	s, err := Compile(&node, &cfg.Config, testDefaults, "test", collector.Options{Name: "src", Dir: "/etc/sla"})
	return s, ScrubConfigError(&node, err)
}

func TestCompile_Defaults(t *testing.T) {
	s, err := compileYAML(t, "repository: acme/app\n")
	if err != nil {
		t.Fatal(err)
	}
	// 3600 per hour is one a second.
	if s.Base.String() != "https://api.example.com/" || s.PageSize != 50 || s.MaxRequests != 500 || s.Limit != rate.Limit(1) ||
		s.Burst != 5 || s.Overlap != 5*time.Minute || s.Reconcile != 24*time.Hour || s.RequestTimeout != 30*time.Second {
		t.Errorf("settings %+v", s)
	}
	if s.credentials != "http_client_config: no credentials are configured; set http_client_config.authorization" {
		t.Errorf("credentials hint %q", s.credentials)
	}
}

func TestCompile_Settings(t *testing.T) {
	s, err := compileYAML(t, `
url: https://ghe.example.com/api/v3
http_client_config:
  authorization: {credentials_file: token}
rate_limit: {requests: 20, per: 1m}
page_size: 100
max_requests_per_sync: 40
overlap: 1h
reconcile_interval: 0s
request_timeout: 10s
`)
	if err != nil {
		t.Fatal(err)
	}
	if s.Base.String() != "https://ghe.example.com/api/v3/" || s.Client.Authorization.CredentialsFile != "/etc/sla/token" ||
		s.Limit != rate.Limit(20.0/60) || s.Burst != 1 || s.PageSize != 100 || s.MaxRequests != 40 || s.Overlap != time.Hour ||
		s.Reconcile != 0 || s.RequestTimeout != 10*time.Second || s.credentials != "http_client_config.authorization" {
		t.Errorf("settings %+v", s)
	}
}

func TestCompile_Errors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"url: ftp://x\n", "line 1: url: not an http:// or https:// URL with a host"},
		{"url: https://user:pa55word@api.example.com\n", "line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"url: https://gitlab.example.com/api/v4?private_token=glpat-xyz\n", "line 1: url: has user information, a query or a fragment: credentials go in http_client_config, and the base URL is only scheme://host/path"},
		{"page_size: 500\n", "line 1: page_size: 500 is not between 1 and 100, the most the API returns per page"},
		{"rate_limit: {requests: 10}\n", "line 1: rate_limit.per: is required with requests (e.g. 1h)"},
		{"rate_limit:\n  requests: -1\n  per: 1h\n", "line 2: rate_limit.requests: -1 is negative"},
		{"max_requests_per_sync: 1\n", "line 1: max_requests_per_sync: 1 is too few: a sync needs a listing and a request per changed ticket"},
		{"overlap: 8d\n", "line 1: overlap: 8d is longer than 1w: every sync would list that much again"},
		{"reconcile_interval: 10m\n", "line 1: reconcile_interval: 10m is shorter than 1h: each reconciliation lists every ticket id in scope (0s turns it off)"},
		{"http_client_config:\n  authorization: {credentials_ref: vault}\n", "line 2: http_client_config.authorization.credentials_ref: secret references need a secret manager, which sla_exporter has not: use the _file form"},
		{"http_client_config:\n  http_headers:\n    PRIVATE-TOKEN: {values: [glpat-plain]}\n", "line 3: http_client_config.http_headers.PRIVATE-TOKEN.values: a credential in plain values shows wherever the configuration is printed: use secrets, or better files"},
		{"repositry: acme/app\n", "line 1: repositry: unknown field (known: url, http_client_config, rate_limit, page_size, max_requests_per_sync, overlap, reconcile_interval, request_timeout, repository)"},
		{"http_client_config:\n  basic_auth: {username: u, password: hunter22, password_file: f}\n", "line 2: http_client_config: at most one of basic_auth password, password_file & password_ref must be configured"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := compileYAML(t, tt.doc)
			if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("error %v\nwant %s", err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), "pa55word") || strings.Contains(err.Error(), "glpat-") || strings.Contains(err.Error(), "hunter22")) {
				t.Errorf("error %v shows a credential", err)
			}
		})
	}
}
