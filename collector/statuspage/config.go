package statuspage

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"

	"github.com/sla-exporter/sla_exporter/collector"
	"github.com/sla-exporter/sla_exporter/collector/apisource"
)

// Config is the `statuspage:` block of a source. docs/configuration.md documents each key; keep
// the two in step.
type Config struct {
	// url (the page's address: https://<page>.statuspage.io or its custom domain,
	// https://www.githubstatus.com), http_client_config, rate_limit (default and at most 1
	// request a second), request_timeout.
	apisource.DocumentConfig `yaml:",inline"`
	// Components selects the components read, each by its name or id as components.json lists
	// it, a group included (its series is the worst of its members); each is a series named as
	// written. Unset, every component but the groups, each a series named by its name.
	Components []string `yaml:"components"`
	// Statuses maps a component status to what it means: down, degraded, up or maintenance. It
	// changes the defaults (major_outage: down, partial_outage and degraded_performance:
	// degraded, under_maintenance: maintenance, operational: up) for the statuses it names,
	// and maps statuses the vendor may add.
	Statuses map[string]string `yaml:"statuses"`
}

// maxRate is Statuspage's limit: 1 request a second.
const maxRate = 1.0

// defaults: no hosted default (every page has its own address); a sync reads three documents.
var defaults = apisource.Defaults{
	PageSize:           listLimit,
	MaxPageSize:        listLimit,
	RateLimit:          apisource.RateLimit{Requests: 1, Per: model.Duration(time.Second), Burst: 1},
	MaxRequestsPerSync: 10,
	RequestTimeout:     30 * time.Second,
}

// settings is a Config checked.
type settings struct {
	api        *apisource.Settings
	components []string
	statuses   map[string]effect
}

func compile(node *yaml.Node, opts collector.Options) (*settings, error) {
	if node == nil {
		return nil, errors.New("the statuspage source needs a `statuspage:` block with at least url (the page's address)")
	}
	cfg := Config{DocumentConfig: apisource.DefaultDocumentConfig()}
	if err := collector.DecodeStrict(node, &cfg); err != nil {
		return nil, err
	}
	api, err := apisource.CompileDocuments(node, &cfg.DocumentConfig, defaults, "statuspage", opts)
	if err != nil {
		return nil, err
	}
	if p := strings.TrimSuffix(api.Base.Path, "/"); strings.HasSuffix(p, "/api/v2") || strings.HasSuffix(p, ".json") {
		return nil, apisource.Fail(node, []string{"url"}, "is a document of the API: give the page's address (https://www.githubstatus.com), the source adds /api/v2/...")
	}
	if float64(api.Limit) > maxRate {
		return nil, apisource.Fail(node, []string{"rate_limit"}, "%.3g requests a second is above Statuspage's limit of 1 a second", float64(api.Limit))
	}
	if err := apisource.CheckSelectors(node, "components", cfg.Components); err != nil {
		return nil, err
	}
	s := &settings{api: api, components: cfg.Components, statuses: maps.Clone(defaultStatuses)}
	for _, status := range slices.Sorted(maps.Keys(cfg.Statuses)) {
		eff, ok := effectNames[strings.ToLower(strings.TrimSpace(cfg.Statuses[status]))]
		switch {
		case strings.TrimSpace(status) == "":
			return nil, apisource.Fail(node, []string{"statuses"}, "a status is empty")
		case !ok:
			return nil, apisource.Fail(node, []string{"statuses", status}, "%q is not down, degraded, up or maintenance", cfg.Statuses[status])
		}
		s.statuses[status] = eff
	}
	return s, nil
}
