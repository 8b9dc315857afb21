package gatus

import (
	"cmp"
	"errors"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Config is the `gatus:` block of a source. docs/configuration.md documents each key; keep the
// two in step.
type Config struct {
	// url (Gatus' address), http_client_config (basic_auth when Gatus' security is on),
	// rate_limit, request_timeout.
	apisource.DocumentConfig `yaml:",inline"`
	// Endpoints selects the endpoints read, each by its key (group_name, as Gatus forms it)
	// or its name, each a series named as written. Unset, every endpoint, each a series named
	// by its key.
	Endpoints []string `yaml:"endpoints"`
	// PageSize is the results per endpoint asked for a page: Gatus answers the first page
	// with at most its storage.maximum-number-of-results (default 100).
	PageSize int `yaml:"page_size"`
	// MaxRequestsPerSync bounds the pages a sync reads.
	MaxRequestsPerSync int `yaml:"max_requests_per_sync"`
}

// defaults: no hosted default; pages of Gatus' default maximum-number-of-results.
var defaults = apisource.Defaults{
	PageSize:           100,
	MaxPageSize:        10_000,
	RateLimit:          apisource.RateLimit{Requests: 5, Per: model.Duration(time.Second), Burst: 5},
	MaxRequestsPerSync: 20,
	RequestTimeout:     30 * time.Second,
	Credentials:        "http_client_config.basic_auth (when Gatus' security.basic is on)",
}

// settings is a Config checked.
type settings struct {
	api       *apisource.Settings
	endpoints []string
	// maxPages bounds the pages a sync reads.
	maxPages int
}

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errors.New("the gatus source needs a `gatus:` block with at least url (Gatus' address)")
	}
	cfg := Config{DocumentConfig: apisource.DefaultDocumentConfig()}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	if cfg.MaxRequestsPerSync < 0 {
		return nil, apisource.Fail(node, []string{"max_requests_per_sync"}, "%d is negative", cfg.MaxRequestsPerSync)
	}
	maxPages := cmp.Or(cfg.MaxRequestsPerSync, defaults.MaxRequestsPerSync)
	// The client's cap is the pages' (one request a page), at least the 2 it takes.
	full := apisource.Config{URL: cfg.URL, HTTPClientConfig: cfg.HTTPClientConfig, RateLimit: cfg.RateLimit,
		RequestTimeout: cfg.RequestTimeout, PageSize: cfg.PageSize, MaxRequestsPerSync: max(maxPages, 2)}
	api, err := apisource.Compile(node, &full, defaults, "gatus", opts)
	if err != nil {
		return nil, err
	}
	if err := apisource.CheckSelectors(node, "endpoints", cfg.Endpoints); err != nil {
		return nil, err
	}
	return &settings{api: api, endpoints: cfg.Endpoints, maxPages: maxPages}, nil
}
